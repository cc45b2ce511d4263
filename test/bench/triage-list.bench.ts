// Triage list latency at 20,000 clusters (env BENCH_CLUSTERS): generated clusters in the SQLite triage read model
// (on disk, WAL), a third of them triaged with assignees and labels, then timed requests through the real HTTP
// stack (Fastify inject: routing, auth, schema validation, serialisation) for the list's common filters, deep
// keyset pages and a full-text search over member posts. Prints the median and p95 per request, and beside it the
// same query on the store alone (SQL plus reading the page's rows, no HTTP): on a machine shared with other work the
// second figure shows what the queries themselves cost. Not a test.
// Run: npx tsx test/bench/triage-list.bench.ts (or npm run bench triage)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildTriageApp } from '../../dashboards/triage/app.ts';
import { newSecret, secretHash } from '../../dashboards/triage/auth.ts';
import { triageSchema } from '../../dashboards/triage/config.ts';
import { SqliteSignalStore } from '../../workers/adapters/sqlite-signal-store.ts';
import { SqliteTriageStore } from '../../workers/adapters/sqlite-triage-store.ts';
import type { Cluster, ClusterKind, EnrichedPost } from '../../pipelines/types.ts';
import type { ClusterQuery, TriageStatus } from '../../workers/ports/triage-store.ts';

const N = Number(process.env.BENCH_CLUSTERS ?? 20_000);
const RUNS = 30;
let seed = 7;
const rnd = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const KINDS: ClusterKind[] = [
  'duplicate_text',
  'co_link',
  'burst',
  'hashtag_push',
  'cross_language',
  'young_account_cohort',
];
const LANGS = ['nl', 'en', 'de', 'fr', 'tr'];
const PLATFORMS = ['mastodon', 'bluesky', 'telegram', 'rss'];
const WORDS =
  'stembus kabinet stikstof boeren asiel woningnood vaccin klimaat oorlog verkiezing debat minister belasting energie'.split(
    ' ',
  );

const dir = mkdtempSync(join(tmpdir(), 'mid-bench-triage-'));
const signals = new SqliteSignalStore({ file: join(dir, 'signals.db') });
const triage = new SqliteTriageStore({ file: join(dir, 'triage.db') });
await signals.start();
await triage.start();

const t0 = Date.parse('2025-10-01T00:00:00Z');
const posts: EnrichedPost[] = [];
const clusters: Array<{ cluster: Cluster; watermarkMs: number; platforms: string[] }> = [];
for (let i = 0; i < N; i++) {
  const start = t0 + Math.floor(rnd() * 30 * 86_400_000);
  const n = 3 + Math.floor(rnd() * 10);
  const ids = Array.from({ length: n }, (_, j) => `p${i}-${j}`);
  const text = `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${i}`;
  for (const [j, id] of ids.entries()) {
    posts.push({
      id,
      source: pick(PLATFORMS),
      createdAtMs: start + j * 1000,
      text,
      lang: 'nl',
      author: { id: `a${i}-${j}` },
    } as EnrichedPost);
  }
  const lang = pick(LANGS);
  const kinds = [...new Set([pick(KINDS), pick(KINDS)])];
  clusters.push({
    cluster: {
      id: `c${String(i).padStart(6, '0')}`,
      kinds,
      score: Math.round(rnd() * 100) / 100,
      pValue: 0.001,
      posts: ids,
      accounts: ids.map((p) => `a${p}`),
      start: new Date(start).toISOString(),
      end: new Date(start + n * 60_000).toISOString(),
      reasons: ['generated'],
      sampleText: text,
      links: [],
      hashtags: [],
      languages: [lang],
      factchecks: [],
    },
    watermarkMs: start,
    platforms: [pick(PLATFORMS)],
  });
}
let t = performance.now();
for (let i = 0; i < posts.length; i += 5000) await signals.writePosts(posts.slice(i, i + 5000));
for (let i = 0; i < clusters.length; i += 2000)
  await triage.ingestClusters(clusters.slice(i, i + 2000), { nowMs: t0, reopenGrowthShare: 0.5 });
const statuses: TriageStatus[] = ['triage', 'investigating', 'escalated', 'monitoring'];
for (let i = 0; i < N; i += 3) {
  await triage.updateState(
    clusters[i]!.cluster.id,
    {
      status: pick(statuses),
      assignee: pick(['ann', 'bob', 'cem']),
      labels: rnd() < 0.3 ? [{ name: 'T0049', mode: 'observed' }] : [],
    },
    { actor: 'bench', action: 'status', atMs: t0 },
  );
}
process.stdout.write(
  `setup: ${N} clusters, ${posts.length} posts, ${Math.round(N / 3)} triaged in ${((performance.now() - t) / 1000).toFixed(1)} s\n`,
);

const token = `mid_${newSecret()}`;
await triage.createUser({
  username: 'bench',
  role: 'viewer',
  passwordHash: 'x',
  disabled: false,
  failedLogins: 0,
  lockedUntilMs: 0,
  lang: 'en',
  createdAtMs: 0,
});
await triage.createToken({
  username: 'bench',
  name: 'bench',
  role: 'viewer',
  hash: secretHash(token),
  createdAtMs: 0,
  revokedAtMs: null,
});
const app = await buildTriageApp({
  triage,
  signals,
  config: triageSchema.parse({}),
  logger: pino({ level: 'silent' }),
});
await app.ready();
const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
  return r.json() as { total: number; next: string | null; clusters: unknown[] };
};

const stats = (ms: number[]) => {
  ms.sort((a, b) => a - b);
  return `median ${ms[RUNS >> 1]!.toFixed(1).padStart(6)} ms  p95 ${ms[Math.floor(RUNS * 0.95)]!.toFixed(1).padStart(6)} ms`;
};

async function time(label: string, url: string, query: ClusterQuery): Promise<void> {
  const http: number[] = [];
  const sql: number[] = [];
  let total = 0;
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    total = (await get(url)).total;
    http.push(performance.now() - t);
    t = performance.now();
    await triage.queryClusters(query);
    sql.push(performance.now() - t);
  }
  process.stdout.write(`${label.padEnd(52)} HTTP ${stats(http)} | store ${stats(sql)} (${total} match)\n`);
}

// A cursor 100 pages deep (5,000 rows), found once outside the timing.
let deep: string;
{
  let after: string | null = null;
  for (let i = 0; i < 100; i++) after = (await get(`/api/clusters?limit=50${after ? `&after=${after}` : ''}`)).next;
  deep = after!;
}
const ms = (iso: string) => Date.parse(iso);
const OPEN: TriageStatus[] = ['triage', 'investigating', 'escalated', 'monitoring'];
await time('first page, newest first (50)', '/api/clusters?limit=50', { limit: 50 });
await time('page 101 by keyset cursor', `/api/clusters?limit=50&after=${deep}`, { limit: 50, after: deep });
await time(
  'status=new, score >= 0.7, language nl, by score',
  '/api/clusters?status=new&minScore=0.7&language=nl&sort=score&limit=50',
  { status: ['new'], minScore: 0.7, language: 'nl', sort: 'score', limit: 50 },
);
await time('assignee=ann, not closed', `/api/clusters?assignee=ann&status=${OPEN.join(',')}&limit=50`, {
  assignee: 'ann',
  status: OPEN,
  limit: 50,
});
await time('kind co_link, platform telegram', '/api/clusters?kind=co_link&platform=telegram&limit=50', {
  kind: 'co_link',
  platform: 'telegram',
  limit: 50,
});
await time(
  'label T0049, time range (10 days)',
  '/api/clusters?label=T0049&from=2025-10-05T00:00:00Z&to=2025-10-15T00:00:00Z&limit=50',
  { label: 'T0049', fromMs: ms('2025-10-05T00:00:00Z'), toMs: ms('2025-10-15T00:00:00Z'), limit: 50 },
);
await time('full-text "stikstof boeren" over member posts', '/api/clusters?q=stikstof%20boeren&limit=50', {
  postIds: await signals.searchPosts('stikstof boeren', 5000, { ranked: false }),
  limit: 50,
});
await time('page size 500, by size', '/api/clusters?limit=500&sort=posts', { limit: 500, sort: 'posts' });
await app.close();
await triage.stop();
await signals.stop();
