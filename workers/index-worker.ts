// The index worker: a consumer group on posts.enriched, signals and dlq that writes into the signal store
// (SQLite or Elasticsearch). Writes are idempotent (post id, cluster id + watermark, dead letters by offset), so the
// at-least-once redelivery of a batch changes nothing. Documents the store refuses for good go to dlq with the
// store's reason; a store that is down makes the batch throw, so it is delivered again later.
// It also schedules the retention purge (posts older than store.retentionDays).
import type { Config } from './config.ts';
import { GroupConsumer } from './consumer.ts';
import type { Logger } from './logger.ts';
import { decodeDeadLetter, decodeEnrichedPost, decodeSignal } from './messages.ts';
import type { DeadLetterMessage } from '../pipelines/core/envelopes.ts';
import { redactDetail } from '../pipelines/redact.ts';
import { deadLetterCollector } from './metrics.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { Bus, IncomingMessage } from './ports/bus.ts';
import type { StopOptions } from '../pipelines/core/lifecycle.ts';
import type { Scheduler } from './ports/scheduler.ts';
import type { SignalStore } from './ports/signal-store.ts';
import type { EnrichedPost, Cluster } from '../pipelines/types.ts';
import type { Worker } from './worker.ts';

/** Dependencies of {@link IndexWorker}. */
export interface IndexWorkerDeps {
  config: Config;
  bus: Bus;
  store: SignalStore;
  scheduler: Scheduler;
  logger: Logger;
  metrics: WorkerMetrics;
  /** Current time (purge cutoff). Default Date.now. */
  now?: () => number;
}

/** The index worker. */
export class IndexWorker implements Worker {
  readonly name = 'index';
  private readonly consumer: GroupConsumer;
  private readonly log: Logger;
  /** Consecutive batches the store refused as a whole (logged at the first, and when it answers again). */
  private storeFailures = 0;

  constructor(private readonly deps: IndexWorkerDeps) {
    this.log = deps.logger.child({ component: 'index-worker' });
    const { topics, groupPrefix } = deps.config.bus;
    this.consumer = new GroupConsumer({
      bus: deps.bus,
      topics: [topics.postsEnriched, topics.signals, topics.dlq],
      groupId: `${groupPrefix}-index`,
      eachBatch: (batch) => this.handleBatch(batch),
    });
  }

  ready(): boolean {
    return this.consumer.running;
  }
  lag(): Promise<number> {
    return this.consumer.lag();
  }

  async start(): Promise<void> {
    if (this.consumer.running) return;
    const { config, scheduler } = this.deps;
    await scheduler.schedule({
      name: 'retention-purge',
      everyMs: config.store.purgeEveryMs,
      jitterMs: 0,
      run: async () => {
        const cutoff = (this.deps.now ?? Date.now)() - config.store.retentionDays * 86_400_000;
        const n = await this.deps.store.purge(cutoff);
        if (n > 0)
          this.log.info({ purged: n, retentionDays: config.store.retentionDays }, 'Purged posts past retention.');
      },
    });
    await this.consumer.start();
    this.log.info({ store: this.deps.store.kind }, 'Index worker started.');
  }

  async stop(_options?: StopOptions): Promise<void> {
    if (!this.consumer.active) return;
    await this.consumer.stop();
    this.log.info('Index worker stopped.');
  }

  /**
   * Writes one batch (one topic-partition) to the store. When the store fails as a whole (down, overloaded, disk
   * full) the error is counted (mid_store_write_errors_total) and logged once per streak, and the batch throws, so
   * its offsets stay uncommitted and the bus delivers it again; the writes are idempotent, so nothing doubles.
   */
  async handleBatch(batch: IncomingMessage[]): Promise<void> {
    const { metrics, store } = this.deps;
    try {
      await this.writeBatch(batch);
    } catch (err) {
      const retriable = (err as { retriable?: boolean }).retriable ?? true;
      metrics.storeErrors.inc({ store: store.kind, retriable: String(retriable) });
      if (this.storeFailures++ === 0) {
        this.log.error(
          {
            err: (err as Error).message,
            cause: ((err as Error).cause as Error | undefined)?.message,
            retriable,
            store: store.kind,
          },
          'Signal store write failed; the batch stays uncommitted and is retried.',
        );
      }
      throw err;
    }
    if (this.storeFailures > 0)
      this.log.info({ failedBatches: this.storeFailures, store: store.kind }, 'Signal store writes again.');
    this.storeFailures = 0;
  }

  private async writeBatch(batch: IncomingMessage[]): Promise<void> {
    const { metrics, config, store, bus } = this.deps;
    const { topics } = config.bus;
    const end = metrics.batchSeconds.startTimer({ worker: this.name });
    const { letters: dead, reject: deadLetter } = deadLetterCollector(this.name, metrics);
    const reject = (m: IncomingMessage, reason: string, detail: string) => {
      if (m.topic === topics.dlq) {
        metrics.rejected.inc({ worker: this.name, reason: 'dlq-unreadable' });
        return;
      } // never loop on dlq
      deadLetter(m, reason, detail);
    };
    const posts: EnrichedPost[] = [];
    const postMsgs = new Map<string, IncomingMessage>();
    const tombstones: string[] = [];
    const clusters = new Map<string, { cluster: Cluster; watermarkMs: number }>();
    const letters: DeadLetterMessage[] = [];
    /** Clusters merged into another: their stored state goes (their posts are in the surviving cluster). */
    const merged = new Set<string>();
    for (const m of batch) {
      if (m.topic === topics.postsEnriched) {
        const d = decodeEnrichedPost(m.value);
        if (!d.ok) {
          reject(m, d.reason, d.detail);
          continue;
        }
        if (d.message.kind === 'tombstone') tombstones.push(d.message.id);
        else {
          posts.push(d.message.post);
          postMsgs.set(d.message.post.id, m);
        }
      } else if (m.topic === topics.signals) {
        const d = decodeSignal(m.value);
        if (!d.ok) {
          reject(m, d.reason, d.detail);
          continue;
        }
        if (d.message.kind === 'merged') {
          clusters.delete(d.message.id);
          merged.add(d.message.id);
          continue;
        }
        const prev = clusters.get(d.message.cluster.id);
        if (!prev || prev.watermarkMs <= d.message.watermarkMs)
          clusters.set(d.message.cluster.id, { cluster: d.message.cluster, watermarkMs: d.message.watermarkMs });
      } else if (m.topic === topics.dlq) {
        const d = decodeDeadLetter(m.value);
        if (!d.ok) {
          reject(m, d.reason, d.detail);
          continue;
        }
        // Redacted again where it is stored: a dead letter from an older version or another producer was only cut.
        const { reason, detail } = d.message;
        letters.push({ ...d.message, reason: redactDetail(reason, 80), detail: redactDetail(detail, 500) });
      }
    }
    if (posts.length) {
      const r = await store.writePosts(posts);
      for (const { id, reason } of r.rejected) {
        metrics.bulkFailures.inc({ store: store.kind });
        const m = postMsgs.get(id);
        if (m) reject(m, 'index-rejected', reason);
      }
      metrics.processed.inc({ worker: this.name, outcome: 'indexed' }, r.written);
      metrics.processed.inc({ worker: this.name, outcome: 'duplicate' }, r.duplicates);
    }
    for (const id of tombstones) await store.deletePost(id);
    if (clusters.size) {
      const r = await store.upsertClusters([...clusters.values()]);
      metrics.bulkFailures.inc({ store: store.kind }, r.rejected.length);
      metrics.processed.inc({ worker: this.name, outcome: 'cluster' }, r.written);
    }
    for (const id of merged)
      if (await store.deleteCluster(id)) metrics.processed.inc({ worker: this.name, outcome: 'merged' });
    if (letters.length) await store.writeDeadLetters(letters);
    if (dead.length) await bus.publish(topics.dlq, dead);
    end();
  }
}
