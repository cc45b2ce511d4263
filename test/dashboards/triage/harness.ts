// Test harness of the triage application: an app over in-memory SQLite stores, users of every role, and a client
// that signs in the way a browser does (CSRF secret cookie + token, then the session cookie).
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { SqliteSignalStore } from '../../../workers/adapters/sqlite-signal-store.ts';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { buildTriageApp } from '../../../dashboards/triage/app.ts';
import { createUserWithPassword } from '../../../dashboards/triage/auth.ts';
import { triageSchema } from '../../../dashboards/triage/config.ts';
import type { TriageConfig } from '../../../dashboards/triage/config.ts';
import type { AlertStore } from '../../../workers/ports/alert-store.ts';
import type { Role } from '../../../workers/ports/triage-store.ts';
import type { Cluster, EnrichedPost } from '../../../pipelines/types.ts';

/** A running test app. */
export interface Harness {
  app: FastifyInstance;
  signals: SqliteSignalStore;
  triage: SqliteTriageStore;
  passwords: Record<Role, string>;
  close(): Promise<void>;
}

/** Builds the app with one user per role (named after the role). */
export async function harness(
  options: {
    config?: Partial<TriageConfig>;
    reidentify?: (p: string) => Promise<string | null>;
    now?: () => number;
    /** The alert store of the /silences page. Default none. */
    silences?: AlertStore;
  } = {},
): Promise<Harness> {
  const signals = new SqliteSignalStore({ file: ':memory:' });
  const triage = new SqliteTriageStore({ file: ':memory:' });
  await signals.start();
  await triage.start();
  const passwords = {} as Record<Role, string>;
  for (const r of ['viewer', 'analyst', 'lead', 'admin'] as const)
    passwords[r] = await createUserWithPassword(triage, r, r, 0);
  const app = await buildTriageApp({
    triage,
    signals,
    config: triageSchema.parse({ ...options.config }),
    logger: pino({ level: 'silent' }),
    now: options.now,
    reidentify: options.reidentify ?? null,
    silences: options.silences ?? null,
  });
  await app.ready();
  return {
    app,
    signals,
    triage,
    passwords,
    async close() {
      await app.close();
      await triage.stop();
      await signals.stop();
    },
  };
}

/** Stores posts and clusters as the index and triage workers would. */
export async function seed(h: Harness, posts: EnrichedPost[], clusters: Cluster[]): Promise<void> {
  await h.signals.writePosts(posts);
  await h.triage.ingestClusters(
    clusters.map((c) => ({
      cluster: c,
      watermarkMs: 1,
      platforms: [...new Set(posts.filter((p) => c.posts.includes(p.id)).map((p) => p.source))],
    })),
    { nowMs: 1, reopenGrowthShare: 0.5 },
  );
}

function cookiesOf(res: LightMyRequestResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.cookies) out[c.name] = c.value;
  return out;
}

/** A signed-in client. */
export interface Client {
  cookies: Record<string, string>;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, options?: { csrf?: boolean }): Promise<LightMyRequestResponse>;
  del(url: string): Promise<LightMyRequestResponse>;
}

/** A client with a CSRF token but no session. */
export async function anonymous(app: FastifyInstance): Promise<Client> {
  const r = await app.inject({ method: 'GET', url: '/api/csrf' });
  const cookies = cookiesOf(r);
  const csrf = (r.json() as { token: string }).token;
  const client: Client = {
    cookies,
    csrf,
    get: (url) => app.inject({ method: 'GET', url, cookies: client.cookies }),
    post: (url, body, o = {}) =>
      app.inject({
        method: 'POST',
        url,
        cookies: client.cookies,
        headers: o.csrf === false ? {} : { 'x-csrf-token': client.csrf },
        ...(body === undefined ? {} : { payload: body as object }),
      }),
    del: (url) =>
      app.inject({ method: 'DELETE', url, cookies: client.cookies, headers: { 'x-csrf-token': client.csrf } }),
  };
  return client;
}

/** Signs in; throws when login fails. */
export async function login(app: FastifyInstance, username: string, password: string): Promise<Client> {
  const c = await anonymous(app);
  const r = await c.post('/api/login', { username, password });
  if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode} ${r.body}`);
  Object.assign(c.cookies, cookiesOf(r));
  return c;
}
