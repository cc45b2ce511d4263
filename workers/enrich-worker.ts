// The enrich worker: a consumer group on posts.raw and factchecks.raw. Per batch it validates and enriches each post
// (pseudonymising authors), runs the coordination detector, and publishes enriched posts to posts.enriched and
// cluster updates to signals; the bus commits the batch's offsets only after all of that was acknowledged.
// Poison messages (bad JSON, invalid posts, posts enrichment refuses) go to dlq with the reason; the batch goes on.
//
// Detector state is shared through the state store so that any number of enrich workers act as one detector.
// A worker takes the lease "detector" (a Redis lock) before it feeds the detector, loads the saved state unless its
// in-memory detector is already the latest version, and keeps the lease for up to bus.checkpointMs across batches.
// Posts reach the detector through the event-time driver (workers/event-time-driver.ts: observed in event-time order,
// advanced at fixed event-time boundaries), so clusters do not depend on batching or on the number of workers;
// cluster updates are published as they happen. At a checkpoint the worker saves the state (detector, driver,
// ids seen within the window) with a new version, then commits the offsets of the batches it handled (manual commit),
// then releases the lease. A crash loses only uncommitted batches, which are delivered again and observed once,
// because the saved state and the committed offsets always agree; ids already in the saved state are skipped.
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
import type { LockLease, StateStore } from './ports/state-store.ts';
import { LockTimeoutError } from './ports/state-store.ts';
import { validateNormalizedPost } from './validate-post.ts';
import type { Worker } from './worker.ts';
import { driveDetector, emptyEventTimeState } from './event-time-driver.ts';
import type { EventTimeState } from './event-time-driver.ts';
import type { NormalizedFactCheck } from '../pipelines/types.ts';

/** Key of the serialized detector state in the state store. */
export const DETECTOR_STATE_KEY = 'detector:state';
/** The detector lease expires this long after its last extension when its holder dies (SIGKILL). */
export const LEASE_TTL_MS = 20_000;
/** Key of the state's version counter. */
export const DETECTOR_VERSION_KEY = 'detector:version';
/** Set (with a short expiry) by a worker waiting for the detector lease, so the holder hands it over. */
export const DETECTOR_WANTED_KEY = 'detector:wanted';

interface DetectorSnapshot { version: number; seen: Record<string, number>; driver: EventTimeState; detector: unknown }

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
  private cached: { version: number; detector: CoordinationDetector; driver: EventTimeState; seen: Record<string, number> } | null = null;
  private readonly log: Logger;
  private partitions = 1;
  private flushTimer: NodeJS.Timeout | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private lease: LockLease | null = null;
  /** When the lease was taken (for the hand-over minimum). */
  private leaseSinceMs = 0;
  /** When the lease was last extended. */
  private extendedAtMs = 0;
  /** When the last checkpoint was taken (or the lease taken). */
  private checkpointAtMs = 0;
  /** Posts fed to the detector since the last checkpoint. */
  private postsSinceCheckpoint = 0;
  /** A batch was handled since the last idle check (the stream is not quiet). */
  private busy = false;
  private dirty = false;
  private stopping = false;
  /** Serialises detector work, checkpoints and idle flushes within this worker. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: EnrichWorkerDeps) {
    this.log = deps.logger.child({ component: 'enrich-worker' });
  }

  ready(): boolean { return this.running; }
  async lag(): Promise<number> { return this.sub ? this.sub.lag() : 0; }

  async start(): Promise<void> {
    if (this.running) return;
    const { topics } = this.deps.config.bus;
    this.partitions = await this.deps.bus.partitionCount(topics.postsRaw);
    this.stopping = false;
    this.sub = await this.deps.bus.subscribe({
      topics: [topics.postsRaw, topics.factchecksRaw], groupId: `${this.deps.config.bus.groupPrefix}-enrich`, commit: 'manual',
      eachBatch: (batch) => this.handleBatch(batch),
    });
    this.running = true;
    this.flushTimer = setInterval(() => { void this.serial(() => this.flushIfIdle()); }, this.deps.config.bus.idleFlushMs);
    const { checkpointMs, leaseHandoverMs } = this.deps.config.bus;
    this.leaseTimer = setInterval(() => { void this.tendLease(); }, Math.max(50, Math.min(1000, Math.floor(Math.min(checkpointMs, leaseHandoverMs) / 4))));
    this.log.info({ topics: [topics.postsRaw, topics.factchecksRaw], partitions: this.partitions }, 'Enrich worker started.');
  }

  async stop(_options?: StopOptions): Promise<void> {
    if (!this.running && !this.sub) return;
    this.running = false;
    this.stopping = true; // batches handed to us from now on are refused, so they stay uncommitted
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.flushTimer = this.leaseTimer = null;
    await this.serial(() => this.checkpoint(true)).catch((err) => this.log.error({ err: (err as Error).message }, 'Final checkpoint failed; the uncommitted batches will be delivered again.'));
    const sub = this.sub;
    this.sub = null;
    await sub?.stop();
    this.log.info('Enrich worker stopped.');
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /**
   * Runs on a timer while this worker holds the detector lease: extends it, checkpoints every bus.checkpointMs or
   * bus.checkpointPosts posts (keeping the lease), and hands the lease over (checkpoint + release) when another
   * worker is waiting for it and this one has held it for at least bus.leaseHandoverMs.
   */
  private tending = false;
  private async tendLease(): Promise<void> {
    if (!this.lease || this.tending) return;
    this.tending = true;
    try {
      const { checkpointMs, checkpointPosts, leaseHandoverMs } = this.deps.config.bus;
      const now = Date.now();
      if (now - this.extendedAtMs >= LEASE_TTL_MS / 4) await this.extendLease().catch(() => undefined);
      const wanted = now - this.leaseSinceMs >= leaseHandoverMs && (await this.deps.state.get(DETECTOR_WANTED_KEY)) !== null;
      if (wanted) await this.serial(() => this.checkpoint(true));
      else if (now - this.checkpointAtMs >= checkpointMs || this.postsSinceCheckpoint >= checkpointPosts) await this.serial(() => this.checkpoint(false));
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'Checkpoint failed; the uncommitted batches will be delivered again.');
    } finally {
      this.tending = false;
    }
  }

  /** Extends the lease; on loss forgets the in-memory detector (someone else may have moved on). */
  private async extendLease(): Promise<void> {
    const lease = this.lease;
    if (!lease) return;
    if (await lease.extend(LEASE_TTL_MS)) { this.extendedAtMs = Date.now(); return; }
    if (this.lease === lease) { this.lease = null; this.cached = null; this.dirty = false; }
    throw new Error('detector lease lost');
  }

  /**
   * Saves the detector state (when it changed) and then commits the handled offsets, so saved state and committed
   * offsets always agree; with `release` also gives the lease up. Must run inside serial().
   */
  private async checkpoint(release: boolean): Promise<void> {
    const lease = this.lease;
    if (!lease) return;
    const { state } = this.deps;
    try {
      if (this.dirty && this.cached) {
        await this.extendLease();
        const cur = this.cached;
        const version = cur.version + 1;
        // The detector state is by far the largest part: serialise it once, straight into the snapshot string.
        const head = JSON.stringify({ version, seen: cur.seen, driver: cur.driver } satisfies Omit<DetectorSnapshot, 'detector'>);
        await state.set(DETECTOR_STATE_KEY, `${head.slice(0, -1)},"detector":${cur.detector.exportStateJson()}}`);
        await state.set(DETECTOR_VERSION_KEY, String(version));
        cur.version = version;
        this.dirty = false;
      }
      await this.sub?.commit();
      this.checkpointAtMs = Date.now();
      this.postsSinceCheckpoint = 0;
    } catch (err) {
      // Without a saved state the in-memory detector cannot be trusted by anyone: start from the saved one.
      this.cached = null;
      this.dirty = false;
      release = true;
      throw err;
    } finally {
      if (release) {
        if (this.lease === lease) this.lease = null;
        await lease.release();
      }
    }
  }

  /**
   * When the stream has been quiet for a whole bus.idleFlushMs and, after committing what this worker handled, the
   * consumer group has nothing pending, releases every buffered post to the detector, checkpoints and gives the
   * lease up.
   */
  private async flushIfIdle(): Promise<void> {
    try {
      if (!this.running || !this.sub) return;
      if (this.busy) { this.busy = false; return; }
      if (this.lease) await this.checkpoint(false); // handled but uncommitted messages count as lag
      if ((await this.sub.lag()) !== 0) return;
      await this.detect([], [], true);
      await this.checkpoint(true);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'Idle flush failed; will try again.');
    }
  }

  /** Handles one batch; exported for tests through the class. Throws only on infrastructure failure (then redelivered). */
  async handleBatch(batch: IncomingMessage[]): Promise<void> {
    if (this.stopping) throw new Error('enrich worker is stopping');
    this.busy = true;
    const { metrics, config } = this.deps;
    const end = metrics.batchSeconds.startTimer({ worker: this.name });
    const { topics } = config.bus;
    const enriched: Array<{ post: EnrichedPost; partition: number }> = [];
    const outEnriched: OutgoingMessage[] = [];
    const dead: OutgoingMessage[] = [];
    const factchecks: NormalizedFactCheck[] = [];
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
        enriched.push({ post: e, partition: m.partition });
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
    if (enriched.length > 0 || factchecks.length > 0) await this.serial(() => this.detect(enriched, factchecks));
    metrics.processed.inc({ worker: this.name, outcome: 'ok' }, batch.length - dead.length);
    end();
  }

  /**
   * Takes the detector lease (if not held; while waiting, marks it wanted so the holder hands it over) and brings the
   * in-memory detector up to the saved version — loading only when another worker saved since this one last held it.
   */
  private async holdDetector(): Promise<NonNullable<EnrichWorker['cached']>> {
    const { state, config } = this.deps;
    if (this.lease && Date.now() - this.extendedAtMs >= LEASE_TTL_MS / 4) await this.extendLease();
    if (!this.lease) {
      const until = Date.now() + 120_000;
      for (;;) {
        try {
          this.lease = await state.acquireLock('detector', { ttlMs: LEASE_TTL_MS, waitMs: 500 });
          break;
        } catch (err) {
          if (!(err instanceof LockTimeoutError) || Date.now() > until || this.stopping) throw err;
          await state.set(DETECTOR_WANTED_KEY, '1', 3000);
        }
      }
      await state.del(DETECTOR_WANTED_KEY);
      this.leaseSinceMs = this.extendedAtMs = this.checkpointAtMs = Date.now();
      this.postsSinceCheckpoint = 0;
      const storedVersion = Number((await state.get(DETECTOR_VERSION_KEY)) ?? 0);
      if (!this.cached || this.cached.version !== storedVersion) {
        const make = this.deps.createDetector ?? ((c, s) => createCoordinationDetector(c, s));
        const raw = storedVersion > 0 ? await state.get(DETECTOR_STATE_KEY) : null;
        const snap: DetectorSnapshot | null = raw ? JSON.parse(raw) as DetectorSnapshot : null;
        this.cached = { version: storedVersion, detector: make(config.detection, snap?.detector), driver: snap?.driver ?? emptyEventTimeState(), seen: snap?.seen ?? {} };
        this.dirty = false;
      }
    }
    if (!this.cached) throw new Error('detector state missing'); // cannot happen: set whenever the lease is taken
    return this.cached;
  }

  private async detect(posts: Array<{ post: EnrichedPost; partition: number }>, factchecks: NormalizedFactCheck[], flushAll = false): Promise<void> {
    const { config, bus, metrics } = this.deps;
    if (flushAll && this.cached && !this.lease && this.cached.driver.buffer.length === 0) return;
    const cur = await this.holdDetector();
    if (flushAll && cur.driver.buffer.length === 0) return;
    for (const fc of factchecks) cur.detector.observeFactCheck(fc);
    const fresh = posts.filter(({ post }) => {
      if (cur.seen[post.id] !== undefined) return false;
      cur.seen[post.id] = post.createdAtMs;
      return true;
    });
    const r = driveDetector(cur.driver, cur.detector, { posts: fresh, partitions: this.partitions, flushAll, tickMs: config.bus.detectTickMs,
      minPostsPerAdvance: config.bus.detectMinPostsPerAdvance, maxTickMs: config.bus.detectMaxTickMs });
    this.dirty = true;
    this.postsSinceCheckpoint += fresh.length;
    if (r.late) metrics.processed.inc({ worker: this.name, outcome: 'late' }, r.late);
    const horizon = r.watermarkMs - config.detection.windowSeconds * 1000;
    for (const [id, ms] of Object.entries(cur.seen)) if (ms < horizon) delete cur.seen[id];
    if (r.changed.length) await bus.publish(config.bus.topics.signals, r.changed.map((c) => clusterMessage(c, r.watermarkMs)));
  }
}
