// What the triage application sees of the report archive: the archived reports (listing and files) and on-demand
// generation as a job with a state. Implemented by workers/report-archive-service.ts over the file archive the reports
// worker writes; the triage app reads through this port only.
import type { ReportPeriod } from '../reports-config.ts';

/** One archived report. */
export interface ArchivedReport {
  /** `<period>/<entry>`, e.g. TK2023/daily-2023-11-01. */
  key: string;
  periodName: string;
  cadence: 'daily' | 'weekly' | 'final' | 'manual';
  /** The last local day covered (YYYY-MM-DD). */
  day: string;
  /** Files by language: lang → formats (html, pdf, md), plus data.json for every report. */
  langs: Array<{ lang: 'nl' | 'en'; formats: Array<'html' | 'pdf' | 'md'> }>;
}

/** The state of one on-demand generation. */
export interface ReportGeneration {
  id: number;
  periodName: string;
  lang: 'nl' | 'en';
  requestedBy: string;
  requestedAtMs: number;
  state: 'queued' | 'running' | 'done' | 'failed';
  /** Archive key once done. */
  key: string | null;
  /** Short reason when failed (no internals). */
  error: string | null;
}

/** The report archive as the triage application uses it. */
export interface ReportArchiveAccess {
  /** The configured election periods. */
  periods(): ReportPeriod[];
  /** Archived reports, newest day first. */
  list(): Promise<ArchivedReport[]>;
  /** One file of an archived report (data.json or report.<lang>.<format>); null when absent or the name is not one of those. */
  file(key: string, name: string): Promise<Buffer | null>;
  /** Queues a report of a period (its days up to yesterday) in a language; it runs as a job in this process. */
  generate(periodName: string, lang: 'nl' | 'en', requestedBy: string): ReportGeneration;
  /** Recent generations, newest first. */
  generations(): ReportGeneration[];
}
