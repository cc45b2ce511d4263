// Wires one worker process: builds the adapters the configuration names, the pseudonym key (refusing to start in
// cluster mode without one), the enricher and the connectors, then starts the chosen workers and the HTTP server,
// and stops everything in order within a deadline: stop intake (scheduler, connectors) → drain and commit (enrich,
// detect, index) → close clients (bus, state, store) → HTTP server last, so /healthz answers until the end.
import { resolveSources, createConnector, createHttpClient } from '../connectors/index.ts';
import type { Connector } from '../connectors/connector.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { isAccountPost, pseudonymizePostId } from '../pipelines/pseudonymize.ts';
import { createEnricher } from '../pipelines/enrich.ts';
import { createBus, createScheduler, createSignalStore, createStateStore } from './adapters/create-adapters.ts';
import { createAlertStore } from './adapters/create-alert-store.ts';
import { AlertsWorker } from './alerts-worker.ts';
import { ElasticsearchTriageMirror } from './adapters/elasticsearch-triage-mirror.ts';
import { SqliteTriageStore } from './adapters/sqlite-triage-store.ts';
import type { Config } from './config.ts';
import { ConnectorsWorker } from './connectors-worker.ts';
import { DetectWorker } from './detect-worker.ts';
import { EnrichWorker } from './enrich-worker.ts';
import { HttpServer } from './http-server.ts';
import { IndexWorker } from './index-worker.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { AlertStore } from './ports/alert-store.ts';
import type { Bus } from './ports/bus.ts';
import { DEFAULT_STOP_DEADLINE_MS, guardedStop } from '../pipelines/core/lifecycle.ts';
import type { StopOptions } from '../pipelines/core/lifecycle.ts';
import type { Scheduler } from './ports/scheduler.ts';
import type { SignalStore } from './ports/signal-store.ts';
import type { StateStore } from './ports/state-store.ts';
import type { TriageStore } from './ports/triage-store.ts';
import { resolvePseudonymKey } from './pseudonym-key.ts';
import { createReplaySource } from './replay-source.ts';
import { TriageWorker } from './triage-worker.ts';
import { ReportsWorker, reportArchiveDir } from './reports-worker.ts';
import { ReportArchiveService } from './report-archive-service.ts';
import { createReportSource } from './adapters/create-report-source.ts';
import { TriageStoreOutcomeSource } from './adapters/triage-store-outcome-source.ts';
import { publishTriageEvents } from './triage-events.ts';
import type { Worker } from './worker.ts';

/** Worker names `mid worker` accepts. */
export const WORKER_NAMES = ['connectors', 'enrich', 'detect', 'index', 'alerts', 'triage', 'reports'] as const;
/** A worker name. */
export type WorkerName = (typeof WORKER_NAMES)[number];

/** Options of {@link Runtime}. */
export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  workers: WorkerName[];
  /** Serve the triage application (dashboards/triage) and create a first admin when there are no users (embedded mode). Default false; `mid worker triage` serves it too. */
  ui?: boolean;
  /** Receives lines for the operator (the local URL, a first admin's one-time password). Default none. */
  announce?: (line: string) => void;
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
  readonly triage: TriageStore | null;
  /** The triage application, once started. */
  app: FastifyInstance | null = null;
  private mirror: ElasticsearchTriageMirror | null = null;
  private reportArchive: ReportArchiveService | null = null;
  /** The alert store the triage app writes silences to (the /silences page, the chat buttons' snooze). */
  private chatAlertStore: AlertStore | null = null;
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
    if (options.workers.includes('enrich') && key === null)
      this.log.warn('Pseudonymisation is switched off: author ids and handles are stored as they are.');
    this.bus = createBus(config, logger);
    this.state = createStateStore(config);
    this.scheduler = createScheduler(config, logger);
    const triage = options.workers.includes('triage');
    this.store =
      options.workers.includes('index') ||
      options.ui ||
      triage ||
      (options.workers.includes('alerts') && config.store.kind === 'elasticsearch')
        ? createSignalStore(config)
        : null;
    // Cluster mode keeps triage state in SQLite too: one file the triage worker owns (see docs/triage.md for the limits).
    this.triage =
      options.ui || triage || options.workers.includes('reports')
        ? publishTriageEvents(
            new SqliteTriageStore({ file: config.triage.sqliteFile ?? join(config.dataDir, 'triage.db') }),
            { bus: this.bus, topic: config.bus.topics.triage, logger },
          )
        : null;
    if (triage && this.store?.kind === 'elasticsearch' && config.triage.esWriteBack && config.store.esUrl) {
      const auth = config.store.esApiKey
        ? { apiKey: config.store.esApiKey }
        : config.store.esUsername
          ? { username: config.store.esUsername, password: config.store.esPassword ?? '' }
          : undefined;
      this.mirror = new ElasticsearchTriageMirror({ node: config.store.esUrl, auth, prefix: config.store.esPrefix });
    }
    this.metrics = createMetrics();
    this.scheduler.onRun = (name, outcome, error) => {
      if (outcome === 'failed') this.log.warn({ job: name, err: (error as Error)?.message }, 'Scheduled job failed.');
    };
    const deps = { config, bus: this.bus, state: this.state, scheduler: this.scheduler, logger, metrics: this.metrics };
    if (options.workers.includes('index')) this.workers.push(new IndexWorker({ ...deps, store: this.store! }));
    if (options.workers.includes('alerts')) {
      // When the triage store is in this process (embedded mode), alert rules see the analysts' status of a cluster
      // (a closed cluster is not alerted again); elsewhere the alerts worker treats every cluster as not triaged.
      const triageStore = this.triage;
      const triageStatus = triageStore
        ? { getStatus: async (id: string) => (await triageStore.getCluster(id))?.state.status }
        : undefined;
      this.workers.push(
        new AlertsWorker({
          ...deps,
          alertStore: createAlertStore(config),
          signalStore: this.store,
          ...(triageStatus ? { triage: triageStatus } : {}),
        }),
      );
    }
    if (triage) this.workers.push(new TriageWorker({ ...deps, signals: this.store!, triage: this.triage! }));
    if (options.workers.includes('reports'))
      this.workers.push(new ReportsWorker({ ...deps, triage: new TriageStoreOutcomeSource(this.triage!) }));
    // Consumers of downstream topics first, so that they are in their groups before anything feeds them.
    if (options.workers.includes('detect')) this.workers.push(new DetectWorker(deps));
    if (options.workers.includes('enrich')) {
      const tombstoneId = (id: string, source: string): string =>
        key && isAccountPost(source) ? pseudonymizePostId(id, key) : id;
      this.workers.push(
        new EnrichWorker({
          ...deps,
          tombstoneId,
          enrich: createEnricher({ enrichment: config.enrich, pseudonymKey: key, limits: config.hardening.enrichment }),
        }),
      );
    }
    if (options.workers.includes('connectors'))
      this.workers.push(new ConnectorsWorker({ ...deps, connectors: options.connectors ?? this.buildConnectors() }));
  }

  private buildConnectors(): Connector[] {
    const { config } = this.options;
    const sources = resolveSources(config.sources as never, { googleFactCheckKey: config.googleFactCheckKey });
    const http = createHttpClient(sources, { ...config.httpClient, ...config.hardening.http });
    const list: Connector[] = [];
    for (const s of sources) {
      try {
        list.push(createConnector(s, { http }));
      } catch (err) {
        this.log.warn({ source: s.name, err: (err as Error).message }, 'Source could not be set up; skipped.');
      }
    }
    if (config.replay.file) list.push(createReplaySource(config.replay.file, config.replay.postsPerRun));
    return list;
  }

  /** Starts stores and bus, then the workers, then the scheduler and HTTP server. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // Start loading the triage app's modules now, so that it overlaps with starting the stores and workers.
    const appModules =
      this.triage && this.options.http !== false
        ? Promise.all([import('../dashboards/triage/app.ts'), import('../dashboards/triage/auth.ts')])
        : null;
    appModules?.catch(() => undefined); // awaited (and its error raised) below
    await this.store?.start();
    await this.triage?.start();
    await this.mirror?.start();
    await this.state.start();
    await this.bus.start();
    for (const w of this.workers) await w.start();
    await this.scheduler.start();
    let adminPassword: string | null = null;
    if (this.triage && this.store && this.options.http !== false) {
      // Loaded on demand: workers without the app (enrich, detect, ...) do not pay for Fastify and its plugins.
      const [{ buildTriageApp }, { ensureFirstAdmin }] = await appModules!;
      if (this.options.ui) adminPassword = await ensureFirstAdmin(this.triage, Date.now());
      this.app = await this.buildApp(buildTriageApp, this.triage, this.store);
    }
    if (this.options.http !== false) {
      const { config } = this.options;
      this.http = new HttpServer({
        port: config.http.port,
        host: config.http.host,
        workers: this.workers,
        metrics: this.metrics,
        ...(this.app ? { app: this.app } : {}),
      });
      await this.http.start();
      if (this.app) {
        const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;
        this.options.announce?.(
          `Triage application: http://${host.includes(':') ? `[${host}]` : host}:${this.http.port}/`,
        );
        if (adminPassword)
          this.options.announce?.(
            `First start: sign in as "admin" with the one-time password ${adminPassword} (change it with: mid users passwd admin).`,
          );
      }
    }
    this.log.info(
      {
        workers: this.workers.map((w) => w.name),
        bus: this.bus.kind,
        store: this.store?.kind ?? null,
        port: this.http?.port ?? null,
      },
      'Worker process started.',
    );
  }

  private async buildApp(
    buildTriageApp: typeof import('../dashboards/triage/app.ts').buildTriageApp,
    triage: TriageStore,
    signals: SignalStore,
  ): Promise<FastifyInstance> {
    const { config, logger } = this.options;
    let table: Map<string, string> | null = null;
    if (config.triage.reidentificationFile) {
      table = new Map(
        Object.entries(
          JSON.parse(await readFile(config.triage.reidentificationFile, 'utf8')) as Record<string, string>,
        ),
      );
    }
    const mirror = this.mirror;
    const log = this.log;
    // The triage app's report archive page reads what the reports worker archives and generates reports on request.
    this.reportArchive = new ReportArchiveService({
      config,
      dir: reportArchiveDir(config),
      source: createReportSource(config),
      triage: new TriageStoreOutcomeSource(triage),
      logger,
    });
    const interactive = config.alerts.interactive;
    // The alert store the alerts worker reads: the chat buttons' snooze and the /silences page write silences to it
    // (SQLite in dataDir embedded, Redis in cluster mode, so the alerts worker in another process sees them too).
    this.chatAlertStore = createAlertStore(config);
    await this.chatAlertStore.start();
    const app = await buildTriageApp({
      chatActions:
        interactive.slackSigningSecret || interactive.mattermostSecret
          ? { config: interactive, alertStore: this.chatAlertStore }
          : null,
      silences: this.chatAlertStore,
      triage,
      signals,
      config: config.triage,
      logger,
      reidentify: table ? async (p) => table.get(p) ?? null : null,
      reports: this.reportArchive,
      onStateChange: mirror
        ? (state) => {
            mirror
              .write(state)
              .catch((err: Error) =>
                log.warn(
                  { err: err.message, cluster: state.clusterId },
                  'Could not copy triage state to Elasticsearch.',
                ),
              );
          }
        : undefined,
    });
    await app.ready();
    return app;
  }

  /** Stops in order within the deadline; safe twice and before start. */
  stop(options: StopOptions = {}): Promise<void> {
    this.stopping ??= (async () => {
      const deadlineMs = options.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS;
      const until = Date.now() + deadlineMs;
      const left = () => Math.max(until - Date.now(), 1);
      const byName = (n: string) => this.workers.filter((w) => w.name === n);
      const problems = await guardedStop(
        [
          ['stop scheduler', () => this.scheduler.stop({ deadlineMs: left() })],
          ...byName('connectors').map(
            (w) => [`stop ${w.name}`, () => w.stop({ deadlineMs: left() })] as [string, () => Promise<void>],
          ),
          ...byName('enrich').map(
            (w) => [`stop ${w.name}`, () => w.stop({ deadlineMs: left() })] as [string, () => Promise<void>],
          ),
          ...byName('detect').map(
            (w) => [`stop ${w.name}`, () => w.stop({ deadlineMs: left() })] as [string, () => Promise<void>],
          ),
          ...byName('index').map(
            (w) => [`stop ${w.name}`, () => w.stop({ deadlineMs: left() })] as [string, () => Promise<void>],
          ),
          ...byName('alerts').map(
            (w) => [`stop ${w.name}`, () => w.stop({ deadlineMs: left() })] as [string, () => Promise<void>],
          ),
          ...byName('reports').map(
            (w) => [`stop ${w.name}`, () => w.stop({ deadlineMs: left() })] as [string, () => Promise<void>],
          ),
          ...byName('triage').map(
            (w) => [`stop ${w.name}`, () => w.stop({ deadlineMs: left() })] as [string, () => Promise<void>],
          ),
          ['close bus', () => this.bus.stop({ deadlineMs: left() })],
          ['close state store', () => this.state.stop()],
          ['close signal store', () => this.store?.stop()],
          ['close http server', () => this.http?.stop()],
          ['close triage app', () => this.app?.close()],
          ['finish report generation', () => this.reportArchive?.stop()],
          ['close triage mirror', () => this.mirror?.stop()],
          ['close triage store', () => this.triage?.stop()],
          ['close chat alert store', () => this.chatAlertStore?.stop()],
        ],
        deadlineMs,
      );
      for (const p of problems)
        this.log.error({ err: p.message }, 'Stop step failed; uncommitted messages will be delivered again.');
      this.log.info({ clean: problems.length === 0 }, 'Worker process stopped.');
    })();
    return this.stopping;
  }
}
