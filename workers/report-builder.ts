// Builds a report end to end: aggregates for the period and the previous period of equal length from the report
// source, triage outcomes, the pure report data (pipelines/report-data.ts), then the chosen format. Shared by
// `mid report` and the report scheduler. The configuration hash covers the sections that shape the figures
// (enrichment and detection), never credentials.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ReportData } from '../pipelines/report-data.ts';
import { buildReportData, previousPeriod } from '../pipelines/report-data.ts';
import { t } from '../dashboards/reports/messages.ts';
import type { ReportLang } from '../dashboards/reports/messages.ts';
import { renderHtml } from '../dashboards/reports/render-html.ts';
import { renderJson, renderMarkdown } from '../dashboards/reports/render-markdown.ts';
import { renderPdf } from '../dashboards/reports/pdf.ts';
import type { Config } from './config.ts';
import type { ReportSource, TriageOutcomeSource } from './ports/report-source.ts';

/** Output formats. */
export type ReportFormat = 'html' | 'pdf' | 'md' | 'json';

/** The software version from package.json. */
export function softwareVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** Short hash of the configuration that shapes the figures (enrich and detect sections). */
export function configHash(config: Config): string {
  const stable = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, stable((v as Record<string, unknown>)[k])]),
        )
      : v;
  return createHash('sha256')
    .update(JSON.stringify(stable({ enrich: config.enrich, detect: config.detect })))
    .digest('hex')
    .slice(0, 16);
}

/** Thresholds shown in the method section. */
export function reportThresholds(config: Config): Record<string, number | string | boolean> {
  const d = config.detect;
  return {
    'detect.minClusterAccounts': d.minClusterAccounts,
    'detect.edgeAlpha': d.edgeAlpha,
    'detect.duplicateSimilarity': d.duplicateSimilarity,
    'detect.burstMinSurprise': d.burstMinSurprise,
    'detect.burstMinPosts': d.burstMinPosts,
    'detect.burstMinAccounts': d.burstMinAccounts,
    'detect.youngAccountDays': d.youngAccountDays,
    'detect.noHistoryPosts': d.noHistoryPosts,
    'detect.cohortMinShare': d.cohortMinShare,
    'detect.windowSeconds': d.windowSeconds,
  };
}

/** What to build. */
export interface BuildReportRequest {
  /** ISO instants, [from, to). */
  from: string;
  to: string;
  periodName: string | null;
  /** When the report is generated (the caller's clock). */
  now: Date;
  analystSummary?: string | null;
}

/** Gathers the aggregates and computes the report data. */
export async function gatherReportData(
  source: ReportSource,
  triage: TriageOutcomeSource,
  config: Config,
  req: BuildReportRequest,
): Promise<ReportData> {
  const fromMs = Date.parse(req.from);
  const toMs = Date.parse(req.to);
  const prev = previousPeriod(req.from, req.to);
  const query = { youngAccountDays: config.detect.youngAccountDays };
  const [hours, clusters, prevHours, prevClusters] = [
    await source.postHours(fromMs, toMs),
    await source.clusters(fromMs, toMs, query),
    await source.postHours(Date.parse(prev.from), Date.parse(prev.to)),
    await source.clusters(Date.parse(prev.from), Date.parse(prev.to), query),
  ];
  const outcomes = await triage.outcomes(clusters.map((c) => c.id));
  return buildReportData(
    { from: req.from, to: req.to, postHours: hours, clusters },
    { from: prev.from, to: prev.to, postHours: prevHours, clusters: prevClusters },
    outcomes,
    {
      periodName: req.periodName,
      generatedAt: req.now.toISOString(),
      timeZone: config.reports.timeZone,
      thresholds: reportThresholds(config),
      configHash: configHash(config),
      softwareVersion: softwareVersion(),
      store: source.kind,
      topCampaigns: config.reports.topCampaigns,
      minSampleAccounts: config.reports.minSampleAccounts,
      analystSummary: req.analystSummary ?? null,
    },
  );
}

/** Renders report data in a format; PDF needs Chromium (ChromiumMissingError otherwise). */
export async function renderReport(
  data: ReportData,
  format: ReportFormat,
  lang: ReportLang,
  config: Config,
): Promise<Buffer> {
  if (format === 'json') return Buffer.from(renderJson(data));
  if (format === 'md') return Buffer.from(renderMarkdown(data, lang));
  const htmlText = renderHtml(data, lang);
  if (format === 'html') return Buffer.from(htmlText);
  return renderPdf(htmlText, {
    executablePath: config.reports.chromiumPath,
    pageLabel: t(lang, 'page'),
    ofLabel: t(lang, 'of'),
    timeoutMs: config.reports.pdfTimeoutMs,
  });
}
