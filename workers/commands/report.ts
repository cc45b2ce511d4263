// `mid report --from DATE --to DATE [--period NAME] [--format html|pdf|md|json] [--lang nl|en] --out FILE`: an
// anonymised report of the period from the configured signal store. Dates are local days (reports.timeZone), both
// inclusive; `--period NAME` takes them from the configured election periods.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { periodBounds } from '../../pipelines/report-data.ts';
import { ChromiumMissingError } from '../../dashboards/reports/pdf.ts';
import { createReportSource } from '../adapters/create-report-source.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { NullTriageOutcomeSource } from '../ports/report-source.ts';
import type { TriageOutcomeSource } from '../ports/report-source.ts';
import { SqliteTriageStore } from '../adapters/sqlite-triage-store.ts';
import { TriageStoreOutcomeSource } from '../adapters/triage-store-outcome-source.ts';
import type { ReportFormat } from '../report-builder.ts';
import { gatherReportData, renderReport } from '../report-builder.ts';
import { parseArgs, str } from './args.ts';

/** One line for `mid help`. */
export const summary =
  'election-period report: mid report --from DATE --to DATE [--period NAME] [--format html|pdf|md|json] [--lang nl|en] --out FILE';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags } = parseArgs(args);
  const fail = (m: string) => {
    process.stderr.write(`mid report: ${m}\n`);
    return 2;
  };
  let config;
  try {
    config = loadConfig({ file: str(flags, 'config') });
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.problems.join('\n  '));
    throw err;
  }
  const periodName = str(flags, 'period') ?? null;
  const period = periodName ? config.reports.periods.find((p) => p.name === periodName) : undefined;
  const fromDay = str(flags, 'from') ?? period?.from;
  const toDay = str(flags, 'to') ?? period?.to;
  const format = (str(flags, 'format') ?? 'html') as ReportFormat;
  const lang = str(flags, 'lang') ?? config.reports.lang;
  const out = str(flags, 'out');
  if (periodName && !period && (!fromDay || !toDay))
    return fail(
      `unknown period "${periodName}" (configured: ${config.reports.periods.map((p) => p.name).join(', ') || 'none'})`,
    );
  if (!fromDay || !toDay || !DAY.test(fromDay) || !DAY.test(toDay))
    return fail('--from and --to must be dates (YYYY-MM-DD), or give --period NAME');
  if (toDay < fromDay) return fail('--to is before --from');
  if (!['html', 'pdf', 'md', 'json'].includes(format)) return fail('--format must be html, pdf, md or json');
  if (lang !== 'nl' && lang !== 'en') return fail('--lang must be nl or en');
  if (!out) return fail('--out FILE is required');

  const bounds = periodBounds(fromDay, toDay, config.reports.timeZone);
  const source = createReportSource(config);
  try {
    await source.start();
  } catch (err) {
    return fail(`cannot open the ${config.store.kind} signal store: ${(err as Error).message}`);
  }
  // Triage outcomes from the triage store when there is one (a store that was never created is not created here).
  const triageFile = config.triage.sqliteFile ?? join(config.dataDir, 'triage.db');
  const triageStore = existsSync(triageFile) ? new SqliteTriageStore({ file: triageFile }) : null;
  let triage: TriageOutcomeSource = new NullTriageOutcomeSource();
  try {
    if (triageStore) {
      await triageStore.start();
      triage = new TriageStoreOutcomeSource(triageStore);
    }
    const data = await gatherReportData(source, triage, config, {
      ...bounds,
      periodName,
      now: new Date(),
    });
    const bytes = await renderReport(data, format, lang, config);
    writeFileSync(out, bytes);
    process.stdout.write(
      `mid report: wrote ${out} (${format}, ${lang}): ${data.periodOverPeriod.current.posts} posts, ${data.periodOverPeriod.current.clusters} clusters\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ChromiumMissingError) {
      return fail(
        `${err.message} (set reports.chromiumPath, or install Debian's chromium). Without it, use --format html and print from a browser.`,
      );
    }
    throw err;
  } finally {
    await source.stop();
    await triageStore?.stop();
  }
}
