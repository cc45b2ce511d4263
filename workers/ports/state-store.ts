// The window-state store port: small shared state for workers — connector cursors, duplicate suppression and the
// serialized detector state — plus a lock so several workers can take turns on one piece of state.
// Adapters: workers/adapters/memory-state-store.ts and workers/adapters/redis-state-store.ts (ioredis).
import type { Lifecycle } from '../../pipelines/core/lifecycle.ts';
import { RetriableError } from '../../pipelines/core/errors.ts';

/** The window-state store port. Keys are plain strings; adapters add their own prefix. */
export interface StateStore extends Lifecycle {
  /** Which adapter this is. */
  readonly kind: 'memory' | 'redis';
  /** The value under key, or null. */
  get(key: string): Promise<string | null>;
  /** Sets a value, optionally expiring after ttlMs. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Deletes a key (no error when absent). */
  del(key: string): Promise<void>;
  /**
   * Marks each key as seen (for ttlMs) and answers, per key and in order, whether it was new.
   * Used for duplicate suppression: only the first caller gets `true` for a key.
   */
  markSeen(keys: string[], ttlMs: number): Promise<boolean[]>;
  /**
   * Runs fn while holding the named lock (mutual exclusion across every worker sharing the store).
   * The lock expires after ttlMs if its holder dies; waits up to waitMs for it, then throws LockTimeoutError.
   */
  withLock<T>(name: string, fn: () => Promise<T>, options?: { ttlMs?: number; waitMs?: number }): Promise<T>;
  /**
   * Takes the named lock and keeps it until released (a lease over several operations). It expires after ttlMs
   * unless extended; waits up to waitMs for it, then throws LockTimeoutError.
   */
  acquireLock(name: string, options?: { ttlMs?: number; waitMs?: number }): Promise<LockLease>;
}

/** A held lock. */
export interface LockLease {
  /** Extends the lease to ttlMs from now; false when it was lost (expired and taken by someone else). */
  extend(ttlMs: number): Promise<boolean>;
  /** Releases the lock (no effect when already released or lost). */
  release(): Promise<void>;
}

/**
 * `withLock` in terms of `acquireLock`, for every adapter: takes the lease, runs fn, and releases the lease however
 * fn ended.
 */
export async function withLease<T>(
  store: Pick<StateStore, 'acquireLock'>,
  name: string,
  fn: () => Promise<T>,
  options?: { ttlMs?: number; waitMs?: number },
): Promise<T> {
  const lease = await store.acquireLock(name, options);
  try {
    return await fn();
  } finally {
    await lease.release();
  }
}

/** Raised when a lock could not be taken in time; retriable. */
export class LockTimeoutError extends RetriableError {
  override name = 'LockTimeoutError';
  constructor(
    readonly lock: string,
    cause?: unknown,
  ) {
    super(`lock "${lock}" not acquired in time`, { cause });
  }
}
