// The real data of `npm run eval:real` (../shared/data/real, see its README) as normalized posts, and the detector run
// as `mid analyze` runs it (the real enricher, pipelines/detector-input.ts with the configured advance rule, the file
// as one partition flushed at its end). Shared by test/eval/real-eval.ts and the diagnosis in
// test/eval/real-diagnose.ts. The data files are read in place and never copied.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createEnricher } from '../../pipelines/enrich.ts';
import { createCoordinationDetector, detectorPost, type DetectorPost } from '../../pipelines/detect-coordination.ts';
import { applyCall, type DetectorHeld } from '../../pipelines/detector-input.ts';
import { emptyEventTimeState } from '../../pipelines/event-time-driver.ts';
import type { Cluster, NormalizedPost } from '../../pipelines/types.ts';
import { loadConfig } from '../../workers/config.ts';
import { detectorInputOptions } from '../../workers/detector-options.ts';

/** Parses RFC 4180 CSV (quoted fields may hold commas, quotes and newlines) into rows of strings. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field: string;
    if (text[i] === '"') {
      let j = i + 1;
      let out = '';
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          out += text.slice(j);
          j = n;
          break;
        }
        out += text.slice(j, q);
        if (text[q + 1] === '"') {
          out += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      field = out;
      i = j;
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      field = text.slice(i, j);
      i = j;
    }
    row.push(field);
    if (text[i] === ',') {
      i++;
      if (i === n) row.push('');
    } else {
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      rows.push(row);
      row = [];
    }
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

/** Rows of `file` in the data directory `data` as objects keyed by the header. */
export function readCsv(data: string, file: string): Array<Record<string, string>> {
  const [head, ...rows] = parseCsv(readFileSync(join(data, file), 'utf8'));
  return rows.filter((r) => r.length === head!.length).map((r) => Object.fromEntries(head!.map((h, k) => [h, r[k]!])));
}

export const sha = (s: string): string => createHash('sha1').update(s).digest('hex').slice(0, 16);
export const num = (s: string | undefined): number | null => (s && Number.isFinite(Number(s)) ? Number(s) : null);

/** IRA rows as normalized posts: minute timestamps as UTC; a retweet reposts "the tweet with this text". */
export function iraPosts(data: string, file: string): { posts: NormalizedPost[]; category: Map<string, string> } {
  const category = new Map<string, string>();
  const posts: NormalizedPost[] = [];
  for (const r of readCsv(data, file)) {
    const t = Date.parse(`${r.publish_date!.replace(' ', 'T')}Z`);
    if (!Number.isFinite(t)) continue;
    const author = r.author!;
    category.set(author, r.account_category!);
    const text = r.content ?? '';
    posts.push({
      id: `ira:${author}:${r.row}`,
      source: 'twitter',
      text,
      createdAt: new Date(t).toISOString(),
      author: {
        id: author,
        followers: num(r.followers),
        following: num(r.following),
        posts: num(r.updates),
      },
      // There are no retweeted-tweet ids: a retweet carries the original's text, so the text stands for the original.
      repostOf: r.retweet === '1' ? `rt:${sha(text)}` : null,
    });
  }
  return { posts, category };
}

/** German posts in [fromS, toS) Unix seconds, rows grouped by post_id, moved by `shiftMs`. */
export function germanPosts(data: string, fromS: number, toS: number, shiftMs: number): NormalizedPost[] {
  const byPost = new Map<string, { a: string; t: number; links: Set<string>; tags: Set<string> }>();
  for (const r of readCsv(data, 'german_elections.csv')) {
    const t = Number(r.timestamp);
    if (!(t >= fromS && t < toS)) continue;
    let p = byPost.get(r.post_id!);
    if (!p) {
      p = { a: r.account_id!, t, links: new Set(), tags: new Set() };
      byPost.set(r.post_id!, p);
    }
    if (r.url_id) p.links.add(`https://d${r.domain_id || 0}.anon.invalid/u/${r.url_id}`);
    if (r.hashtag_id) p.tags.add(`h${r.hashtag_id}`);
  }
  return [...byPost].map(([id, p]) => ({
    id: `de:${id}`,
    source: p.a.startsWith('fb_') ? 'facebook' : 'twitter',
    text: [...[...p.tags].map((h) => `#${h}`), ...p.links].join(' '),
    createdAt: new Date(p.t * 1000 + shiftMs).toISOString(),
    author: { id: p.a },
    links: [...p.links],
    hashtags: [...p.tags],
  }));
}

/** Runs the detector as `mid analyze` does over posts in time order, with `detect` over the default detector
 * settings; returns every cluster reported (merged ones dropped) and the wall time. */
export function analyze(posts: NormalizedPost[], detect: object = {}): { clusters: Cluster[]; ms: number } {
  const base = loadConfig({ env: {} });
  const config = { ...base, detect: { ...base.detect, ...detect } };
  const enrich = createEnricher({
    enrichment: config.enrich,
    pseudonymKey: null,
    // No wall-clock budget per post: on a loaded machine it would make the figures depend on the load.
    limits: { ...config.hardening.enrichment, postBudgetMs: 1e9 },
  });
  const held: DetectorHeld = {
    detector: createCoordinationDetector(config.detect),
    driver: emptyEventTimeState(),
    seen: {},
  };
  const options = detectorInputOptions(config);
  const sorted = posts
    .slice()
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : 1));
  const clusters = new Map<string, Cluster>();
  const take = (r: ReturnType<typeof applyCall>): void => {
    for (const c of r.changed) clusters.set(c.id, c);
    for (const m of r.merged) clusters.delete(m.id);
  };
  const t0 = performance.now();
  let pending: Array<[number, DetectorPost]> = [];
  for (const p of sorted) {
    pending.push([0, detectorPost(enrich(p))]);
    if (pending.length >= 500) {
      take(applyCall(held, { p: pending, f: [], all: false, n: 1 }, options));
      pending = [];
    }
  }
  take(applyCall(held, { p: pending, f: [], all: true, n: 1 }, options));
  return { clusters: [...clusters.values()].sort((a, b) => (a.id < b.id ? -1 : 1)), ms: performance.now() - t0 };
}
