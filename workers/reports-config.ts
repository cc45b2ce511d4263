// The `reports` config section: election periods, where reports are archived, the Chromium used for PDF, and the
// report settings. Owned here, next to the report command and scheduler; composed into configSchema in config.ts.
import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** One election (or crisis) period. */
export const reportPeriodSchema = z.object({
  name: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _')
    .describe('Short name used in titles and archive paths, e.g. TK2023.'),
  from: day.describe('First day (local, inclusive), YYYY-MM-DD.'),
  to: day.describe('Last day (local, inclusive), YYYY-MM-DD.'),
  deliverTo: z
    .array(z.string())
    .default([])
    .describe(
      'Alert route names whose channels get each scheduled report: e-mail with the PDF attached, JSON/Slack/Mattermost webhooks a link (needs reports.appUrl). Default [] (archive only).',
    ),
});

/** A configured period. */
export type ReportPeriod = z.infer<typeof reportPeriodSchema>;

/** The `reports` section. */
export const reportsSchema = z
  .object({
    periods: z
      .array(reportPeriodSchema)
      .default([{ name: 'TK2023', from: '2023-10-23', to: '2023-11-29', deliverTo: [] }])
      .describe(
        'Election periods: daily and weekly reports during each, one final report after it. Default TK2023 (2023-10-23 to 2023-11-29).',
      ),
    chromiumPath: z
      .string()
      .default('/usr/bin/chromium')
      .describe("Chromium used for PDF (Debian's package). Default /usr/bin/chromium."),
    archiveDir: z
      .string()
      .optional()
      .describe('Where scheduled reports and their data snapshots are archived. Default <dataDir>/reports.'),
    timeZone: z
      .string()
      .default('Europe/Amsterdam')
      .describe('Time zone of report days and schedules. Default Europe/Amsterdam.'),
    lang: z.enum(['nl', 'en']).default('nl').describe('Language of scheduled reports. Default nl.'),
    topCampaigns: z.number().int().min(1).default(10).describe('Campaigns listed in a report. Default 10.'),
    minSampleAccounts: z
      .number()
      .int()
      .min(2)
      .default(10)
      .describe('A campaign text is quoted only when at least this many accounts posted it. Default 10.'),
    atHour: z
      .number()
      .int()
      .min(0)
      .max(23)
      .default(7)
      .describe('Local hour (in timeZone) scheduled reports are made at: cron "0 <atHour> * * *". Default 7.'),
    appUrl: z
      .string()
      .url()
      .regex(/^https?:\/\//, 'an http(s) URL')
      .optional()
      .describe('Public base URL of the triage application, for report links in webhook messages. Default none.'),
    archiveFormats: z
      .array(z.enum(['html', 'pdf', 'md']))
      .min(1)
      .default(['html', 'pdf', 'md'])
      .describe(
        'Formats archived next to data.json for each scheduled report (pdf is skipped with a warning when Chromium is missing). Default html, pdf, md.',
      ),
    pdfTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .default(60_000)
      .describe('Longest wait for Chromium to print a PDF. Default 60000.'),
  })
  .prefault({});

/** The validated `reports` section. */
export type ReportsConfig = z.infer<typeof reportsSchema>;
