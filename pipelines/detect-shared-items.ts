// Joint evidence across link and repost items for the coordination detector: two items (links, reposted posts) that
// the same account pairs co-shared, each time within the co-link interval. A ring of 5-15 accounts sharing a few
// links within a minute, or a one-minute retweet storm of ~11 accounts, leaves account pairs that co-share only one or
// two items: the pair test (coaction-graph.ts) cannot tell two such accounts from two heavy sharers. Taken per pair of
// items instead, the evidence adds up, and it is judged on *timing*, which is what separates a ring from an interest
// community (organic accounts that follow the same links at their own times over hours): on each item the ring's
// accounts co-share again and again, the community's accounts co-share only by coincidence, and with different
// partners on each link.
// Statistic: for items i and j, the account pairs that co-shared both (a pair co-shares an item when the two
// accounts shared it at most the co-link interval apart), and their greatest matching M (vertex-disjoint pairs,
// taken greedily: any matching found is a lower bound of the largest). Null: account a shares item i with
// probability q_ai = min(1, k_i·m_a/N) (k_i the item's distinct sharers, m_a the account's posts in the window, N the
// posts; the activity-proportional null of the pair test), and two sharers of i co-share it with probability w_i, the
// share of i's sharer pairs that did (the item's own time spread: about 1 for a link shared once in a burst, a few
// thousandths for a link followed over hours). A pair co-shares both items with probability
// p_ab = w_i·w_j·q_ai·q_aj·q_bi·q_bj; disjoint pairs are independent, so P(M ≥ m) ≤ μ^m / m! with μ = Σ_{a<b} p_ab
// (union bound over sets of m disjoint pairs), summed over the window's accounts grouped by activity. An item pair
// passes when that bound is below alpha / (item pairs with a common co-share pair) and the common pairs span at least
// `minAccounts` accounts. Its common pairs' co-action edges then join the network. Crowds (more than maxItemAccounts
// sharers) are not tested, and an account pair co-sharing more than `maxItemsPerPair` items is left to the pair test
// (which judges it on its own; it would add that count squared of item pairs).
// Pure: reads the window and the graph, keeps only a derived cache (same output without it), so nothing here enters
// the detector's exported state.
import { sharedItems, type SignificantEdge } from './coaction-graph.ts';
import type { DetectionWindow, Item } from './detection-window.ts';
import type { EdgeLookup } from './detect-shared-claims.ts';
import { logFactorial } from './tail-probability.ts';

/** Settings of {@link sharedItemEdges}. */
export interface SharedItemsConfig {
  /** Family-wise significance of an item pair (Bonferroni over the item pairs with a common co-share pair); 0 turns the test off. */
  alpha: number;
  /** The co-link interval: two shares of an item at most this far apart co-share it, ms. */
  intervalMs: number;
  /** Items with more distinct sharers in the window are crowds and are not tested. */
  maxItemAccounts: number;
  /** Fewest accounts the common co-share pairs of an item pair must span. */
  minAccounts: number;
  /** Floor of the posts N the null model divides by (as the pair test's nullMinPosts). */
  minPosts: number;
  /** Most co-sharing partners counted per share (as the detector's partnerLimit). */
  partnerLimit: number;
  /** Account pairs co-sharing more items than this are left to the pair test. */
  maxItemsPerPair: number;
}

/** An item pair that passed the test. */
export interface SharedItemPair {
  /** The two item keys (`l:…` links, `r:…` reposts), sorted. */
  items: [string, string];
  /** Account pairs (`a\u0001b`, a < b) that co-shared both, sorted. */
  pairs: string[];
  /** Accounts in those pairs. */
  accounts: number;
  /** Size of the matching found among them (M). */
  matching: number;
  /** μ: expected pairs co-sharing both under the null. */
  expected: number;
  /** Natural log of the p-value bound. */
  logP: number;
}

/** The co-sharing pairs of one item as of a fingerprint of its actions (derived, not state). */
interface CoShares {
  len: number;
  first: string;
  last: string;
  intervalMs: number;
  pairs: string[];
}

/** An account pair with its two accounts and the items it co-shared. */
interface PairItems {
  id: string;
  a: string;
  b: string;
  items: Set<string>;
}

/** The account pairs that co-shared both items of an item pair, with what the test reads of them (derived). */
interface Common {
  i: string;
  j: string;
  pairs: Map<string, PairItems>;
  /** The pairs in sorted order, their matching and accounts; null when `pairs` changed since they were taken. */
  sorted: PairItems[] | null;
  matching: number;
  accounts: number;
}

const MINUTE = 60_000;

/**
 * The test's derived index (not state: rebuilt from the window when empty, same output): the co-sharing pairs of
 * every eligible item, reused while the item's actions keep the same count, first and last post and the interval is
 * unchanged (actions are only inserted or expired, which changes one of them), the items of every account pair, and
 * the common pairs of every item pair, all kept up to date as items change.
 * With `tracked` (the detector's cache), the owner reports every link or repost item it adds an action to
 * ({@link touch}) and the cutoff of every expiry ({@link expireBefore}), so a pass reads only those items and the ones
 * whose earliest action was older than the cutoff (expiry drops only such actions) instead of every item of the
 * window, and only re-takes the item pairs whose common pairs changed. Without it, every pass reads every item.
 */
export class SharedItemsCache {
  readonly items = new Map<string, CoShares>();
  /** Account pair -> its two accounts and the items it co-shared. */
  readonly itemsOf = new Map<string, PairItems>();
  /** Account pairs that co-shared two or more items. */
  readonly multi = new Set<string>();
  /** Item pair (`i\u0002j`, sorted keys) -> the account pairs with at most `maxItemsPerPair` items that co-shared both. */
  private readonly common = new Map<string, Common>();
  /** Item pairs whose common pairs span at least `minAccounts` accounts (as of their last take). */
  private readonly wide = new Set<Common>();
  /** Item pairs whose common pairs changed since they were last taken. */
  private readonly stale = new Set<Common>();
  /** The settings the item-pair index was built with (a change rebuilds it). */
  private maxItemsPerPair = -1;
  private minAccounts = -1;
  /** Link and repost items touched since the last pass (tracked caches only). */
  private readonly touched = new Set<string>();
  /** Item -> minute of its earliest action at its last read, and the items per such minute (tracked caches only). */
  private readonly minuteOf = new Map<string, number>();
  private readonly byMinute = new Map<number, Set<string>>();
  /** Latest expiry cutoff reported (tracked caches only). */
  private cutoffMs = -Infinity;
  /** The ids last sorted by {@link sortedIds}. */
  private lastIds: { set: Set<string>; sorted: string[] } = { set: new Set(), sorted: [] };
  /** Whether the next pass must read every item of the window (first pass, or an untracked cache). */
  private full = true;

  /** @param tracked whether the owner reports touched items and expiry cutoffs (see the class comment). */
  constructor(readonly tracked = false) {}

  /** A link or repost item gained an action (tracked caches). */
  touch(key: string): void {
    if (this.tracked) this.touched.add(key);
  }

  /** The window dropped posts older than `cutoffMs` (tracked caches). */
  expireBefore(cutoffMs: number): void {
    if (cutoffMs > this.cutoffMs) this.cutoffMs = cutoffMs;
  }

  /** Sets (or with null drops) the co-sharing pairs of `key`, updating the pair and item-pair indexes. */
  set(key: string, next: CoShares | null): void {
    const old = this.items.get(key);
    const keep = new Set(next?.pairs ?? []);
    for (const p of old?.pairs ?? []) {
      if (keep.has(p)) continue;
      const e = this.itemsOf.get(p)!;
      const s = e.items;
      this.unindex(e);
      s.delete(key);
      this.index(e);
      if (s.size < 2) this.multi.delete(p);
      if (s.size === 0) this.itemsOf.delete(p);
    }
    const had = new Set(old?.pairs ?? []);
    for (const p of next?.pairs ?? []) {
      if (had.has(p)) continue;
      let e = this.itemsOf.get(p);
      if (!e) {
        const [a, b] = p.split('\u0001') as [string, string];
        this.itemsOf.set(p, (e = { id: p, a, b, items: new Set() }));
      }
      const s = e.items;
      this.unindex(e);
      s.add(key);
      this.index(e);
      if (s.size >= 2) this.multi.add(p);
    }
    if (next) this.items.set(key, next);
    else this.items.delete(key);
  }

  /** Whether an account pair counts towards the item pairs of its items (two or more, at most `maxItemsPerPair`). */
  private counts(e: PairItems): boolean {
    return e.items.size >= 2 && e.items.size <= this.maxItemsPerPair;
  }

  /** Adds an account pair to the common pairs of every pair of its items. */
  private index(e: PairItems): void {
    if (!this.counts(e)) return;
    const items = [...e.items].sort();
    for (let x = 0; x < items.length; x++)
      for (let y = x + 1; y < items.length; y++) {
        const k = `${items[x]!}\u0002${items[y]!}`;
        let c = this.common.get(k);
        if (!c)
          this.common.set(
            k,
            (c = { i: items[x]!, j: items[y]!, pairs: new Map(), sorted: null, matching: 0, accounts: 0 }),
          );
        c.pairs.set(e.id, e);
        c.sorted = null;
        this.stale.add(c);
      }
  }

  /** Removes an account pair from the common pairs of every pair of its items. */
  private unindex(e: PairItems): void {
    if (!this.counts(e)) return;
    const items = [...e.items].sort();
    for (let x = 0; x < items.length; x++)
      for (let y = x + 1; y < items.length; y++) {
        const k = `${items[x]!}\u0002${items[y]!}`;
        const c = this.common.get(k)!;
        c.pairs.delete(e.id);
        c.sorted = null;
        if (c.pairs.size === 0) {
          this.common.delete(k);
          this.wide.delete(c);
          this.stale.delete(c);
        } else this.stale.add(c);
      }
  }

  /** Brings the item-pair index to `cfg`'s settings (rebuilt when they changed). */
  private settle(cfg: SharedItemsConfig): void {
    if (cfg.maxItemsPerPair !== this.maxItemsPerPair) {
      this.common.clear();
      this.wide.clear();
      this.stale.clear();
      this.maxItemsPerPair = cfg.maxItemsPerPair;
      for (const p of this.multi) this.index(this.itemsOf.get(p)!);
    }
    if (cfg.minAccounts !== this.minAccounts) {
      this.minAccounts = cfg.minAccounts;
      for (const c of this.common.values()) this.stale.add(c);
    }
    for (const c of this.stale) {
      if (!c.sorted) {
        c.sorted = [...c.pairs.values()].sort((x, y) => (x.id < y.id ? -1 : 1));
        const m = matchingOf(c.sorted);
        c.matching = m.matching;
        c.accounts = m.accounts;
      }
      // x accounts need at least x / 2 pairs.
      if (2 * c.sorted.length >= this.minAccounts && c.accounts >= this.minAccounts) this.wide.add(c);
      else this.wide.delete(c);
    }
    this.stale.clear();
  }

  /** The item pairs with a common co-share pair (Bonferroni's count), and those spanning enough accounts. */
  itemPairs(cfg: SharedItemsConfig): { count: number; wide: ReadonlySet<Common> } {
    this.settle(cfg);
    return { count: this.common.size, wide: this.wide };
  }

  /** Records the minute of an item's earliest action (tracked caches), or forgets the item (null). */
  private track(key: string, firstT: number | null): void {
    const old = this.minuteOf.get(key);
    const next = firstT === null ? undefined : Math.floor(firstT / MINUTE);
    if (old === next) return;
    if (old !== undefined) {
      const s = this.byMinute.get(old)!;
      s.delete(key);
      if (s.size === 0) this.byMinute.delete(old);
    }
    if (next === undefined) this.minuteOf.delete(key);
    else {
      this.minuteOf.set(key, next);
      let s = this.byMinute.get(next);
      if (!s) this.byMinute.set(next, (s = new Set()));
      s.add(key);
    }
  }

  /**
   * The link and repost items whose actions may have changed since the last pass, or null for every item of the
   * window; forgets the touched items.
   */
  takeChanged(): Set<string> | null {
    if (!this.tracked || this.full) {
      this.full = false;
      this.touched.clear();
      return null;
    }
    const out = new Set(this.touched);
    this.touched.clear();
    for (const [minute, keys] of this.byMinute) if (minute * MINUTE < this.cutoffMs) for (const k of keys) out.add(k);
    return out;
  }

  /** Reads one link or repost item of the window (undefined: gone) into the index. */
  read(key: string, item: Item | undefined, cfg: SharedItemsConfig, window: DetectionWindow): void {
    const hit = this.items.get(key);
    if (this.tracked) this.track(key, item ? item.acts[0]!.t : null);
    if (!item || item.distinct < 2 || item.distinct > cfg.maxItemAccounts) {
      if (hit) this.set(key, null);
      return;
    }
    const acts = item.acts;
    const first = acts[0]!.p;
    const last = acts[acts.length - 1]!.p;
    if (hit && hit.len === acts.length && hit.first === first && hit.last === last && hit.intervalMs === cfg.intervalMs)
      return;
    const pairs = coSharingPairs(window, key, cfg.intervalMs, cfg.partnerLimit);
    this.set(key, { len: acts.length, first, last, intervalMs: cfg.intervalMs, pairs });
  }

  /** Drops every item that left the window (full passes). */
  dropGone(window: DetectionWindow): void {
    for (const key of [...this.items.keys()]) if (!window.items.has(key)) this.set(key, null);
    if (this.tracked) for (const key of [...this.minuteOf.keys()]) if (!window.items.has(key)) this.track(key, null);
  }

  /** Whether the index was last read at co-link interval `intervalMs` (a change re-reads every item). */
  sameInterval(intervalMs: number): boolean {
    for (const c of this.items.values()) return c.intervalMs === intervalMs;
    return true;
  }

  /** The keys sorted, reusing the last call's order when they are the same set (the vouched edges seldom change). */
  sortedIds(ids: ReadonlyMap<string, unknown>): string[] {
    const last = this.lastIds;
    let same = last.set.size === ids.size;
    if (same)
      for (const id of ids.keys())
        if (!last.set.has(id)) {
          same = false;
          break;
        }
    if (same) return last.sorted;
    const sorted = [...ids.keys()].sort();
    this.lastIds = { set: new Set(sorted), sorted };
    return sorted;
  }

  /** Makes the next pass read every item of the window. */
  invalidate(): void {
    this.full = true;
  }
}

/** Account pairs (`a\u0001b`, a < b) that shared `key` at most `intervalMs` apart, sorted. */
export function coSharingPairs(
  window: DetectionWindow,
  key: string,
  intervalMs: number,
  partnerLimit: number,
): string[] {
  const acts = window.items.get(key)?.acts ?? [];
  const out = new Set<string>();
  for (let i = 0; i < acts.length; i++) {
    const me = acts[i]!;
    let partners = 0;
    for (let j = i + 1; j < acts.length && partners < partnerLimit; j++) {
      const o = acts[j]!;
      if (o.t - me.t > intervalMs) break;
      if (o.a === me.a) continue;
      partners++;
      out.add(me.a < o.a ? `${me.a}\u0001${o.a}` : `${o.a}\u0001${me.a}`);
    }
  }
  return [...out].sort();
}

/** Size of a matching of the pairs taken greedily in their (sorted) order, and the accounts they span. */
function matchingOf(pairs: ReadonlyArray<{ a: string; b: string }>): { matching: number; accounts: number } {
  const used = new Set<string>();
  const all = new Set<string>();
  let matching = 0;
  for (const { a, b } of pairs) {
    all.add(a);
    all.add(b);
    if (used.has(a) || used.has(b)) continue;
    used.add(a);
    used.add(b);
    matching++;
  }
  return { matching, accounts: all.size };
}

/** Item pairs whose common co-share pairs are significant (see the file comment), sorted by their item keys. */
export function sharedItemPairs(
  window: DetectionWindow,
  cfg: SharedItemsConfig,
  cache: SharedItemsCache = new SharedItemsCache(),
): SharedItemPair[] {
  return passingItemPairs(window, cfg, cache).map(({ pair: { items, ...rest }, common }) => ({
    items,
    pairs: common.sorted!.map((e) => e.id),
    ...rest,
  }));
}

/** {@link sharedItemPairs} with each item pair's common pairs as the index holds them (sorted by id). */
function passingItemPairs(
  window: DetectionWindow,
  cfg: SharedItemsConfig,
  cache: SharedItemsCache,
): Array<{ pair: Omit<SharedItemPair, 'pairs'>; common: Common }> {
  if (!(cfg.alpha > 0)) return [];
  // An interval change re-reads every item (their co-sharing pairs depend on it).
  if (!cache.sameInterval(cfg.intervalMs)) cache.invalidate();
  const changed = cache.takeChanged();
  if (changed === null) {
    for (const [key, item] of window.items) {
      const kind = key[0];
      if (kind === 'l' || kind === 'r') cache.read(key, item, cfg, window);
    }
    cache.dropGone(window);
  } else for (const key of changed) cache.read(key, window.items.get(key), cfg, window);
  // The common pairs of every item pair with a common co-share pair, kept by the index in sorted order, so each item
  // pair's list is sorted whatever the history of the index.
  const { count, wide } = cache.itemPairs(cfg);
  if (count === 0) return [];
  // Accounts grouped by posts in the window, by posts (the window keeps the histogram).
  const activity = window.activity().byPosts;
  const n = Math.max(1, cfg.minPosts, window.size());
  const threshold = Math.log(cfg.alpha / count);
  const out: Array<{ pair: Omit<SharedItemPair, 'pairs'>; common: Common }> = [];
  for (const c of wide) {
    const { i: ii, j: jj, matching, accounts } = c;
    const w = (key: string): number => {
      const kk = window.items.get(key)!.distinct;
      return Math.min(1, cache.items.get(key)!.pairs.length / ((kk * (kk - 1)) / 2));
    };
    const ki = window.items.get(ii)!.distinct;
    const kj = window.items.get(jj)!.distinct;
    // Σ_{a<b} r_a·r_b = ((Σ r)² - Σ r²) / 2 with r_a = q_ai·q_aj, over the accounts grouped by activity.
    let s1 = 0;
    let s2 = 0;
    for (const [m, cnt] of activity) {
      const r = Math.min(1, (ki * m) / n) * Math.min(1, (kj * m) / n);
      s1 += cnt * r;
      s2 += cnt * r * r;
    }
    const expected = w(ii) * w(jj) * Math.max(0, (s1 * s1 - s2) / 2);
    // P(M ≥ m) ≤ μ^m / m!, and at most 1.
    const logP = expected > 0 ? Math.min(0, matching * Math.log(expected) - logFactorial(matching)) : -Infinity;
    if (logP <= threshold)
      out.push({ pair: { items: [ii, jj], accounts, matching, expected, logP: Math.max(logP, -1e6) }, common: c });
  }
  out.sort(({ pair: x }, { pair: y }) =>
    x.items[0] < y.items[0] ? -1 : x.items[0] > y.items[0] ? 1 : x.items[1] < y.items[1] ? -1 : 1,
  );
  return out;
}

/**
 * The co-action edges the significant item pairs vouch for: the graph edge of every account pair that co-shared both
 * items of a pair, with its shared items, the pair test's expectation (`expectedOf`) and, as its p-value, the item
 * pair's. Sorted by account pair; an edge vouched for by several item pairs keeps the smallest p-value.
 */
export function sharedItemEdges(
  window: DetectionWindow,
  graph: EdgeLookup,
  cfg: SharedItemsConfig,
  expectedOf: (a: string, b: string) => number,
  cache: SharedItemsCache = new SharedItemsCache(),
): SignificantEdge[] {
  const out = new Map<string, SignificantEdge>();
  for (const { pair, common } of passingItemPairs(window, cfg, cache))
    for (const { id, a, b } of common.sorted!) {
      const prev = out.get(id);
      if (prev) {
        if (pair.logP < prev.logP) prev.logP = pair.logP;
        continue;
      }
      const edge = graph.edge(a, b);
      if (!edge) continue; // the detector's partner limit left the pair out of the graph
      out.set(id, { edge, shared: sharedItems(edge), expected: expectedOf(a, b), logP: pair.logP });
    }
  return cache.sortedIds(out).map((id) => out.get(id)!);
}
