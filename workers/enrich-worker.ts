// The enrich worker: a consumer group on posts.raw and factchecks.raw. Per batch it validates and enriches each post
// (pseudonymising authors), runs the coordination detector, and publishes enriched posts to posts.enriched and
// cluster updates to signals; the bus commits the batch's offsets only after all of that was acknowledged.
// Poison messages (bad JSON, invalid posts, posts enrichment refuses) go to dlq with the reason; the batch goes on.
//
// Detector state is shared through the state store so that any number of enrich workers act as one detector:
// under the lock "detector" a worker loads the state (or reuses its in-memory detector when the stored version is
// the one it saved last), observes the batch's posts it has not observed before (ids remembered in the state for the
// window), advances to the event-time watermark (newest createdAt seen, never the wall clock, so a replay gives the
// same clusters), publishes the changed clusters, saves the state with a new version and releases the lock.
// A crash before the save leaves the old state (the batch is redelivered and observed again, once); a crash after it
// leaves the posts marked as observed (redelivery changes nothing, the cluster updates were already published).
import type { CoordinationDetector } from '../pipelines/detect-coordination.ts';
import { createCoordinationDetector } from '../pipelines/detect-coordination.ts';
import { InvalidPostError } from '../pipelines/enrich.ts';
import type { EnrichedPost, NormalizedPost } from '../pipelines/types.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { clusterMessage, deadLetterMessage, decodeFactCheck, decodeRawPost, enrichedPostMessage, enrichedTombstoneMessage } from './messages.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { Bus, IncomingMessage, OutgoingMessage, Subscription } from './ports/bus.ts';
import type { StopOptions } from './ports/lifecycle.ts';
import type { StateStore } from './ports/state-store.ts';
import { validateNormalizedPost } from './validate-post.ts';
import type { Worker } from './worker.ts';

/** Key of the serialized detector state in the state store. */
export const DETECTOR_STATE_KEY = 'detector:state';
/** Key of the state's version counter. */
export const DETECTOR_VERSION_KEY = 'detector:version';

interface DetectorSnapshot { version: number; watermarkMs: number; seen: Record<string, number>; detector: unknown }

/** Dependencies of {@link EnrichWorker}. */
export interface EnrichWorkerDeps {
  config: Config;
  bus: Bus;
  state: StateStore;
  logger: Logger;
  metrics: WorkerMetrics;
  /** The enrichment function (createEnricher with the pseudonym key). */
  enrich: (post: NormalizedPost) => EnrichedPost;
  /** Creates a detector from a saved state (default createCoordinationDetector). */
  createDetector?: (config: Config['detection'], state?: unknown) => CoordinationDetector;
}

/** The enrich worker. */
export class EnrichWorker implements Worker {
  readonly name = 'enrich';
  private sub: Subscription | null = null;
  private running = false;
  private cached: { version: number; detector: CoordinationDetector; watermarkMs: number; seen: Record<string, number> } | null = null;
  private readonly log: Logger;

  constructor(private readonly deps: EnrichWorkerDeps) {
    this.log = deps.logger.child({ component: 'enrich-worker' });
  }

  ready(): boolean { return this.running; }
  async lag(): Promise<number> { return this.sub ? this.sub.lag() : 0; }

  async start(): Promise<void> {
    if (this.running) return;
    const { topics } = this.deps.config.bus;
    this.sub = await this.deps.bus.subscribe({
      topics: [topics.postsRaw, topics.factchecksRaw], groupId: `${this.deps.config.bus.groupPrefix}-enrich`,
      eachBatch: (batch) => this.handleBatch(batch),
    });
    this.running = true;
    this.log.info({ topics: [topics.postsRaw, topics.factchecksRaw] }, 'Enrich worker started.');
  }

  async stop(_options?: StopOptions): Promise<void> {
    if (!this.running && !this.sub) return;
    this.running = false;
    const sub = this.sub;
    this.sub = null;
    await sub?.stop();
    this.log.info('Enrich worker stopped.');
  }

  /** Handles one batch; exported for tests through the class. Throws only on infrastructure failure (then redelivered). */
  async handleBatch(batch: IncomingMessage[]): Promise<void> {
    const { metrics, config } = this.deps;
    const end = metrics.batchSeconds.startTimer({ worker: this.name });
    const { topics } = config.bus;
    const enriched: EnrichedPost[] = [];
    const outEnriched: OutgoingMessage[] = [];
    const dead: OutgoingMessage[] = [];
    const factchecks: Array<import('../pipelines/types.ts').NormalizedFactCheck> = [];
    const reject = (m: IncomingMessage, reason: string, detail: string) => {
      dead.push(deadLetterMessage(m, this.name, reason, detail));
      metrics.rejected.inc({ worker: this.name, reason });
      metrics.dlq.inc({ worker: this.name, reason });
    };
    for (const m of batch) {
      if (m.topic === topics.factchecksRaw) {
        const d = decodeFactCheck(m.value);
        if (d.ok) factchecks.push(d.message.factcheck); else reject(m, d.reason, d.detail);
        continue;
      }
      const d = decodeRawPost(m.value);
      if (!d.ok) { reject(m, d.reason, d.detail); continue; }
      if (d.message.kind === 'tombstone') { outEnriched.push(enrichedTombstoneMessage(d.message.id, d.message.source)); continue; }
      const v = validateNormalizedPost(d.message.post);
      if (!v.ok) { reject(m, 'invalid-post', v.reason); continue; }
      try {
        const e = this.deps.enrich(v.post);
        enriched.push(e);
        outEnriched.push(enrichedPostMessage(e));
      } catch (err) {
        reject(m, err instanceof InvalidPostError ? 'enrich-refused' : 'enrich-failed', (err as Error).message ?? String(err));
      }
    }
    // Enriched posts and dead letters do not depend on the detector: publish them outside the lock.
    await Promise.all([
      outEnriched.length ? this.deps.bus.publish(topics.postsEnriched, outEnriched) : undefined,
      dead.length ? this.deps.bus.publish(topics.dlq, dead) : undefined,
    ]);
    if (enriched.length > 0 || factchecks.length > 0) await this.detect(enriched, factchecks);
    metrics.processed.inc({ worker: this.name, outcome: 'ok' }, batch.length - dead.length);
    end();
  }

  private async detect(posts: EnrichedPost[], factchecks: Array<import('../pipelines/types.ts').NormalizedFactCheck>): Promise<void> {
    const { state, config, bus } = this.deps;
    const make = this.deps.createDetector ?? ((c, s) => createCoordinationDetector(c, s));
    await state.withLock('detector', async () => {
      const storedVersion = Number((await state.get(DETECTOR_VERSION_KEY)) ?? 0);
      let cur = this.cached;
      if (!cur || cur.version !== storedVersion) {
        const raw = storedVersion > 0 ? await state.get(DETECTOR_STATE_KEY) : null;
        const snap: DetectorSnapshot | null = raw ? JSON.parse(raw) as DetectorSnapshot : null;
        cur = { version: storedVersion, detector: make(config.detection, snap?.detector), watermarkMs: snap?.watermarkMs ?? 0, seen: snap?.seen ?? {} };
      }
      this.cached = null; // only trusted again once saved
      for (const fc of factchecks) cur.detector.observeFactCheck(fc);
      for (const p of posts) {
        if (cur.seen[p.id] !== undefined) continue;
        cur.detector.observe(p);
        cur.seen[p.id] = p.createdAtMs;
        if (p.createdAtMs > cur.watermarkMs) cur.watermarkMs = p.createdAtMs;
      }
      const changed = cur.detector.advance(cur.watermarkMs);
      const horizon = cur.watermarkMs - config.detection.windowSeconds * 1000;
      for (const [id, ms] of Object.entries(cur.seen)) if (ms < horizon) delete cur.seen[id];
      if (changed.length) await bus.publish(config.bus.topics.signals, changed.map((c) => clusterMessage(c, cur!.watermarkMs)));
      const version = cur.version + 1;
      const snap: DetectorSnapshot = { version, watermarkMs: cur.watermarkMs, seen: cur.seen, detector: cur.detector.exportState() };
      await state.set(DETECTOR_STATE_KEY, JSON.stringify(snap));
      await state.set(DETECTOR_VERSION_KEY, String(version));
      this.cached = { ...cur, version };
    }, { ttlMs: 60_000, waitMs: 120_000 });
  }
}
