// The report archive as the triage application sees it (workers/ports/report-archive.ts): lists the reports the
// reports worker archived (`<archiveDir>/<period>/<cadence>-<day>/`), serves their files by strict names only, and
// generates a report of a chosen period on request as a job in this process (queued → running → done | failed, one at
// a time), archived as `<period>/manual-<last day>-<epoch s>` next to the scheduled ones.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { localDay, periodBounds } from '../pipelines/report-data.ts';
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { ArchivedReport, ReportArchiveAccess, ReportGeneration } from './ports/report-archive.ts';
import type { ReportSource, TriageOutcomeSource } from './ports/report-source.ts';
import type { ReportPeriod } from './reports-config.ts';
import { gatherReportData, renderReport } from './report-builder.ts';
import { FileReportArchive } from './report-schedule.ts';

const ENTRY = /^(daily|weekly|final|manual)-(\d{4}-\d{2}-\d{2})(?:-\d+)?$/;
const KEY = /^[A-Za-z0-9_-]+\/(?:daily|weekly|final|manual)-\d{4}-\d{2}-\d{2}(?:-\d+)?$/;
const FILE = /^(?:data\.json|report\.(nl|en)\.(html|pdf|md))$/;
/** Generations kept in memory for the page. */
const KEEP = 20;

/** Dependencies of {@link ReportArchiveService}. */
export interface ReportArchiveServiceDeps {
  config: Config;
  /** The archive directory (reportArchiveDir(config)). */
  dir: string;
  /** Report source; opened on first use. */
  source: ReportSource;
  triage: TriageOutcomeSource;
  logger: Logger;
  /** Clock. Default the system clock. */
  now?: () => Date;
}

/** Lists, serves and generates archived reports. */
export class ReportArchiveService implements ReportArchiveAccess {
  private readonly archive: FileReportArchive;
  private readonly jobs: ReportGeneration[] = [];
  private chain: Promise<void> = Promise.resolve();
  private nextId = 1;
  private sourceStarted: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(private readonly deps: ReportArchiveServiceDeps) {
    this.archive = new FileReportArchive(deps.dir);
    this.log = deps.logger.child({ component: 'report-archive' });
  }

  periods(): ReportPeriod[] {
    return this.deps.config.reports.periods;
  }

  async list(): Promise<ArchivedReport[]> {
    const { dir } = this.deps;
    if (!existsSync(dir)) return [];
    const out: ArchivedReport[] = [];
    for (const period of (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory())) {
      for (const entry of await readdir(join(dir, period.name))) {
        const m = ENTRY.exec(entry); // partial (temporary) directories do not match
        if (!m) continue;
        const byLang = new Map<'nl' | 'en', Array<'html' | 'pdf' | 'md'>>();
        for (const f of (await readdir(join(dir, period.name, entry))).sort()) {
          const fm = FILE.exec(f);
          if (fm?.[1]) byLang.set(fm[1] as 'nl' | 'en', [...(byLang.get(fm[1] as 'nl' | 'en') ?? []), fm[2] as 'html']);
        }
        out.push({
          key: `${period.name}/${entry}`,
          periodName: period.name,
          cadence: m[1] as ArchivedReport['cadence'],
          day: m[2]!,
          langs: [...byLang].map(([lang, formats]) => ({ lang, formats })),
        });
      }
    }
    return out.sort((a, b) => b.day.localeCompare(a.day) || a.key.localeCompare(b.key));
  }

  async file(key: string, name: string): Promise<Buffer | null> {
    if (!KEY.test(key) || !FILE.test(name)) return null;
    return readFile(join(this.deps.dir, key, name)).catch(() => null);
  }

  generations(): ReportGeneration[] {
    return [...this.jobs].reverse();
  }

  generate(periodName: string, lang: 'nl' | 'en', requestedBy: string): ReportGeneration {
    const period = this.periods().find((p) => p.name === periodName);
    if (!period) throw new Error(`unknown period ${periodName}`);
    const now = this.deps.now ?? (() => new Date());
    const job: ReportGeneration = {
      id: this.nextId++,
      periodName,
      lang,
      requestedBy,
      requestedAtMs: now().getTime(),
      state: 'queued',
      key: null,
      error: null,
    };
    this.jobs.push(job);
    if (this.jobs.length > KEEP) this.jobs.shift();
    this.chain = this.chain.then(() => this.run(job, period, now));
    return job;
  }

  private async run(job: ReportGeneration, period: ReportPeriod, now: () => Date): Promise<void> {
    const { config } = this.deps;
    job.state = 'running';
    try {
      const tz = config.reports.timeZone;
      const today = localDay(now().getTime(), tz);
      const yesterday = new Date(Date.parse(`${today}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
      // Complete days only: up to yesterday, or the period's last day when it is over.
      const toDay = period.to < yesterday ? period.to : yesterday;
      if (toDay < period.from) throw new GenerationRefused('the period has no complete day yet');
      this.sourceStarted ??= this.deps.source.start().catch((err: unknown) => {
        this.sourceStarted = null;
        throw err;
      });
      await this.sourceStarted;
      const data = await gatherReportData(this.deps.source, this.deps.triage, config, {
        ...periodBounds(period.from, toDay, tz),
        periodName: period.name,
        now: now(),
      });
      const files: Record<string, Buffer> = { 'data.json': Buffer.from(`${JSON.stringify(data, null, 2)}\n`) };
      for (const f of config.reports.archiveFormats) {
        try {
          files[`report.${job.lang}.${f}`] = await renderReport(data, f, job.lang, config);
        } catch (err) {
          this.log.warn(
            { format: f, err: (err as Error).message },
            'A report format could not be made; archived without it.',
          );
        }
      }
      const key = `${period.name}/manual-${toDay}-${Math.floor(now().getTime() / 1000)}`;
      await this.archive.put(key, files);
      job.key = key;
      job.state = 'done';
      this.log.info({ report: key, by: job.requestedBy }, 'Report generated on request.');
    } catch (err) {
      job.state = 'failed';
      job.error = err instanceof GenerationRefused ? err.message : 'the report could not be made (see the log)';
      this.log.error({ err: (err as Error).message, period: period.name }, 'Report generation failed.');
    }
  }

  /** Waits for queued generations (tests, shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Finishes the running generation and closes the report source. */
  async stop(): Promise<void> {
    await this.chain;
    if (this.sourceStarted) await this.deps.source.stop();
    this.sourceStarted = null;
  }
}

/** A generation that cannot be made for a reason the user can act on. */
export class GenerationRefused extends Error {
  override name = 'GenerationRefused';
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
