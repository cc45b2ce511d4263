// The one contract every Scheduler adapter passes (run by scheduler.test.ts against memory and BullMQ).
// The in-process scheduler runs on fake timers; BullMQ keeps real time (its delays and rate limits are kept in the
// real Redis, where fake timers cannot reach) and the clock polls for it instead of sleeping (test-clock.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Scheduler } from '../../../workers/ports/scheduler.ts';
import type { TestClock } from '../test-clock.ts';

/** Registers the scheduler contract for the adapter made by `make`; `cleanup` removes what it left behind. */
export function schedulerContract(
  name: string,
  make: () => Scheduler,
  clock: TestClock,
  cleanup: (s: Scheduler) => Promise<void> = async () => {},
): void {
  describe(`Scheduler contract: ${name}`, () => {
    const made: Scheduler[] = [];
    const create = () => {
      const s = make();
      made.push(s);
      return s;
    };
    beforeEach(() => {
      clock.install();
    });
    afterEach(async () => {
      // A job may be in a (fake) sleep: time must pass for stop to drain it.
      for (const s of made.splice(0)) {
        await clock.settle(s.stop({ deadlineMs: 5000 }), 'stop');
        await s.stop();
        await cleanup(s);
      }
      clock.uninstall();
    });

    it('runs a job repeatedly and never again after stop', async () => {
      const s = create();
      let runs = 0;
      await s.schedule({
        name: 'tick',
        everyMs: 50,
        run: async () => {
          runs++;
        },
      });
      await s.start();
      await clock.until(() => runs >= 3, '3 runs', 10_000);
      await s.stop();
      const after = runs;
      await clock.pass(300);
      expect(runs).toBe(after);
    });

    it('keeps runs of a job within its concurrency', async () => {
      const s = create();
      let inside = 0;
      let max = 0;
      let runs = 0;
      await s.schedule({
        name: 'slow',
        everyMs: 20,
        concurrency: 1,
        run: async () => {
          inside++;
          max = Math.max(max, inside);
          await new Promise((r) => setTimeout(r, 120));
          inside--;
          runs++;
        },
      });
      await s.start();
      await clock.until(() => runs >= 3, '3 slow runs', 10_000);
      expect(max).toBe(1);
    });

    it('keeps to the rate limit', async () => {
      const s = create();
      const starts: number[] = [];
      await s.schedule({
        name: 'limited',
        everyMs: 20,
        rateLimit: { max: 2, durationMs: 1500 },
        run: async () => {
          starts.push(Date.now());
        },
      });
      await s.start();
      await clock.until(() => starts.length >= 2, 'two runs', 10_000);
      await clock.pass(700);
      const first = starts[0]!;
      expect(starts.filter((t) => t < first + 1400).length).toBe(2);
    });

    it('reports a failing run and goes on with the schedule', async () => {
      const s = create();
      const outcomes: string[] = [];
      s.onRun = (_n, outcome) => {
        outcomes.push(outcome);
      };
      let n = 0;
      await s.schedule({
        name: 'flaky',
        everyMs: 40,
        run: async () => {
          if (n++ === 0) throw new Error('network down');
        },
      });
      await s.start();
      await clock.until(() => outcomes.includes('ok'), 'a good run after a failure', 10_000);
      expect(outcomes[0]).toBe('failed');
    });

    it('aborts the running job on stop and waits for it', async () => {
      const s = create();
      let started = false;
      let finished = false;
      await s.schedule({
        name: 'long',
        everyMs: 30,
        run: async (signal) => {
          started = true;
          await new Promise<void>((r) => {
            signal.addEventListener('abort', () => r(), { once: true });
          });
          finished = true;
        },
      });
      await s.start();
      await clock.until(() => started, 'start', 10_000);
      await s.stop({ deadlineMs: 5000 });
      expect(finished).toBe(true);
    });
  });
}
