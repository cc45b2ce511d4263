// The server-rendered pages of the triage application (Eta templates with auto-escaping, dashboards/triage/views).
// Pages only lay out data; changes are made by the small client (static/app.js) through the JSON API, except login
// and logout, which are plain forms so that signing in works without script.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CLOSE_REASONS, ROLES, TRIAGE_STATUSES } from '../../workers/ports/triage-store.ts';
import type { AppContext } from './context.ts';
import { SESSION_COOKIE } from './context.ts';
import { clusterSummary, dropEmptyParams, listQuerySchema, TEXT_SEARCH_MAX_POSTS, toClusterQuery } from './api.ts';
import type { ListParams } from './api.ts';
import { authenticate } from './auth.ts';
import { loadEvidence } from './evidence.ts';
import { histogramChart, timelineChart } from './figures.ts';
import {
  clientMessages,
  formatDateTime,
  formatDateTimeSeconds,
  formatNumber,
  requestLang,
  t,
  translator,
} from './i18n/index.ts';
import type { Lang, MsgKey } from './i18n/index.ts';
import { renderMarkdown } from './markdown.ts';
import { CLOSE_REASON_LABELS, STATUS_LABELS } from './reasons.ts';
import { formatPValue } from '../../pipelines/render-reasons.ts';

const KIND_KEYS = Object.fromEntries(
  ['duplicate_text', 'co_link', 'burst', 'hashtag_push', 'cross_language', 'young_account_cohort', 'other'].map((k) => [
    `kind.${k}`,
    true,
  ]),
);

/**
 * The store's reopen reason (an English sentence kept in the audit log) in the user's language; other text as is.
 */
export function reopenReasonIn(lang: Lang, reason: string): string {
  const m = /^Reopened: grew from (\d+) to (\d+) posts after it was closed \((.*)\)\.$/.exec(reason);
  if (!m) return reason;
  const why = m[3]!;
  const reasonText = `close.${why}` in CLOSE_KEYS ? t(lang, `close.${why}` as MsgKey) : why;
  return t(lang, 'cluster.reopenedReason', { from: m[1]!, to: m[2]!, reason: reasonText });
}
const CLOSE_KEYS = Object.fromEntries(CLOSE_REASONS.map((r) => [`close.${r}`, true]));

/** Where to go after login: only a local path (no scheme, no host, no `//`). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/';
}

/** Registers the page routes. */
export function registerPages(app: FastifyInstance, ctx: AppContext): void {
  const { triage, eta } = ctx;
  const page = (req: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown>) => {
    const p = req.principal;
    const lang = requestLang(req);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        eta.render(view, {
          ...data,
          me: p,
          lang,
          csrf: reply.generateCsrf(),
          statusLabels: STATUS_LABELS[lang],
          closeLabels: CLOSE_REASON_LABELS[lang],
          statuses: TRIAGE_STATUSES,
          closeReasons: CLOSE_REASONS,
          // Wording and formats of the user's language: templates write no text of their own.
          t: translator(lang),
          fmt: (at: number | string) => formatDateTime(lang, at),
          fmtSec: (at: number | string) => formatDateTimeSeconds(lang, at),
          num: (n: number, digits?: number) => formatNumber(lang, n, digits),
          // A p-value as the reasons on the same page write it; log10 for values floored at 1e-300.
          pval: (value: number, log10?: number) => formatPValue({ value, log10: log10 ?? Math.log10(value) }, lang),
          kind: (k: string) => (`kind.${k}` in KIND_KEYS ? t(lang, `kind.${k}` as MsgKey) : k.replace(/_/g, ' ')),
          reopen: (reason: string) => reopenReasonIn(lang, reason),
          clientMessages: JSON.stringify(clientMessages(lang)),
        }),
      );
  };

  app.get(
    '/login',
    {
      config: { role: 'public' },
      schema: { hide: true, querystring: { type: 'object', properties: { next: { type: 'string', maxLength: 500 } } } },
    },
    async (req, reply) =>
      page(req, reply, 'login', { next: safeNext((req.query as { next?: string }).next), error: null }),
  );

  app.post(
    '/login',
    {
      config: { role: 'public', rateLimit: { max: ctx.config.loginRateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        hide: true,
        body: {
          type: 'object',
          required: ['username', 'password'],
          properties: {
            username: { type: 'string', maxLength: 40 },
            password: { type: 'string', maxLength: 200 },
            next: { type: 'string', maxLength: 500 },
            _csrf: { type: 'string' },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body as { username: string; password: string; next?: string };
      const out = await authenticate(triage, b.username, b.password, ctx.now(), ctx.config);
      if (!out.ok) {
        if (out.reason === 'locked')
          await triage.appendAudit({
            atMs: ctx.now(),
            actor: b.username.slice(0, 40),
            action: 'login-locked',
            clusterId: null,
            before: null,
            after: null,
          });
        reply.code(out.reason === 'locked' ? 423 : 401);
        return page(req, reply, 'login', {
          next: safeNext(b.next),
          error: t(requestLang(req), out.reason === 'locked' ? 'login.locked' : 'login.wrong'),
        });
      }
      await ctx.startSession(reply, req, out.user.username);
      await triage.appendAudit({
        atMs: ctx.now(),
        actor: out.user.username,
        action: 'login',
        clusterId: null,
        before: null,
        after: null,
      });
      return reply.redirect(safeNext(b.next), 303);
    },
  );

  app.post('/logout', { config: { role: 'viewer' }, schema: { hide: true } }, async (req, reply) => {
    if (req.principal?.sessionId) await triage.deleteSession(req.principal.sessionId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });

  app.get(
    '/',
    {
      config: { role: 'viewer' },
      preValidation: dropEmptyParams,
      schema: { hide: true, querystring: listQuerySchema },
    },
    async (req, reply) => {
      const params = req.query as ListParams;
      const me = req.principal!;
      const query = await toClusterQuery(ctx, params, me);
      const [result, views, users, reminders] = await Promise.all([
        triage.queryClusters(query),
        triage.listViews(me.username),
        triage.listUsers(),
        triage.listReminders(me.username),
      ]);
      const keep = Object.fromEntries(
        Object.entries(params).filter(([k, v]) => k !== 'after' && v !== undefined && v !== ''),
      );
      const nextUrl = result.next
        ? `/?${new URLSearchParams({ ...Object.fromEntries(Object.entries(keep).map(([k, v]) => [k, String(v)])), after: result.next }).toString()}`
        : null;
      return page(req, reply, 'list', {
        params,
        total: result.total,
        textSearchCapped: query.postIdsCapped === true,
        textSearchMax: TEXT_SEARCH_MAX_POSTS,
        clusters: result.items.map((r) => clusterSummary(r, me.lang)),
        nextUrl,
        isFirst: !params.after,
        firstUrl: `/?${new URLSearchParams(Object.fromEntries(Object.entries(keep).map(([k, v]) => [k, String(v)]))).toString()}`,
        views,
        users: users.filter((u) => !u.disabled).map((u) => u.username),
        reminders,
        openedAtMs: ctx.now(),
      });
    },
  );

  app.get(
    '/clusters/:id',
    {
      config: { role: 'viewer' },
      schema: { hide: true, params: { type: 'object', properties: { id: { type: 'string', maxLength: 200 } } } },
    },
    async (req, reply) => {
      const me = req.principal!;
      const ev = await loadEvidence(ctx, (req.params as { id: string }).id, me.lang);
      if (!ev) {
        reply.code(404);
        return page(req, reply, 'not-found', {});
      }
      const [notes, audit, users] = await Promise.all([
        triage.listNotes(ev.row.cluster.id),
        triage.listAudit({ clusterId: ev.row.cluster.id }),
        triage.listUsers(),
      ]);
      const byAccount = new Map<string, number>();
      for (const p of ev.posts) byAccount.set(p.author, (byAccount.get(p.author) ?? 0) + 1);
      return page(req, reply, 'cluster', {
        ev,
        c: clusterSummary(ev.row, me.lang),
        cluster: ev.row.cluster,
        state: ev.row.state,
        timeline: timelineChart(ev.timeline.bins, ev.timeline.binMs, me.lang),
        ages: histogramChart(ev.ages, me.lang),
        notes: notes.map((n) => ({ ...n, html: renderMarkdown(n.markdown) })),
        audit: [...audit].reverse(),
        users: users.filter((u) => !u.disabled).map((u) => u.username),
        revealEnabled: Boolean(ctx.reidentify),
      });
    },
  );

  app.get(
    '/audit',
    {
      config: { role: 'lead' },
      schema: {
        hide: true,
        querystring: { type: 'object', properties: { afterSeq: { type: 'integer', minimum: 0 } } },
      },
    },
    async (req, reply) => {
      const entries = await triage.listAudit({ afterSeq: (req.query as { afterSeq?: number }).afterSeq, limit: 500 });
      return page(req, reply, 'audit', { entries: entries.reverse(), verification: await triage.verifyAudit() });
    },
  );

  app.get('/shift', { config: { role: 'viewer' }, schema: { hide: true } }, async (req, reply) =>
    page(req, reply, 'shift', { entries: await triage.listShiftLog(200) }),
  );

  app.get('/admin/users', { config: { role: 'admin' }, schema: { hide: true } }, async (req, reply) =>
    page(req, reply, 'users', {
      users: (await triage.listUsers()).map((u) => ({ ...u, locked: u.lockedUntilMs > ctx.now() })),
      tokens: await triage.listTokens(),
      roles: ROLES,
    }),
  );
}
