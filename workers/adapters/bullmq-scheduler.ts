// BullMQ scheduler: one queue per repeatable job (so each source has its own concurrency and rate limit), a BullMQ
// job scheduler per queue (upsertJobScheduler: one tick per interval however many processes run it), and a Worker
// that runs the job's function. Several processes may schedule the same job: BullMQ makes each tick run once.
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { ConnectionOptions } from 'bullmq';
import type { Logger } from '../logger.ts';
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { StopOptions } from '../../pipelines/core/lifecycle.ts';
import { DEFAULT_STOP_DEADLINE_MS, guardedStop } from '../../pipelines/core/lifecycle.ts';
import type { RepeatableJob, Scheduler } from '../ports/scheduler.ts';

/** Options of {@link BullmqScheduler}. */
export interface BullmqSchedulerOptions {
  /** redis:// URL. */
  redisUrl: string;
  /** BullMQ key prefix (tests use a fresh one). Default "mid". */
  prefix?: string;
  logger?: Logger;
}

/** Connection options for BullMQ from a redis:// URL (workers need maxRetriesPerRequest null). */
export function bullmqConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/** BullMQ implementation of the {@link Scheduler} port. */
export class BullmqScheduler implements Scheduler {
  readonly kind = 'bullmq' as const;
  onRun?: (name: string, outcome: 'ok' | 'failed', error?: unknown) => void;
  private readonly jobs = new Map<string, RepeatableJob>();
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  /** The queues' own Redis connections (closed by stop). */
  private connections: Redis[] = [];
  private abort = new AbortController();
  private running = false;
  private readonly connection: ConnectionOptions;
  private readonly prefix: string;

  constructor(private readonly options: BullmqSchedulerOptions) {
    this.connection = bullmqConnection(options.redisUrl);
    this.prefix = options.prefix ?? 'mid';
  }

  private queueName(job: string): string {
    return `source-${job.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  }

  async schedule(job: RepeatableJob): Promise<void> {
    this.jobs.set(job.name, job);
    if (this.running) await this.install(job);
  }

  private async install(job: RepeatableJob): Promise<void> {
    const name = this.queueName(job.name);
    let queue = this.queues.get(job.name);
    const upsert = (q: Queue) =>
      q.upsertJobScheduler(
        job.name,
        job.cron ? { pattern: job.cron.pattern, tz: job.cron.tz } : { every: job.everyMs },
        {
          name: job.name,
          data: {},
          opts: { removeOnComplete: 100, removeOnFail: 100 },
        },
      );
    if (!queue) {
      // The queue gets a connection of its own making, so that it can hear reconnects: a Redis that restarted
      // without persistence comes back without the job scheduler, and nothing would ever run again. It is installed
      // again (idempotent) whenever the connection becomes ready. BullMQ does not close a connection it was given.
      const redis = new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
      redis.on('error', () => undefined); // reconnects are ioredis' job; failures surface in the commands
      const q = new Queue(name, { connection: redis, prefix: this.prefix });
      queue = q;
      this.queues.set(job.name, q);
      this.connections.push(redis);
      q.on('error', (err) => this.options.logger?.warn({ err: err.message, job: job.name }, 'BullMQ queue error.'));
      let connectedOnce = false;
      redis.on('ready', () => {
        if (!connectedOnce) {
          connectedOnce = true;
          return;
        }
        if (!this.running || this.queues.get(job.name) !== q) return;
        this.options.logger?.info({ job: job.name }, 'Redis is back; reinstalling the job scheduler.');
        void upsert(q).catch((err: Error) =>
          this.options.logger?.warn(
            { err: err.message, job: job.name },
            'Could not reinstall the job scheduler after a reconnect.',
          ),
        );
      });
    }
    await upsert(queue);
    await this.workers.get(job.name)?.close();
    const worker = new Worker(
      name,
      async () => {
        const signal = this.abort.signal;
        await delay(Math.random() * (job.jitterMs ?? 0), undefined, { signal }).catch(() => undefined); // aborted: checked next
        if (signal.aborted) return;
        await this.jobs.get(job.name)!.run(signal);
      },
      {
        connection: this.connection,
        prefix: this.prefix,
        concurrency: job.concurrency ?? 1,
        limiter: job.rateLimit ? { max: job.rateLimit.max, duration: job.rateLimit.durationMs } : undefined,
        // A tick is worth running once: a failed run waits for the next tick rather than retrying.
        autorun: true,
      },
    );
    worker.on('completed', () => this.onRun?.(job.name, 'ok'));
    worker.on('failed', (_j, err) => this.onRun?.(job.name, 'failed', err));
    worker.on('error', (err) => this.options.logger?.warn({ err: err.message, job: job.name }, 'BullMQ worker error.'));
    this.workers.set(job.name, worker);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    setMaxListeners(0, this.abort.signal); // every running job listens on the one signal
    for (const job of this.jobs.values()) await this.install(job);
  }

  /** Removes this scheduler's job schedulers and queues from Redis (tests and decommissioning). */
  async obliterate(): Promise<void> {
    for (const [name, q] of this.queues) {
      await q.removeJobScheduler(name).catch(() => undefined);
      await q.obliterate({ force: true }).catch(() => undefined);
    }
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    const problems = await guardedStop(
      [
        ['close workers', () => Promise.all([...this.workers.values()].map((w) => w.close()))],
        ['close queues', () => Promise.all([...this.queues.values()].map((q) => q.close()))],
        [
          'close queue connections',
          () => Promise.all(this.connections.splice(0).map((r) => r.quit().catch(() => r.disconnect()))),
        ],
      ],
      options.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS,
    );
    for (const p of problems) this.options.logger?.warn({ err: p.message }, 'Scheduler stop step failed.');
    this.workers.clear();
    this.queues.clear();
  }
}
