// The report archive in the triage application: a page listing archived election-period reports (period, cadence,
// day, language, formats, with download links that need a signed-in user and come as attachments), a form to
// generate one for a chosen period (lead and up, CSRF like every form, written to the audit log) that runs as a job,
// and the job states on the same page. Reads the archive through workers/ports/report-archive.ts only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReportArchiveAccess } from '../../workers/ports/report-archive.ts';
import type { AppContext } from './context.ts';
import { formatDateTime, translator } from './i18n/index.ts';
import type { Lang } from './i18n/index.ts';

/** The page's wording in both languages. */
export const REPORT_PAGE_TEXT = {
  en: {
    title: 'Reports',
    intro:
      'Election-period reports: anonymised, on signals of coordinated behaviour (not on truth). Scheduled reports are made daily and weekly during each period and once after it.',
    archived: 'Archived reports',
    period: 'Period',
    kind: 'Kind',
    day: 'Last day',
    language: 'Language',
    files: 'Files',
    data: 'data (JSON)',
    none: 'No reports archived yet.',
    generate: 'Generate a report',
    generateHint:
      'Covers the chosen period up to yesterday. It runs in the background; reload this page to see its state.',
    submit: 'Generate',
    jobs: 'Requested reports',
    requested: 'Requested',
    by: 'By',
    state: 'State',
    cadence: { daily: 'daily', weekly: 'weekly', final: 'final', manual: 'on request' },
    states: { queued: 'waiting', running: 'being made', done: 'ready', failed: 'failed' },
    langs: { nl: 'Dutch', en: 'English' },
  },
  nl: {
    title: 'Rapportages',
    intro:
      'Rapportages per verkiezingsperiode: geanonimiseerd, over signalen van gecoördineerd gedrag (niet over waarheid). Geplande rapportages worden tijdens elke periode dagelijks en wekelijks gemaakt, en één keer na afloop.',
    archived: 'Gearchiveerde rapportages',
    period: 'Periode',
    kind: 'Soort',
    day: 'Laatste dag',
    language: 'Taal',
    files: 'Bestanden',
    data: 'gegevens (JSON)',
    none: 'Nog geen rapportages gearchiveerd.',
    generate: 'Rapportage maken',
    generateHint:
      'Beslaat de gekozen periode tot en met gisteren. Wordt op de achtergrond gemaakt; laad deze pagina opnieuw om de stand te zien.',
    submit: 'Maken',
    jobs: 'Aangevraagde rapportages',
    requested: 'Aangevraagd',
    by: 'Door',
    state: 'Stand',
    cadence: { daily: 'dagelijks', weekly: 'wekelijks', final: 'eindrapportage', manual: 'op verzoek' },
    states: { queued: 'wacht', running: 'wordt gemaakt', done: 'klaar', failed: 'mislukt' },
    langs: { nl: 'Nederlands', en: 'Engels' },
  },
} as const;

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  md: 'text/markdown; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** Registers /reports, /reports/generate and /reports/files/... on the app. */
export function registerReportRoutes(app: FastifyInstance, ctx: AppContext, reports: ReportArchiveAccess): void {
  const render = (req: FastifyRequest, reply: FastifyReply, data: Record<string, unknown>) => {
    const me = req.principal!;
    const lang: Lang = me.lang;
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        ctx.eta.render('reports', {
          ...data,
          me,
          lang,
          csrf: reply.generateCsrf(),
          tx: REPORT_PAGE_TEXT[lang],
          t: translator(lang),
          fmt: (ms: number) => formatDateTime(lang, ms),
        }),
      );
  };

  app.get('/reports', { config: { role: 'viewer' }, schema: { hide: true } }, async (req, reply) => {
    const me = req.principal!;
    return render(req, reply, {
      reports: await reports.list(),
      periods: reports.periods(),
      generations: reports.generations(),
      canGenerate: me.role === 'lead' || me.role === 'admin',
    });
  });

  app.post(
    '/reports/generate',
    {
      config: { role: 'lead' },
      schema: {
        hide: true,
        body: {
          type: 'object',
          required: ['period', 'lang'],
          properties: {
            period: { type: 'string', maxLength: 60, pattern: '^[A-Za-z0-9_-]+$' },
            lang: { type: 'string', enum: ['nl', 'en'] },
            _csrf: { type: 'string' },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body as { period: string; lang: Lang };
      if (!reports.periods().some((p) => p.name === b.period))
        return reply.code(400).send({ error: 'invalid request' });
      const job = reports.generate(b.period, b.lang, req.principal!.username);
      await ctx.triage.appendAudit({
        atMs: ctx.now(),
        actor: req.principal!.username,
        action: 'report-generate',
        clusterId: null,
        before: null,
        after: { period: b.period, lang: b.lang, job: job.id },
      });
      return reply.redirect('/reports', 303);
    },
  );

  app.get(
    '/reports/files/:period/:entry/:name',
    {
      config: { role: 'viewer' },
      schema: {
        hide: true,
        params: {
          type: 'object',
          properties: {
            period: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', maxLength: 60 },
            entry: { type: 'string', pattern: '^[a-z]+-[0-9-]+$', maxLength: 60 },
            name: { type: 'string', pattern: '^[a-z.]+$', maxLength: 30 },
          },
        },
      },
    },
    async (req, reply) => {
      const { period, entry, name } = req.params as { period: string; entry: string; name: string };
      const bytes = await reports.file(`${period}/${entry}`, name);
      if (!bytes) return reply.code(404).send({ error: 'not found' });
      const ext = name.slice(name.lastIndexOf('.') + 1);
      // The names are checked above (letters, digits, - _ .), so the filename needs no further quoting.
      return reply
        .type(CONTENT_TYPES[ext] ?? 'application/octet-stream')
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `attachment; filename="${period}-${entry}-${name}"`)
        .send(bytes);
    },
  );
}
