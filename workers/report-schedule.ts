// Scheduled election-period reports: a daily report (the previous local day) every morning during a period, a weekly
// one (the previous Monday–Sunday, clipped to the period) on Mondays, and a final report of the whole period the day
// after it ends. `dueReports` is a pure function of the periods and `now`: it computes wall-clock times in the
// configured zone through Intl, so DST days (23 or 25 hours) neither skip nor repeat a report. The job runs on the
// scheduler port as a short repeatable tick (BullMQ job scheduler in cluster mode: one tick across processes;
// in-process timers in embedded mode) and generates every due report that is not archived yet. The archive key is
// period + cadence + day, and a report is moved into place only when complete (write to a temporary name, rename),
// so a restart during generation re-generates under the same key: one archived report, never two.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { localDay, localInstant, nextDay, periodBounds } from '../pipelines/report-data.ts';
import type { Config } from './config.ts';
import type { ReportSource, TriageOutcomeSource } from './ports/report-source.ts';
import type { RepeatableJob } from './ports/scheduler.ts';
import type { ReportPeriod } from './reports-config.ts';
import { gatherReportData, renderReport } from './report-builder.ts';

/** A report that is due. */
export interface DueReport {
  /** Archive key: `<period>/<cadence>-<day>`. */
  key: string;
  periodName: string;
  cadence: 'daily' | 'weekly' | 'final';
  /** Local days covered, inclusive. */
  fromDay: string;
  toDay: string;
  /** When it became due (epoch ms). */
  dueAtMs: number;
}

/** Options of {@link dueReports}. */
export interface DueOptions {
  timeZone: string;
  /** Local hour reports are made at. Default 7. */
  atHour?: number;
  /** Reports that became due longer ago than this are not made any more (no flood after a long outage). Default 3 days. */
  catchUpMs?: number;
}

function prevDay(day: string): string {
  return new Date(Date.parse(`${day}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** ISO weekday of a YYYY-MM-DD day, 1 = Monday. */
function weekday(day: string): number {
  return new Date(`${day}T12:00:00Z`).getUTCDay() || 7;
}

/** Every report of the periods that is due at `nowMs` (and not older than the catch-up window), oldest first. */
export function dueReports(periods: ReportPeriod[], nowMs: number, options: DueOptions): DueReport[] {
  const tz = options.timeZone;
  const at = options.atHour ?? 7;
  const oldest = nowMs - (options.catchUpMs ?? 3 * 86_400_000);
  const today = localDay(nowMs, tz);
  const out: DueReport[] = [];
  const add = (p: ReportPeriod, cadence: DueReport['cadence'], fromDay: string, toDay: string, onDay: string) => {
    const dueAtMs = localInstant(onDay, at, tz);
    if (dueAtMs <= nowMs && dueAtMs >= oldest)
      out.push({ key: `${p.name}/${cadence}-${toDay}`, periodName: p.name, cadence, fromDay, toDay, dueAtMs });
  };
  for (const p of periods) {
    // Only days that could be due now or within the catch-up window are visited.
    for (let d = p.from; d <= p.to && d < today; d = nextDay(d)) {
      add(p, 'daily', d, d, nextDay(d));
      if (weekday(d) === 7 || d === p.to) {
        // The week ending on this Sunday (or on the period's last day), clipped to the period.
        let from = d;
        while (weekday(from) !== 1 && from > p.from) from = prevDay(from);
        add(p, 'weekly', from, d, nextDay(d));
      }
    }
    add(p, 'final', p.from, p.to, nextDay(p.to));
  }
  return out.sort((a, b) => a.dueAtMs - b.dueAtMs || a.key.localeCompare(b.key));
}

/** Where generated reports are kept, one entry per key. */
export interface ReportArchive {
  /** True when a complete report is archived under the key. */
  has(key: string): Promise<boolean>;
  /** Archives the files of one report under the key, all or nothing; replaces an earlier partial attempt. */
  put(key: string, files: Record<string, Buffer>): Promise<void>;
}

/** A directory archive: `<dir>/<key>/` holds the report files and `data.json`; written under a temporary name, renamed. */
export class FileReportArchive implements ReportArchive {
  constructor(private readonly dir: string) {}

  async has(key: string): Promise<boolean> {
    return existsSync(join(this.dir, key));
  }

  async put(key: string, files: Record<string, Buffer>): Promise<void> {
    const final = join(this.dir, key);
    const tmp = `${final}.partial-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(tmp, name), bytes);
    if (existsSync(final)) {
      rmSync(tmp, { recursive: true, force: true });
      return;
    } // another process finished first
    renameSync(tmp, final);
  }

  /** Archived keys of a period (for listing). */
  list(periodName: string): string[] {
    const d = join(this.dir, periodName);
    return existsSync(d)
      ? readdirSync(d)
          .filter((n) => !n.includes('.partial-'))
          .sort()
          .map((n) => `${periodName}/${n}`)
      : [];
  }
}

/** Dependencies of {@link createReportJob}. */
export interface ReportJobDeps {
  config: Config;
  source: ReportSource;
  triage: TriageOutcomeSource;
  archive: ReportArchive;
  /** The clock (tests pass a fake one). */
  now: () => Date;
  /** Tick interval. Default 15 minutes. */
  everyMs?: number;
  /** Run at the times of this cron pattern in its zone instead of every `everyMs` (the reports worker's way). */
  cron?: { pattern: string; tz: string };
  /** Formats archived next to data.json. Default html and md (pdf needs Chromium). */
  formats?: Array<'html' | 'pdf' | 'md'>;
  /** Called when one format could not be rendered (e.g. Chromium missing for pdf); the others are archived. Default: the error is thrown. */
  onFormatFailed?: (report: DueReport, format: string, error: Error) => void;
  /** Called after each archived report, with the tick time (epoch ms) that found it due and the archived files. */
  onArchived?: (report: DueReport, tickMs: number, files: Record<string, Buffer>) => void;
}

/** The repeatable job that generates and archives due reports; schedule it on the scheduler port. */
export function createReportJob(deps: ReportJobDeps): RepeatableJob {
  const { config } = deps;
  return {
    name: 'reports',
    everyMs: deps.everyMs ?? 15 * 60_000,
    ...(deps.cron ? { cron: deps.cron } : {}),
    concurrency: 1,
    async run(signal: AbortSignal): Promise<void> {
      const tickMs = deps.now().getTime();
      const due = dueReports(config.reports.periods, tickMs, { timeZone: config.reports.timeZone });
      for (const r of due) {
        if (signal.aborted) return;
        if (await deps.archive.has(r.key)) continue;
        const bounds = periodBounds(r.fromDay, r.toDay, config.reports.timeZone);
        const data = await gatherReportData(deps.source, deps.triage, config, {
          ...bounds,
          periodName: r.periodName,
          now: deps.now(),
        });
        const files: Record<string, Buffer> = { 'data.json': Buffer.from(`${JSON.stringify(data, null, 2)}\n`) };
        for (const f of deps.formats ?? ['html', 'md']) {
          try {
            files[`report.${config.reports.lang}.${f}`] = await renderReport(data, f, config.reports.lang, config);
          } catch (err) {
            if (!deps.onFormatFailed) throw err;
            deps.onFormatFailed(r, f, err as Error);
          }
        }
        await deps.archive.put(r.key, files);
        deps.onArchived?.(r, tickMs, files);
      }
    },
  };
}
