// The JSON API of the triage application. One route, one schema: the schemas validate requests (and shape
// responses) and generate the OpenAPI document at /api/docs. Every route names its least role in `config.role`.
// State changes go through the triage store, which writes the audit entry in the same transaction.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CLOSE_REASONS, ROLES, TRIAGE_STATUSES, TriageError, roleAtLeast } from '../../workers/ports/triage-store.ts';
import type {
  ClusterQuery,
  ClusterRow,
  CloseReason,
  Label,
  Role,
  StatePatch,
  TriageStatus,
} from '../../workers/ports/triage-store.ts';
import type { AppContext } from './context.ts';
import { SESSION_COOKIE } from './context.ts';
import { USERNAME_PATTERN, authenticate, createUserWithPassword, hashPassword, newSecret, secretHash } from './auth.ts';
import type { Principal } from './auth.ts';
import { auditCsv, loadEvidence, toCsv } from './evidence.ts';
import { renderMarkdown } from './markdown.ts';
import { toGexf, toGraphml } from './network.ts';
import { apiErrorMessage, requestLang } from './i18n/index.ts';
import { clusterReasons } from './reasons.ts';

const str = (extra: Record<string, unknown> = {}) => ({ type: 'string', ...extra });
const DISARM = '^T\\d{4}(\\.\\d{3})?$';
const labelSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: str({ minLength: 1, maxLength: 60, pattern: '^[^\\s<>"\'`][^<>"\'`]*$' }),
    mode: { type: ['string', 'null'], enum: ['observed', 'assessed', null] },
  },
};
const idParams = { type: 'object', required: ['id'], properties: { id: str({ minLength: 1, maxLength: 200 }) } };
/** Errors: `error` is a stable English string for scripts, `message` the same in the caller's language. */
const errorSchema = {
  type: 'object',
  properties: { error: str(), message: str(), fields: { type: 'array', items: str() } },
};
const stateSchema = {
  type: 'object',
  properties: {
    clusterId: str(),
    status: str(),
    closeReason: { type: ['string', 'null'] },
    assignee: { type: ['string', 'null'] },
    watchers: { type: 'array', items: str() },
    labels: {
      type: 'array',
      items: { type: 'object', properties: { name: str(), mode: { type: ['string', 'null'] } } },
    },
    reopenReason: { type: ['string', 'null'] },
    mergedFrom: { type: 'array', items: str() },
    updatedAtMs: { type: ['number', 'null'] },
  },
};
const summarySchema = {
  type: 'object',
  properties: {
    id: str(),
    kinds: { type: 'array', items: str() },
    score: { type: 'number' },
    pValue: { type: ['number', 'null'] },
    posts: { type: 'integer' },
    accounts: { type: 'integer' },
    start: str(),
    end: str(),
    languages: { type: 'array', items: str() },
    platforms: { type: 'array', items: str() },
    reasons: { type: 'array', items: str() },
    sampleText: { type: ['string', 'null'] },
    firstSeenMs: { type: 'number' },
    state: stateSchema,
  },
};
const okSchema = { type: 'object', properties: { ok: { type: 'boolean' } } };

/** A cluster as the list shows it. */
export function clusterSummary(r: ClusterRow, lang: 'en' | 'nl') {
  const c = r.cluster;
  return {
    id: c.id,
    kinds: c.kinds,
    score: c.score,
    pValue: c.pValue,
    posts: c.posts.length,
    accounts: c.accounts.length,
    start: c.start,
    end: c.end,
    languages: c.languages,
    platforms: r.platforms,
    reasons: clusterReasons(c, lang),
    sampleText: c.sampleText,
    firstSeenMs: r.firstSeenMs,
    state: r.state,
  };
}

/** Query string of the list (API and page share it). */
export interface ListParams {
  status?: string;
  assignee?: string;
  kind?: string;
  minScore?: number;
  maxScore?: number;
  language?: string;
  platform?: string;
  from?: string;
  to?: string;
  label?: string;
  q?: string;
  sort?: 'end' | 'score' | 'posts' | 'seen';
  order?: 'asc' | 'desc';
  after?: string;
  limit?: number;
}

/** JSON schema of {@link ListParams}. */
export const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: str({
      description: 'Comma-separated statuses.',
      pattern: `^(${TRIAGE_STATUSES.join('|')})(,(${TRIAGE_STATUSES.join('|')}))*$`,
    }),
    assignee: str({ description: '"me", "none" or a username.', maxLength: 40 }),
    kind: str({ maxLength: 40 }),
    minScore: { type: 'number', minimum: 0, maximum: 1 },
    maxScore: { type: 'number', minimum: 0, maximum: 1 },
    language: str({ maxLength: 10 }),
    platform: str({ maxLength: 40 }),
    from: str({ format: 'date-time' }),
    to: str({ format: 'date-time' }),
    label: str({ maxLength: 60 }),
    q: str({ maxLength: 200, description: 'Words searched in member posts (full text).' }),
    sort: { type: 'string', enum: ['end', 'score', 'posts', 'seen'] },
    order: { type: 'string', enum: ['asc', 'desc'] },
    after: str({ maxLength: 400 }),
    limit: { type: 'integer', minimum: 1, maximum: 500 },
  },
};

/** Drops empty query parameters (a submitted filter form sends every field) before validation. */
export async function dropEmptyParams(req: FastifyRequest): Promise<void> {
  const q = req.query as Record<string, unknown>;
  for (const k of Object.keys(q)) if (q[k] === '') delete q[k];
}

/** Most matching posts a text search passes on to the cluster query (its ids go into one SQL IN list). */
export const TEXT_SEARCH_MAX_POSTS = 5000;

/** Turns list parameters into a store query (running the full-text search over member posts when `q` is set). */
export async function toClusterQuery(ctx: AppContext, p: ListParams, me: Principal): Promise<ClusterQuery> {
  const q: ClusterQuery = {
    status: p.status ? (p.status.split(',') as TriageStatus[]) : undefined,
    assignee: p.assignee === 'me' ? me.username : p.assignee === 'none' ? null : p.assignee || undefined,
    kind: p.kind || undefined,
    minScore: p.minScore,
    maxScore: p.maxScore,
    language: p.language || undefined,
    platform: p.platform || undefined,
    fromMs: p.from ? Date.parse(p.from) : undefined,
    toMs: p.to ? Date.parse(p.to) : undefined,
    label: p.label || undefined,
    sort: p.sort,
    order: p.order,
    after: p.after || null,
    limit: p.limit ?? 50,
  };
  // Unranked: the list sorts by its own key, so the search only has to say which posts match.
  if (p.q && p.q.trim()) {
    // One more than the cap tells whether the search was cut: the list then says so instead of silently missing clusters.
    const ids = await ctx.signals.searchPosts(p.q, TEXT_SEARCH_MAX_POSTS + 1, { ranked: false });
    q.postIdsCapped = ids.length > TEXT_SEARCH_MAX_POSTS;
    q.postIds = ids.slice(0, TEXT_SEARCH_MAX_POSTS);
  }
  return q;
}

function fail(reply: FastifyReply, status: number, error: string) {
  return reply.code(status).send({ error, message: apiErrorMessage(requestLang(reply.request), error, status) });
}

/** Maps store errors to answers; rethrows the rest (the error handler hides their message). */
function storeError(reply: FastifyReply, err: unknown) {
  if (err instanceof TriageError)
    return fail(
      reply,
      err.code === 'not-found' ? 404 : err.code === 'conflict' ? 409 : 400,
      err.code === 'not-found' ? 'not found' : err.message,
    );
  throw err;
}

function me(req: FastifyRequest): Principal {
  return req.principal!;
}

/** Registers the API routes. */
export function registerApi(app: FastifyInstance, ctx: AppContext): void {
  const { triage } = ctx;
  const change = async (
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    patch: StatePatch,
    action: string,
    note?: string,
  ) => {
    try {
      const { after } = await triage.updateState(id, patch, { actor: me(req).username, action, atMs: ctx.now(), note });
      ctx.onStateChange?.(after);
      if (note) await triage.addNote(id, me(req).username, note, ctx.now());
      return { ok: true, state: after };
    } catch (err) {
      return storeError(reply, err);
    }
  };

  // ---- session ----
  app.post(
    '/api/login',
    {
      config: { role: 'public', rateLimit: { max: ctx.config.loginRateLimitPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['session'],
        summary: 'Sign in with a local account (sets the session cookie). Needs the CSRF token from GET /api/csrf.',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'password'],
          properties: { username: str({ maxLength: 40 }), password: str({ maxLength: 200 }) },
        },
        response: {
          200: { type: 'object', properties: { ok: { type: 'boolean' }, role: str() } },
          401: errorSchema,
          423: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body as { username: string; password: string };
      const out = await authenticate(triage, username, password, ctx.now(), ctx.config);
      if (!out.ok) {
        if (out.reason === 'locked')
          await triage.appendAudit({
            atMs: ctx.now(),
            actor: username.slice(0, 40),
            action: 'login-locked',
            clusterId: null,
            before: null,
            after: null,
          });
        return out.reason === 'locked'
          ? fail(reply, 423, 'account locked, try again later')
          : fail(reply, 401, 'wrong username or password');
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
      return { ok: true, role: out.user.role };
    },
  );

  app.get(
    '/api/csrf',
    {
      config: { role: 'public' },
      schema: {
        tags: ['session'],
        summary: 'A CSRF token for the X-CSRF-Token header (also sets its secret cookie).',
        response: { 200: { type: 'object', properties: { token: str() } } },
      },
    },
    async (_req, reply) => ({ token: reply.generateCsrf() }),
  );

  app.post(
    '/api/logout',
    {
      config: { role: 'viewer' },
      schema: { tags: ['session'], summary: 'Ends the session.', response: { 200: okSchema } },
    },
    async (req, reply) => {
      if (me(req).sessionId) await triage.deleteSession(me(req).sessionId!);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );

  app.get(
    '/api/me',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['session'],
        summary: 'The signed-in user.',
        response: { 200: { type: 'object', properties: { username: str(), role: str(), lang: str(), via: str() } } },
      },
    },
    async (req) => me(req),
  );

  app.post(
    '/api/me/lang',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['session'],
        summary: 'Sets the language of the interface (nl or en).',
        body: {
          type: 'object',
          required: ['lang'],
          additionalProperties: false,
          properties: { lang: { type: 'string', enum: ['en', 'nl'] } },
        },
        response: { 200: okSchema },
      },
    },
    async (req) => {
      await triage.updateUser(me(req).username, { lang: (req.body as { lang: 'en' | 'nl' }).lang });
      return { ok: true };
    },
  );

  // ---- clusters ----
  app.get(
    '/api/clusters',
    {
      config: { role: 'viewer' },
      preValidation: dropEmptyParams,
      schema: {
        tags: ['clusters'],
        summary: 'Lists clusters with filters, sorting and keyset paging (pass `next` as `after`).',
        querystring: listQuerySchema,
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              next: { type: ['string', 'null'] },
              textSearchCapped: {
                type: 'boolean',
                description: 'True when the text search matched more posts than it passes on: clusters may be missing.',
              },
              clusters: { type: 'array', items: summarySchema },
            },
          },
          400: errorSchema,
        },
      },
    },
    async (req, reply) => {
      try {
        const query = await toClusterQuery(ctx, req.query as ListParams, me(req));
        const page = await triage.queryClusters(query);
        return {
          total: page.total,
          next: page.next,
          textSearchCapped: query.postIdsCapped === true,
          clusters: page.items.map((r) => clusterSummary(r, me(req).lang)),
        };
      } catch (err) {
        return storeError(reply, err);
      }
    },
  );

  app.get(
    '/api/clusters/new-count',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['clusters'],
        summary: 'How many clusters appeared since a time (the list polls this).',
        querystring: { type: 'object', required: ['since'], properties: { since: { type: 'integer', minimum: 0 } } },
        response: { 200: { type: 'object', properties: { count: { type: 'integer' }, now: { type: 'integer' } } } },
      },
    },
    async (req) => ({ count: await triage.countNewSince((req.query as { since: number }).since), now: ctx.now() }),
  );

  app.get(
    '/api/clusters/:id',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['clusters'],
        summary: 'One cluster with its evidence: reasons, figures, network, member posts (pseudonyms only), notes.',
        params: idParams,
        response: { 404: errorSchema },
      },
    },
    async (req, reply) => {
      const ev = await loadEvidence(ctx, (req.params as { id: string }).id, me(req).lang);
      if (!ev) return fail(reply, 404, 'not found');
      const notes = await triage.listNotes(ev.row.cluster.id);
      return {
        cluster: clusterSummary(ev.row, me(req).lang),
        hashtags: ev.row.cluster.hashtags,
        links: ev.row.cluster.links,
        posts: ev.posts,
        missingPosts: ev.missingPosts,
        network: ev.network,
        timeline: ev.timeline,
        accountAges: ev.ages,
        languages: ev.languages,
        platforms: ev.platforms,
        factchecks: ev.factchecks,
        notes: notes.map((n) => ({ ...n, html: renderMarkdown(n.markdown) })),
      };
    },
  );

  app.post(
    '/api/clusters/:id/status',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['triage'],
        summary: 'Changes the status (closing needs a close reason); an optional note is added with it.',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['status'],
          properties: {
            status: { type: 'string', enum: [...TRIAGE_STATUSES] },
            closeReason: { type: 'string', enum: [...CLOSE_REASONS] },
            note: str({ maxLength: 20_000 }),
          },
        },
        response: {
          200: { type: 'object', properties: { ok: { type: 'boolean' }, state: stateSchema } },
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const b = req.body as { status: TriageStatus; closeReason?: CloseReason; note?: string };
      return change(
        req,
        reply,
        (req.params as { id: string }).id,
        { status: b.status, ...(b.closeReason ? { closeReason: b.closeReason } : {}) },
        'status',
        b.note?.trim() || undefined,
      );
    },
  );

  app.post(
    '/api/clusters/:id/assign',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['triage'],
        summary: 'Assigns the cluster to a user (null: unassigned).',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['assignee'],
          properties: { assignee: { type: ['string', 'null'], pattern: USERNAME_PATTERN } },
        },
        response: {
          200: { type: 'object', properties: { ok: { type: 'boolean' }, state: stateSchema } },
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { assignee } = req.body as { assignee: string | null };
      if (assignee !== null && !(await triage.getUser(assignee))) return fail(reply, 400, 'no such user');
      return change(req, reply, (req.params as { id: string }).id, { assignee }, 'assign');
    },
  );

  app.post(
    '/api/clusters/:id/watch',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['triage'],
        summary: 'Starts or stops watching the cluster.',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['watch'],
          properties: { watch: { type: 'boolean' } },
        },
        response: {
          200: { type: 'object', properties: { ok: { type: 'boolean' }, state: stateSchema } },
          404: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const row = await triage.getCluster(id);
      if (!row) return fail(reply, 404, 'not found');
      const set = new Set(row.state.watchers);
      if ((req.body as { watch: boolean }).watch) set.add(me(req).username);
      else set.delete(me(req).username);
      return change(req, reply, id, { watchers: [...set].sort() }, 'watch');
    },
  );

  app.post(
    '/api/clusters/:id/labels',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['triage'],
        summary: 'Replaces the labels: free labels, and DISARM technique ids (T0049) marked observed or assessed.',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['labels'],
          properties: { labels: { type: 'array', maxItems: 50, items: labelSchema } },
        },
        response: {
          200: { type: 'object', properties: { ok: { type: 'boolean' }, state: stateSchema } },
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const labels = normalizeLabels((req.body as { labels: Label[] }).labels);
      if (!labels) return fail(reply, 400, 'DISARM ids need mode observed or assessed; free labels take none');
      return change(req, reply, (req.params as { id: string }).id, { labels }, 'labels');
    },
  );

  app.post(
    '/api/clusters/:id/notes',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['triage'],
        summary: 'Adds a markdown note (rendered without raw HTML).',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['markdown'],
          properties: { markdown: str({ minLength: 1, maxLength: 20_000 }) },
        },
        response: { 200: { type: 'object', properties: { id: { type: 'integer' }, html: str() } }, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      if (!(await triage.getCluster(id))) return fail(reply, 404, 'not found');
      const md = (req.body as { markdown: string }).markdown;
      const n = await triage.addNote(id, me(req).username, md, ctx.now());
      return { id: n.id, html: renderMarkdown(md) };
    },
  );

  app.get(
    '/api/clusters/:id/audit',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['audit'],
        summary: 'The audit timeline of a cluster (and of the clusters merged into it).',
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: { entries: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
        },
      },
    },
    async (req) => ({ entries: await triage.listAudit({ clusterId: (req.params as { id: string }).id }) }),
  );

  // ---- exports ----
  const evidenceOr404 = async (req: FastifyRequest, reply: FastifyReply) => {
    const ev = await loadEvidence(ctx, (req.params as { id: string }).id, me(req).lang);
    if (!ev) {
      await fail(reply, 404, 'not found');
      return null;
    }
    return ev;
  };
  const download = (reply: FastifyReply, type: string, name: string, body: string) =>
    reply
      .header('content-type', type)
      .header('content-disposition', `attachment; filename="${name.replace(/[^a-zA-Z0-9._-]/g, '_')}"`)
      .send(body);

  // The co-action network in the two graph formats analysts open in Gephi or yEd: one route shape, two writers.
  for (const [ext, type, summary, write] of [
    ['gexf', 'application/gexf+xml; charset=utf-8', 'The co-action network as GEXF (Gephi).', toGexf],
    ['graphml', 'application/graphml+xml; charset=utf-8', 'The co-action network as GraphML.', toGraphml],
  ] as const) {
    app.get(
      `/api/clusters/:id/network.${ext}`,
      { config: { role: 'viewer' }, schema: { tags: ['exports'], summary, params: idParams } },
      async (req, reply) => {
        const ev = await evidenceOr404(req, reply);
        if (ev)
          return download(reply, type, `cluster-${ev.row.cluster.id}.${ext}`, write(ev.network, ev.row.cluster.id));
        return reply;
      },
    );
  }

  app.get(
    '/api/clusters/:id/evidence.json',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['exports'],
        summary: 'Evidence pack: cluster, state, reasons, posts (pseudonyms), edges, figures, notes, audit.',
        params: idParams,
      },
    },
    async (req, reply) => {
      const ev = await evidenceOr404(req, reply);
      if (!ev) return reply;
      const id = ev.row.cluster.id;
      const pack = {
        generatedAt: new Date(ctx.now()).toISOString(),
        cluster: clusterSummary(ev.row, me(req).lang),
        posts: ev.posts,
        network: { nodes: ev.network.nodes, edges: ev.network.edges },
        timeline: ev.timeline,
        accountAges: ev.ages,
        languages: ev.languages,
        platforms: ev.platforms,
        factchecks: ev.factchecks,
        notes: await triage.listNotes(id),
        audit: await triage.listAudit({ clusterId: id }),
      };
      return download(reply, 'application/json; charset=utf-8', `evidence-${id}.json`, JSON.stringify(pack, null, 2));
    },
  );

  app.get(
    '/api/clusters/:id/posts.csv',
    {
      config: { role: 'viewer' },
      schema: { tags: ['exports'], summary: 'Evidence pack: member posts as CSV.', params: idParams },
    },
    async (req, reply) => {
      const ev = await evidenceOr404(req, reply);
      if (!ev) return reply;
      return download(
        reply,
        'text/csv; charset=utf-8',
        `posts-${ev.row.cluster.id}.csv`,
        toCsv(
          ['id', 'createdAt', 'source', 'lang', 'author', 'kind', 'url', 'links', 'text'],
          ev.posts.map((p) => [
            p.id,
            p.createdAt,
            p.source,
            p.lang,
            p.author,
            p.kind,
            p.url,
            p.links.join(' '),
            p.text,
          ]),
        ),
      );
    },
  );

  app.get(
    '/api/clusters/:id/edges.csv',
    {
      config: { role: 'viewer' },
      schema: { tags: ['exports'], summary: 'Evidence pack: co-action edges as CSV.', params: idParams },
    },
    async (req, reply) => {
      const ev = await evidenceOr404(req, reply);
      if (!ev) return reply;
      return download(
        reply,
        'text/csv; charset=utf-8',
        `edges-${ev.row.cluster.id}.csv`,
        toCsv(
          ['a', 'b', 'weight', 'kinds', 'items', 'postPairs'],
          ev.network.edges.map((e) => [
            e.a,
            e.b,
            e.weight,
            [...new Set(e.evidence.map((v) => v.kind))].join(' '),
            e.evidence.map((v) => v.item).join(' '),
            e.evidence.map((v) => `${v.pa}/${v.pb}`).join(' '),
          ]),
        ),
      );
    },
  );

  app.post(
    '/api/clusters/:id/reveal',
    {
      config: { role: 'lead' },
      schema: {
        tags: ['triage'],
        summary:
          'Reveals the original handle of one member account (needs a configured re-identification table; audited with the justification).',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['account', 'justification'],
          properties: {
            account: str({ minLength: 1, maxLength: 200 }),
            justification: str({ minLength: 10, maxLength: 2000 }),
          },
        },
        response: {
          200: { type: 'object', properties: { account: str(), handle: str() } },
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (req, reply) => {
      if (!ctx.reidentify) return fail(reply, 409, 're-identification is not configured');
      const id = (req.params as { id: string }).id;
      const { account, justification } = req.body as { account: string; justification: string };
      const row = await triage.getCluster(id);
      if (!row || !row.cluster.accounts.includes(account)) return fail(reply, 404, 'not found');
      const handle = await ctx.reidentify(account);
      if (!handle) return fail(reply, 404, 'not found');
      // The entry names the account and the reason, never the handle itself.
      await triage.appendAudit({
        atMs: ctx.now(),
        actor: me(req).username,
        action: 'reveal',
        clusterId: id,
        before: null,
        after: { account, justification },
      });
      return { account, handle };
    },
  );

  // ---- bulk ----
  app.post(
    '/api/bulk',
    {
      config: { role: 'lead' },
      schema: {
        tags: ['triage'],
        summary: 'Applies one action to a selection: assign, add a label, set a status, or close with a reason.',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['ids', 'action'],
          properties: {
            ids: { type: 'array', minItems: 1, maxItems: 500, items: str({ maxLength: 200 }) },
            action: { type: 'string', enum: ['assign', 'label', 'status', 'close'] },
            assignee: { type: ['string', 'null'], pattern: USERNAME_PATTERN },
            label: labelSchema,
            status: { type: 'string', enum: [...TRIAGE_STATUSES] },
            closeReason: { type: 'string', enum: [...CLOSE_REASONS] },
            note: str({ maxLength: 20_000 }),
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              done: { type: 'array', items: str() },
              failed: { type: 'array', items: { type: 'object', properties: { id: str(), error: str() } } },
            },
          },
          400: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const b = req.body as {
        ids: string[];
        action: 'assign' | 'label' | 'status' | 'close';
        assignee?: string | null;
        label?: Label;
        status?: TriageStatus;
        closeReason?: CloseReason;
        note?: string;
      };
      if (b.action === 'close' && !b.closeReason) return fail(reply, 400, 'closing needs a close reason');
      if (b.action === 'assign' && b.assignee === undefined) return fail(reply, 400, 'assign needs an assignee');
      if (b.action === 'assign' && b.assignee && !(await triage.getUser(b.assignee)))
        return fail(reply, 400, 'no such user');
      if (b.action === 'status' && !b.status) return fail(reply, 400, 'status needs a status');
      const label = b.label ? normalizeLabels([b.label])?.[0] : undefined;
      if (b.action === 'label' && !label) return fail(reply, 400, 'label needs a valid label');
      const done: string[] = [];
      const failed: Array<{ id: string; error: string }> = [];
      for (const id of [...new Set(b.ids)]) {
        try {
          let patch: StatePatch;
          if (b.action === 'assign') patch = { assignee: b.assignee ?? null };
          else if (b.action === 'status') patch = { status: b.status! };
          else if (b.action === 'close') patch = { status: 'closed', closeReason: b.closeReason! };
          else {
            const row = await triage.getCluster(id);
            if (!row) throw new TriageError('no cluster', 'not-found');
            patch = { labels: [...row.state.labels.filter((l) => l.name !== label!.name), label!] };
          }
          const { after } = await triage.updateState(id, patch, {
            actor: me(req).username,
            action: `bulk-${b.action}`,
            atMs: ctx.now(),
            note: b.note,
          });
          ctx.onStateChange?.(after);
          if (b.note?.trim()) await triage.addNote(id, me(req).username, b.note, ctx.now());
          done.push(id);
        } catch (err) {
          if (!(err instanceof TriageError)) throw err;
          failed.push({ id, error: err.code === 'not-found' ? 'not found' : err.message });
        }
      }
      return { done, failed };
    },
  );

  // ---- reminders, shift log, views ----
  app.get(
    '/api/reminders',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['workflow'],
        summary: 'My open reminders, soonest first.',
        response: {
          200: {
            type: 'object',
            properties: { reminders: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
        },
      },
    },
    async (req) => ({ reminders: await triage.listReminders(me(req).username) }),
  );

  app.post(
    '/api/reminders',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['workflow'],
        summary: 'Adds a follow-up reminder for me, optionally on a cluster.',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['dueAt', 'text'],
          properties: {
            clusterId: str({ maxLength: 200 }),
            dueAt: str({ format: 'date-time' }),
            text: str({ minLength: 1, maxLength: 2000 }),
          },
        },
        response: { 200: { type: 'object', additionalProperties: true }, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const b = req.body as { clusterId?: string; dueAt: string; text: string };
      if (b.clusterId && !(await triage.getCluster(b.clusterId))) return fail(reply, 404, 'not found');
      return triage.addReminder(
        { clusterId: b.clusterId ?? null, user: me(req).username, dueMs: Date.parse(b.dueAt), text: b.text },
        ctx.now(),
      );
    },
  );

  app.post(
    '/api/reminders/:id/done',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['workflow'],
        summary: 'Marks one of my reminders done.',
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        response: { 200: okSchema, 404: errorSchema },
      },
    },
    async (req, reply) =>
      (await triage.completeReminder((req.params as { id: number }).id, me(req).username, ctx.now()))
        ? { ok: true }
        : fail(reply, 404, 'not found'),
  );

  app.get(
    '/api/shift-log',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['workflow'],
        summary: 'The shift log, newest first.',
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } },
        response: {
          200: {
            type: 'object',
            properties: { entries: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
        },
      },
    },
    async (req) => ({ entries: await triage.listShiftLog((req.query as { limit?: number }).limit ?? 100) }),
  );

  app.post(
    '/api/shift-log',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['workflow'],
        summary: 'Adds a shift log entry.',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['text'],
          properties: { text: str({ minLength: 1, maxLength: 20_000 }) },
        },
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async (req) => triage.addShiftEntry(me(req).username, (req.body as { text: string }).text, ctx.now()),
  );

  app.get(
    '/api/views',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['workflow'],
        summary: 'Saved views: mine and shared ones.',
        response: {
          200: {
            type: 'object',
            properties: { views: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
        },
      },
    },
    async (req) => ({ views: await triage.listViews(me(req).username) }),
  );

  app.post(
    '/api/views',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['workflow'],
        summary: 'Saves a view (a name and list parameters).',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'params'],
          properties: {
            name: str({ minLength: 1, maxLength: 80 }),
            params: { type: 'object', additionalProperties: { type: 'string', maxLength: 200 }, maxProperties: 20 },
            shared: { type: 'boolean' },
          },
        },
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async (req) => {
      const b = req.body as { name: string; params: Record<string, string>; shared?: boolean };
      const allowed = Object.keys(listQuerySchema.properties).filter((k) => k !== 'after');
      const params = Object.fromEntries(Object.entries(b.params).filter(([k]) => allowed.includes(k)));
      return triage.saveView({ owner: me(req).username, name: b.name, params, shared: b.shared ?? false });
    },
  );

  app.delete(
    '/api/views/:id',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['workflow'],
        summary: 'Deletes one of my views.',
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        response: { 200: okSchema, 404: errorSchema },
      },
    },
    async (req, reply) =>
      (await triage.deleteView((req.params as { id: number }).id, me(req).username))
        ? { ok: true }
        : fail(reply, 404, 'not found'),
  );

  // ---- audit ----
  app.get(
    '/api/audit',
    {
      config: { role: 'lead' },
      schema: {
        tags: ['audit'],
        summary: 'Exports the audit log (JSON or CSV), optionally of one cluster, with the chain hashes.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            format: { type: 'string', enum: ['json', 'csv'] },
            clusterId: str({ maxLength: 200 }),
            afterSeq: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1_000_000 },
          },
        },
      },
    },
    async (req, reply) => {
      const q = req.query as { format?: 'json' | 'csv'; clusterId?: string; afterSeq?: number; limit?: number };
      const entries = await triage.listAudit({ clusterId: q.clusterId, afterSeq: q.afterSeq, limit: q.limit });
      if (q.format === 'csv') {
        return download(reply, 'text/csv; charset=utf-8', 'audit.csv', auditCsv(entries));
      }
      return download(reply, 'application/json; charset=utf-8', 'audit.json', JSON.stringify({ entries }, null, 2));
    },
  );

  app.get(
    '/api/audit/verify',
    {
      config: { role: 'lead' },
      schema: {
        tags: ['audit'],
        summary: 'Recomputes the audit hash chain.',
        response: {
          200: {
            type: 'object',
            properties: {
              ok: { type: 'boolean' },
              checked: { type: 'integer' },
              firstBadSeq: { type: ['integer', 'null'] },
            },
          },
        },
      },
    },
    async () => triage.verifyAudit(),
  );

  // ---- users and tokens ----
  const userOut = {
    type: 'object',
    properties: {
      username: str(),
      role: str(),
      disabled: { type: 'boolean' },
      locked: { type: 'boolean' },
      lang: str(),
      createdAtMs: { type: 'number' },
    },
  };
  app.get(
    '/api/users',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Lists users.',
        response: { 200: { type: 'object', properties: { users: { type: 'array', items: userOut } } } },
      },
    },
    async () => ({ users: (await triage.listUsers()).map((u) => ({ ...u, locked: u.lockedUntilMs > ctx.now() })) }),
  );

  app.post(
    '/api/users',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Creates a user with a one-time password (returned once).',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'role'],
          properties: { username: str({ pattern: USERNAME_PATTERN }), role: { type: 'string', enum: [...ROLES] } },
        },
        response: { 200: { type: 'object', properties: { username: str(), password: str() } }, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const { username, role } = req.body as { username: string; role: Role };
      try {
        const password = await createUserWithPassword(triage, username, role, ctx.now());
        await triage.appendAudit({
          atMs: ctx.now(),
          actor: me(req).username,
          action: 'user-create',
          clusterId: null,
          before: null,
          after: { username, role },
        });
        return { username, password };
      } catch (err) {
        return storeError(reply, err);
      }
    },
  );

  app.post(
    '/api/users/:username',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Changes a user: role, disabled, or a new one-time password (also unlocks).',
        params: { type: 'object', properties: { username: str({ pattern: USERNAME_PATTERN }) } },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            role: { type: 'string', enum: [...ROLES] },
            disabled: { type: 'boolean' },
            resetPassword: { type: 'boolean' },
          },
        },
        response: {
          200: { type: 'object', properties: { ok: { type: 'boolean' }, password: str() } },
          404: errorSchema,
        },
      },
    },
    async (req, reply) => {
      const { username } = req.params as { username: string };
      const b = req.body as { role?: Role; disabled?: boolean; resetPassword?: boolean };
      const before = await triage.getUser(username);
      if (!before) return fail(reply, 404, 'not found');
      const password = b.resetPassword ? newSecret(15) : undefined;
      await triage.updateUser(username, {
        role: b.role,
        disabled: b.disabled,
        ...(password ? { passwordHash: await hashPassword(password), failedLogins: 0, lockedUntilMs: 0 } : {}),
      });
      if (b.disabled || password || b.role) await triage.deleteSessionsOf(username);
      await triage.appendAudit({
        atMs: ctx.now(),
        actor: me(req).username,
        action: 'user-change',
        clusterId: null,
        before: { role: before.role, disabled: before.disabled },
        after: {
          role: b.role ?? before.role,
          disabled: b.disabled ?? before.disabled,
          passwordReset: Boolean(password),
        },
      });
      return { ok: true, ...(password ? { password } : {}) };
    },
  );

  const tokenOut = {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      username: str(),
      name: str(),
      role: str(),
      createdAtMs: { type: 'number' },
      revokedAtMs: { type: ['number', 'null'] },
    },
  };
  app.get(
    '/api/tokens',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['tokens'],
        summary: "My API tokens (admins: everyone's).",
        response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: tokenOut } } } },
      },
    },
    async (req) => ({ tokens: await triage.listTokens(me(req).role === 'admin' ? undefined : me(req).username) }),
  );

  app.post(
    '/api/tokens',
    {
      config: { role: 'analyst' },
      schema: {
        tags: ['tokens'],
        summary:
          'Creates an API token scoped to a role no higher than mine (the token is returned once; only its hash is kept).',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'role'],
          properties: { name: str({ minLength: 1, maxLength: 80 }), role: { type: 'string', enum: [...ROLES] } },
        },
        response: { 200: { type: 'object', properties: { id: { type: 'integer' }, token: str() } }, 403: errorSchema },
      },
    },
    async (req, reply) => {
      const { name, role } = req.body as { name: string; role: Role };
      if (me(req).via !== 'session') return fail(reply, 403, 'tokens are created from a signed-in session');
      if (!roleAtLeast(me(req).role, role)) return fail(reply, 403, 'forbidden');
      const token = `mid_${newSecret()}`;
      const t = await triage.createToken({
        username: me(req).username,
        name,
        role,
        hash: secretHash(token),
        createdAtMs: ctx.now(),
        revokedAtMs: null,
      });
      await triage.appendAudit({
        atMs: ctx.now(),
        actor: me(req).username,
        action: 'token-create',
        clusterId: null,
        before: null,
        after: { id: t.id, name, role },
      });
      return { id: t.id, token };
    },
  );

  app.delete(
    '/api/tokens/:id',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['tokens'],
        summary: 'Revokes a token (mine; admins: any).',
        params: { type: 'object', properties: { id: { type: 'integer' } } },
        response: { 200: okSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const id = (req.params as { id: number }).id;
      const mine = (await triage.listTokens(me(req).role === 'admin' ? undefined : me(req).username)).find(
        (t) => t.id === id,
      );
      if (!mine || !(await triage.revokeToken(id, ctx.now()))) return fail(reply, 404, 'not found');
      await triage.appendAudit({
        atMs: ctx.now(),
        actor: me(req).username,
        action: 'token-revoke',
        clusterId: null,
        before: { id },
        after: { revoked: true },
      });
      return { ok: true };
    },
  );
}

/** Checks labels: DISARM ids (T0049) need a mode, free labels take none; duplicates collapse. Null when invalid. */
export function normalizeLabels(labels: Label[]): Label[] | null {
  const out = new Map<string, Label>();
  for (const l of labels) {
    const name = l.name.trim();
    const disarm = new RegExp(DISARM).test(name);
    if (disarm && l.mode !== 'observed' && l.mode !== 'assessed') return null;
    if (!disarm && l.mode) return null;
    out.set(name, { name, mode: disarm ? l.mode! : null });
  }
  return [...out.values()];
}
