// The detector lease on fake timers, over a lock whose holder the test controls (the memory store's leases cannot
// be lost, Redis's expire in Redis): one holder at a time, a standby that takes over when the lease is free, a
// lost lease that hands back and stands by again, a failed takeover that releases and tries again, and stop.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DetectorLease } from '../../workers/detector-lease.ts';
import { createLogger } from '../../workers/logger.ts';
import type { LockLease, StateStore } from '../../workers/ports/state-store.ts';
import { LockTimeoutError } from '../../workers/ports/state-store.ts';

/** A lock with one holder; `steal` gives it to someone else (as when a lease expired and was taken). */
function lock() {
  let holder: object | null = null;
  const acquireLock = async (name: string, options: { waitMs?: number } = {}): Promise<LockLease> => {
    const until = Date.now() + (options.waitMs ?? 1000);
    while (holder !== null) {
      if (Date.now() >= until) throw new LockTimeoutError(name);
      await new Promise((r) => setTimeout(r, 50));
    }
    const me = {};
    holder = me;
    return {
      extend: async () => holder === me,
      release: async () => {
        if (holder === me) holder = null;
      },
    };
  };
  return {
    state: { acquireLock } as unknown as StateStore,
    steal: () => {
      holder = {};
    },
    free: () => {
      holder = null;
    },
    taken: () => holder !== null,
  };
}

function lease(state: StateStore, hooks: { acquired?: () => Promise<void>; lost?: () => Promise<void> } = {}) {
  const events: string[] = [];
  const l = new DetectorLease({
    state,
    logger: createLogger('silent'),
    ttlMs: 1000,
    onAcquired: async () => {
      events.push('acquired');
      await hooks.acquired?.();
    },
    onLost: async () => {
      events.push('lost');
      await hooks.lost?.();
    },
  });
  return { l, events };
}

describe('DetectorLease', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets one holder at a time feed the detector; the standby takes over once the lease is released', async () => {
    const { state } = lock();
    const a = lease(state);
    const b = lease(state);
    a.l.start();
    await vi.advanceTimersByTimeAsync(10);
    b.l.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect([a.events, b.events, a.l.held(), b.l.held()]).toEqual([['acquired'], [], true, false]);
    await a.l.stop();
    await a.l.release();
    await vi.advanceTimersByTimeAsync(100);
    expect([b.events, b.l.held()]).toEqual([['acquired'], true]);
    await b.l.stop();
    await b.l.release();
  });

  it('extends while held, asks for an extension every quarter of the ttl, and hands back a lost lease', async () => {
    const { state, steal, free } = lock();
    const a = lease(state);
    a.l.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(a.l.extensionDue()).toBe(false);
    await vi.advanceTimersByTimeAsync(250);
    expect(a.l.extensionDue()).toBe(true);
    expect(await a.l.extend()).toBe(true);
    expect(a.l.extensionDue()).toBe(false);
    steal();
    expect(await a.l.extend()).toBe(false);
    expect(a.l.held()).toBe(false);
    expect(a.events).toEqual(['acquired', 'lost']);
    // It stands by again and takes the lease when it is free.
    await vi.advanceTimersByTimeAsync(3000);
    expect(a.events).toEqual(['acquired', 'lost']);
    free();
    await vi.advanceTimersByTimeAsync(100);
    expect(a.events).toEqual(['acquired', 'lost', 'acquired']);
    await a.l.stop();
    await a.l.release();
  });

  it('keeps the lease while the store does not answer within the last extension, and loses it after', async () => {
    const { state } = lock();
    let down = false;
    const acquireLock = state.acquireLock.bind(state);
    // The same lock, but while `down` its extensions fail as a restarting Redis fails them (no answer, an error).
    const flaky = {
      acquireLock: async (...args: Parameters<StateStore['acquireLock']>) => {
        const l = await acquireLock(...args);
        return {
          extend: async (ms: number) => {
            if (down) throw new Error('Connection is closed.');
            return l.extend(ms);
          },
          release: () => l.release(),
        };
      },
    } as unknown as StateStore;
    const a = lease(flaky);
    a.l.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(await a.l.extend()).toBe(true);
    down = true;
    await vi.advanceTimersByTimeAsync(500); // ttl 1000: within the last extension's cover
    expect(await a.l.extend()).toBe(true);
    expect(a.events).toEqual(['acquired']);
    down = false;
    expect(await a.l.extend()).toBe(true); // the store is back and the lock still ours: nothing was lost
    expect(a.events).toEqual(['acquired']);
    down = true;
    await vi.advanceTimersByTimeAsync(900); // past 0.8 ttl since the last extension: it may have expired
    expect(await a.l.extend()).toBe(false);
    expect([a.events, a.l.held()]).toEqual([['acquired', 'lost'], false]);
    down = false;
    await a.l.stop();
    await a.l.release();
  });

  it('releases the lease when the takeover fails, and tries again after retryMs', async () => {
    const { state, taken } = lock();
    let attempts = 0;
    const a = lease(state, {
      acquired: async () => {
        if (++attempts === 1) throw new Error('state unreadable');
      },
    });
    a.l.start();
    await vi.advanceTimersByTimeAsync(10);
    expect([attempts, a.l.held(), taken()]).toEqual([1, false, false]);
    await vi.advanceTimersByTimeAsync(1000);
    expect([attempts, a.l.held(), taken()]).toEqual([2, true, true]);
    await a.l.stop();
    await a.l.release();
    expect(taken()).toBe(false);
  });

  it('stops standing by on stop, and release is safe when nothing is held', async () => {
    const { state, steal, taken } = lock();
    steal();
    const a = lease(state);
    a.l.start();
    await vi.advanceTimersByTimeAsync(3000);
    const stopped = a.l.stop();
    await vi.advanceTimersByTimeAsync(1000);
    await stopped;
    await a.l.release();
    expect([a.events, a.l.held(), taken()]).toEqual([[], false, true]);
  });
});
