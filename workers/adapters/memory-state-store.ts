// In-process window-state store for embedded mode: a Map with expiry and an in-process lock (a promise queue per
// lock name). Same contract as the Redis store; nothing is shared with other processes, which embedded mode does not have.
import type { StopOptions } from '../../pipelines/core/lifecycle.ts';
import { LockTimeoutError, withLease } from '../ports/state-store.ts';
import type { LockLease, StateStore } from '../ports/state-store.ts';

/** In-memory implementation of the {@link StateStore} port. */
export class MemoryStateStore implements StateStore {
  readonly kind = 'memory' as const;
  private readonly values = new Map<string, { value: string; expiresAt: number }>();
  private readonly locks = new Map<string, Promise<void>>();

  constructor(private readonly now: () => number = Date.now) {}

  async start(): Promise<void> {}
  async stop(_options?: StopOptions): Promise<void> {}

  private live(key: string): { value: string; expiresAt: number } | undefined {
    const e = this.values.get(key);
    if (e && e.expiresAt <= this.now()) {
      this.values.delete(key);
      return undefined;
    }
    return e;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.values.set(key, { value, expiresAt: ttlMs ? this.now() + ttlMs : Infinity });
  }

  async del(key: string): Promise<void> {
    this.values.delete(key);
  }

  async markSeen(keys: string[], ttlMs: number): Promise<boolean[]> {
    return keys.map((k) => {
      if (this.live(k)) return false;
      this.values.set(k, { value: '1', expiresAt: this.now() + ttlMs });
      return true;
    });
  }

  async acquireLock(name: string, options: { ttlMs?: number; waitMs?: number } = {}): Promise<LockLease> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const chain = previous.then(() => mine);
    this.locks.set(name, chain);
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    try {
      await Promise.race([
        previous,
        new Promise((_, reject) => {
          timer = setTimeout(() => {
            timedOut = true;
            reject(new LockTimeoutError(name));
          }, options.waitMs ?? 30_000);
        }),
      ]);
    } catch (err) {
      // Give our turn away when the previous holder finishes, so the queue does not stall on us.
      if (timedOut) void previous.then(release);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    let held = true;
    // In one process a holder cannot die without the process, so the lease needs no expiry.
    return {
      extend: async () => held,
      release: async () => {
        if (!held) return;
        held = false;
        release();
        if (this.locks.get(name) === chain) this.locks.delete(name);
      },
    };
  }

  withLock<T>(name: string, fn: () => Promise<T>, options: { ttlMs?: number; waitMs?: number } = {}): Promise<T> {
    return withLease(this, name, fn, options);
  }
}
