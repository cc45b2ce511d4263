// The SQLite triage store's list queries keep their plans (a plan regression fails here instead of in the list's
// latency): counting and filtering read only covering indexes of the cluster table (never its rows, which hold
// whole cluster documents), and a page in any sort order walks that order's index with no sort step. The figures
// behind this are in test/bench/triage-list.bench.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import type { ClusterQuery } from '../../../workers/ports/triage-store.ts';
import { cluster } from '../fixtures.ts';

const T = Date.parse('2025-10-01T00:00:00Z');
const SORTS = {
  end: 'clusters_end_cov',
  score: 'clusters_score_cov',
  posts: 'clusters_posts_cov',
  seen: 'clusters_seen_cov',
};

/** The filters of the list, without the ones on triage state (those may drive the query from the state table). */
const CLUSTER_FILTERS: Array<[string, ClusterQuery]> = [
  ['no filter', {}],
  ['score', { minScore: 0.7 }],
  ['kind and platform', { kind: 'co_link', platform: 'telegram' }],
  ['language', { language: 'nl' }],
  ['time range', { fromMs: T + 5 * 86_400_000, toMs: T + 15 * 86_400_000 }],
  ['label and time range', { label: 'T0049', fromMs: T + 5 * 86_400_000, toMs: T + 15 * 86_400_000 }],
];
const STATE_FILTERS: Array<[string, ClusterQuery]> = [
  ['status', { status: ['new'], minScore: 0.7, language: 'nl' }],
  ['assignee', { assignee: 'ann', status: ['triage', 'investigating'] }],
];

describe('SQLite triage store: list query plans', () => {
  afterAll(async () => {
    await shared?.stop();
  });

  it.each([...CLUSTER_FILTERS, ...STATE_FILTERS])('counts %s from covering indexes only', async (_name, q) => {
    const plan = (await planStore()).explainQueryClusters({ ...q, limit: 50 });
    const text = plan.count.join(' | ');
    const clusterSteps = plan.count.filter((d) => /\b(SCAN|SEARCH) c\b/.test(d));
    expect(clusterSteps.length, text).toBeGreaterThan(0);
    for (const d of clusterSteps) expect(d, text).toContain('COVERING INDEX');
  });

  it.each(
    CLUSTER_FILTERS.flatMap(([name, q]) =>
      (Object.keys(SORTS) as Array<keyof typeof SORTS>).map((sort) => [`${name}, by ${sort}`, { ...q, sort }] as const),
    ),
  )('pages %s along the sort index with no sort step', async (_name, q) => {
    const plan = (await planStore()).explainQueryClusters({ ...q, limit: 50 });
    const text = plan.page.join(' | ');
    expect(text).toMatch(new RegExp(`(SCAN|SEARCH) c USING INDEX ${SORTS[q.sort]}`));
    expect(text).not.toContain('TEMP B-TREE');
  });
});

let shared: SqliteTriageStore | null = null;
/** One store with the test's data and planner statistics, built once. */
async function planStore(): Promise<SqliteTriageStore> {
  if (shared) return shared;
  const s = new SqliteTriageStore({ file: ':memory:' });
  await s.start();
  const items = Array.from({ length: 400 }, (_, i) => ({
    cluster: {
      ...cluster(`c${i}`, [`p${i}a`, `p${i}b`], new Date(T + i * 6 * 3_600_000).toISOString(), (i % 100) / 100),
      kinds: [i % 3 ? ('burst' as const) : ('co_link' as const)],
      languages: [i % 2 ? 'nl' : 'en'],
    },
    watermarkMs: 1,
    platforms: [i % 4 ? 'mastodon' : 'telegram'],
  }));
  await s.ingestClusters(items, { nowMs: T, reopenGrowthShare: 0.5 });
  for (let i = 0; i < 400; i += 3)
    await s.updateState(
      `c${i}`,
      { status: 'triage', assignee: 'ann', labels: i % 2 ? [{ name: 'T0049', mode: 'observed' }] : [] },
      { actor: 't', action: 'status', atMs: T },
    );
  shared = s;
  return s;
}
