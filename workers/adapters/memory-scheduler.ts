// In-process scheduler for embedded mode: a timer per repeatable job, with jitter, a concurrency limit and a
// sliding-window rate limit, the same behaviour the BullMQ scheduler gives across processes.
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { CronExpressionParser } from 'cron-parser';
import type { StopOptions } from '../../pipelines/core/lifecycle.ts';
import { DEFAULT_STOP_DEADLINE_MS, guardedStop } from '../../pipelines/core/lifecycle.ts';
import type { RepeatableJob, Scheduler } from '../ports/scheduler.ts';

interface Entry {
  job: RepeatableJob;
  timer: NodeJS.Timeout | null;
  inFlight: Set<Promise<void>>;
  starts: number[];
}

/** In-process implementation of the {@link Scheduler} port. */
export class MemoryScheduler implements Scheduler {
  readonly kind = 'memory' as const;
  onRun?: (name: string, outcome: 'ok' | 'failed', error?: unknown) => void;
  private readonly entries = new Map<string, Entry>();
  private abort = new AbortController();
  private running = false;

  async schedule(job: RepeatableJob): Promise<void> {
    const old = this.entries.get(job.name);
    if (old?.timer) clearTimeout(old.timer);
    const entry: Entry = { job, timer: null, inFlight: old?.inFlight ?? new Set(), starts: old?.starts ?? [] };
    this.entries.set(job.name, entry);
    if (this.running) this.arm(entry, this.firstDelay(job));
  }

  /** Interval jobs run at once; cron jobs wait for their next time. */
  private firstDelay(job: RepeatableJob): number {
    return job.cron ? this.untilNext(job.cron) : 0;
  }

  /** Milliseconds until the next time of a cron pattern (the same parser BullMQ uses, so the times agree). */
  private untilNext(cron: { pattern: string; tz: string }): number {
    const now = Date.now();
    const next = CronExpressionParser.parse(cron.pattern, { currentDate: new Date(now), tz: cron.tz }).next();
    return Math.max(next.getTime() - now, 1);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    setMaxListeners(0, this.abort.signal); // every running job listens on the one signal
    for (const e of this.entries.values()) this.arm(e, this.firstDelay(e.job));
  }

  private arm(e: Entry, delayMs: number): void {
    e.timer = setTimeout(() => {
      if (!this.running) return;
      this.tick(e);
      this.arm(e, e.job.cron ? this.untilNext(e.job.cron) : e.job.everyMs);
    }, delayMs);
  }

  private tick(e: Entry): void {
    const { job } = e;
    if (e.inFlight.size >= (job.concurrency ?? 1)) return;
    if (job.rateLimit) {
      const now = Date.now();
      e.starts = e.starts.filter((t) => t > now - job.rateLimit!.durationMs);
      if (e.starts.length >= job.rateLimit.max) return;
      e.starts.push(now);
    }
    const signal = this.abort.signal;
    const p = (async () => {
      await delay(Math.random() * (job.jitterMs ?? 0), undefined, { signal }).catch(() => undefined); // aborted: checked next
      if (signal.aborted) return;
      try {
        await job.run(signal);
        this.onRun?.(job.name, 'ok');
      } catch (err) {
        this.onRun?.(job.name, 'failed', err);
      }
    })();
    e.inFlight.add(p);
    void p.finally(() => e.inFlight.delete(p));
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const inFlight: Promise<void>[] = [];
    for (const e of this.entries.values()) {
      if (e.timer) clearTimeout(e.timer);
      e.timer = null;
      inFlight.push(...e.inFlight);
    }
    this.abort.abort();
    await guardedStop(
      [['drain running jobs', () => Promise.all(inFlight)]],
      options.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS,
    );
  }
}
