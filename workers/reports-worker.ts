// The reports worker: runs the report schedules of the configured election periods. It puts the report job
// (workers/report-schedule.ts) on the scheduler port as a cron job at `reports.atHour` in `reports.timeZone` — a
// BullMQ job scheduler in cluster mode (`mid worker reports`; one run per day however many processes), in-process
// timers in embedded mode (`mid start`) — and makes one catch-up pass at start, so reports that fell due while no
// process ran (within the job's catch-up window) are still made. Runs are serialised in this process, and the file
// archive is keyed by period + cadence + day and written all-or-nothing, so a restart during generation yields one
// archived report. The report source is opened on first use: the SQLite signal store may not exist yet.
import { join } from 'node:path';
import { createReportSource } from './adapters/create-report-source.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { ReportSource, TriageOutcomeSource } from './ports/report-source.ts';
import { NullTriageOutcomeSource } from './ports/report-source.ts';
import type { Scheduler } from './ports/scheduler.ts';
import type { StopOptions } from '../pipelines/core/lifecycle.ts';
import { DEFAULT_STOP_DEADLINE_MS, guardedStop } from '../pipelines/core/lifecycle.ts';
import type { DueReport, ReportArchive } from './report-schedule.ts';
import { createReportJob, FileReportArchive } from './report-schedule.ts';
import type { Worker } from './worker.ts';
import { deliverReport } from './report-delivery.ts';
import type { ArchivedFiles, DeliveryOutcome } from './report-delivery.ts';

/** The archive directory of the configuration: reports.archiveDir, default <dataDir>/reports. */
export function reportArchiveDir(config: Config): string {
  return config.reports.archiveDir ?? join(config.dataDir, 'reports');
}

/** Dependencies of {@link ReportsWorker}. */
export interface ReportsWorkerDeps {
  config: Config;
  scheduler: Scheduler;
  logger: Logger;
  /** Triage outcomes (the triage store of this process). Default: none known. */
  triage?: TriageOutcomeSource;
  /** Report source. Default: the configured signal store's (createReportSource). */
  source?: ReportSource;
  /** Archive. Default: FileReportArchive in reportArchiveDir(config). */
  archive?: ReportArchive;
  /** Clock. Default the system clock. */
  now?: () => Date;
  /** Called after each archived report has been delivered to its period's channels (tests). */
  onArchived?: (report: DueReport, delivery: DeliveryOutcome[]) => Promise<void> | void;
}

/** The reports worker. */
export class ReportsWorker implements Worker {
  readonly name = 'reports';
  private running = false;
  private sourceStarted: Promise<void> | null = null;
  private readonly source: ReportSource;
  private readonly log: Logger;
  /** Runs of this process, one after the other (the catch-up pass and a scheduled run may meet). */
  private chain: Promise<void> = Promise.resolve();
  private abort = new AbortController();

  constructor(private readonly deps: ReportsWorkerDeps) {
    this.log = deps.logger.child({ component: 'reports-worker' });
    this.source = deps.source ?? createReportSource(deps.config);
  }

  ready(): boolean {
    return this.running;
  }

  /** A source that opens the store on first use and again after a failed open (the next run retries). */
  private lazySource(): ReportSource {
    const ensure = async () => {
      this.sourceStarted ??= this.source.start().catch((err: unknown) => {
        this.sourceStarted = null;
        throw err;
      });
      await this.sourceStarted;
    };
    const s = this.source;
    return {
      kind: s.kind,
      start: ensure,
      stop: () => s.stop(),
      postHours: async (a, b) => (await ensure(), s.postHours(a, b)),
      clusters: async (a, b, q) => (await ensure(), s.clusters(a, b, q)),
    };
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { config } = this.deps;
    this.abort = new AbortController();
    const job = createReportJob({
      config,
      source: this.lazySource(),
      triage: this.deps.triage ?? new NullTriageOutcomeSource(),
      archive: this.deps.archive ?? new FileReportArchive(reportArchiveDir(config)),
      now: this.deps.now ?? (() => new Date()),
      cron: { pattern: `0 ${config.reports.atHour} * * *`, tz: config.reports.timeZone },
      formats: config.reports.archiveFormats,
      onFormatFailed: (r, format, err) =>
        this.log.warn(
          { report: r.key, format, err: err.message },
          'A report format could not be made; archived without it.',
        ),
      onArchived: (r, _tickMs, files) => {
        this.log.info({ report: r.key }, 'Report archived.');
        archived.push({ report: r, files });
      },
    });
    const archived: ArchivedFiles[] = [];
    const run = job.run.bind(job);
    // Serialise runs in this process; each archived report is handed to onArchived (delivery) after its run.
    job.run = (signal) => {
      const next = this.chain.then(async () => {
        try {
          await run(signal);
        } finally {
          for (const a of archived.splice(0)) {
            const delivery = await deliverReport(a, config, this.log);
            await this.deps.onArchived?.(a.report, delivery);
          }
        }
      });
      this.chain = next.catch(() => undefined);
      return next;
    };
    await this.deps.scheduler.schedule(job);
    this.running = true;
    // Catch-up: reports that fell due while nothing ran. A failure is logged; the schedule goes on.
    void job
      .run(this.abort.signal)
      .catch((err: Error) =>
        this.log.warn({ err: err.message }, 'Catch-up report run failed; the next scheduled run retries.'),
      );
    this.log.info(
      { at: `${config.reports.atHour}:00`, tz: config.reports.timeZone, periods: config.reports.periods.length },
      'Reports worker started.',
    );
  }

  /** Waits for the runs of this process to finish (tests, stop). */
  idle(): Promise<void> {
    return this.chain;
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    await guardedStop(
      [
        ['finish report run', () => this.chain],
        ['close report source', () => (this.sourceStarted ? this.source.stop() : undefined)],
      ],
      options.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS,
    );
    this.sourceStarted = null;
    this.log.info('Reports worker stopped.');
  }
}
