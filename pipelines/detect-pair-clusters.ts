// Networks of two for the coordination detector: when may a significant pair that is a component of its own open a
// cluster (below minClusterAccounts)? CooRTweet's answer is two accounts sharing at least two objects within its time
// window; on IRA 2016 most of the accounts it flags and we did not were such pairs (co-retweets within a minute, again
// and again). Alone, that rule flags organic pairs in our hard negatives: fans sharing four viral links within minutes,
// heavy readers sharing dozens of headlines over hours co-share two of them within a minute by chance. So a pair opens
// a cluster when three things hold:
// 1. it co-acted within the co-link interval at least `minTimedItems` times (distinct post pairs);
// 2. its pair-test p-value answers for every account pair of the window (Bonferroni over A(A−1)/2 accounts pairs,
//    not only over the pairs with evidence): a pair on its own has nothing else vouching for it;
// 3. its co-actions are more synchronised than their items' own time spread explains. A co-action is a pair of posts
//    (a post's text group and link are one co-action, judged on the closer of the two). Item i is co-shared within the
//    interval with probability w_i: the share of i's *other* sharer pairs that shared it that close (its own spread:
//    ~1 for a link shared in one burst, small for a headline followed over hours). An item with fewer than three
//    other sharers is *obscure*: the pair is nearly its whole audience and its spread is unknown. The pair passes when
//    it co-acted within the interval on at least minTimedItems obscure co-actions (CooRTweet's case: both retweeted
//    the same little-shared posts within seconds), or when its timed co-actions on popular items, c of them, are
//    unlikely given their spread: they are a sum of independent Bernoulli(w_i) of mean μ = Σ w_i, so
//    P(C ≥ c) ≤ min(μ^c/c!, Chernoff) (logOverlapTail), below alpha / (the pairs tested at this advance).
// Pure: reads the window and the significant edges.
import type { SignificantEdge } from './coaction-graph.ts';
import type { DetectionWindow } from './detection-window.ts';
import { logOverlapTail } from './detect-link-rings.ts';

/** Settings of {@link pairClusters}. */
export interface PairClustersConfig {
  /** Fewest co-actions (post pairs) within the interval; 0 turns networks of two off. */
  minTimedItems: number;
  /** The co-link interval, ms. */
  intervalMs: number;
  /** Family-wise significance (the pair test's edgeAlpha). */
  alpha: number;
}

/** What {@link timing} finds for one pair. */
export interface PairTiming {
  /** Co-actions (post pairs) within the interval on obscure items. */
  obscure: number;
  /** Co-actions within the interval on popular items. */
  timed: number;
  /** μ: expected timed co-actions on popular items given their own time spread. */
  expected: number;
  /** Natural log of the bound on P(timed ≥ observed) for the popular items. */
  logP: number;
}

/** Share of an item's sharer pairs (leaving out `a`, `b`) whose first shares are within `intervalMs`; null if < 3 others. */
function syncShare(window: DetectionWindow, key: string, a: string, b: string, intervalMs: number): number | null {
  const first = new Map<string, number>();
  for (const x of window.items.get(key)?.acts ?? []) if (x.a !== a && x.a !== b && !first.has(x.a)) first.set(x.a, x.t);
  const ts = [...first.values()].sort((x, y) => x - y);
  if (ts.length < 3) return null;
  let close = 0;
  let lo = 0;
  for (let hi = 0; hi < ts.length; hi++) {
    while (ts[hi]! - ts[lo]! > intervalMs) lo++;
    close += hi - lo;
  }
  return close / ((ts.length * (ts.length - 1)) / 2);
}

/** The timing of a pair's co-actions against their items' own time spread (see the file comment, point 3). */
export function timing(window: DetectionWindow, e: SignificantEdge, intervalMs: number): PairTiming {
  // Per post pair: how far apart, and the largest sync share of its items (null while all of them are obscure).
  const acts = new Map<string, { gap: number; w: number | null }>();
  const shares = new Map<string, number | null>();
  for (const r of e.edge.ev) {
    const key = `${r.pa}\u0001${r.pb}`;
    if (!shares.has(r.item)) shares.set(r.item, syncShare(window, r.item, e.edge.a, e.edge.b, intervalMs));
    const w = shares.get(r.item)!;
    const act = acts.get(key);
    if (!act) acts.set(key, { gap: Math.abs(r.ta - r.tb), w });
    else if (w !== null) act.w = Math.max(act.w ?? 0, w);
  }
  let obscure = 0;
  let timed = 0;
  let expected = 0;
  for (const { gap, w } of acts.values()) {
    if (w === null) {
      if (gap <= intervalMs) obscure++;
      continue;
    }
    if (gap <= intervalMs) timed++;
    expected += w;
  }
  return { obscure, timed, expected, logP: logOverlapTail(timed, expected) };
}

/**
 * The significant pairs among `pairs` (each a component of two accounts) that open a cluster of their own (see the
 * file comment). `accounts` is the window's account count.
 */
export function pairClusters(
  window: DetectionWindow,
  pairs: SignificantEdge[],
  accounts: number,
  cfg: PairClustersConfig,
): SignificantEdge[] {
  if (cfg.minTimedItems <= 0 || pairs.length === 0) return [];
  const allPairs = Math.log(cfg.alpha / Math.max(1, (accounts * (accounts - 1)) / 2));
  const tested = Math.log(cfg.alpha / pairs.length);
  return pairs.filter((e) => {
    if (e.logP > allPairs) return false;
    const t = timing(window, e, cfg.intervalMs);
    if (t.obscure >= cfg.minTimedItems) return true;
    return t.obscure + t.timed >= cfg.minTimedItems && t.logP <= tested;
  });
}
