// The detect worker: a consumer group on posts.enriched and factchecks.raw that runs the one coordination detector
// and publishes cluster updates to signals. Enrichment is stateless and scales with enrich workers; detection spans
// accounts and partitions, so it is single and deterministic: however many detect workers run, one holds the lease
// "detector" (a Redis lock), consumes and feeds the detector; the others are passive standbys (not in the consumer
// group) that take the lease when the holder stops or dies (the lease expires bus.leaseTtlMs after its last
// extension). A holder that loses its lease (Redis unreachable, paused too long) leaves the consumer group without
// committing and becomes a standby, so whatever it handled but did not save is delivered again to the next holder.
//
// Posts reach the detector through the event-time driver (pipelines/event-time-driver.ts: observed in event-time order,
// advanced at fixed event-time boundaries), so clusters do not depend on batching, on the number of enrich workers or
// on which detect worker runs. Everything the detector holds (detector, driver, ids seen within the window) is a
// function of the sequence of inputs applied by `applyCall` (pipelines/detector-input.ts) — which is what checkpoints save:
//  - a checkpoint appends the inputs since the previous one (the fields the detector reads of each post, see
//    DetectorPost) as a log chunk `detector:log:<seq>`, sets `detector:version` to seq, then commits the offsets of
//    the batches handled (manual commit). Its cost is proportional to what arrived since, not to the window;
//  - every bus.compactPosts logged posts (or bus.compactChunks chunks) it writes a full snapshot (manifest
//    `detector:base`, in parts of at most bus.snapshotPartChars) covering the log so far and deletes those chunks;
//  - a worker taking the lease loads the base and replays the chunks after it, then joins the consumer group.
// Saved state and committed offsets always agree: after a crash the uncommitted batches come again and are observed
// once; ids already in the saved state are skipped.
import type { CoordinationDetector, DetectorPost } from '../pipelines/detect-coordination.ts';
import { createCoordinationDetector, detectorPost } from '../pipelines/detect-coordination.ts';
import { fromJsonParts } from '../pipelines/json-parts.ts';
import type { NormalizedFactCheck } from '../pipelines/types.ts';
import type { Config } from './config.ts';
import { applyCall } from '../pipelines/detector-input.ts';
import type { BaseHead, DetectCall, LogChunk } from '../pipelines/detector-input.ts';
import { emptyEventTimeState } from '../pipelines/event-time-driver.ts';
import type { EventTimeState } from '../pipelines/event-time-driver.ts';
import { detectorInputOptions } from './detector-options.ts';
import type { Logger } from './logger.ts';
import { clusterMergedMessage, clusterMessage, decodeEnrichedPost, decodeFactCheck } from './messages.ts';
import { deadLetterCollector } from './metrics.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { Bus, IncomingMessage, Subscription } from './ports/bus.ts';
import type { StopOptions } from './ports/lifecycle.ts';
import type { LockLease, StateStore } from './ports/state-store.ts';
import { LockTimeoutError } from './ports/state-store.ts';
import type { Worker } from './worker.ts';
import { Worker as Thread } from 'node:worker_threads';
import type { ReplicaReply, ReplicaRequest } from './detector-replica.ts';

/**
 * Key of the full snapshot's manifest: the log sequence number it covers and how many parts it has. The parts are
 * `detector:base:<seq>:<i>`: part 0 the driver and seen ids, parts 1.. the detector (JSON in parts, so a window
 * larger than one string can hold is saved too). A new snapshot's parts are written before its manifest.
 */
export const DETECTOR_BASE_KEY = 'detector:base';
/** Key prefix of the log chunks: `detector:log:<seq>`, one per checkpoint since the base. */
export const DETECTOR_LOG_PREFIX = 'detector:log:';
/** Key of the newest saved log sequence number (the state's version). */
export const DETECTOR_VERSION_KEY = 'detector:version';

interface BaseManifest { seq: number; parts: number }
/** A generous bound on the snapshot characters per post in the window (measured: 1,400-2,200). */
const SNAPSHOT_CHARS_PER_POST = 5000;
/** After a failed snapshot, the next attempt waits for this many more log chunks (the log is replayed meanwhile). */
const SNAPSHOT_RETRY_CHUNKS = 10;

/** The detector in memory with its part of the saved state. */
interface Held {
  detector: CoordinationDetector;
  driver: EventTimeState;
  seen: Record<string, number>;
  /** Newest log sequence number this state includes (= detector:version when saved). */
  version: number;
  /** Sequence number the saved base covers; chunks after it up to `version` are in the store. */
  baseSeq: number;
  /** Parts of the saved base (0: none). */
  baseParts: number;
  /** No snapshot before this sequence number (set after a failed one). */
  snapshotAfterSeq: number;
  /** Posts per chunk after the base (their sum decides when a snapshot is due). */
  chunkPosts: Map<number, number>;
  /** What `load` read (snapshot parts and chunks), kept only until the replica has it. */
  loaded?: { base: { seq: number; parts: string[] } | null; chunks: string[] };
  /** Inputs applied since the last checkpoint, not saved yet. */
  pending: DetectCall[];
  pendingPosts: number;
}

/** Dependencies of {@link DetectWorker}. */
export interface DetectWorkerDeps {
  config: Config;
  bus: Bus;
  state: StateStore;
  logger: Logger;
  metrics: WorkerMetrics;
  /** Creates a detector from a saved state (default createCoordinationDetector). */
  createDetector?: (config: Config['detection'], state?: unknown) => CoordinationDetector;
}

/** Posts logged in the chunks after the saved base. */
function loggedPosts(held: Held): number {
  let n = 0;
  for (const c of held.chunkPosts.values()) n += c;
  return n;
}

/** The detect worker. */
export class DetectWorker implements Worker {
  readonly name = 'detect';
  private sub: Subscription | null = null;
  private running = false;
  private stopping = false;
  private held: Held | null = null;
  private readonly log: Logger;
  private partitions = 1;
  private flushTimer: NodeJS.Timeout | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private lease: LockLease | null = null;
  /** When the lease was last extended. */
  private extendedAtMs = 0;
  /** When the last checkpoint was taken (or the lease taken). */
  private checkpointAtMs = 0;
  /** A batch was handled since the last idle check (the stream is not quiet). */
  private busy = false;
  private tending = false;
  /** The loop waiting for the lease while this worker is a standby. */
  private standby: Promise<void> | null = null;
  private onActive: (() => void) | null = null;
  /** Posts handed to the detector (through the driver) by this worker: for tests and benchmarks. */
  detectedPosts = 0;
  /** Loads of saved state by this worker, and the logged posts they replayed after the base. */
  loads = 0;
  replayedPosts = 0;
  /** Longest time the detector was held up by saving or loading state, per kind, ms (also in /metrics). */
  readonly longestPauseMs = { log: 0, snapshot: 0, load: 0 };
  /** Serialises detector work, checkpoints and idle flushes within this worker. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The snapshot replica (bus.snapshotInThread) and the chunk it is serialising a snapshot of, if any. */
  private replica: Thread | null = null;
  private replicaSnapshotSeq: number | null = null;
  /** Snapshots written from the replica. */
  threadSnapshots = 0;

  constructor(private readonly deps: DetectWorkerDeps) {
    this.log = deps.logger.child({ component: 'detect-worker' });
  }

  ready(): boolean { return this.running; }
  /** Whether this worker holds the lease and consumes (false while it stands by). */
  active(): boolean { return this.sub !== null; }
  async lag(): Promise<number> { return this.sub ? this.sub.lag() : 0; }

  /**
   * Starts waiting for the lease. Resolves once this worker is active, or after bus.leaseTtlMs + 1 s (by then the
   * lease of a crashed predecessor has expired, so a live holder exists elsewhere) as a standby that keeps waiting.
   * Waiting before returning lets a process start the workers that feed posts.enriched only once detection runs.
   */
  async start(): Promise<void> {
    if (this.running) return;
    const { idleFlushMs, checkpointMs, leaseTtlMs } = this.deps.config.bus;
    this.running = true;
    this.stopping = false;
    const active = new Promise<void>((resolve) => { this.onActive = resolve; });
    this.standby = this.waitForLease();
    this.flushTimer = setInterval(() => { void this.serial(() => this.flushIfIdle()); }, idleFlushMs);
    this.leaseTimer = setInterval(() => { void this.tendLease(); }, Math.max(50, Math.min(1000, Math.floor(Math.min(checkpointMs, leaseTtlMs / 4) / 4))));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([active, new Promise<void>((r) => { timer = setTimeout(r, leaseTtlMs + 1000); })]);
    clearTimeout(timer);
    if (!this.active()) this.log.info('Detect worker started as a standby: another worker holds the detector lease.');
  }

  async stop(_options?: StopOptions): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopping = true; // batches handed to us from now on are refused, so they stay uncommitted
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.flushTimer = this.leaseTimer = null;
    await this.standby;
    await this.serial(() => this.checkpoint()).catch((err) => this.log.error({ err: (err as Error).message }, 'Final checkpoint failed; the uncommitted batches will be delivered again.'));
    const sub = this.sub;
    const lease = this.lease;
    this.sub = null;
    this.lease = null;
    this.held = null;
    this.stopReplica();
    await sub?.stop();
    await lease?.release();
    this.log.info('Detect worker stopped.');
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Waits for the lease (as a standby), then loads the saved state and joins the consumer group. */
  private async waitForLease(): Promise<void> {
    const { state, config } = this.deps;
    const { topics, groupPrefix, leaseTtlMs } = config.bus;
    while (!this.stopping) {
      let lease: LockLease;
      try {
        lease = await state.acquireLock('detector', { ttlMs: leaseTtlMs, waitMs: 1000 });
      } catch (err) {
        if (!(err instanceof LockTimeoutError)) {
          this.log.warn({ err: (err as Error).message }, 'Could not ask for the detector lease; trying again.');
          await new Promise((r) => setTimeout(r, 1000));
        }
        continue;
      }
      try {
        if (this.stopping) { await lease.release(); return; }
        this.lease = lease;
        this.extendedAtMs = this.checkpointAtMs = Date.now();
        this.held = await this.load(Number((await state.get(DETECTOR_VERSION_KEY)) ?? 0));
        if (this.held.loaded) { this.startReplica(this.held.loaded); delete this.held.loaded; }
        this.partitions = await this.deps.bus.partitionCount(topics.postsEnriched);
        this.sub = await this.deps.bus.subscribe({
          topics: [topics.postsEnriched, topics.factchecksRaw], groupId: `${groupPrefix}-detect`, commit: 'manual',
          eachBatch: (batch) => this.handleBatch(batch),
        });
        this.log.info({ topics: [topics.postsEnriched, topics.factchecksRaw], partitions: this.partitions, version: this.held.version }, 'Detect worker active: holds the detector lease.');
        this.onActive?.();
        return;
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'Could not take over the detector; releasing the lease and trying again.');
        this.held = null;
        this.lease = null;
        await lease.release();
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** The lease is gone: leave the consumer group without committing and stand by again. */
  private async lostLease(): Promise<void> {
    const sub = this.sub;
    this.sub = null;
    this.held = null;
    this.lease = null;
    this.stopReplica();
    this.log.warn('Detector lease lost; leaving the consumer group without committing and standing by.');
    await sub?.stop();
    if (!this.stopping) this.standby = this.waitForLease();
  }

  /** Runs on a timer while active: extends the lease, checkpoints every bus.checkpointMs or bus.checkpointPosts posts. */
  private async tendLease(): Promise<void> {
    if (!this.lease || this.tending) return;
    this.tending = true;
    try {
      const { checkpointMs, checkpointPosts, leaseTtlMs } = this.deps.config.bus;
      if (Date.now() - this.extendedAtMs >= leaseTtlMs / 4 && !(await this.extendLease())) return;
      if (Date.now() - this.checkpointAtMs >= checkpointMs || (this.held?.pendingPosts ?? 0) >= checkpointPosts) await this.serial(() => this.checkpoint());
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'Checkpoint failed; will try again (nothing is committed before it succeeds).');
    } finally {
      this.tending = false;
    }
  }

  /** Extends the lease; when it is lost, leaves the group (outside the serial queue) and returns false. */
  private async extendLease(): Promise<boolean> {
    const lease = this.lease;
    if (!lease) return false;
    const ok = await lease.extend(this.deps.config.bus.leaseTtlMs).catch(() => false);
    if (ok) { this.extendedAtMs = Date.now(); return true; }
    if (this.lease === lease) void this.lostLease();
    return false;
  }

  /**
   * Saves the inputs applied since the last checkpoint as a log chunk (and, when due, a full snapshot), then commits
   * the handled offsets, so saved state and committed offsets always agree. A failure commits nothing and keeps
   * the inputs for the next attempt. Must run inside serial().
   */
  private async checkpoint(): Promise<void> {
    const { state, config } = this.deps;
    const held = this.held;
    if (!this.lease || !held) return;
    if (held.pending.length > 0) {
      if (!(await this.extendLease())) throw new Error('detector lease lost');
      const t0 = performance.now();
      const seq = held.version + 1;
      const text = JSON.stringify({ seq, calls: held.pending } satisfies LogChunk);
      await state.set(`${DETECTOR_LOG_PREFIX}${seq}`, text);
      await state.set(DETECTOR_VERSION_KEY, String(seq));
      held.version = seq;
      held.chunkPosts.set(seq, held.pendingPosts);
      held.pending = [];
      held.pendingPosts = 0;
      this.replica?.postMessage({ kind: 'chunk', text } satisfies ReplicaRequest);
      this.pause('log', t0);
      const due = (loggedPosts(held) >= config.bus.compactPosts || seq - held.baseSeq >= config.bus.compactChunks) && seq >= held.snapshotAfterSeq;
      if (due && this.replica) {
        if (this.replicaSnapshotSeq === null) {
          this.replicaSnapshotSeq = seq;
          this.replica.postMessage({ kind: 'snapshot', seq, partChars: config.bus.snapshotPartChars } satisfies ReplicaRequest);
        }
      } else if (due) {
        await this.compact(held).catch((err) => {
          held.snapshotAfterSeq = seq + SNAPSHOT_RETRY_CHUNKS;
          this.log.warn({ err: (err as Error).message, retryAfterChunks: SNAPSHOT_RETRY_CHUNKS }, 'Snapshot failed; the log is kept and replayed instead.');
        });
      }
    }
    await this.sub?.commit();
    this.checkpointAtMs = Date.now();
  }

  /**
   * Writes a full snapshot covering the log up to `held.version` (parts first, then the manifest), then deletes the
   * previous snapshot's parts and the chunks it covers.
   */
  private async compact(held: Held): Promise<void> {
    const { config } = this.deps;
    const t0 = performance.now();
    const seq = held.version;
    // Serialised before any await: nothing can change the detector in between. One JSON pass is twice as fast as
    // parts; it is used while the window (about as many posts as ids seen) is clearly small enough for one part.
    const head = JSON.stringify({ seen: held.seen, driver: held.driver } satisfies BaseHead);
    const small = Object.keys(held.seen).length * SNAPSHOT_CHARS_PER_POST < config.bus.snapshotPartChars;
    const parts = [head, ...(small ? [`[[[],0,${held.detector.exportStateJson()}]]`] : held.detector.exportStateParts(config.bus.snapshotPartChars))];
    await this.writeSnapshot(held, seq, parts);
    this.pause('snapshot', t0);
  }

  /** Saves snapshot parts as of chunk `seq` (parts first, then the manifest), then drops what it replaces. */
  private async writeSnapshot(held: Held, seq: number, parts: string[]): Promise<void> {
    const { state } = this.deps;
    for (let i = 0; i < parts.length; i++) await state.set(`${DETECTOR_BASE_KEY}:${seq}:${i}`, parts[i]!);
    if (this.held !== held || !(await this.extendLease())) throw new Error('detector lease lost before the snapshot was saved');
    await state.set(DETECTOR_BASE_KEY, JSON.stringify({ seq, parts: parts.length } satisfies BaseManifest));
    const [oldSeq, oldParts] = [held.baseSeq, held.baseParts];
    held.baseSeq = seq;
    held.baseParts = parts.length;
    for (const s of [...held.chunkPosts.keys()]) if (s <= seq) held.chunkPosts.delete(s);
    for (let i = 0; i < oldParts; i++) await state.del(`${DETECTOR_BASE_KEY}:${oldSeq}:${i}`);
    for (let s = oldSeq + 1; s <= seq; s++) await state.del(`${DETECTOR_LOG_PREFIX}${s}`);
  }

  /** Starts the snapshot replica from what `load` read (bus.snapshotInThread). */
  private startReplica(loaded: NonNullable<Held['loaded']>): void {
    const { config } = this.deps;
    const replica = new Thread(new URL('./bin/detector-replica.mjs', import.meta.url), { workerData: { bus: config.bus, detection: config.detection } });
    this.replica = replica;
    this.replicaSnapshotSeq = null;
    const drop = (why: string) => {
      if (this.replica !== replica) return;
      this.log.warn({ err: why }, 'Snapshot replica stopped; snapshots are taken in the detect worker again.');
      this.replica = null;
      this.replicaSnapshotSeq = null;
      void replica.terminate();
    };
    replica.on('message', (m: ReplicaReply) => {
      if (m.kind === 'error') { drop(m.message); return; }
      const held = this.held;
      this.replicaSnapshotSeq = null;
      if (!held || this.replica !== replica) return;
      this.writeSnapshot(held, m.seq, m.parts).then(() => { this.threadSnapshots++; }, (err) => {
        held.snapshotAfterSeq = held.version + SNAPSHOT_RETRY_CHUNKS;
        this.log.warn({ err: (err as Error).message }, 'Snapshot from the replica could not be saved; will try again.');
      });
    });
    replica.on('error', (err) => drop(err.message));
    replica.on('exit', (code) => drop(`exit ${code}`));
    replica.unref();
    replica.postMessage({ kind: 'load', base: loaded.base, chunks: loaded.chunks } satisfies ReplicaRequest);
  }

  private stopReplica(): void {
    const replica = this.replica;
    this.replica = null;
    this.replicaSnapshotSeq = null;
    void replica?.terminate();
  }

  private pause(kind: keyof DetectWorker['longestPauseMs'], t0: number): void {
    const ms = performance.now() - t0;
    this.longestPauseMs[kind] = Math.max(this.longestPauseMs[kind], ms);
    this.deps.metrics.detectorStateSeconds.observe({ kind }, ms / 1000);
  }

  /**
   * When the stream has been quiet for a whole bus.idleFlushMs and, after committing what this worker handled, the
   * consumer group has nothing pending, releases every buffered post to the detector and checkpoints.
   */
  private async flushIfIdle(): Promise<void> {
    try {
      if (!this.running || !this.sub || !this.held) return;
      if (this.busy) { this.busy = false; return; }
      await this.checkpoint(); // handled but uncommitted messages count as lag
      if (!this.sub || (await this.sub.lag()) !== 0 || this.held.driver.buffer.length === 0) return;
      await this.detect([], [], true);
      await this.checkpoint();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'Idle flush failed; will try again.');
    }
  }

  /** Handles one batch; public for tests. Throws only on infrastructure failure (then delivered again). */
  async handleBatch(batch: IncomingMessage[]): Promise<void> {
    if (this.stopping) throw new Error('detect worker is stopping');
    this.busy = true;
    const { metrics, config } = this.deps;
    const end = metrics.batchSeconds.startTimer({ worker: this.name });
    const { topics } = config.bus;
    const posts: Array<[number, DetectorPost]> = [];
    const factchecks: NormalizedFactCheck[] = [];
    const { letters: dead, reject } = deadLetterCollector(this.name, metrics);
    for (const m of batch) {
      if (m.topic === topics.factchecksRaw) {
        const d = decodeFactCheck(m.value);
        if (d.ok) factchecks.push(d.message.factcheck); else reject(m, d.reason, d.detail);
        continue;
      }
      const d = decodeEnrichedPost(m.value);
      if (!d.ok) { reject(m, d.reason, d.detail); continue; }
      if (d.message.kind === 'enriched') posts.push([m.partition, detectorPost(d.message.post)]);
    }
    if (dead.length) await this.deps.bus.publish(topics.dlq, dead);
    if (posts.length > 0 || factchecks.length > 0) await this.serial(() => this.detect(posts, factchecks));
    metrics.processed.inc({ worker: this.name, outcome: 'ok' }, batch.length - dead.length);
    end();
  }

  /** Restores the saved state at `version`: the base, then the log chunks after it replayed in order. */
  private async load(version: number): Promise<Held> {
    const { state, config } = this.deps;
    const make = this.deps.createDetector ?? ((c, s) => createCoordinationDetector(c, s));
    const t0 = performance.now();
    const raw = version > 0 ? await state.get(DETECTOR_BASE_KEY) : null;
    const manifest = raw ? JSON.parse(raw) as BaseManifest : null;
    const part = async (i: number): Promise<string> => {
      const text = await state.get(`${DETECTOR_BASE_KEY}:${manifest!.seq}:${i}`);
      if (text === null) throw new Error(`detector snapshot ${manifest!.seq} part ${i} of ${manifest!.parts} is missing`);
      return text;
    };
    let head: BaseHead | null = null;
    let detectorState: unknown;
    const keep = config.bus.snapshotInThread;
    const loaded: NonNullable<Held['loaded']> = { base: null, chunks: [] };
    if (manifest) {
      const headText = await part(0);
      head = JSON.parse(headText) as BaseHead;
      const parts: string[] = [];
      for (let i = 1; i < manifest.parts; i++) parts.push(await part(i));
      detectorState = fromJsonParts(parts);
      if (keep) loaded.base = { seq: manifest.seq, parts: [headText, ...parts] };
    }
    const held: Held = {
      detector: make(config.detection, detectorState), driver: head?.driver ?? emptyEventTimeState(), seen: head?.seen ?? {},
      version: manifest?.seq ?? 0, baseSeq: manifest?.seq ?? 0, baseParts: manifest?.parts ?? 0, snapshotAfterSeq: 0,
      chunkPosts: new Map(), pending: [], pendingPosts: 0, ...(keep ? { loaded } : {}),
    };
    for (let seq = held.version + 1; seq <= version; seq++) {
      const chunk = await state.get(`${DETECTOR_LOG_PREFIX}${seq}`);
      if (chunk === null) throw new Error(`detector log chunk ${seq} is missing (saved version ${version}, base ${held.baseSeq})`);
      let posts = 0;
      for (const call of (JSON.parse(chunk) as LogChunk).calls) {
        applyCall(held, call, detectorInputOptions(this.deps.config));
        posts += call.p.length;
      }
      held.chunkPosts.set(seq, posts);
      held.version = seq;
      if (keep) loaded.chunks.push(chunk);
    }
    this.loads++;
    const replayed = loggedPosts(held);
    this.replayedPosts += replayed;
    this.pause('load', t0);
    if (version > 0) this.log.info({ version, base: held.baseSeq, replayedPosts: replayed, ms: Math.round(performance.now() - t0) }, 'Detector state loaded.');
    return held;
  }

  private async detect(posts: Array<[number, DetectorPost]>, factchecks: NormalizedFactCheck[], flushAll = false): Promise<void> {
    const { config, bus, metrics } = this.deps;
    const held = this.held;
    if (!held || !this.sub) throw new Error('detect worker does not hold the detector'); // the batch comes again
    const inBatch = new Set<string>();
    const fresh = posts.filter(([, post]) => {
      if (held.seen[post.id] !== undefined || inBatch.has(post.id)) return false;
      inBatch.add(post.id);
      return true;
    });
    if (fresh.length === 0 && factchecks.length === 0 && !flushAll) return;
    const call: DetectCall = { p: fresh, f: factchecks, all: flushAll, n: this.partitions };
    const r = applyCall(held, call, detectorInputOptions(this.deps.config));
    held.pending.push(call);
    held.pendingPosts += fresh.length;
    this.detectedPosts += fresh.length;
    if (r.late) metrics.processed.inc({ worker: this.name, outcome: 'late' }, r.late);
    if (r.changed.length || r.merged.length) {
      await bus.publish(config.bus.topics.signals, [
        ...r.changed.map((c) => clusterMessage(c, r.watermarkMs)),
        ...r.merged.map((m) => clusterMergedMessage(m.id, m.into, r.watermarkMs)),
      ]);
    }
  }
}
