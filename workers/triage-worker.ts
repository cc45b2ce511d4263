// The triage worker: keeps the triage store's read model of clusters in step with the detector. It consumes the
// signals topic in its own consumer group (so it runs next to the index worker in embedded mode and as
// `mid worker triage` in cluster mode), upserts cluster states (a closed cluster that grew enough is reopened by
// the store, with the reason), and records merges so that the survivor keeps the absorbed cluster's notes and
// history (the index worker deletes the absorbed cluster from the signal store when the same `merged` signal
// passes). On first start with an empty read model it backfills from the signal store.
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import { decodeSignal } from './messages.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { Bus, IncomingMessage, Subscription } from './ports/bus.ts';
import type { StopOptions } from '../pipelines/core/lifecycle.ts';
import type { SignalStore } from './ports/signal-store.ts';
import type { ClusterIngest, TriageStore } from './ports/triage-store.ts';
import type { Cluster } from '../pipelines/types.ts';
import type { Worker } from './worker.ts';

/** Member posts looked up per cluster update to learn its platforms (enough to see every source in practice). */
const PLATFORM_SAMPLE = 50;

/** Dependencies of {@link TriageWorker}. */
export interface TriageWorkerDeps {
  config: Config;
  bus: Bus;
  signals: SignalStore;
  triage: TriageStore;
  logger: Logger;
  metrics: WorkerMetrics;
  /** Clock (first-seen times). Default Date.now. */
  now?: () => number;
}

/** The triage worker. */
export class TriageWorker implements Worker {
  readonly name = 'triage';
  private sub: Subscription | null = null;
  private running = false;
  private readonly log: Logger;

  constructor(private readonly deps: TriageWorkerDeps) {
    this.log = deps.logger.child({ component: 'triage-worker' });
  }

  ready(): boolean {
    return this.running;
  }
  async lag(): Promise<number> {
    return this.sub ? this.sub.lag() : 0;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { config, bus, triage, signals } = this.deps;
    if ((await triage.queryClusters({ limit: 1 })).total === 0) {
      const existing = await signals.listClusters({ limit: 100_000 });
      if (existing.length) {
        await this.ingest(existing.map((c) => ({ cluster: c, watermarkMs: c.watermarkMs })));
        this.log.info({ clusters: existing.length }, 'Triage read model filled from the signal store.');
      }
    }
    this.sub = await bus.subscribe({
      topics: [config.bus.topics.signals],
      groupId: `${config.bus.groupPrefix}-triage`,
      fromBeginning: true,
      eachBatch: (batch) => this.handleBatch(batch),
    });
    this.running = true;
    this.log.info('Triage worker started.');
  }

  async stop(_options?: StopOptions): Promise<void> {
    if (!this.running && !this.sub) return;
    this.running = false;
    const sub = this.sub;
    this.sub = null;
    await sub?.stop();
    this.log.info('Triage worker stopped.');
  }

  private async ingest(items: Array<{ cluster: Cluster; watermarkMs: number }>): Promise<void> {
    const { signals, triage, config } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    const withPlatforms: ClusterIngest[] = [];
    for (const { cluster, watermarkMs } of items) {
      const posts = await signals.getPosts(cluster.posts.slice(0, PLATFORM_SAMPLE));
      const known = (await triage.getCluster(cluster.id))?.platforms ?? [];
      withPlatforms.push({
        cluster,
        watermarkMs,
        platforms: [...new Set([...known, ...posts.map((p) => p.source)])].sort(),
      });
    }
    const reopened = await triage.ingestClusters(withPlatforms, {
      nowMs: now,
      reopenGrowthShare: config.triage.reopenGrowthShare,
    });
    for (const r of reopened) this.log.info({ cluster: r.clusterId }, 'Closed cluster grew and was reopened.');
  }

  /** Applies one batch of signals. Malformed values are the index worker's to dead-letter; here they are skipped and counted. */
  async handleBatch(batch: IncomingMessage[]): Promise<void> {
    const { metrics, triage } = this.deps;
    const latest = new Map<string, { cluster: Cluster; watermarkMs: number }>();
    const merges: Array<{ id: string; into: string; atMs: number }> = [];
    for (const m of batch) {
      const d = decodeSignal(m.value);
      if (!d.ok) {
        metrics.rejected.inc({ worker: this.name, reason: d.reason });
        continue;
      }
      if (d.message.kind === 'merged') {
        latest.delete(d.message.id);
        merges.push({ id: d.message.id, into: d.message.into, atMs: d.message.watermarkMs });
        continue;
      }
      const prev = latest.get(d.message.cluster.id);
      if (!prev || prev.watermarkMs <= d.message.watermarkMs)
        latest.set(d.message.cluster.id, { cluster: d.message.cluster, watermarkMs: d.message.watermarkMs });
    }
    if (latest.size) await this.ingest([...latest.values()]);
    for (const m of merges) await triage.recordMerge(m.id, m.into, m.atMs);
    metrics.processed.inc({ worker: this.name, outcome: 'cluster' }, latest.size);
    metrics.processed.inc({ worker: this.name, outcome: 'merged' }, merges.length);
  }
}
