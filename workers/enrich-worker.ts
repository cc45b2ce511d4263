// The enrich worker: a consumer group on posts.raw. Per batch it validates and enriches each post (pseudonymising
// authors) and publishes enriched posts to posts.enriched and tombstones on; the bus commits the batch's offsets only
// after that was acknowledged (at least once; the downstream writes are idempotent by post id). Poison messages (bad
// JSON, invalid posts, posts enrichment refuses, `future-dated` posts) go to dlq with the reason; the batch goes on.
// It holds no state, so enrichment scales with the number of enrich workers (partitions of posts.raw). Enriched
// posts keep the key (post id) of their raw message, so with posts.enriched partitioned like posts.raw every post
// stays in the partition number it came from and the detect worker's per-partition watermark keeps working.
import { FutureDatedPostError, InvalidPostError } from '../pipelines/enrich.ts';
import type { EnrichedPost, NormalizedPost } from '../pipelines/types.ts';
import type { Config } from './config.ts';
import { GroupConsumer } from './consumer.ts';
import type { Logger } from './logger.ts';
import { decodeRawPost, enrichedPostMessage, enrichedTombstoneMessage } from './messages.ts';
import { deadLetterCollector } from './metrics.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { Bus, IncomingMessage, OutgoingMessage } from './ports/bus.ts';
import type { StopOptions } from '../pipelines/core/lifecycle.ts';
import { validateNormalizedPost } from './validate-post.ts';
import type { Worker } from './worker.ts';

/** Dependencies of {@link EnrichWorker}. */
export interface EnrichWorkerDeps {
  config: Config;
  bus: Bus;
  logger: Logger;
  metrics: WorkerMetrics;
  /** The enrichment function (createEnricher with the pseudonym key). */
  enrich: (post: NormalizedPost) => EnrichedPost;
  /** The id a deletion of post `id` must carry downstream: its pseudonym when enrichment hashes post ids. Default: as is. */
  tombstoneId?: (id: string, source: string) => string;
}

/** The enrich worker. */
export class EnrichWorker implements Worker {
  readonly name = 'enrich';
  private readonly consumer: GroupConsumer;
  private readonly log: Logger;

  constructor(private readonly deps: EnrichWorkerDeps) {
    this.log = deps.logger.child({ component: 'enrich-worker' });
    const { topics, groupPrefix } = deps.config.bus;
    this.consumer = new GroupConsumer({
      bus: deps.bus,
      topics: [topics.postsRaw],
      groupId: `${groupPrefix}-enrich`,
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
    await this.consumer.start();
    this.log.info({ topics: [this.deps.config.bus.topics.postsRaw] }, 'Enrich worker started.');
  }

  async stop(_options?: StopOptions): Promise<void> {
    if (!this.consumer.active) return;
    await this.consumer.stop(); // batches handed to us from now on are refused, so they stay uncommitted
    this.log.info('Enrich worker stopped.');
  }

  /** Handles one batch; public for tests. Throws only on infrastructure failure (then delivered again). */
  async handleBatch(batch: IncomingMessage[]): Promise<void> {
    if (this.consumer.stopping) throw new Error('enrich worker is stopping');
    const { metrics, config } = this.deps;
    const end = metrics.batchSeconds.startTimer({ worker: this.name });
    const { topics } = config.bus;
    const out: OutgoingMessage[] = [];
    const { letters: dead, reject } = deadLetterCollector(this.name, metrics);
    for (const m of batch) {
      const d = decodeRawPost(m.value);
      if (!d.ok) {
        reject(m, d.reason, d.detail);
        continue;
      }
      if (d.message.kind === 'tombstone') {
        const { id, source } = d.message;
        out.push({
          ...enrichedTombstoneMessage(this.deps.tombstoneId ? this.deps.tombstoneId(id, source) : id, source),
          partition: m.partition,
        });
        continue;
      }
      const v = validateNormalizedPost(d.message.post);
      if (!v.ok) {
        reject(m, 'invalid-post', v.reason);
        continue;
      }
      try {
        // Same partition number as the raw message, explicitly: the key is now the post's pseudonym.
        out.push({ ...enrichedPostMessage(this.deps.enrich(v.post)), partition: m.partition });
      } catch (err) {
        reject(
          m,
          err instanceof FutureDatedPostError
            ? 'future-dated'
            : err instanceof InvalidPostError
              ? 'enrich-refused'
              : 'enrich-failed',
          (err as Error).message ?? String(err),
        );
      }
    }
    await Promise.all([
      out.length ? this.deps.bus.publish(topics.postsEnriched, out) : undefined,
      dead.length ? this.deps.bus.publish(topics.dlq, dead) : undefined,
    ]);
    metrics.processed.inc({ worker: this.name, outcome: 'ok' }, batch.length - dead.length);
    end();
  }
}
