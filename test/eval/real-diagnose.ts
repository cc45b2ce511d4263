// Diagnosis of the real-data recall gap (`npx tsx test/eval/real-diagnose.ts --only 2015|2016`): CooRTweet's rule
// reimplemented (objects: an original's text after normalisation, a retweet's text, each link; two accounts sharing an
// object within 60 s co-share it; pairs with >= 2 co-shared objects; edges at or above the 0.5 quantile of weights),
// then, for each IRA account CooRTweet flags and the detector does not, the step of the detector that loses it: no
// co-action evidence (and why: the posts share no item of ours, a crowd item, the interval), evidence on fewer than 2
// distinct items, candidate pairs never significant (with E, shared and the Bonferroni count of its best pair), a
// significant pair only in a component under 3 accounts, or a finding not in the final clusters. The detector is
// observed by wrapping CoactionGraph / DetectionWindow methods in this process only (no pipeline code changes).
// Prints counts only, never content.
/* eslint-disable @typescript-eslint/unbound-method, @typescript-eslint/no-this-alias --
   the diagnosis wraps prototype methods (kept and called with the right `this`) and keeps the window it observes. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CoactionGraph, sharedItems, type Edge, type NullCounts } from '../../pipelines/coaction-graph.ts';
import { CoLinkInterval } from '../../pipelines/detect-colinks.ts';
import { DetectionWindow, type Action } from '../../pipelines/detection-window.ts';
import { analyze, iraPosts } from './real-data.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: join(here, '../../../shared/data/real') },
    only: { type: 'string', default: '2015' },
    detect: { type: 'string' },
    window: { type: 'string', default: '60' },
    // Only CooRTweet's figures (skips the detector run).
    'coortweet-only': { type: 'boolean' },
  },
  strict: true,
});
const file = args.only === '2016' ? 'ira_2016-10-05_08.csv' : 'ira_2015-11-24_29.csv';
const { posts, category } = iraPosts(args.data!, file);
const out = (s: string): void => void process.stdout.write(`${s}\n`);

// ---- CooRTweet's rule ----
const norm = (s: string): string =>
  s
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/[^\p{L}\p{N}#@]+/gu, ' ')
    .trim();
interface Share {
  a: string;
  p: string;
  t: number;
}
const objects = new Map<string, Share[]>();
const put = (o: string, s: Share): void => {
  const l = objects.get(o);
  if (l) l.push(s);
  else objects.set(o, [s]);
};
const isRt = new Map<string, boolean>();
for (const p of posts) {
  const s = { a: p.author.id, p: p.id, t: Date.parse(p.createdAt) };
  const text = p.text ?? '';
  isRt.set(p.id, !!p.repostOf);
  if (p.repostOf) put(`rt:${text}`, s);
  else if (norm(text)) put(`tx:${norm(text)}`, s);
  for (const u of new Set(text.match(/https?:\/\/[^\s"'<>]+/g) ?? [])) put(`url:${u}`, s);
}
const win = Number(args.window) * 1000;
const TIGHT = win;
/** Pair key -> co-shared objects with one co-share (post pair) per object. */
const ctPairs = new Map<string, Map<string, [Share, Share]>>();
for (const [o, list] of objects) {
  list.sort((x, y) => x.t - y.t);
  for (let i = 0; i < list.length; i++)
    for (let j = i + 1; j < list.length && list[j]!.t - list[i]!.t <= win; j++) {
      const x = list[i]!;
      const y = list[j]!;
      if (x.a === y.a) continue;
      const [u, v] = x.a < y.a ? [x, y] : [y, x];
      const k = `${u.a}\u0001${v.a}`;
      let m = ctPairs.get(k);
      if (!m) ctPairs.set(k, (m = new Map<string, [Share, Share]>()));
      if (!m.has(o)) m.set(o, [u, v]);
    }
}
/** A pair's weight: co-shared objects, bounded by the distinct posts of each side (one tweet's text and link are one
 * co-share, as in the detector's count). */
const weight = (m: Map<string, [Share, Share]>): number => {
  const pa = new Set<string>();
  const pb = new Set<string>();
  for (const [x, y] of m.values()) {
    pa.add(x.p);
    pb.add(y.p);
  }
  return Math.min(m.size, pa.size, pb.size);
};
const weighted = [...ctPairs].filter(([, m]) => weight(m) >= 2);
const ws = weighted.map(([, m]) => weight(m)).sort((x, y) => x - y);
const q50 = ws.length ? ws[Math.floor(0.5 * (ws.length - 1))]! : 0;
const ctEdges = weighted.filter(([, m]) => weight(m) >= q50);
const ct = new Set<string>();
for (const [k] of ctEdges) for (const a of k.split('\u0001')) ct.add(a);
{
  // How far apart in time a CooRTweet pair's co-shares are: the detector's window is 6 h.
  let within = 0;
  const accWithin = new Set<string>();
  for (const [k, m] of ctEdges) {
    const ts = [...m.values()].map(([x]) => x.t).sort((x, y) => x - y);
    let ok = false;
    for (let i = 0; i + 1 < ts.length; i++) if (ts[i + 1]! - ts[i]! <= 6 * 3600_000) ok = true;
    if (ok) {
      within++;
      for (const a of k.split('\u0001')) accWithin.add(a);
    }
  }
  out(
    `CooRTweet-like pairs with 2 co-shares within 6 h: ${within} of ${ctEdges.length}; their accounts ${accWithin.size} = ${((100 * accWithin.size) / category.size).toFixed(1)}%`,
  );
}
out(`# ${file}: ${posts.length} posts, ${category.size} accounts, ${objects.size} objects`);
out(
  `CooRTweet-like (${args.window} s, >= 2 objects, weight >= q50 = ${q50}): ${ctPairs.size} co-sharing pairs, ${weighted.length} with >= 2, ${ctEdges.length} kept; ${ct.size} accounts = ${((100 * ct.size) / category.size).toFixed(1)}%`,
);

// ---- the detector, observed ----
/** post id -> item keys; post|item -> distinct accounts on the item right after the post's action. */
const itemsOf = new Map<string, string[]>();
const distinctAt = new Map<string, number>();
const addPost = DetectionWindow.prototype.addPost;
DetectionWindow.prototype.addPost = function (id, rec, account) {
  itemsOf.set(id, rec.items.slice());
  return addPost.call(this, id, rec, account);
};
const addAction = DetectionWindow.prototype.addAction;
let theWindow: DetectionWindow | null = null;
DetectionWindow.prototype.addAction = function (key: string, action: Action) {
  theWindow = this;
  const i = addAction.call(this, key, action);
  distinctAt.set(`${action.p}|${key}`, this.items.get(key)!.distinct);
  return i;
};
const intervals = new Map<number, number>();
const seconds = CoLinkInterval.prototype.seconds;
CoLinkInterval.prototype.seconds = function () {
  const s = seconds.call(this);
  intervals.set(s, (intervals.get(s) ?? 0) + 1);
  return s;
};
/** post pair "p|q" (sorted) -> items recorded as evidence. */
const added = new Set<string>();
const evAccounts = new Set<string>();
const add = CoactionGraph.prototype.add;
CoactionGraph.prototype.add = function (a, pa, ta, b, pb, tb, item, kind) {
  added.add(pa < pb ? `${pa}|${pb}` : `${pb}|${pa}`);
  evAccounts.add(a);
  evAccounts.add(b);
  return add.call(this, a, pa, ta, b, pb, tb, item, kind);
};
interface Best {
  /** Time-conditioned: items co-shared within TIGHT, expected such items, log p - log threshold. */
  tShared: number;
  tExpected: number;
  tMargin: number;
  /** Per co-shared item: distinct accounts, span in minutes, share of other account pairs within TIGHT. */
  items: Array<{ k: number; span: number; q: number; dt: number }>;
  margin: number;
  shared: number;
  expected: number;
  pairs: number;
  candidates: number;
  floored: boolean;
}
const level = new Map<string, number>(); // 1 evidence on 2+ items (candidate), 2 significant, 3 component >= 3
const best = new Map<string, Best>();
const sig = CoactionGraph.prototype.significantEdges;
CoactionGraph.prototype.significantEdges = function (counts: NullCounts, minShared: number, alpha: number) {
  const res = sig.call(this, counts, minShared, alpha);
  const edges = (this as unknown as { edges: Map<string, Edge> }).edges;
  const m = Math.max(1, edges.size);
  const thr = Math.log(alpha / m);
  const cand: Array<[Edge, number]> = [];
  for (const edge of edges.values()) {
    if (edge.ev.length < 2 || !(ct.has(edge.a) || ct.has(edge.b))) continue;
    const s = sharedItems(edge);
    if (s >= 2) cand.push([edge, s]);
  }
  // Time-conditioned null (diagnosis): S_t = Σ_i 2·W_i, W_i the account pairs of item i with actions within TIGHT.
  const w = theWindow!;
  let sTight = 0;
  const pairsWithin = (acts: Action[], skip: Set<string>): Set<string> => {
    const out = new Set<string>();
    for (let i = 0; i < acts.length; i++)
      for (let j = i + 1; j < acts.length && acts[j]!.t - acts[i]!.t <= TIGHT; j++) {
        const x = acts[i]!.a;
        const y = acts[j]!.a;
        if (x === y || skip.has(x) || skip.has(y)) continue;
        out.add(x < y ? `${x}|${y}` : `${y}|${x}`);
      }
    return out;
  };
  const wOf = new Map<string, number>();
  for (const [key, item] of w.items) {
    if (key[0] === 'h' || item.distinct < 2 || item.distinct > 150) continue;
    const n = pairsWithin(item.acts, new Set()).size;
    wOf.set(key, n);
    sTight += 2 * n;
  }
  for (const [edge, shared] of cand) {
    const ma = counts.postsOf(edge.a);
    const mb = counts.postsOf(edge.b);
    const n = counts.posts - ma - mb;
    const posts = Math.max(counts.minPosts ?? 1, n);
    let s = counts.itemPairs ?? 0;
    const seen = new Set<string>();
    for (const e of edge.ev) {
      if (seen.has(e.item)) continue;
      seen.add(e.item);
      const k = counts.sharersOf?.(e.item) ?? 0;
      if (k >= 2) s -= 4 * k - 6;
    }
    const expected = (ma * mb * Math.max(s, 2)) / (posts * posts);
    const lp = Math.log(Math.max(1e-300, poissonTail(shared, expected)));
    // Time-conditioned: the pair's items co-shared within TIGHT, each counted without the pair's accounts.
    let st = sTight;
    const items: Best['items'] = [];
    const tightItems = new Set<string>();
    const skip = new Set([edge.a, edge.b]);
    for (const e of edge.ev) if (Math.abs(e.ta - e.tb) <= TIGHT) tightItems.add(e.item);
    for (const key of new Set(edge.ev.map((e) => e.item))) {
      const item = w.items.get(key);
      if (!item) continue;
      const others = pairsWithin(item.acts, skip).size;
      st -= 2 * ((wOf.get(key) ?? 0) - others);
      const k = item.distinct;
      const kk = k - 2;
      const dt = Math.min(...edge.ev.filter((e) => e.item === key).map((e) => Math.abs(e.ta - e.tb))) / 60000;
      items.push({
        k,
        span: (item.acts[item.acts.length - 1]!.t - item.acts[0]!.t) / 60000,
        q: kk >= 2 ? others / ((kk * (kk - 1)) / 2) : NaN,
        dt,
      });
    }
    const tExpected = (ma * mb * Math.max(st, 2)) / (posts * posts);
    const tShared = Math.min(tightItems.size, shared);
    const tMargin = Math.log(Math.max(1e-300, poissonTail(tShared, tExpected))) - thr;
    for (const a of [edge.a, edge.b]) {
      level.set(a, Math.max(level.get(a) ?? 0, 1));
      const b = best.get(a);
      const margin = lp - thr;
      if (!b || margin < b.margin)
        best.set(a, {
          margin,
          shared,
          expected,
          pairs: m,
          candidates: cand.length,
          floored: n < posts,
          tShared,
          tExpected,
          tMargin,
          items,
        });
    }
  }
  for (const comp of CoactionGraph.components(res))
    for (const a of comp) level.set(a, Math.max(level.get(a) ?? 0, comp.length >= 3 ? 3 : 2));
  return res;
};
function poissonTail(k: number, lambda: number): number {
  let term = Math.exp(-lambda);
  let cdf = 0;
  for (let i = 0; i < k; i++) {
    cdf += term;
    term *= lambda / (i + 1);
  }
  return Math.max(0, 1 - cdf);
}

if (args['coortweet-only']) process.exit(0);
const { clusters } = analyze(posts, JSON.parse(args.detect ?? '{}') as object);
const ours = new Set(clusters.flatMap((c) => c.accounts));
out(
  `detector: ${ours.size} accounts = ${((100 * ours.size) / category.size).toFixed(1)}%; both ${[...ct].filter((a) => ours.has(a)).length}, ours only ${[...ours].filter((a) => !ct.has(a)).length}`,
);
out(
  `co-link intervals seen (s: calls): ${[...intervals]
    .sort((x, y) => x[0] - y[0])
    .map(([s, n]) => `${s.toFixed(0)}:${n}`)
    .join(' ')}`,
);

// ---- why each CooRTweet-only account is lost ----
function coShareCause(o: string, x: Share, y: Share): string {
  const key = x.p < y.p ? `${x.p}|${y.p}` : `${y.p}|${x.p}`;
  if (added.has(key)) return 'evidence recorded';
  const ix = (itemsOf.get(x.p) ?? []).filter((k) => k[0] !== 'h');
  const iy = new Set((itemsOf.get(y.p) ?? []).filter((k) => k[0] !== 'h'));
  const common = ix.filter((k) => iy.has(k));
  const kind = o.slice(0, o.indexOf(':'));
  if (common.length === 0) {
    if (kind === 'tx') {
      if (!ix.some((k) => k[0] === 't') || ![...iy].some((k) => k[0] === 't')) return 'text: no text group';
      return 'text: different groups';
    }
    return `${kind}: no common item`;
  }
  const k = common[0]!;
  const d = Math.max(distinctAt.get(`${x.p}|${k}`) ?? 0, distinctAt.get(`${y.p}|${k}`) ?? 0);
  if (d > 150) return `${k[0]}: crowd (> 150 accounts)`;
  if (Math.abs(x.t - y.t) > 0) return `${k[0]}: interval (adjacent minute)`;
  return `${k[0]}: other (partner limit)`;
}
const lost = [...ct].filter((a) => !ours.has(a) && category.has(a));
const ctEdgesOf = new Map<string, Array<Map<string, [Share, Share]>>>();
for (const [k, m] of ctEdges)
  for (const a of k.split('\u0001')) {
    const l = ctEdgesOf.get(a);
    if (l) l.push(m);
    else ctEdgesOf.set(a, [m]);
  }
const table = new Map<string, number>();
const shareCauses = new Map<string, number>();
const tally = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
const bestOf: Best[] = [];
for (const a of lost) {
  const lv = level.get(a) ?? 0;
  if (lv === 3) tally(table, '4 finding made, not in final clusters');
  else if (lv === 2) tally(table, '3 significant, component < 3 accounts');
  else if (lv === 1) {
    tally(table, '2 candidate pair(s) (>= 2 items), never significant');
    bestOf.push(best.get(a)!);
  } else {
    const causes = new Map<string, number>();
    for (const m of ctEdgesOf.get(a) ?? [])
      for (const [o, [x, y]] of m) {
        const c = coShareCause(o, x, y);
        tally(causes, c);
        tally(shareCauses, c);
      }
    const top = [...causes].filter(([c]) => c !== 'evidence recorded').sort((x, y) => y[1] - x[1])[0];
    const prefix = evAccounts.has(a) ? '1 evidence on < 2 items' : '0 no evidence';
    tally(table, `${prefix}; main loss: ${top ? top[0] : 'evidence recorded (< 2 distinct items)'}`);
  }
}
out(`\nIRA accounts CooRTweet flags and we do not: ${lost.length}`);
for (const [k, n] of [...table].sort()) out(`  ${String(n).padStart(5)}  ${k}`);
out('co-shares of those accounts (levels 0-1) by cause:');
for (const [k, n] of [...shareCauses].sort((x, y) => y[1] - x[1])) out(`  ${String(n).padStart(7)}  ${k}`);
if (bestOf.length) {
  const q = (f: (b: Best) => number): string => {
    const v = bestOf.map(f).sort((x, y) => x - y);
    return `${v[0]!.toPrecision(3)} / ${v[Math.floor(v.length / 2)]!.toPrecision(3)} / ${v[v.length - 1]!.toPrecision(3)}`;
  };
  out('never-significant accounts, their best pair (min / median / max):');
  out(`  shared items ${q((b) => b.shared)}; expected E ${q((b) => b.expected)}`);
  out(`  log10 p - log10 threshold ${q((b) => b.margin / Math.LN10)}; Bonferroni pairs ${q((b) => b.pairs)}`);
  out(
    `  candidate edges at that advance ${q((b) => b.candidates)}; N floored: ${bestOf.filter((b) => b.floored).length}`,
  );
  const byCand = bestOf.filter((b) => b.margin + Math.log(b.pairs / Math.max(1, b.candidates)) <= 0).length;
  out(`  would pass with Bonferroni over candidate pairs only: ${byCand} of ${bestOf.length}`);
  out(`time-conditioned (within ${args.window} s, items' own time spread), same pairs:`);
  out(
    `  shared within ${q((b) => b.tShared)}; expected ${q((b) => b.tExpected)}; log10 margin ${q((b) => b.tMargin / Math.LN10)}`,
  );
  out(`  would pass: ${bestOf.filter((b) => b.tMargin <= 0).length} of ${bestOf.length}`);
  const its = bestOf.flatMap((b) => b.items);
  const qi = (f: (x: Best['items'][number]) => number): string => {
    const v = its
      .map(f)
      .filter((x) => Number.isFinite(x))
      .sort((x, y) => x - y);
    return v.length
      ? `${v[0]!.toPrecision(3)} / ${v[Math.floor(v.length / 4)]!.toPrecision(3)} / ${v[Math.floor(v.length / 2)]!.toPrecision(3)} / ${v[Math.floor((3 * v.length) / 4)]!.toPrecision(3)} / ${v[v.length - 1]!.toPrecision(3)} (n ${v.length})`
      : '-';
  };
  out(`  co-shared items (min / q25 / median / q75 / max): k ${qi((x) => x.k)}`);
  out(`    span min ${qi((x) => x.span)}; pair dt min ${qi((x) => x.dt)}; q (others within) ${qi((x) => x.q)}`);
}

// ---- per category: who is flagged, and what the accounts flagged by neither do ----
{
  /** account -> its objects (CooRTweet's objects above) with the nearest other account's share on each, in ms. */
  const nearest = new Map<string, Map<string, number>>();
  for (const [o, list] of objects)
    for (const x of list)
      for (const y of list) {
        if (x.a === y.a) continue;
        let m = nearest.get(x.a);
        if (!m) nearest.set(x.a, (m = new Map<string, number>()));
        const d = Math.abs(x.t - y.t);
        if (d < (m.get(o) ?? Infinity)) m.set(o, d);
      }
  const postsOf = new Map<string, number>();
  const rtOf = new Map<string, number>();
  for (const p of posts) {
    postsOf.set(p.author.id, (postsOf.get(p.author.id) ?? 0) + 1);
    if (p.repostOf) rtOf.set(p.author.id, (rtOf.get(p.author.id) ?? 0) + 1);
  }
  const med = (v: number[]): string => (v.length ? String(v.sort((x, y) => x - y)[Math.floor(v.length / 2)]) : '-');
  out('\nper category: accounts, ours, CooRTweet-like; accounts flagged by neither (median per account):');
  out(
    '  category       n  ours  ct  neither  posts  retweets  objects shared by others (any time / <= 60 s / <= 10 min)',
  );
  const cats = [...new Set(category.values())].sort();
  for (const c of cats) {
    const acc = [...category].filter(([, k]) => k === c).map(([a]) => a);
    const neither = acc.filter((a) => !ours.has(a) && !ct.has(a));
    const shared = (a: string, ms: number): number =>
      [...(nearest.get(a)?.values() ?? [])].filter((d) => d <= ms).length;
    out(
      `  ${c.padEnd(13)} ${String(acc.length).padStart(3)} ${String(acc.filter((a) => ours.has(a)).length).padStart(5)} ${String(acc.filter((a) => ct.has(a)).length).padStart(3)} ${String(neither.length).padStart(8)} ${med(neither.map((a) => postsOf.get(a) ?? 0)).padStart(6)} ${med(neither.map((a) => rtOf.get(a) ?? 0)).padStart(9)}  ${med(neither.map((a) => shared(a, Infinity)))} / ${med(neither.map((a) => shared(a, 60_000)))} / ${med(neither.map((a) => shared(a, 600_000)))}`,
    );
  }
}
