// Test helper: how a test lets time pass. In-process adapters and workers run on vitest's fake timers, so a test
// that waits seconds takes milliseconds and does not depend on how busy the machine is. Adapters on a real broker
// (Redis, Kafka) keep real time — their timers and expiries run in the broker, where fake timers cannot reach — and
// there the clock polls (wait-for.ts) instead of sleeping a fixed time.
import { vi } from 'vitest';
import { waitFor } from './wait-for.ts';

/** Lets time pass in a test, on fake or real timers. */
export interface TestClock {
  /** Whether this clock runs on fake timers. */
  readonly fake: boolean;
  /** Installs the timers (call in beforeEach, before creating what reads the clock). */
  install(): void;
  /** Restores real timers (call in afterEach, after stopping what was created). */
  uninstall(): void;
  /** Resolves when cond() holds, advancing fake time in small steps or polling real time; rejects after timeoutMs. */
  until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>;
  /** Resolves with what `p` resolves to, advancing fake time until it settles (real time: simply awaits it). */
  settle<T>(p: Promise<T>, what: string, timeoutMs?: number): Promise<T>;
  /**
   * Lets `ms` pass, to show that something does NOT happen in that time. With real time this is a bounded wait:
   * the absence of an event has nothing to poll for.
   */
  pass(ms: number): Promise<void>;
}

/** Fake time advanced in steps of `stepMs`. */
export function fakeClock(stepMs = 10): TestClock {
  const until = async (cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> => {
    for (let waited = 0; ; waited += stepMs) {
      if (await cond()) return;
      if (waited > timeoutMs) throw new Error(`timed out waiting for ${what} (${timeoutMs} ms of fake time)`);
      await vi.advanceTimersByTimeAsync(stepMs);
    }
  };
  return {
    fake: true,
    install: () => {
      vi.useFakeTimers();
    },
    uninstall: () => {
      vi.useRealTimers();
    },
    until,
    settle: async <T>(p: Promise<T>, what: string, timeoutMs?: number): Promise<T> => {
      let done = false;
      const tracked = p.finally(() => {
        done = true;
      });
      tracked.catch(() => undefined); // the rejection is reported by the await below
      await until(() => done, what, timeoutMs);
      return tracked;
    },
    pass: async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
    },
  };
}

/** Real time, polled every `everyMs`. */
export function realClock(everyMs = 50): TestClock {
  return {
    fake: false,
    install: () => {},
    uninstall: () => {},
    until: (cond, what, timeoutMs = 20_000) => waitFor(cond, what, timeoutMs, everyMs),
    settle: (p) => p,
    pass: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}
