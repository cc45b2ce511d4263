// The SQLite report source against a real store file written by SqliteSignalStore: hour buckets, period bounds and
// the per-cluster member figures (platforms, young members, accounts behind the most common text).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteReportSource } from '../../../workers/adapters/sqlite-report-source.ts';
import { SqliteSignalStore } from '../../../workers/adapters/sqlite-signal-store.ts';
import { cluster, enrichedPost } from '../fixtures.ts';

const H = 3_600_000;
const t0 = Date.parse('2023-11-21T10:00:00Z');

describe('SqliteReportSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mid-report-src-'));
  const file = join(dir, 'signals.db');
  const source = new SqliteReportSource({ file });

  beforeAll(async () => {
    const store = new SqliteSignalStore({ file });
    await store.start();
    const posts = [
      {
        ...enrichedPost('1', 'a', t0 + 5 * 60_000, 'u1'),
        fingerprint: { exact: 'f1', minhash: [1, 2, 3, 4], tokenCount: 6 },
      },
      {
        ...enrichedPost('2', 'a', t0 + 10 * 60_000, 'u2'),
        fingerprint: { exact: 'f1', minhash: [1, 2, 3, 4], tokenCount: 6 },
      },
      {
        ...enrichedPost('3', 'b', t0 + 20 * 60_000, 'u3'),
        source: 'bluesky',
        lang: 'en',
        fingerprint: { exact: 'f2', minhash: [1, 2, 9, 9], tokenCount: 6 },
      }, // near-identical to f1
      {
        ...enrichedPost('7', 'z', t0 + 21 * 60_000, 'u7'),
        fingerprint: { exact: 'f3', minhash: [1, 8, 9, 9], tokenCount: 6 },
      }, // not near
      enrichedPost('4', 'c', t0 + H + 1, 'u4'),
      enrichedPost('5', 'd', t0 + 3 * H, 'u5'), // outside [t0, t0 + 2h)
      enrichedPost('6', 'e', t0 - 1, 'u6'), // before
    ];
    posts[0]!.accountSignals = { ...posts[0]!.accountSignals, ageDays: 2 };
    posts[1]!.accountSignals = { ...posts[1]!.accountSignals, ageDays: 400 };
    posts[2]!.accountSignals = { ...posts[2]!.accountSignals, ageDays: 29.5 };
    await store.writePosts(posts);
    await store.upsertClusters([
      {
        cluster: {
          ...cluster('in', ['1', '2', '3', '7', 'missing'], '2023-11-21T10:20:00.000Z'),
          start: '2023-11-21T10:05:00.000Z',
        },
        watermarkMs: t0,
      },
      {
        cluster: { ...cluster('late', ['5'], '2023-11-21T13:00:00.000Z'), start: '2023-11-21T13:00:00.000Z' },
        watermarkMs: t0,
      },
    ]);
    await store.stop();
    await source.start();
  });
  afterAll(async () => {
    await source.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts posts per UTC hour, source and language inside the period only', async () => {
    expect(await source.postHours(t0, t0 + 2 * H)).toEqual([
      { hourMs: t0, platform: 'bluesky', lang: 'en', posts: 1 },
      { hourMs: t0, platform: 'mastodon', lang: 'nl', posts: 3 },
      { hourMs: t0 + H, platform: 'mastodon', lang: 'nl', posts: 1 },
    ]);
  });

  it('returns overlapping clusters with figures from their member posts', async () => {
    const clusters = await source.clusters(t0, t0 + 2 * H, { youngAccountDays: 30 });
    expect(clusters.map((c) => c.id)).toEqual(['in']);
    const c = clusters[0]!;
    expect(c.posts).toBe(5);
    expect(c.platforms).toEqual(['bluesky', 'mastodon']);
    expect([c.youngAccounts, c.accountsWithAge, c.sampleTextAccounts]).toEqual([2, 3, 3]);
  });
});
