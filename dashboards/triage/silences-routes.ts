// Alert silences in the triage application: a page listing active and expired silences (matchers, routes, comment,
// creator, created, expiry, state), a form to create one (the matcher fields as `mid alerts silence add` takes them,
// a required comment, the expiry as a duration or an Amsterdam date-time) and "expire now". Reads and writes the
// alert store the alerts worker reads on every batch (workers/alert-silences.ts), so a silence made here holds back
// the next alert. Viewers see the list; analysts and up change it (as with triage changes); every form carries the
// CSRF token; the creator is the signed-in user, and creation and expiry are written to the audit log.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Silence } from '../../pipelines/alert-rules.ts';
import {
  addSilence,
  expireSilence,
  listSilences,
  parseSilenceExpiry,
  SILENCE_FIELDS,
  SILENCE_KINDS,
  SilenceInputError,
  silenceMatchers,
  silenceState,
  splitList,
} from '../../workers/alert-silences.ts';
import type { SilenceField } from '../../workers/alert-silences.ts';
import type { AlertStore } from '../../workers/ports/alert-store.ts';
import { roleAtLeast } from '../../workers/ports/triage-store.ts';
import type { AppContext } from './context.ts';
import { clientMessages, formatDateTime, t, translator } from './i18n/index.ts';
import type { Lang, MsgKey } from './i18n/index.ts';

/** The form's fields besides the matchers. */
interface SilenceForm extends Partial<Record<SilenceField | 'route' | 'comment' | 'expires', string>> {
  _csrf?: string;
}

const FORM_FIELDS = [...SILENCE_FIELDS, 'route'] as const;

const ERROR_KEYS: Record<SilenceInputError['problem'], MsgKey> = {
  'no-matcher': 'silences.error.noMatcher',
  'unknown-kind': 'silences.error.unknownKind',
  'no-comment': 'silences.error.noComment',
  'bad-expiry': 'silences.error.badExpiry',
  'past-expiry': 'silences.error.pastExpiry',
};

/** A silence as the page lists it: matchers as (field, values) rows, in the CLI's field names. */
function listed(s: Silence, nowMs: number) {
  const m = s.matchers;
  const rows: Array<{ field: SilenceField; values: string[] }> = [];
  const add = (field: SilenceField, values: readonly string[] | undefined) => {
    if (values?.length) rows.push({ field, values: [...values] });
  };
  add('cluster', m.clusterIds);
  add('kind', m.kinds);
  add('keyword', m.watch?.keywords);
  add('hashtag', m.watch?.hashtags);
  add('domain', m.watch?.domains);
  add('language', m.languages);
  add('platform', m.platforms);
  return { ...s, matchers: rows, state: silenceState(s, nowMs) };
}

const ORDER = { active: 0, pending: 1, expired: 2 } as const;

/** Registers GET /silences, POST /silences and POST /silences/:id/expire; `store` null shows the page as unavailable. */
export function registerSilenceRoutes(app: FastifyInstance, ctx: AppContext, store: AlertStore | null): void {
  const render = async (
    req: FastifyRequest,
    reply: FastifyReply,
    form: SilenceForm,
    error: string | null,
  ): Promise<FastifyReply> => {
    const me = req.principal!;
    const lang: Lang = me.lang;
    const now = ctx.now();
    // Active first (soonest to end first), then those not started, then the expired ones (latest ended first).
    const silences = store
      ? (await listSilences(store))
          .map((s) => listed(s, now))
          .sort(
            (a, b) =>
              ORDER[a.state] - ORDER[b.state] ||
              (a.state === 'expired' ? b.expiresAtMs - a.expiresAtMs : a.expiresAtMs - b.expiresAtMs),
          )
          .slice(0, 500)
      : [];
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        ctx.eta.render('silences', {
          me,
          lang,
          csrf: reply.generateCsrf(),
          t: translator(lang),
          fmt: (ms: number) => formatDateTime(lang, ms),
          kind: (k: string) => t(lang, `kind.${k}` as MsgKey),
          clientMessages: JSON.stringify(clientMessages(lang)),
          available: store !== null,
          canWrite: roleAtLeast(me.role, 'analyst'),
          fields: FORM_FIELDS,
          kinds: SILENCE_KINDS,
          form,
          error,
          silences,
        }),
      );
  };

  app.get(
    '/silences',
    {
      config: { role: 'viewer' },
      schema: {
        hide: true,
        querystring: { type: 'object', properties: { cluster: { type: 'string', maxLength: 200 } } },
      },
    },
    async (req, reply) => render(req, reply, { cluster: (req.query as { cluster?: string }).cluster }, null),
  );

  const text = { type: 'string', maxLength: 2000 };
  app.post(
    '/silences',
    {
      config: { role: 'analyst' },
      schema: {
        hide: true,
        body: {
          type: 'object',
          required: ['comment', 'expires'],
          properties: {
            ...Object.fromEntries(FORM_FIELDS.map((f) => [f, text])),
            comment: { type: 'string', maxLength: 500 },
            expires: { type: 'string', maxLength: 40 },
            _csrf: { type: 'string' },
          },
        },
      },
    },
    async (req, reply) => {
      if (!store) return reply.code(503).send({ error: 'internal error' });
      const form = req.body as SilenceForm;
      const me = req.principal!;
      const now = ctx.now();
      let silence: Silence;
      try {
        const comment = (form.comment ?? '').trim();
        if (!comment) throw new SilenceInputError('no-comment', 'a silence needs a comment');
        const matchers = silenceMatchers(form);
        const expiresAtMs = parseSilenceExpiry(form.expires ?? '', now);
        silence = await addSilence(store, {
          matchers,
          routes: splitList(form.route),
          createdBy: me.username, // never from the form
          comment,
          startsAtMs: now,
          expiresAtMs,
        });
      } catch (err) {
        if (!(err instanceof SilenceInputError)) throw err;
        reply.code(400);
        return render(req, reply, form, t(me.lang, ERROR_KEYS[err.problem], { kinds: SILENCE_KINDS.join(', ') }));
      }
      const ids = silence.matchers.clusterIds ?? [];
      await ctx.triage.appendAudit({
        atMs: now,
        actor: me.username,
        action: 'silence-add',
        clusterId: ids.length === 1 ? ids[0]! : null,
        before: null,
        after: {
          silenceId: silence.id,
          matchers: silence.matchers,
          routes: silence.routes,
          comment: silence.comment,
          expiresAtMs: silence.expiresAtMs,
        },
      });
      return reply.redirect('/silences', 303);
    },
  );

  app.post(
    '/silences/:id/expire',
    {
      config: { role: 'analyst' },
      schema: {
        hide: true,
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 100 } } },
      },
    },
    async (req, reply) => {
      if (!store) return reply.code(503).send({ error: 'internal error' });
      const now = ctx.now();
      const out = await expireSilence(store, (req.params as { id: string }).id, now);
      if (!out) return reply.code(404).send({ error: 'not found' });
      const ids = out.after.matchers.clusterIds ?? [];
      await ctx.triage.appendAudit({
        atMs: now,
        actor: req.principal!.username,
        action: 'silence-expire',
        clusterId: ids.length === 1 ? ids[0]! : null,
        before: { silenceId: out.before.id, expiresAtMs: out.before.expiresAtMs },
        after: { silenceId: out.after.id, expiresAtMs: out.after.expiresAtMs },
      });
      return reply.redirect('/silences', 303);
    },
  );
}
