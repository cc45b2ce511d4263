// Joint evidence across text groups for the coordination detector: two claims (near-duplicate or paraphrase text
// groups) pushed by far more of the same accounts than chance allows. A slow paraphrase drip of 15-45 accounts, each
// posting about half of its 2-6 claims over hours, leaves account pairs that share only one or two claims: the pair
// test (coaction-graph.ts) cannot tell two such accounts from two heavy posters, however many pairs there are. Taken
// per pair of claims instead, the evidence adds up: of two claims with k₁ and k₂ evidenced posters, the number
// posting both is, under the same activity-proportional null as the pair test (account a is among a claim's k
// posters with probability k·m_a/N), about Poisson with mean k₁·k₂·Σm_a²/N². Seven shared posters where 0.08 are
// expected is a p-value of ~1e-12; there are only as many tests as claim pairs with a shared poster, far fewer than
// account pairs. A count lumps a light account (two posts in the window) with a heavy one (three hundred) that is
// likely in any claim, so with heavy-tailed activity the mean is set by the few heaviest accounts; a second
// statistic weighs each shared poster by how unlikely it was: T = Σ over the shared posters of -ln(p₁p₂), p = k·m/N
// capped at 1, whose upper tail under independent memberships has the Chernoff bound
// ln P(T ≥ t) ≤ min over θ in (0, 1) of Σ_a ln(1 - p_a + p_a^(1-θ)) - θ·t (accounts of equal activity summed at once).
// A claim pair passes when either p-value does, each at half the level. Only rewrites count: a poster whose post has
// a different wording from another account's post on the claim within the text interval. Identical copies (share
// buttons, retweets, a copy-paste network without edits, which the pair test handles) add nothing: heavy readers
// sharing the same headlines concentrate on those items far more than their activity predicts, which the weighted
// statistic would read as coordination. A wording that more than a quarter of the claim's accounts (and more than
// two) used verbatim is a copy, not a rewrite: one edited copy among forty identical ones must not make the forty
// rewriters, while two drip accounts that happen to pick the same synonyms stay. Crowds (more than maxItemAccounts
// posters) are not tested.
// For each claim pair that passes (Bonferroni over the claim pairs with a shared poster), the co-action edges on the
// two claims among their evidenced posters are kept as the network's edges, so the accounts of a drip join one
// component even when each pair of them shares a single claim. Pure: reads the window and the graph, keeps only a
// derived cache (same output without it).
// With a claim memory (claim-memory.ts), a claim's posters are those in the window and those remembered from before
// it (co-acting posts on text groups that left the window, kept up to a day), so a drip spread over a day is judged
// as a whole; a remembered poster no longer in the window weighs by its share of the window's posts when it left.
// The edges vouched for are still the graph's, so only accounts with evidence in the window are flagged at an advance.
import type { ClaimMemory, RememberedPost } from './claim-memory.ts';
import { sharedItems, type Edge, type SignificantEdge } from './coaction-graph.ts';
import type { DetectionWindow } from './detection-window.ts';
import { logPoissonTail } from './tail-probability.ts';

/** Settings of {@link sharedClaimEdges}. */
export interface SharedClaimsConfig {
  /** Family-wise significance of a claim pair (Bonferroni over the claim pairs with a shared poster); 0 turns the test off. */
  alpha: number;
  /** Two posts of a claim with different wordings are evidence when at most this far apart, ms. */
  textIntervalMs: number;
  /** Claims with more distinct posters in the window are crowds and are not tested. */
  maxItemAccounts: number;
  /** Fewest evidenced posters of a claim, and fewest shared posters of a claim pair. */
  minAccounts: number;
  /** Floor of the posts N the null model divides by (as the pair test's nullMinPosts). */
  minPosts: number;
  /**
   * Above 0, link items (`l:`) are tested too, a sharer being evidence when its post's wording is its own (as for
   * claims: share-button copies of a headline are not) and another account shared the link at most this far apart,
   * ms (the co-link interval); 0 or absent keeps the test to text groups. Reposts carry no wording of their own and
   * are left out.
   */
  linkIntervalMs?: number;
}

/** A claim pair that passed the test. */
export interface SharedClaimPair {
  /** The two item keys (`t:…` text groups; `l:…` links with `linkIntervalMs`), sorted. */
  items: [string, string];
  /** Evidenced posters of each claim. */
  accounts: [number, number];
  /** Posters of both claims. */
  shared: number;
  /** Expected posters of both under the null. */
  expected: number;
  /** Natural log of the p-value. */
  logP: number;
}

/** Edges of the co-action graph between two accounts (the part of CoactionGraph this test reads). */
export interface EdgeLookup {
  edge(a: string, b: string): Edge | undefined;
}

/** Cache entry: the evidenced posters of one item as of a fingerprint of its actions (derived, not state). */
interface Evidenced {
  sig: string;
  accounts: string[];
}

/**
 * The test's cache of evidenced posters per claim, keyed by item; an entry is reused while the item's actions keep
 * the same count, first and last post (actions are only inserted or expired, which changes one of them).
 */
export type SharedClaimsCache = Map<string, Evidenced>;

/**
 * The posters of a claim who rewrote it: at least one of their posts on it has a wording (exact hash) that at most
 * two accounts, or at most a quarter of the claim's accounts, used, with another account's post on it within
 * `textIntervalMs`; sorted.
 */
export function evidencedPosters(
  window: DetectionWindow,
  key: string,
  cfg: SharedClaimsConfig,
  remembered?: readonly RememberedPost[],
): string[] {
  let acts: ReadonlyArray<{ t: number; a: string; p: string }> = window.items.get(key)?.acts ?? [];
  let wording = acts.map((x) => window.posts.get(x.p)?.x ?? '');
  if (remembered && remembered.length > 0) {
    // Remembered posts left the window, so they are (almost always) the earlier ones; sorted to be safe.
    const all = [
      ...remembered.map((r) => ({ t: r.t, a: r.a, p: r.p, x: r.x })),
      ...acts.map((x, i) => ({ t: x.t, a: x.a, p: x.p, x: wording[i]! })),
    ].sort((u, v) => u.t - v.t || (u.p < v.p ? -1 : u.p > v.p ? 1 : 0));
    acts = all;
    wording = all.map((x) => x.x);
  }
  const out = new Set<string>();
  const users = new Map<string, Set<string>>(); // wording -> accounts that used it
  const accounts = new Set<string>();
  acts.forEach((x, i) => {
    accounts.add(x.a);
    const u = users.get(wording[i]!);
    if (u) u.add(x.a);
    else users.set(wording[i]!, new Set([x.a]));
  });
  const maxUsers = Math.max(2, Math.floor(accounts.size / 4));
  // A link: another account's share within the co-link interval (what the pair test counts) instead.
  const intervalMs = key[0] === 't' ? cfg.textIntervalMs : (cfg.linkIntervalMs ?? 0);
  for (let i = 0; i < acts.length; i++) {
    const me = acts[i]!;
    if (out.has(me.a) || users.get(wording[i]!)!.size > maxUsers) continue;
    let found = false;
    for (let j = i - 1; j >= 0 && !found; j--) {
      const o = acts[j]!;
      const dt = me.t - o.t;
      if (dt > intervalMs) break;
      if (o.a !== me.a) found = true;
    }
    for (let j = i + 1; j < acts.length && !found; j++) {
      const o = acts[j]!;
      const dt = o.t - me.t;
      if (dt > intervalMs) break;
      if (o.a !== me.a) found = true;
    }
    if (found) out.add(me.a);
  }
  return [...out].sort();
}

/** Exponents θ tried in the Chernoff bound (the bound holds at each; the smallest is kept). */
const THETAS = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);

/**
 * Natural log of the Chernoff bound on P(T ≥ t), T = Σ_a X_a·(-ln q_a) with independent X_a ~ Bernoulli(q_a), given
 * the q of every account as `[q, accounts with it]`; 0 when the bound is not below 1.
 */
export function logWeightedTail(t: number, qs: ReadonlyArray<[number, number]>): number {
  let best = 0;
  for (const theta of THETAS) {
    let lnMgf = 0;
    for (const [q, count] of qs) if (q > 0) lnMgf += count * Math.log1p(Math.exp((1 - theta) * Math.log(q)) - q);
    const bound = lnMgf - theta * t;
    if (bound < best) best = bound;
  }
  return best;
}

/** Sorted lists' common elements. */
function intersect(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]!);
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return out;
}

/** Claim pairs whose shared posters are significant (see the file comment), sorted by their item keys. */
export function sharedClaimPairs(
  window: DetectionWindow,
  cfg: SharedClaimsConfig,
  cache: SharedClaimsCache = new Map(),
  memory?: ClaimMemory,
): { pairs: SharedClaimPair[]; posters: Map<string, string[]> } {
  const posters = new Map<string, string[]>();
  if (!(cfg.alpha > 0)) return { pairs: [], posters };
  const links = (cfg.linkIntervalMs ?? 0) > 0;
  const keys: string[] = [];
  /** Share of the window's posts of remembered posters (the largest remembered), for those no longer in it. */
  const shareOf = new Map<string, number>();
  const consider = (key: string): void => {
    const kind = key[0];
    if (kind !== 't' && !(links && kind === 'l')) return;
    const item = window.items.get(key);
    const mem = kind === 't' ? memory?.get(key) : undefined;
    let distinct = item?.distinct ?? 0;
    // The union's distinct accounts are at most the two counts added: most claims are ruled out without a pass.
    if (mem && distinct + memory!.accounts(key) < cfg.minAccounts) return;
    if (mem) {
      const seen = new Set<string>();
      for (const r of mem) if (!item?.accounts[r.a]) seen.add(r.a);
      distinct += seen.size;
    }
    if (distinct < cfg.minAccounts || distinct > cfg.maxItemAccounts) return;
    const acts = item?.acts ?? [];
    // The co-link interval may be re-estimated between calls, so it is part of the fingerprint.
    const sig =
      `${acts.length}:${acts[0]?.p}:${acts[acts.length - 1]?.p}:${links ? cfg.linkIntervalMs : 0}` +
      (mem ? `:${mem.length}:${mem[0]!.p}:${mem[mem.length - 1]!.p}` : '');
    let hit = cache.get(key);
    if (!hit || hit.sig !== sig) {
      hit = { sig, accounts: evidencedPosters(window, key, cfg, mem) };
      cache.set(key, hit);
    }
    if (hit.accounts.length >= cfg.minAccounts) {
      keys.push(key);
      posters.set(key, hit.accounts);
      if (mem) for (const r of mem) if (r.s > (shareOf.get(r.a) ?? 0)) shareOf.set(r.a, r.s);
    }
  };
  // Only items of two or more accounts can be tested; the window keeps them apart (order does not matter: sorted
  // below). A claim with one account in the window may still reach the minimum with remembered ones: the memory's
  // keys are read too.
  const shared = cfg.minAccounts >= 2 ? window.sharedTextsAndLinks() : window.items;
  for (const key of shared.keys()) consider(key);
  if (memory) for (const key of memory.keys()) if (!shared.has(key)) consider(key);
  for (const key of cache.keys()) if (!window.items.has(key) && !memory?.get(key)) cache.delete(key);
  keys.sort();
  // Claims of each account, then the shared posters of every claim pair with one.
  const claimsOf = new Map<string, number[]>();
  keys.forEach((key, i) => {
    for (const a of posters.get(key)!) {
      const list = claimsOf.get(a);
      if (list) list.push(i);
      else claimsOf.set(a, [i]);
    }
  });
  const overlap = new Map<number, number>();
  const G = keys.length;
  for (const list of claimsOf.values())
    for (let x = 0; x < list.length; x++)
      for (let y = x + 1; y < list.length; y++) {
        const k = list[x]! * G + list[y]!;
        overlap.set(k, (overlap.get(k) ?? 0) + 1);
      }
  // Σ m² and the accounts per m, kept by the window (a pass over every account here cost more than the test).
  const { sumSquares: sumM2, byPosts: activity } = window.activity();
  const n = Math.max(1, cfg.minPosts, window.size());
  // Two statistics per claim pair, each at half the level.
  const threshold = Math.log(cfg.alpha / 2 / Math.max(1, overlap.size));
  const pairs: SharedClaimPair[] = [];
  for (const [k, shared] of overlap) {
    if (shared < cfg.minAccounts) continue;
    const i = Math.floor(k / G);
    const j = k % G;
    const k1 = posters.get(keys[i]!)!.length;
    const k2 = posters.get(keys[j]!)!.length;
    const expected = (k1 * k2 * sumM2) / (n * n);
    let logP = logPoissonTail(shared, expected);
    if (logP > threshold) {
      const q = (m: number): number => Math.min(1, (k1 * m) / n) * Math.min(1, (k2 * m) / n);
      let t = 0;
      for (const a of intersect(posters.get(keys[i]!)!, posters.get(keys[j]!)!))
        t -= Math.log(q(window.accounts.get(a)?.n ?? Math.max(1, (shareOf.get(a) ?? 0) * n)));
      logP = Math.min(
        logP,
        logWeightedTail(
          t,
          activity.map(([m, c]): [number, number] => [q(m), c]),
        ),
      );
    }
    if (logP <= threshold) pairs.push({ items: [keys[i]!, keys[j]!], accounts: [k1, k2], shared, expected, logP });
  }
  pairs.sort((x, y) => (x.items[0] < y.items[0] ? -1 : x.items[0] > y.items[0] ? 1 : x.items[1] < y.items[1] ? -1 : 1));
  return { pairs, posters };
}

/**
 * The co-action edges the significant claim pairs vouch for: every graph edge between two evidenced posters of one
 * of the claims that holds evidence on that claim, with its shared items, the pair test's expectation
 * (`expectedOf`) and, as its p-value, the claim pair's (the test that kept it). Sorted by account pair; an edge
 * vouched for by several claim pairs keeps the smallest p-value.
 */
export function sharedClaimEdges(
  window: DetectionWindow,
  graph: EdgeLookup,
  cfg: SharedClaimsConfig,
  expectedOf: (a: string, b: string) => number,
  cache?: SharedClaimsCache,
  memory?: ClaimMemory,
): SignificantEdge[] {
  const { pairs, posters } = sharedClaimPairs(window, cfg, cache, memory);
  const logPOf = new Map<string, number>(); // claim -> best p-value of a pair it is in
  for (const p of pairs) for (const key of p.items) logPOf.set(key, Math.min(logPOf.get(key) ?? 0, p.logP));
  const out = new Map<string, SignificantEdge>();
  for (const [key, logP] of [...logPOf].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const accounts = posters.get(key)!;
    for (let x = 0; x < accounts.length; x++)
      for (let y = x + 1; y < accounts.length; y++) {
        const edge = graph.edge(accounts[x]!, accounts[y]!);
        if (!edge || !edge.ev.some((e) => e.item === key)) continue;
        const id = `${edge.a}\u0001${edge.b}`;
        const prev = out.get(id);
        if (prev) {
          if (logP < prev.logP) prev.logP = logP;
          continue;
        }
        out.set(id, { edge, shared: sharedItems(edge), expected: expectedOf(edge.a, edge.b), logP });
      }
  }
  return [...out.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([, e]) => e);
}
