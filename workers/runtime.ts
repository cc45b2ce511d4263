// Wires one worker process: builds the adapters the configuration names, the pseudonym key (refusing to start in
// cluster mode without one), the enricher and the connectors, then starts the chosen workers and the HTTP server,
// and stops everything in order within a deadline: stop intake (scheduler, connectors) → drain and commit (enrich,
// detect, index) → close clients (bus, state, store) → HTTP server last, so /healthz answers until the end.
import { resolveSources, createConnector, createHttpClient } from '../connectors/index.ts';
import type { Connector } from '../connectors/connector.ts';
import { isAccountPost, pseudonymizePostId } from '../pipelines/pseudonymize.ts';
import { createEnricher } from '../pipelines/enrich.ts';
import { createBus, createScheduler, createSignalStore, createStateStore } from './adapters/create-adapters.ts';
import type { Config } from './config.ts';
import { ConnectorsWorker } from './connectors-worker.ts';
import { DetectWorker } from './detect-worker.ts';
import { EnrichWorker } from './enrich-worker.ts';
import { HttpServer } from './http-server.ts';
import { IndexWorker } from './index-worker.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { Bus } from './ports/bus.ts';
import { DEFAULT_STOP_DEADLINE_MS, guardedStop } from './ports/lifecycle.ts';
import type { StopOptions } from './ports/lifecycle.ts';
import type { Scheduler } from './ports/scheduler.ts';
import type { SignalStore } from './ports/signal-store.ts';
import type { StateStore } from './ports/state-store.ts';
import { resolvePseudonymKey } from './pseudonym-key.ts';
import { createReplaySource } from './replay-source.ts';
import type { Worker } from './worker.ts';

/** Worker names `mid worker` accepts. */
export const WORKER_NAMES = ['connectors', 'enrich', 'detect', 'index'] as const;
/** A worker name. */
export type WorkerName = (typeof WORKER_NAMES)[number];

/** Options of {@link Runtime}. */
export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  workers: WorkerName[];
  /** Serve /api/clusters and / from the signal store (embedded mode). Default false. */
  ui?: boolean;
  /** Serve HTTP at all (health, metrics). Default true. */
  http?: boolean;
  /** Connectors to run instead of the configured ones (tests). */
  connectors?: Connector[];
}

/** One worker process. */
export class Runtime {
  readonly bus: Bus;
  readonly state: StateStore;
  readonly scheduler: Scheduler;
  readonly store: SignalStore | null;
  readonly metrics: WorkerMetrics;
  readonly workers: Worker[] = [];
  http: HttpServer | null = null;
  private started = false;
  private stopping: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(private readonly options: RuntimeOptions) {
    const { config, logger } = options;
    this.log = logger.child({ component: 'runtime' });
    const key = options.workers.includes('enrich') ? resolvePseudonymKey(config) : null; // throws ConfigError in cluster mode without a key
    if (options.workers.includes('enrich') && key === null) this.log.warn('Pseudonymisation is switched off: author ids and handles are stored as they are.');
    this.bus = createBus(config, logger);
    this.state = createStateStore(config);
    this.scheduler = createScheduler(config, logger);
    this.store = options.workers.includes('index') || options.ui ? createSignalStore(config) : null;
    this.metrics = createMetrics();
    this.scheduler.onRun = (name, outcome, error) => {
      if (outcome === 'failed') this.log.warn({ job: name, err: (error as Error)?.message }, 'Scheduled job failed.');
    };
    const deps = { config, bus: this.bus, state: this.state, scheduler: this.scheduler, logger, metrics: this.metrics };
    if (options.workers.includes('index')) this.workers.push(new IndexWorker({ ...deps, store: this.store! }));
    // Consumers of downstream topics first, so that they are in their groups before anything feeds them.
    if (options.workers.includes('detect')) this.workers.push(new DetectWorker(deps));
    if (options.workers.includes('enrich')) {
      const tombstoneId = (id: string, source: string): string => (key && isAccountPost(source) ? pseudonymizePostId(id, key) : id);
      this.workers.push(new EnrichWorker({ ...deps, tombstoneId, enrich: createEnricher({ enrichment: config.enrichment, pseudonymKey: key, limits: config.hardening.enrichment }) }));
    }
    if (options.workers.includes('connectors')) this.workers.push(new ConnectorsWorker({ ...deps, connectors: options.connectors ?? this.buildConnectors() }));
  }

  private buildConnectors(): Connector[] {
    const { config } = this.options;
    const sources = resolveSources(config.sources as never);
    const http = createHttpClient(sources, config.hardening.http);
    const list: Connector[] = [];
    for (const s of sources) {
      try {
        list.push(createConnector(s, { http }));
      } catch (err) {
        this.log.warn({ source: s.name, err: (err as Error).message }, 'Source could not be set up; skipped.');
      }
    }
    if (config.scheduler.replayFile) list.push(createReplaySource(config.scheduler.replayFile, config.scheduler.replayPostsPerRun));
    return list;
  }

  /** Starts stores and bus, then the workers, then the scheduler and HTTP server. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.store?.start();
    await this.state.start();
    await this.bus.start();
    for (const w of this.workers) await w.start();
    await this.scheduler.start();
    if (this.options.http !== false) {
      this.http = new HttpServer({ port: this.options.config.httpPort, workers: this.workers, metrics: this.metrics, store: this.options.ui ? this.store ?? undefined : undefined });
      await this.http.start();
    }
    this.log.info({ workers: this.workers.map((w) => w.name), bus: this.bus.kind, store: this.store?.kind ?? null, port: this.http?.port ?? null }, 'Worker process started.');
  }

  /** Stops in order within the deadline; safe twice and before start. */
  stop(options: StopOptions = {}): Promise<void> {
    this.stopping ??= (async () => {
      const deadlineMs = options.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS;
      const until = Date.now() + deadlineMs;
      const left = () => Math.max(until - Date.now(), 1);
      const byName = (n: string) => this.workers.filter((w) => w.name === n);
      const problems = await guardedStop([
        ['stop scheduler', () => this.scheduler.stop({ deadlineMs: left() })],
        ...byName('connectors').map((w) => [`stop ${w.name}`, () => w.stop({ deadlineMs: left() })] as [string, () => Promise<void>]),
        ...byName('enrich').map((w) => [`stop ${w.name}`, () => w.stop({ deadlineMs: left() })] as [string, () => Promise<void>]),
        ...byName('detect').map((w) => [`stop ${w.name}`, () => w.stop({ deadlineMs: left() })] as [string, () => Promise<void>]),
        ...byName('index').map((w) => [`stop ${w.name}`, () => w.stop({ deadlineMs: left() })] as [string, () => Promise<void>]),
        ['close bus', () => this.bus.stop({ deadlineMs: left() })],
        ['close state store', () => this.state.stop()],
        ['close signal store', () => this.store?.stop()],
        ['close http server', () => this.http?.stop()],
      ], deadlineMs);
      for (const p of problems) this.log.error({ err: p.message }, 'Stop step failed; uncommitted messages will be delivered again.');
      this.log.info({ clean: problems.length === 0 }, 'Worker process stopped.');
    })();
    return this.stopping;
  }
}
