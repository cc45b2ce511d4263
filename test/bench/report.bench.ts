// Report from a 1-million-post period in the SQLite store: time to gather the aggregates and build HTML and Markdown,
// and the process's peak memory. Background posts carry a small document (the hour/source/language aggregation
// reads only indexed columns); 300 clusters of 40 member posts carry full member fields. Prints numbers only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { periodBounds } from '../../pipelines/report-data.ts';
import type { Cluster } from '../../pipelines/types.ts';
import { SqliteReportSource } from '../../workers/adapters/sqlite-report-source.ts';
import { SqliteSignalStore } from '../../workers/adapters/sqlite-signal-store.ts';
import { loadConfig } from '../../workers/config.ts';
import { NullTriageOutcomeSource } from '../../workers/ports/report-source.ts';
import { gatherReportData, renderReport } from '../../workers/report-builder.ts';

const POSTS = Number(process.env.REPORT_BENCH_POSTS ?? 1_000_000);
const CLUSTERS = 300;
const MEMBERS = 40;
const dir = mkdtempSync(join(tmpdir(), 'mid-report-bench-'));
const file = join(dir, 'signals.db');
const { from, to } = periodBounds('2023-10-30', '2023-11-28');
const fromMs = Date.parse(from);
const spanMs = Date.parse(to) - fromMs;

const store = new SqliteSignalStore({ file });
await store.start();
await store.stop();
const db = new Database(file);
const t0 = performance.now();
const ins = db.prepare('INSERT INTO posts (id, source, created_at_ms, lang, author_id, doc) VALUES (?, ?, ?, ?, ?, ?)');
const sources = ['mastodon', 'bluesky', 'telegram', 'rss'];
const langs = ['nl', 'nl', 'nl', 'en', 'fr', 'de'];
db.transaction(() => {
  for (let i = 0; i < POSTS; i++) {
    const ms = fromMs + Math.floor((i / POSTS) * spanMs);
    const member = i % Math.floor(POSTS / (CLUSTERS * MEMBERS)) === 0;
    const doc = member
      ? JSON.stringify({
          accountSignals: { ageDays: i % 3 === 0 ? 4 : 900 },
          fingerprint: { exact: `fp${i % 7}`, minhash: [1, 2, 3, i % 5] },
        })
      : '{}';
    ins.run(`b:${i}`, sources[i % 4]!, ms, langs[i % 6]!, `u${i % 50_000}`, doc);
  }
})();
const memberIds = db
  .prepare("SELECT id, created_at_ms FROM posts WHERE doc != '{}' ORDER BY created_at_ms")
  .all() as Array<{ id: string; created_at_ms: number }>;
const up = db.prepare(
  'INSERT INTO clusters (id, score, start_ms, end_ms, watermark_ms, doc) VALUES (?, ?, ?, ?, ?, ?)',
);
db.transaction(() => {
  for (let c = 0; c < CLUSTERS; c++) {
    const ms = memberIds.slice(c * MEMBERS, (c + 1) * MEMBERS);
    if (ms.length === 0) break;
    const start = new Date(ms[0]!.created_at_ms).toISOString();
    const end = new Date(ms[ms.length - 1]!.created_at_ms).toISOString();
    const cl: Cluster = {
      id: `cl-${c}`,
      kinds: c % 2 ? ['duplicate_text', 'burst'] : ['co_link'],
      score: 0.5 + (c % 50) / 100,
      pValue: 1e-9,
      posts: ms.map((m) => m.id),
      accounts: ms.map((_, k) => `p:${(c * 7 + k).toString(16).padStart(24, '0')}`),
      start,
      end,
      reasons: ['Same text from many accounts'],
      sampleText: 'Deel dit! https://example.org/x #tag',
      links: [`https://site${c % 20}.example/a`],
      hashtags: [`tag${c % 30}`],
      languages: ['nl'],
      factchecks: [],
    };
    up.run(
      cl.id,
      cl.score,
      ms[0]!.created_at_ms,
      ms[ms.length - 1]!.created_at_ms,
      ms[ms.length - 1]!.created_at_ms,
      JSON.stringify(cl),
    );
  }
})();
db.close();
const loadS = (performance.now() - t0) / 1000;

const config = loadConfig({ env: {}, overrides: { dataDir: dir } });
const source = new SqliteReportSource({ file });
await source.start();
const rssBefore = process.memoryUsage().rss;
const t1 = performance.now();
const data = await gatherReportData(source, new NullTriageOutcomeSource(), config, {
  from,
  to,
  periodName: 'BENCH',
  now: new Date(),
});
const t2 = performance.now();
const htmlBytes = (await renderReport(data, 'html', 'nl', config)).length;
const mdBytes = (await renderReport(data, 'md', 'en', config)).length;
const t3 = performance.now();
await source.stop();
const peak = process.resourceUsage().maxRSS * 1024;
console.log(
  JSON.stringify({
    posts: POSTS,
    clusters: data.periodOverPeriod.current.clusters,
    postsCounted: data.periodOverPeriod.current.posts,
    loadSeconds: +loadS.toFixed(1),
    gatherSeconds: +((t2 - t1) / 1000).toFixed(2),
    renderSeconds: +((t3 - t2) / 1000).toFixed(2),
    rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
    peakRssMiB: Math.round(peak / 2 ** 20),
    htmlBytes,
    mdBytes,
  }),
);
rmSync(dir, { recursive: true, force: true });
