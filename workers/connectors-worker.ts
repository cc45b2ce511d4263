// The connectors worker: one repeatable job per source on the scheduler (interval, jitter, concurrency and rate limit
// from scheduler.perSource), each run calling the connector with the cursor kept in the state store, publishing
// posts and tombstones to posts.raw and fact-checks to factchecks.raw keyed by id, and only then saving the new
// cursor. Items seen before (ids remembered in the state store for scheduler.seenTtlMs) are suppressed.
// A source that fails backs off exponentially (up to an hour) and logs once per failure streak, so sources that
// cannot be reached (no network) stay quiet and cost nothing.
import { backoffDelayMs } from '../connectors/backoff.ts';
import type { Connector, ConnectorItem } from '../connectors/connector.ts';
import { redactUrl } from '../connectors/http-client.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { deadLetterMessage, factCheckMessage, rawPostMessage, tombstoneMessage } from './messages.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { Bus, OutgoingMessage } from './ports/bus.ts';
import type { StopOptions } from '../pipelines/core/lifecycle.ts';
import type { Scheduler } from './ports/scheduler.ts';
import type { StateStore } from './ports/state-store.ts';
import type { Worker } from './worker.ts';

/** Longest back-off of a failing source, ms. */
export const MAX_BACKOFF_MS = 3_600_000;

/** Dependencies of {@link ConnectorsWorker}. */
export interface ConnectorsWorkerDeps {
  config: Config;
  bus: Bus;
  state: StateStore;
  scheduler: Scheduler;
  logger: Logger;
  metrics: WorkerMetrics;
  connectors: Connector[];
  now?: () => number;
}

interface SourceHealth {
  failures: number;
  notBeforeMs: number;
}

function itemKey(item: ConnectorItem): string {
  if (item.type === 'post') return `seen:post:${item.post.id}`;
  if (item.type === 'factcheck') return `seen:factcheck:${item.factcheck.id}`;
  return `seen:tombstone:${item.id}`;
}

/** The connectors worker. */
export class ConnectorsWorker implements Worker {
  readonly name = 'connectors';
  private running = false;
  private readonly health = new Map<string, SourceHealth>();
  private readonly log: Logger;

  constructor(private readonly deps: ConnectorsWorkerDeps) {
    this.log = deps.logger.child({ component: 'connectors-worker' });
  }

  ready(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { config, scheduler } = this.deps;
    for (const c of this.deps.connectors) {
      const s = config.scheduler.perSource[c.name] ?? {};
      const isReplay = c.kind === 'replay';
      await scheduler.schedule({
        name: c.name,
        everyMs: s.everyMs ?? (isReplay ? config.replay.everyMs : config.scheduler.defaultPollIntervalMs),
        jitterMs: s.jitterMs ?? (isReplay ? 0 : config.scheduler.defaultJitterMs),
        concurrency: s.concurrency ?? 1,
        rateLimit: s.rateLimit,
        run: (signal) => this.runSource(c, signal),
      });
    }
    this.running = true;
    this.log.info({ sources: this.deps.connectors.length }, 'Connectors worker scheduled its sources.');
  }

  async stop(_options?: StopOptions): Promise<void> {
    this.running = false;
  }

  /** One run of one source (called by the scheduler). */
  async runSource(c: Connector, signal: AbortSignal): Promise<void> {
    const { state, bus, config, metrics } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    const h = this.health.get(c.name) ?? { failures: 0, notBeforeMs: 0 };
    this.health.set(c.name, h);
    if (now < h.notBeforeMs) {
      metrics.sourceRuns.inc({ source: c.name, outcome: 'backing_off' });
      return;
    }
    const cursorKey = `cursor:${c.name}`;
    // Read before the source is asked: a state store that is down is not the source failing. Its error fails this
    // run only (the next tick tries again) instead of backing the source off for a minute or more.
    const cursor = await state.get(cursorKey);
    let result;
    try {
      result = await c.fetch({ cursor, signal });
    } catch (err) {
      if (signal.aborted) return;
      h.failures++;
      const backoff = backoffDelayMs(Math.min(h.failures - 1, 10), {
        baseMs: config.scheduler.defaultPollIntervalMs,
        maxMs: MAX_BACKOFF_MS,
        random: Math.random,
        jitter: { spread: 0.25 },
      });
      h.notBeforeMs = now + backoff;
      metrics.sourceRuns.inc({ source: c.name, outcome: 'failed' });
      if (h.failures === 1)
        this.log.warn(
          {
            source: c.name,
            err: redactUrl(String((err as Error).message)),
            retriable: (err as { retriable?: boolean }).retriable ?? true,
            backoffMs: backoff,
          },
          'Source failed; backing off.',
        );
      return;
    }
    if (h.failures > 0) this.log.info({ source: c.name, failures: h.failures }, 'Source answers again.');
    h.failures = 0;
    h.notBeforeMs = result.notBeforeMs ?? 0;
    const fresh = await state.markSeen(result.items.map(itemKey), config.scheduler.seenTtlMs);
    const items = result.items.filter((_, i) => fresh[i]);
    const posts: OutgoingMessage[] = [];
    const factchecks: OutgoingMessage[] = [];
    for (const item of items) {
      if (item.type === 'post') posts.push(rawPostMessage(item.post));
      else if (item.type === 'factcheck') factchecks.push(factCheckMessage(item.factcheck));
      else posts.push(tombstoneMessage(item.id, item.source));
    }
    const dead = result.failed.map((f) =>
      deadLetterMessage(
        { topic: `source:${c.name}`, key: null, value: f.raw ?? '' },
        this.name,
        'unreadable-item',
        f.reason,
      ),
    );
    try {
      await Promise.all([
        posts.length ? bus.publish(config.bus.topics.postsRaw, posts) : undefined,
        factchecks.length ? bus.publish(config.bus.topics.factchecksRaw, factchecks) : undefined,
        dead.length ? bus.publish(config.bus.topics.dlq, dead) : undefined,
      ]);
    } catch (err) {
      // Not published: forget that we saw them, keep the old cursor, so the next run publishes them again.
      await Promise.all(items.map((i) => state.del(itemKey(i)))).catch(() => undefined);
      throw err;
    }
    if (result.nextCursor !== null) await state.set(cursorKey, result.nextCursor);
    metrics.sourceRuns.inc({ source: c.name, outcome: 'ok' });
    metrics.processed.inc({ worker: this.name, outcome: 'published' }, items.length);
    metrics.processed.inc({ worker: this.name, outcome: 'duplicate' }, result.items.length - items.length);
    if (dead.length) metrics.dlq.inc({ worker: this.name, reason: 'unreadable-item' }, dead.length);
  }
}
