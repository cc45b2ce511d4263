// The scheduler port: repeatable jobs with an interval, jitter, a rate limit and a concurrency limit.
// Adapters: workers/adapters/memory-scheduler.ts (timers in-process) and workers/adapters/bullmq-scheduler.ts
// (BullMQ job schedulers on Redis, so several processes share one schedule and a job runs once per tick).
import type { Lifecycle } from '../../pipelines/core/lifecycle.ts';

/** A repeatable job. */
export interface RepeatableJob {
  /** Unique name (e.g. the source name); small fixed set, safe as a label. */
  name: string;
  /** Interval between runs in milliseconds (ignored when `cron` is set). */
  everyMs: number;
  /**
   * Runs at the times of a cron pattern in a time zone instead of every `everyMs` (DST-safe: BullMQ and the
   * in-process scheduler both compute the times with cron-parser). A cron job does not run at start. Default none.
   */
  cron?: { pattern: string; tz: string };
  /** Each run waits a random 0..jitterMs first, so sources do not fire in lockstep. Default 0. */
  jitterMs?: number;
  /** At most this many runs of this job at once. Default 1. */
  concurrency?: number;
  /** At most `max` runs per `durationMs`. Default none. */
  rateLimit?: { max: number; durationMs: number };
  /** Runs the job; the signal aborts when the scheduler stops. A throw is logged and counted; the schedule goes on. */
  run(signal: AbortSignal): Promise<void>;
}

/** The scheduler port. Jobs are added before or after start(); runs begin after start(). */
export interface Scheduler extends Lifecycle {
  /** Which adapter this is. */
  readonly kind: 'memory' | 'bullmq';
  /** Adds (or replaces) a repeatable job. */
  schedule(job: RepeatableJob): Promise<void>;
  /** Called after each run, for metrics and tests. */
  onRun?: (name: string, outcome: 'ok' | 'failed', error?: unknown) => void;
}
