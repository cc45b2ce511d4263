// The detector lease: however many detect workers run, one holds the lock "detector" in the state store and feeds
// the detector; the others are passive standbys waiting for it here. The lease expires ttlMs after its last
// extension, so a crashed holder's lease passes on by itself. This unit only acquires, extends, loses and releases;
// what a holder does with the lease (load the state, join the consumer group, leave it again) is the caller's,
// through `onAcquired` and `onLost`.
import type { Logger } from './logger.ts';
import type { LockLease, StateStore } from './ports/state-store.ts';
import { LockTimeoutError } from './ports/state-store.ts';

/** Name of the lock in the state store. */
export const DETECTOR_LOCK = 'detector';

/** Dependencies and settings of {@link DetectorLease}. */
export interface DetectorLeaseDeps {
  state: StateStore;
  logger: Logger;
  /** Lease time to live, ms (detect.leaseTtlMs). */
  ttlMs: number;
  /**
   * Runs once the lease is taken: load the state and start consuming. If it throws, the lease is released and
   * asked for again after `retryMs`.
   */
  onAcquired: () => Promise<void>;
  /** Runs when the lease turned out lost (before standing by again): leave the consumer group without committing. */
  onLost: () => Promise<void>;
  /** Wait before asking again after a failure, ms. Default 1000. */
  retryMs?: number;
  /** How long one request for the lock waits for it, ms. Default 1000. */
  waitMs?: number;
}

/** Acquires, extends and loses the detector lease; stands by while someone else holds it. */
export class DetectorLease {
  private lease: LockLease | null = null;
  private stopping = false;
  /** The loop waiting for the lease while this worker is a standby. */
  private standby: Promise<void> | null = null;
  /**
   * When the last successful extension (or the acquisition) was asked for, Date.now(): the lock lives in the store
   * until at least this + ttlMs.
   */
  private extendedAtMs = 0;
  private readonly log: Logger;

  constructor(private readonly deps: DetectorLeaseDeps) {
    this.log = deps.logger;
  }

  /** Whether this worker holds the lease. */
  held(): boolean {
    return this.lease !== null;
  }

  /** Starts standing by for the lease (returns at once; `onAcquired` runs when it is taken). */
  start(): void {
    this.stopping = false;
    this.standby = this.waitForLease();
  }

  /** Stops asking for the lease and waits for the standby loop to end; a held lease stays held until `release`. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.standby;
  }

  /** Whether a quarter of the lease's time to live has passed since its last extension. */
  extensionDue(nowMs = Date.now()): boolean {
    return this.lease !== null && nowMs - this.extendedAtMs >= this.deps.ttlMs / 4;
  }

  /**
   * Extends the lease; when it is lost, runs `onLost` (not awaited), stands by again and returns false. A store that
   * does not answer (Redis restarting) does not lose the lease while the last extension still covers it: nobody else
   * can take the lock before it expires, and once the store answers again the extension succeeds (with persistence
   * the lock is still ours) or finds the lock gone (lost then). Giving it up at once cost a restart of Redis the lock's
   * whole time to live (the lock, restored from the AOF, had to expire) plus a reload of the detector's state.
   */
  async extend(): Promise<boolean> {
    const lease = this.lease;
    if (!lease) return false;
    const askedAtMs = Date.now();
    let answer: boolean | 'unreachable';
    try {
      answer = await lease.extend(this.deps.ttlMs);
    } catch {
      answer = 'unreachable';
    }
    if (answer === true) {
      this.extendedAtMs = askedAtMs;
      return true;
    }
    // A margin of a fifth of the ttl for the time the last request took to reach the store.
    if (answer === 'unreachable' && this.lease === lease && Date.now() - this.extendedAtMs < this.deps.ttlMs * 0.8)
      return true;
    if (this.lease === lease) void this.lost();
    return false;
  }

  /** Releases the lease (if held). */
  async release(): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    await lease?.release();
  }

  /** The lease is gone: let the holder leave, then stand by again. */
  private async lost(): Promise<void> {
    this.lease = null;
    this.log.warn('Detector lease lost; leaving the consumer group without committing and standing by.');
    await this.deps.onLost();
    if (!this.stopping) this.standby = this.waitForLease();
  }

  private async pause(): Promise<void> {
    await new Promise((r) => setTimeout(r, this.deps.retryMs ?? 1000));
  }

  /** Waits for the lease (as a standby), then hands over to `onAcquired`. */
  private async waitForLease(): Promise<void> {
    const { state, ttlMs } = this.deps;
    while (!this.stopping) {
      let lease: LockLease;
      // Before the request: the lock's time to live runs from when the store set it, not from its answer.
      const askedAtMs = Date.now();
      try {
        lease = await state.acquireLock(DETECTOR_LOCK, { ttlMs, waitMs: this.deps.waitMs ?? 1000 });
      } catch (err) {
        if (!(err instanceof LockTimeoutError)) {
          this.log.warn({ err: (err as Error).message }, 'Could not ask for the detector lease; trying again.');
          await this.pause();
        }
        continue;
      }
      try {
        if (this.stopping) {
          await lease.release();
          return;
        }
        this.lease = lease;
        this.extendedAtMs = askedAtMs;
        await this.deps.onAcquired();
        return;
      } catch (err) {
        this.log.error(
          { err: (err as Error).message },
          'Could not take over the detector; releasing the lease and trying again.',
        );
        this.lease = null;
        // Never throws: this loop runs unawaited after a lost lease, and a store that is down (or already stopped)
        // lets the lease expire by itself.
        await lease.release().catch(() => undefined);
        await this.pause();
      }
    }
  }
}
