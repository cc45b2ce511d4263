// Link rings for the coordination detector: small sets of accounts that share the same fresh links, each link by all
// its sharers within minutes. A ring of 5-14 accounts sharing two or three links over a few minutes leaves account
// pairs that co-share one or two links, mostly further apart than the co-link interval (30-120 s): neither the pair
// test (coaction-graph.ts) nor the shared-items test (detect-shared-items.ts), which both count co-shares within that
// interval, have repetition to count, and the links have too few sharers for a burst (detect-bursts.ts). Taken per
// pair of links, the evidence is the *overlap of their sharers*: two links, each shared by all its sharers within
// `spanMs` (a "flash" link), shared by more of the same accounts than the accounts' activity predicts.
// The flash condition is what keeps organic link sharing out: an interest community that follows the same links at its
// own pace, viral stories and news headlines are shared over tens of minutes to hours, so their links are not tested
// at all; and a link is tested only while its sharers are at most `maxItemAccounts` (a crowd says nothing).
// Null: account a shares link i with probability q_ai = min(1, k_i·r_a), independently across accounts and links,
// where k_i is the link's distinct sharers and r_a the larger of the account's two activity rates: its share of the
// window's posts (m_a/N, N at least `minPosts`: the pair test's null) and its share of the window's link sharing
// *without the two links tested* (l_a/L: l_a the other links it shared, L the shares of all other links). The link
// rate is what keeps busy news readers out: they share headlines far more often than their posts predict, and a ring
// is not excused by its own two links. The common sharers C of links i and j are a sum of independent
// Bernoulli(q_ai·q_aj), of mean μ = Σ_a q_ai·q_aj (summed over the window's accounts grouped by activity),
// so P(C ≥ c) ≤ min(μ^c / c!, e^-μ·(eμ/c)^c) (the union bound over c-sets, and Chernoff's bound for c > μ; both hold
// for any such sum). A link pair passes when that bound is below alpha / (flash link pairs with a common sharer,
// Bonferroni) and c ≥ `minAccounts`. Every pair of its common sharers then becomes a co-action edge of the network
// (the graph's edge when the two also co-acted within the interval, with the two links' shares added to its evidence).
// Accounts that shared more than `maxLinksPerAccount` flash links are not counted (bounds the link pairs; leaving an
// account out only lowers c).
// Pure: reads the window and the graph; nothing here enters the detector's exported state.
import { sharedItems, type Edge, type Evidence, type SignificantEdge } from './coaction-graph.ts';
import type { DetectionWindow } from './detection-window.ts';
import type { EdgeLookup } from './detect-shared-claims.ts';
import { logFactorial } from './tail-probability.ts';

/** Settings of {@link linkRingEdges}. */
export interface LinkRingsConfig {
  /** Family-wise significance of a link pair (Bonferroni over the flash link pairs with a common sharer); 0 turns the test off. */
  alpha: number;
  /** A link is tested only when all its shares in the window fall within this span, ms. */
  spanMs: number;
  /** Links with more distinct sharers in the window are crowds and are not tested. */
  maxItemAccounts: number;
  /** Fewest common sharers a link pair must have. */
  minAccounts: number;
  /** Accounts that shared more flash links than this are not counted. */
  maxLinksPerAccount: number;
  /** Floor of the posts N the null model divides by (as the pair test's nullMinPosts). */
  minPosts: number;
  /**
   * Whether the other sharers of a passing pair's links join too (unset: no): a link shared within minutes whose
   * sharers are mostly the ring's is the ring's post, as a burst lists every poster of a link born in it.
   */
  wholeLinks?: boolean;
}

/** A link pair that passed the test. */
export interface LinkRingPair {
  /** The two link keys (`l:…`), sorted. */
  links: [string, string];
  /** Their common sharers, sorted. */
  accounts: string[];
  /** μ: expected common sharers under the null. */
  expected: number;
  /** Natural log of the p-value bound. */
  logP: number;
}

/** Natural log of the bound on P(C ≥ c) for a sum of independent Bernoullis of mean `mu` (see the file comment). */
export function logOverlapTail(c: number, mu: number): number {
  if (c <= 0) return 0;
  if (!(mu > 0)) return -Infinity;
  const union = c * Math.log(mu) - logFactorial(c);
  const chernoff = c > mu ? -mu + c * (1 + Math.log(mu) - Math.log(c)) : 0;
  return Math.min(0, union, chernoff);
}

/** The flash links of the window (see the file comment) and their distinct sharers, by link key. */
export function flashLinks(window: DetectionWindow, cfg: LinkRingsConfig): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, item] of window.sharedTextsAndLinks()) {
    if (key[0] !== 'l' || item.distinct < 2 || item.distinct > cfg.maxItemAccounts) continue;
    const acts = item.acts;
    if (acts[acts.length - 1]!.t - acts[0]!.t > cfg.spanMs) continue;
    out.set(key, [...new Set(acts.map((x) => x.a))].sort());
  }
  return out;
}

/** Link pairs whose common sharers are significant (see the file comment), sorted by their link keys. */
export function linkRingPairs(window: DetectionWindow, cfg: LinkRingsConfig): LinkRingPair[] {
  if (!(cfg.alpha > 0)) return [];
  const links = flashLinks(window, cfg);
  const linksOf = new Map<string, string[]>();
  for (const key of [...links.keys()].sort())
    for (const a of links.get(key)!) {
      const l = linksOf.get(a);
      if (l) l.push(key);
      else linksOf.set(a, [key]);
    }
  const common = new Map<string, string[]>(); // "i\u0002j" (sorted link keys) -> common sharers
  for (const a of [...linksOf.keys()].sort()) {
    const ls = linksOf.get(a)!;
    if (ls.length < 2 || ls.length > cfg.maxLinksPerAccount) continue;
    for (let x = 0; x < ls.length; x++)
      for (let y = x + 1; y < ls.length; y++) {
        const k = `${ls[x]!}\u0002${ls[y]!}`;
        const c = common.get(k);
        if (c) c.push(a);
        else common.set(k, [a]);
      }
  }
  const candidates = [...common].filter(([, accounts]) => accounts.length >= cfg.minAccounts);
  if (candidates.length === 0) return [];
  const n = Math.max(1, cfg.minPosts, window.size());
  // Links shared per account (distinct links, any number of sharers) and the accounts by (posts, links shared).
  const linkCount = new Map<string, number>();
  let shares = 0;
  for (const [key, item] of window.items) {
    if (key[0] !== 'l') continue;
    shares += item.distinct;
    for (const a of Object.keys(item.accounts)) linkCount.set(a, (linkCount.get(a) ?? 0) + 1);
  }
  const postsOf = (a: string): number => window.accounts.get(a)?.n ?? 1;
  const groups = new Map<string, [number, number, number]>(); // "m l" -> [m, l, accounts]
  const group = (m: number, l: number, d: number): void => {
    const g = groups.get(`${m} ${l}`);
    if (g) g[2] += d;
    else groups.set(`${m} ${l}`, [m, l, d]);
  };
  for (const [a, l] of linkCount) group(postsOf(a), l, 1);
  for (const [m, count] of window.activity().byPosts) group(m, 0, count);
  // The accounts with links were counted by posts too: take them out of the zero-link groups.
  for (const a of linkCount.keys()) group(postsOf(a), 0, -1);
  const threshold = Math.log(cfg.alpha / common.size);
  const out: LinkRingPair[] = [];
  for (const [k, accounts] of candidates) {
    const [i, j] = k.split('\u0002') as [string, string];
    const si = links.get(i)!;
    const sj = links.get(j)!;
    const ki = si.length;
    const kj = sj.length;
    const others = Math.max(1, shares - ki - kj);
    const q = (m: number, l: number): number => {
      const r = Math.max(m / n, l / others);
      return Math.min(1, ki * r) * Math.min(1, kj * r);
    };
    let mu = 0;
    for (const [m, l, count] of groups.values()) if (count > 0) mu += count * q(m, l);
    // The sharers of i or j: their link rate without i and j.
    const sharers = new Map<string, number>();
    for (const a of si) sharers.set(a, 1);
    for (const a of sj) sharers.set(a, (sharers.get(a) ?? 0) + 1);
    for (const [a, both] of sharers) {
      const m = postsOf(a);
      const l = linkCount.get(a) ?? 0;
      mu += q(m, Math.max(0, l - both)) - q(m, l);
    }
    mu = Math.max(0, mu);
    const logP = logOverlapTail(accounts.length, mu);
    if (logP <= threshold) out.push({ links: [i, j], accounts, expected: mu, logP: Math.max(logP, -1e6) });
  }
  out.sort((x, y) => (x.links[0] < y.links[0] ? -1 : x.links[0] > y.links[0] ? 1 : x.links[1] < y.links[1] ? -1 : 1));
  return out;
}

/** The first share of `key` by each account, from the window. */
function firstShares(window: DetectionWindow, key: string): Map<string, [string, number]> {
  const out = new Map<string, [string, number]>();
  for (const x of window.items.get(key)?.acts ?? []) if (!out.has(x.a)) out.set(x.a, [x.p, x.t]);
  return out;
}

/**
 * The co-action edges the significant link pairs vouch for: every pair of common sharers of a link pair, with the
 * graph's evidence on that pair (if any) and their shares of the two links, the pair test's expectation
 * (`expectedOf`) and, as its p-value, the link pair's. With `wholeLinks`, each other sharer of either link, when the
 * common sharers are at least half of that link's sharers, is joined to the common sharer who shared it closest in
 * time (see {@link LinkRingsConfig.wholeLinks}). Sorted by account pair; an edge vouched for by several link pairs
 * keeps the smallest p-value and the evidence of all of them.
 */
export function linkRingEdges(
  window: DetectionWindow,
  graph: EdgeLookup,
  cfg: LinkRingsConfig,
  expectedOf: (a: string, b: string) => number,
): SignificantEdge[] {
  const out = new Map<string, SignificantEdge>();
  const vouch = (
    x: string,
    y: string,
    logP: number,
    evidence: Array<[string, Map<string, [string, number]>]>,
  ): void => {
    const [a, b] = x < y ? [x, y] : [y, x];
    const id = `${a}\u0001${b}`;
    let e = out.get(id);
    if (!e) {
      // A copy: the graph's edge is live state and must not gain evidence it did not record.
      const edge: Edge = { a, b, ev: (graph.edge(a, b)?.ev ?? []).slice() };
      e = { edge, shared: 0, expected: expectedOf(a, b), logP };
      out.set(id, e);
    } else if (logP < e.logP) e.logP = logP;
    const ev: Evidence[] = e.edge.ev;
    for (const [key, first] of evidence) {
      if (ev.some((r) => r.item === key)) continue;
      const [pa, ta] = first.get(a)!;
      const [pb, tb] = first.get(b)!;
      ev.push({ item: key, kinds: ['link'], pa, pb, ta, tb });
    }
  };
  for (const pair of linkRingPairs(window, cfg)) {
    const shares = pair.links.map((key) => [key, firstShares(window, key)] as [string, Map<string, [string, number]>]);
    for (let x = 0; x < pair.accounts.length; x++)
      for (let y = x + 1; y < pair.accounts.length; y++) vouch(pair.accounts[x]!, pair.accounts[y]!, pair.logP, shares);
    if (!cfg.wholeLinks) continue;
    const common = new Set(pair.accounts);
    for (const share of shares) {
      const first = share[1];
      if (2 * pair.accounts.length < first.size) continue;
      for (const [s, [, t]] of first) {
        if (common.has(s)) continue;
        let near = '';
        let dt = Infinity;
        for (const a of pair.accounts) {
          const d = Math.abs(first.get(a)![1] - t);
          if (d < dt) [near, dt] = [a, d];
        }
        vouch(s, near, pair.logP, [share]);
      }
    }
  }
  for (const e of out.values()) e.shared = sharedItems(e.edge);
  return [...out.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([, e]) => e);
}
