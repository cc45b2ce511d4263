// API tests of the triage application: every route against every role (deny by default; a viewer changes nothing,
// an analyst cannot reveal), CSRF, login lockout, API tokens, reveal, exports, stored XSS, error hygiene.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cluster, enrichedPost } from '../../workers/fixtures.ts';
import { anonymous, harness, login, seed } from './harness.ts';
import type { Client, Harness } from './harness.ts';
import type { Role } from '../../../workers/ports/triage-store.ts';

const ROLES: Role[] = ['viewer', 'analyst', 'lead', 'admin'];
const T = Date.parse('2025-10-20T12:00:00Z');

async function seedBasic(h: Harness): Promise<void> {
  const posts = ['a', 'b', 'c', 'd'].map((id, i) => ({
    ...enrichedPost(id, `De stembus is gemanipuleerd ${i}`, T + i * 60_000, `acct-${id}`),
    canonicalLinks: ['https://x.example/1'],
  }));
  await seed(h, posts, [
    cluster('c1', ['a', 'b'], '2025-10-20T12:01:00.000Z'),
    cluster('c2', ['c', 'd'], '2025-10-20T12:03:00.000Z', 0.5),
  ]);
}

/** Every API route with a request that is valid for it, and the least role it needs. */
const ROUTES: Array<{ method: 'GET' | 'POST' | 'DELETE'; url: string; body?: unknown; role: Role }> = [
  { method: 'GET', url: '/api/me', role: 'viewer' },
  { method: 'POST', url: '/api/me/lang', body: { lang: 'nl' }, role: 'viewer' },
  { method: 'GET', url: '/api/clusters', role: 'viewer' },
  { method: 'GET', url: '/api/clusters/new-count?since=0', role: 'viewer' },
  { method: 'GET', url: '/api/clusters/c1', role: 'viewer' },
  { method: 'GET', url: '/api/clusters/c1/audit', role: 'viewer' },
  { method: 'GET', url: '/api/clusters/c1/network.gexf', role: 'viewer' },
  { method: 'GET', url: '/api/clusters/c1/network.graphml', role: 'viewer' },
  { method: 'GET', url: '/api/clusters/c1/evidence.json', role: 'viewer' },
  { method: 'GET', url: '/api/clusters/c1/posts.csv', role: 'viewer' },
  { method: 'GET', url: '/api/clusters/c1/edges.csv', role: 'viewer' },
  { method: 'GET', url: '/api/shift-log', role: 'viewer' },
  { method: 'GET', url: '/api/views', role: 'viewer' },
  { method: 'GET', url: '/api/tokens', role: 'viewer' },
  { method: 'POST', url: '/api/clusters/c1/status', body: { status: 'triage' }, role: 'analyst' },
  { method: 'POST', url: '/api/clusters/c1/assign', body: { assignee: 'analyst' }, role: 'analyst' },
  { method: 'POST', url: '/api/clusters/c1/watch', body: { watch: true }, role: 'analyst' },
  {
    method: 'POST',
    url: '/api/clusters/c1/labels',
    body: { labels: [{ name: 'T0049', mode: 'observed' }] },
    role: 'analyst',
  },
  { method: 'POST', url: '/api/clusters/c1/notes', body: { markdown: 'hello' }, role: 'analyst' },
  { method: 'GET', url: '/api/reminders', role: 'analyst' },
  {
    method: 'POST',
    url: '/api/reminders',
    body: { dueAt: '2025-10-21T09:00:00Z', text: 'look again' },
    role: 'analyst',
  },
  { method: 'POST', url: '/api/reminders/999/done', role: 'analyst' },
  { method: 'POST', url: '/api/shift-log', body: { text: 'quiet' }, role: 'analyst' },
  { method: 'POST', url: '/api/views', body: { name: 'mine', params: { assignee: 'me' } }, role: 'analyst' },
  { method: 'DELETE', url: '/api/views/999', role: 'analyst' },
  { method: 'POST', url: '/api/tokens', body: { name: 't', role: 'viewer' }, role: 'analyst' },
  { method: 'POST', url: '/api/bulk', body: { ids: ['c2'], action: 'assign', assignee: null }, role: 'lead' },
  {
    method: 'POST',
    url: '/api/clusters/c1/reveal',
    body: { account: 'acct-a', justification: 'needed for the report' },
    role: 'lead',
  },
  { method: 'GET', url: '/api/audit', role: 'lead' },
  { method: 'GET', url: '/api/audit/verify', role: 'lead' },
  { method: 'GET', url: '/api/users', role: 'admin' },
  { method: 'POST', url: '/api/users', body: { username: 'newbie', role: 'viewer' }, role: 'admin' },
  { method: 'POST', url: '/api/users/viewer', body: { disabled: false }, role: 'admin' },
];

const PAGES: Array<{ url: string; role: Role }> = [
  { url: '/', role: 'viewer' },
  { url: '/clusters/c1', role: 'viewer' },
  { url: '/shift', role: 'viewer' },
  { url: '/audit', role: 'lead' },
  { url: '/admin/users', role: 'admin' },
];

const send = (c: Client, r: (typeof ROUTES)[number]) =>
  r.method === 'GET' ? c.get(r.url) : r.method === 'DELETE' ? c.del(r.url) : c.post(r.url, r.body);

describe('triage API', () => {
  let h: Harness;
  let now = T;
  beforeEach(async () => {
    now = T;
    h = await harness({ now: () => now });
    await seedBasic(h);
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers every route by role: below the least role 403, at or above it not refused; anonymous 401', async () => {
    const clients = Object.fromEntries(
      await Promise.all(ROLES.map(async (r) => [r, await login(h.app, r, h.passwords[r])] as const)),
    ) as Record<Role, Client>;
    const anon = await anonymous(h.app);
    const problems: string[] = [];
    for (const route of ROUTES) {
      const a = await send(anon, route);
      if (a.statusCode !== 401) problems.push(`anonymous ${route.method} ${route.url}: ${a.statusCode}`);
      for (const role of ROLES) {
        const allowed = ROLES.indexOf(role) >= ROLES.indexOf(route.role);
        const r = await send(clients[role], route);
        if (allowed ? [401, 403].includes(r.statusCode) || r.statusCode >= 500 : r.statusCode !== 403)
          problems.push(`${role} ${route.method} ${route.url}: ${r.statusCode} ${r.body.slice(0, 80)}`);
      }
    }
    for (const p of PAGES) {
      if ((await anon.get(p.url)).statusCode !== 302) problems.push(`anonymous page ${p.url} not redirected to login`);
      for (const role of ROLES) {
        const allowed = ROLES.indexOf(role) >= ROLES.indexOf(p.role);
        const r = await clients[role].get(p.url);
        if (r.statusCode !== (allowed ? 200 : 403)) problems.push(`${role} page ${p.url}: ${r.statusCode}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('lets a viewer change nothing: the state and the audit log stay as they were', async () => {
    const viewer = await login(h.app, 'viewer', h.passwords.viewer);
    const before = await h.triage.listAudit();
    for (const route of ROUTES.filter((r) => r.method !== 'GET' && r.role !== 'viewer'))
      expect((await send(viewer, route)).statusCode).toBe(403);
    expect((await h.triage.getCluster('c1'))!.state.status).toBe('new');
    expect(await h.triage.listNotes('c1')).toEqual([]);
    expect((await h.triage.listAudit()).length).toBe(before.length);
  });

  it('refuses a state change without the CSRF token, with a wrong one, and a login without one', async () => {
    const analyst = await login(h.app, 'analyst', h.passwords.analyst);
    expect((await analyst.post('/api/clusters/c1/status', { status: 'triage' }, { csrf: false })).statusCode).toBe(403);
    const saved = analyst.csrf;
    analyst.csrf = 'forged-token';
    expect((await analyst.post('/api/clusters/c1/status', { status: 'triage' })).statusCode).toBe(403);
    analyst.csrf = saved;
    expect((await h.triage.getCluster('c1'))!.state.status).toBe('new');
    expect((await analyst.post('/api/clusters/c1/status', { status: 'triage' })).statusCode).toBe(200);
    const anon = await anonymous(h.app);
    expect(
      (await anon.post('/api/login', { username: 'viewer', password: h.passwords.viewer }, { csrf: false })).statusCode,
    ).toBe(403);
  });

  it('locks an account after repeated failures; it stays locked even with the right password until the lock ends', async () => {
    const anon = await anonymous(h.app);
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push((await anon.post('/api/login', { username: 'analyst', password: 'wrong' })).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 423]);
    expect((await anon.post('/api/login', { username: 'analyst', password: h.passwords.analyst })).statusCode).toBe(
      423,
    );
    now += 14 * 60_000;
    expect((await anon.post('/api/login', { username: 'analyst', password: h.passwords.analyst })).statusCode).toBe(
      423,
    );
    now += 2 * 60_000;
    expect((await anon.post('/api/login', { username: 'analyst', password: h.passwords.analyst })).statusCode).toBe(
      200,
    );
    expect((await h.triage.listAudit()).map((e) => e.action)).toContain('login-locked');
  });

  it('rate-limits login attempts per client', async () => {
    const anon = await anonymous(h.app);
    const codes: number[] = [];
    for (let i = 0; i < 11; i++)
      codes.push((await anon.post('/api/login', { username: `nobody${i}`, password: 'x' })).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes[10]).toBe(429);
  });

  it('signs disabled users out and refuses their login', async () => {
    const viewer = await login(h.app, 'viewer', h.passwords.viewer);
    const admin = await login(h.app, 'admin', h.passwords.admin);
    expect((await admin.post('/api/users/viewer', { disabled: true })).statusCode).toBe(200);
    expect((await viewer.get('/api/me')).statusCode).toBe(401);
    await expect(login(h.app, 'viewer', h.passwords.viewer)).rejects.toThrow(/401/);
  });

  it('accepts hashed, role-scoped, revocable API tokens', async () => {
    const lead = await login(h.app, 'lead', h.passwords.lead);
    const { token, id } = (await lead.post('/api/tokens', { name: 'script', role: 'viewer' })).json() as {
      token: string;
      id: number;
    };
    expect((await h.triage.listTokens()).some((t) => t.hash === token)).toBe(false);
    const bearer = (method: 'GET' | 'POST', url: string, payload?: object) =>
      h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    expect((await bearer('GET', '/api/clusters')).statusCode).toBe(200);
    expect((await bearer('POST', '/api/clusters/c1/status', { status: 'triage' })).statusCode).toBe(403);
    expect((await lead.post('/api/tokens', { name: 'too much', role: 'admin' })).statusCode).toBe(403);
    expect((await lead.del(`/api/tokens/${id}`)).statusCode).toBe(200);
    expect((await bearer('GET', '/api/clusters')).statusCode).toBe(401);
  });

  it('filters, pages and searches member posts through the API', async () => {
    const viewer = await login(h.app, 'viewer', h.passwords.viewer);
    const all = (await viewer.get('/api/clusters?sort=score&limit=1')).json() as {
      total: number;
      next: string;
      clusters: Array<{ id: string }>;
    };
    expect(all.total).toBe(2);
    expect(all.clusters.map((c) => c.id)).toEqual(['c1']);
    const second = (await viewer.get(`/api/clusters?sort=score&limit=1&after=${all.next}`)).json() as {
      clusters: Array<{ id: string }>;
      next: string | null;
    };
    expect(second.clusters.map((c) => c.id)).toEqual(['c2']);
    expect(second.next).toBeNull();
    const search = async (q: string) =>
      (
        (await viewer.get(`/api/clusters?q=${encodeURIComponent(q)}`)).json() as { clusters: Array<{ id: string }> }
      ).clusters
        .map((c) => c.id)
        .sort();
    expect(await search('gemanipuleerd')).toEqual(['c1', 'c2']);
    expect(await search('gemanipuleerd 3')).toEqual(['c2']);
    expect(await search('"; DROP TABLE x')).toEqual([]);
    expect(
      ((await viewer.get('/api/clusters?minScore=0.6')).json() as { clusters: Array<{ id: string }> }).clusters.map(
        (c) => c.id,
      ),
    ).toEqual(['c1']);
    expect((await viewer.get('/api/clusters?status=bogus')).statusCode).toBe(400);
    expect((await viewer.get('/api/clusters?after=garbage')).statusCode).toBe(400);
  });

  it('says when the text search matched more posts than it passes on, in the API and on the list page', async () => {
    const viewer = await login(h.app, 'viewer', h.passwords.viewer);
    const capped = (q: string) =>
      viewer.get(`/api/clusters?q=${q}`).then((r) => (r.json() as { textSearchCapped: boolean }).textSearchCapped);
    expect(await capped('gemanipuleerd')).toBe(false);
    const many = Array.from({ length: 5001 }, (_, i) => `post:${i}`);
    const spy = vi.spyOn(h.signals, 'searchPosts').mockResolvedValue(many);
    try {
      expect(await capped('x')).toBe(true);
      expect(spy).toHaveBeenLastCalledWith('x', 5001, { ranked: false });
      const page = await viewer.get('/?q=x');
      expect(page.body).toMatch(/class="notice" role="status">(De tekstzoekopdracht|The text search) /);
      spy.mockResolvedValue(many.slice(0, 5000));
      expect(await capped('x')).toBe(false);
      expect((await viewer.get('/?q=x')).body).not.toContain('class="notice" role="status"');
    } finally {
      spy.mockRestore();
    }
  });

  it('closes with a reason, bulk-closes as lead, and exports the audit log as CSV and JSON with a valid chain', async () => {
    const analyst = await login(h.app, 'analyst', h.passwords.analyst);
    expect((await analyst.post('/api/clusters/c1/status', { status: 'closed' })).statusCode).toBe(400);
    const lead = await login(h.app, 'lead', h.passwords.lead);
    const r = (
      await lead.post('/api/bulk', { ids: ['c1', 'c2', 'nope'], action: 'close', closeReason: 'duplicate' })
    ).json() as { done: string[]; failed: Array<{ id: string }> };
    expect(r.done).toEqual(['c1', 'c2']);
    expect(r.failed.map((f) => f.id)).toEqual(['nope']);
    const csv = await lead.get('/api/audit?format=csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toBe('seq,at,actor,action,clusterId,before,after,prevHash,hash');
    expect(csv.body).toContain('bulk-close');
    const json = (await lead.get('/api/audit?format=json&clusterId=c2')).json() as {
      entries: Array<{ action: string; before: { status: string }; after: { status: string } }>;
    };
    expect(json.entries.map((e) => [e.action, e.before.status, e.after.status])).toEqual([
      ['bulk-close', 'new', 'closed'],
    ]);
    expect((await lead.get('/api/audit/verify')).json()).toMatchObject({ ok: true });
  });

  it('answers reveal with 409 while no re-identification table is configured', async () => {
    const lead = await login(h.app, 'lead', h.passwords.lead);
    const r = await lead.post('/api/clusters/c1/reveal', { account: 'acct-a', justification: 'needed for the report' });
    expect(r.statusCode).toBe(409);
    expect(r.json()).toEqual({
      error: 're-identification is not configured',
      message: 'Heridentificatie is niet ingesteld.',
    });
  });

  it('never echoes internal error messages', async () => {
    const viewer = await login(h.app, 'viewer', h.passwords.viewer);
    h.triage.getCluster = async () => {
      throw new Error('SQLITE_CORRUPT at /secret/path/triage.db');
    };
    const r = await viewer.get('/api/clusters/c1');
    expect(r.statusCode).toBe(500);
    expect(r.body).not.toContain('secret');
    expect(r.json()).toEqual({ error: 'internal error', message: 'Er ging iets mis op de server.' });
  });

  it('sends a strict CSP and the other protective headers, and serves the OpenAPI document', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/login' });
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    const doc = (await h.app.inject({ method: 'GET', url: '/api/docs' })).json() as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    for (const route of ROUTES)
      expect(Object.keys(doc.paths)).toContain(
        route.url
          .split('?')[0]!
          .replace('/c1', '/{id}')
          .replace('/999', '/{id}')
          .replace('/users/viewer', '/users/{username}'),
      );
  });
});

describe('triage API with a re-identification table', () => {
  it('reveals a member handle to a lead with a justification, records it without the handle, and refuses analysts', async () => {
    const h = await harness({ reidentify: async (p) => (p === 'acct-a' ? '@real_handle' : null) });
    await seedBasic(h);
    const analyst = await login(h.app, 'analyst', h.passwords.analyst);
    expect(
      (await analyst.post('/api/clusters/c1/reveal', { account: 'acct-a', justification: 'needed for the report' }))
        .statusCode,
    ).toBe(403);
    const lead = await login(h.app, 'lead', h.passwords.lead);
    expect((await lead.post('/api/clusters/c1/reveal', { account: 'acct-a', justification: 'short' })).statusCode).toBe(
      400,
    );
    expect(
      (await lead.post('/api/clusters/c1/reveal', { account: 'acct-c', justification: 'not a member of c1 here' }))
        .statusCode,
    ).toBe(404);
    const r = await lead.post('/api/clusters/c1/reveal', { account: 'acct-a', justification: 'needed for the report' });
    expect(r.json()).toEqual({ account: 'acct-a', handle: '@real_handle' });
    const entry = (await h.triage.listAudit({ clusterId: 'c1' })).find((e) => e.action === 'reveal')!;
    expect(entry).toMatchObject({
      actor: 'lead',
      after: { account: 'acct-a', justification: 'needed for the report' },
    });
    expect(JSON.stringify(await h.triage.listAudit())).not.toContain('real_handle');
    await h.close();
  });
});
