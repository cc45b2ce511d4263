// The detect worker: a consumer group on posts.enriched and factchecks.raw that runs the one coordination detector
// and publishes cluster updates to signals. Enrichment is stateless and scales with enrich workers; detection spans
// accounts and partitions, so it is single and deterministic: however many detect workers run, one holds the lease
// "detector" (a Redis lock), consumes and feeds the detector; the others are passive standbys (not in the consumer
// group) that take the lease when the holder stops or dies (the lease expires detect.leaseTtlMs after its last
// extension). A holder that loses its lease (Redis unreachable, paused too long) leaves the consumer group without
// committing and becomes a standby, so whatever it handled but did not save is delivered again to the next holder.
//
// Posts reach the detector through the event-time driver (pipelines/event-time-driver.ts: observed in event-time order,
// advanced at fixed event-time boundaries), so clusters do not depend on batching, on the number of enrich workers or
// on which detect worker runs. Everything the detector holds (detector, driver, ids seen within the window) is a
// function of the sequence of inputs applied by `applyCall` (detector-input.ts) — which is what checkpoints save:
//  - a checkpoint appends the inputs since the previous one (the fields the detector reads of each post, see
//    DetectorPost) as a log chunk `detector:log:<seq>`, sets `detector:version` to seq, then commits the offsets of
//    the batches handled (manual commit). Its cost is proportional to what arrived since, not to the window;
//  - every detect.compactPosts logged posts (or detect.compactChunks chunks) it writes a full snapshot (manifest
//    `detector:base`, in parts of at most detect.snapshotPartChars) covering the log so far and deletes those chunks;
//  - a worker taking the lease loads the base and replays the chunks after it, then joins the consumer group.
// Saved state and committed offsets always agree: after a crash the uncommitted batches come again and are observed
// once; ids already in the saved state are skipped.
//
// This file composes units with one job each: the lease and standby (detector-lease.ts), the checkpoints against
// the StateStore port (detector-checkpoints.ts) and the snapshot replica thread (detector-replica-client.ts); what
// stays here is the consumer: batches in, detector calls, signals out, and when to checkpoint.
import type { CoordinationDetector, DetectorPost } from '../pipelines/detect-coordination.ts';
import { createCoordinationDetector, detectorPost } from '../pipelines/detect-coordination.ts';
import type { NormalizedFactCheck } from '../pipelines/types.ts';
import type { Config } from './config.ts';
import { DetectorCheckpoints, SNAPSHOT_RETRY_CHUNKS } from './detector-checkpoints.ts';
import type { HeldState, PauseKind } from './detector-checkpoints.ts';
import { applyCall } from '../pipelines/detector-input.ts';
import { awaitsFlush } from '../pipelines/event-time-driver.ts';
import type { DetectCall } from '../pipelines/detector-input.ts';
import { detectorInputOptions } from './detector-options.ts';
import { DetectorLease } from './detector-lease.ts';
import { DetectorReplica } from './detector-replica-client.ts';
import type { Logger } from './logger.ts';
import { clusterMergedMessage, clusterMessage, decodeEnrichedPost, decodeFactCheck } from './messages.ts';
import { deadLetterCollector } from './metrics.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { Bus, IncomingMessage, Subscription } from './ports/bus.ts';
import type { StopOptions } from '../pipelines/core/lifecycle.ts';
import type { StateStore } from './ports/state-store.ts';
import type { Worker } from './worker.ts';

/** Dependencies of {@link DetectWorker}. */
export interface DetectWorkerDeps {
  config: Config;
  bus: Bus;
  state: StateStore;
  logger: Logger;
  metrics: WorkerMetrics;
  /** Creates a detector from a saved state (default createCoordinationDetector). */
  createDetector?: (config: Config['detect'], state?: unknown) => CoordinationDetector;
}

/** The detect worker: composes the lease, the checkpoints and the snapshot replica around the detector. */
export class DetectWorker implements Worker {
  readonly name = 'detect';
  private sub: Subscription | null = null;
  private running = false;
  private stopping = false;
  private held: HeldState | null = null;
  private readonly log: Logger;
  private partitions = 1;
  private flushTimer: NodeJS.Timeout | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private readonly lease: DetectorLease;
  private readonly checkpoints: DetectorCheckpoints;
  /** The snapshot replica (detect.snapshotInThread). */
  private readonly replica: DetectorReplica;
  /** When the last checkpoint was taken (or the lease taken). */
  private checkpointAtMs = 0;
  /** A batch was handled since the last idle check (the stream is not quiet). */
  private busy = false;
  private tending = false;
  /** A lease extension is in flight (kept apart from `tending`, so checkpoints never delay it). */
  private extending = false;
  private onActive: (() => void) | null = null;
  /** Posts handed to the detector (through the driver) by this worker: for tests and benchmarks. */
  detectedPosts = 0;
  /** Loads of saved state by this worker, and the logged posts they replayed after the base. */
  loads = 0;
  replayedPosts = 0;
  /** Longest time the detector was held up by saving or loading state, per kind, ms (also in /metrics). */
  readonly longestPauseMs: Record<PauseKind, number> = { log: 0, snapshot: 0, load: 0 };
  /** Serialises detector work, checkpoints and idle flushes within this worker. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Snapshots written from the replica. */
  threadSnapshots = 0;

  constructor(private readonly deps: DetectWorkerDeps) {
    this.log = deps.logger.child({ component: 'detect-worker' });
    const { config, state } = deps;
    this.lease = new DetectorLease({
      state,
      logger: this.log,
      ttlMs: config.detect.leaseTtlMs,
      onAcquired: () => this.takeOver(),
      onLost: () => this.leave(),
    });
    this.checkpoints = new DetectorCheckpoints({
      state,
      config,
      logger: this.log,
      createDetector: deps.createDetector ?? ((c, s) => createCoordinationDetector(c, s)),
      stillHeld: async (held) => this.held === held && this.lease.extend(),
      onPause: (kind, ms) => {
        this.longestPauseMs[kind] = Math.max(this.longestPauseMs[kind], ms);
        // The detector and the lease extension share one event loop: a pause this long risks the lease (see
        // docs/streaming.md, Faults: measured 9-29 s snapshots and a 36 s load under load average ~13 on 2 cores).
        if (ms > config.detect.leaseTtlMs / 4)
          this.log.warn(
            { kind, ms: Math.round(ms), leaseTtlMs: config.detect.leaseTtlMs },
            'Saving or loading detector state held the detector up for over a quarter of the lease time; the lease may be lost. Consider detect.snapshotInThread or a longer detect.leaseTtlMs.',
          );
        deps.metrics.detectorStateSeconds.observe({ kind }, ms / 1000);
      },
    });
    this.replica = new DetectorReplica({
      config,
      logger: this.log,
      onSnapshot: (seq, parts) => this.saveReplicaSnapshot(seq, parts),
    });
  }

  ready(): boolean {
    return this.running;
  }
  /** Whether this worker holds the lease and consumes (false while it stands by). */
  active(): boolean {
    return this.sub !== null;
  }
  async lag(): Promise<number> {
    return this.sub ? this.sub.lag() : 0;
  }
  /**
   * Whether the detector this worker holds has judged everything it was given: no post waits for the watermark and
   * none was observed since the last advance (what an idle flush brings about). False while it stands by. A run whose
   * holder stopped before this held never evaluated its last posts.
   */
  flushed(): boolean {
    return this.held !== null && !awaitsFlush(this.held.driver);
  }

  /**
   * Starts waiting for the lease. Resolves once this worker is active, or after detect.leaseTtlMs + 1 s (by then the
   * lease of a crashed predecessor has expired, so a live holder exists elsewhere) as a standby that keeps waiting.
   * Waiting before returning lets a process start the workers that feed posts.enriched only once detection runs.
   */
  async start(): Promise<void> {
    if (this.running) return;
    const { idleFlushMs, checkpointMs, leaseTtlMs } = this.deps.config.detect;
    this.running = true;
    this.stopping = false;
    const active = new Promise<void>((resolve) => {
      this.onActive = resolve;
    });
    this.lease.start();
    this.flushTimer = setInterval(() => {
      void this.serial(() => this.flushIfIdle());
    }, idleFlushMs);
    this.leaseTimer = setInterval(
      () => {
        void this.tendLease();
      },
      Math.max(50, Math.min(1000, Math.floor(Math.min(checkpointMs, leaseTtlMs / 4) / 4))),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      active,
      new Promise<void>((r) => {
        timer = setTimeout(r, leaseTtlMs + 1000);
      }),
    ]);
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
    await this.lease.stop();
    await this.serial(() => this.checkpoint()).catch((err) =>
      this.log.error(
        { err: (err as Error).message },
        'Final checkpoint failed; the uncommitted batches will be delivered again.',
      ),
    );
    const sub = this.sub;
    this.sub = null;
    this.held = null;
    this.replica.stop();
    await sub?.stop();
    await this.lease.release();
    this.log.info('Detect worker stopped.');
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** The lease was just taken: loads the saved state, starts the replica and joins the consumer group. */
  private async takeOver(): Promise<void> {
    const { config, bus } = this.deps;
    const { topics, groupPrefix } = config.bus;
    try {
      this.checkpointAtMs = Date.now();
      const loaded = await this.checkpoints.load(config.detect.snapshotInThread);
      this.held = loaded.held;
      this.loads++;
      this.replayedPosts += loaded.replayedPosts;
      if (loaded.read) this.replica.start(loaded.read);
      this.partitions = await bus.partitionCount(topics.postsEnriched);
      const sub = await bus.subscribe({
        topics: [topics.postsEnriched, topics.factchecksRaw],
        groupId: `${groupPrefix}-detect`,
        commit: 'manual',
        eachBatch: (batch) => this.handleBatch(batch),
      });
      if (!this.running || this.held !== loaded.held) {
        // Stopped, or the lease was lost, while subscribing: leave the group again rather than leak the consumer.
        await sub.stop();
        return;
      }
      this.sub = sub;
      this.log.info(
        {
          topics: [topics.postsEnriched, topics.factchecksRaw],
          partitions: this.partitions,
          version: loaded.held.version,
        },
        'Detect worker active: holds the detector lease.',
      );
      this.onActive?.();
    } catch (err) {
      this.held = null;
      throw err;
    }
  }

  /** The lease is gone: leave the consumer group without committing (the lease then stands by again). */
  private async leave(): Promise<void> {
    const sub = this.sub;
    this.sub = null;
    this.held = null;
    this.replica.stop();
    await sub?.stop();
  }

  /** Runs on a timer while active: extends the lease, checkpoints every detect.checkpointMs or detect.checkpointPosts posts. */
  private async tendLease(): Promise<void> {
    if (!this.lease.held()) return;
    // The extension does not wait for a checkpoint in progress: one held up behind a slow snapshot, a commit during
    // a rebalance or a busy detector let the lease expire (a restarted Redis or a loaded machine then cost the lease
    // again and again, each time a reload and a rebalance).
    if (!this.extending && this.lease.extensionDue()) {
      this.extending = true;
      try {
        if (!(await this.lease.extend())) return;
      } finally {
        this.extending = false;
      }
    }
    if (this.tending) return;
    this.tending = true;
    try {
      const { checkpointMs, checkpointPosts } = this.deps.config.detect;
      if (!this.lease.held()) return;
      if (Date.now() - this.checkpointAtMs >= checkpointMs || (this.held?.pendingPosts ?? 0) >= checkpointPosts)
        await this.serial(() => this.checkpoint());
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message },
        'Checkpoint failed; will try again (nothing is committed before it succeeds).',
      );
    } finally {
      this.tending = false;
    }
  }

  /**
   * Saves the inputs applied since the last checkpoint as a log chunk (and, when due, a full snapshot, in the
   * replica when there is one), then commits the handled offsets, so saved state and committed offsets always
   * agree. A failure commits nothing and keeps the inputs for the next attempt. Must run inside serial().
   */
  private async checkpoint(): Promise<void> {
    const held = this.held;
    if (!this.lease.held() || !held) return;
    const text = await this.checkpoints.appendLog(held);
    if (text !== null) {
      this.replica.chunk(text);
      const due = this.checkpoints.snapshotDue(held);
      if (due && this.replica.running()) {
        this.replica.requestSnapshot(held.version);
      } else if (due) {
        const seq = held.version;
        await this.checkpoints.compact(held).catch((err) => {
          this.checkpoints.snapshotFailed(held, seq);
          this.log.warn(
            { err: (err as Error).message, retryAfterChunks: SNAPSHOT_RETRY_CHUNKS },
            'Snapshot failed; the log is kept and replayed instead.',
          );
        });
      }
    }
    await this.sub?.commit();
    this.checkpointAtMs = Date.now();
  }

  /** Saves a snapshot the replica serialised (outside the serial queue: it only writes keys the log does not). */
  private saveReplicaSnapshot(seq: number, parts: string[]): void {
    const held = this.held;
    if (!held) return;
    this.checkpoints.writeSnapshot(held, seq, parts).then(
      () => {
        this.threadSnapshots++;
      },
      (err) => {
        this.checkpoints.snapshotFailed(held);
        this.log.warn({ err: (err as Error).message }, 'Snapshot from the replica could not be saved; will try again.');
      },
    );
  }

  /**
   * When the stream has been quiet for a whole detect.idleFlushMs and, after committing what this worker handled, the
   * consumer group has nothing pending, releases every buffered post to the detector, evaluates what was observed
   * since the last advance (as `mid analyze` does at the end of its file) and checkpoints.
   */
  private async flushIfIdle(): Promise<void> {
    try {
      if (!this.running || !this.sub || !this.held) return;
      if (this.busy) {
        this.busy = false;
        return;
      }
      await this.checkpoint(); // handled but uncommitted messages count as lag
      if (!this.sub || (await this.sub.lag()) !== 0 || !awaitsFlush(this.held.driver)) return;
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
        if (d.ok) factchecks.push(d.message.factcheck);
        else reject(m, d.reason, d.detail);
        continue;
      }
      const d = decodeEnrichedPost(m.value);
      if (!d.ok) {
        reject(m, d.reason, d.detail);
        continue;
      }
      if (d.message.kind === 'enriched') posts.push([m.partition, detectorPost(d.message.post)]);
    }
    if (dead.length) await this.deps.bus.publish(topics.dlq, dead);
    if (posts.length > 0 || factchecks.length > 0) await this.serial(() => this.detect(posts, factchecks));
    metrics.processed.inc({ worker: this.name, outcome: 'ok' }, batch.length - dead.length);
    end();
  }

  private async detect(
    posts: Array<[number, DetectorPost]>,
    factchecks: NormalizedFactCheck[],
    flushAll = false,
  ): Promise<void> {
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
