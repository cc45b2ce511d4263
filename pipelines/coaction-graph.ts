// The account co-action graph: an edge joins two accounts that acted on the same item (near-identical text, the
// same link, the same reposted post) close in time, and keeps every piece of evidence (item, kind, both post ids,
// both times). One shared item is what a crowd produces; what separates a network from a crowd is the same pair
// co-acting on several distinct items. Each edge is tested against a null model conditioned on each item and each
// account (a bipartite configuration model): item i has k_i distinct accounts, account x has m_x of the window's N
// posts, and each of an item's k_i sharers is drawn in proportion to activity, so P(a and b both among the sharers of
// i) = k_i(k_i - 1)·(m_a/N)·(m_b/N). Summed over the items they could co-share, the expected co-shared items of a and
// b are E = m_a·m_b·S_ab / N², S_ab = Σ_i k_i(k_i - 1) over the items that can be evidence (crowd items, shared by
// more than maxItemAccounts, add no evidence and so no expectation either), each item the pair co-shared counted
// without the pair (k_i - 2 other sharers), and N floored at `minPosts` (a window is a sample of a larger platform: a
// ring that is the whole input is not its own baseline). So a viral story elsewhere adds only the small chance that
// these two accounts both shared it, and a network's own co-sharing (even one that dominates the window) does not
// raise its own bar. The count of distinct co-shared items is a sum of independent Bernoulli trials (a
// Poisson-binomial), whose upper tail the Poisson tail with the same mean bounds from above: the test is analytic,
// deterministic and conservative.
// Time (nullModel 'time', opt-in): evidence is a co-share *within the item's interval*, so the null asks for the
// same: P(a and b both among the sharers of i and within its interval) = k_i(k_i - 1)·q_i·(m_a/N)·(m_b/N), q_i the
// chance that two of i's sharers co-acted within the interval, taken from the item's own spread: q_i = W_i / C(k_i, 2),
// W_i the account pairs with co-action evidence on i (kept here per item). So k_i(k_i - 1)·q_i = 2·W_i and
// S_ab = Σ_i 2·W_i, with every co-acting pair of a or b left out of the items they co-shared. A same-minute co-share of
// a link that others spread over hours is strong evidence; heavy readers sharing headlines at their own pace co-act
// only as often as that spread predicts. Since W_i <= C(k_i, 2), E never exceeds the untimed model's ('item', where
// time entered only as the evidence requirement). An item shared by a burst (every sharer in one minute) has q_i = 1:
// its time says nothing, so a storm of retweets is judged by repetition alone.
// Multiple testing: an edge is kept when its p-value is below `alpha` / the edges held (Bonferroni, the default), or
// passes the Benjamini-Hochberg step-up at level `alpha` over them when asked.
// Clusters are the connected components of the kept edges. Plain data; `toJSON` / `from` round-trip it.
import { logFactorial, logPoissonTail } from './tail-probability.ts';
import { TimeHeap } from './time-heap.ts';

/** How two posts co-acted. */
export type EvidenceKind = 'text' | 'link' | 'xlang' | 'repost';

/** One co-action: posts `pa` (by the edge's first account) and `pb` (by the second) on `item`. */
export interface Evidence {
  item: string;
  kinds: EvidenceKind[];
  pa: string;
  pb: string;
  ta: number;
  tb: number;
}

/** An edge between accounts `a` < `b`. */
export interface Edge {
  a: string;
  b: string;
  ev: Evidence[];
}

/** An edge that passed the significance test. */
export interface SignificantEdge {
  edge: Edge;
  /** Distinct items co-acted on (bounded by the distinct posts on each side). */
  shared: number;
  /** Expected co-acting pairs under the null. */
  expected: number;
  /** Natural log of the edge p-value. */
  logP: number;
}

/** Null-model counts of the window (the co-acting pairs come from the graph's own evidence). */
export interface NullCounts {
  /** Posts in the window (N). */
  posts: number;
  /** Posts in the window per account (m). */
  postsOf: (account: string) => number;
  /**
   * Co-acting post pairs in the window counted on every item, crowds included; when larger than the graph's own
   * evidence it sets C (the pair's own co-actions still left out). Default: the graph's evidence.
   */
  pairs?: number;
  /** Floor of the posts the null model divides by (see the file comment). Default 1. */
  minPosts?: number;
  /**
   * S = Σ k_i(k_i - 1) over the window's items that can be evidence (k_i distinct accounts, crowds left out): the
   * per-item null model (see the file comment). When absent the older window-wide rate from `pairs` is used.
   */
  itemPairs?: number;
  /** k_i: distinct accounts on `item` in the window (to leave the pair out of the items it co-shared). */
  sharersOf?: (item: string) => number;
  /**
   * S_t = Σ 2·W_i over the window's items that can be evidence, W_i = {@link CoactionGraph.pairsOn}: the per-item
   * null model conditioned also on when each item was shared (see the file comment). Takes precedence over
   * `itemPairs`.
   */
  timePairs?: number;
  /** Items with more sharers are crowds, left out of S_t (so not left out again for the pair). Default none. */
  crowdSharers?: number;
  /**
   * An upper bound of `sharersOf` over every item of the evidence held, given only when `postsOf` returns at least 1
   * for every account. With `itemPairs` it lets the test skip groups of edges that cannot pass without reading them
   * (a lower bound of each one's expectation already gives a tail above the threshold); the result is the same.
   */
  maxSharers?: number;
  /** Multiple-testing control over the edges held: Benjamini-Hochberg (false-discovery rate) or Bonferroni. Default 'bonferroni'. */
  correction?: 'bh' | 'bonferroni';
  /**
   * The accounts whose `postsOf` fell since the previous call (or a superset), given only when every call of this
   * graph gives it. With `maxSharers` it lets the test set aside edges that its bound rejected until the bound rises
   * past them or one of their accounts' posts falls (the only way `postsOf` decreases); the result is the same.
   * Default absent: every strong edge is read at every call.
   */
  postsFell?: Iterable<string>;
}

/**
 * Expected co-shared items of accounts with `ma` and `mb` of the window's `posts` posts under the per-item null model:
 * ma·mb·itemPairs / posts², where `itemPairs` = Σ k_i(k_i - 1) over the items they could co-share (file comment).
 */
export function expectedPerItem(ma: number, mb: number, counts: { posts: number; itemPairs: number }): number {
  if (counts.posts <= 0) return 0;
  return (ma * mb * Math.max(counts.itemPairs, 2)) / (counts.posts * counts.posts);
}

/**
 * The kinds list of a new evidence record, one shared list per kind: most records keep one kind for life, so sharing
 * saves an array per record (~13 records per post of a dense stream); a record that gains a kind gets its own copy.
 */
const ONE_KIND: Record<EvidenceKind, EvidenceKind[]> = {
  // Frozen (typed mutable to fit Evidence): a push onto a shared list would change every record, so it throws instead.
  text: Object.freeze(['text']) as EvidenceKind[],
  link: Object.freeze(['link']) as EvidenceKind[],
  xlang: Object.freeze(['xlang']) as EvidenceKind[],
  repost: Object.freeze(['repost']) as EvidenceKind[],
};

/**
 * An edge holding one evidence record, stored flat: one object where a plain edge takes three (the edge, a one-record
 * list, the record); most edges of a dense window are pairs that met once. It reads as an {@link Edge} (`ev` builds
 * the list on each read) and serialises as one, so snapshots are unchanged; the graph replaces it by a plain edge
 * when a second record joins.
 */
class SingleEdge implements Edge {
  constructor(
    readonly a: string,
    readonly b: string,
    readonly item: string,
    public kinds: EvidenceKind[],
    readonly pa: string,
    readonly pb: string,
    readonly ta: number,
    readonly tb: number,
  ) {}

  /** A SingleEdge of accounts `a`, `b` holding record `e`. */
  static of(a: string, b: string, e: Evidence): SingleEdge {
    return new SingleEdge(a, b, e.item, e.kinds, e.pa, e.pb, e.ta, e.tb);
  }

  /** The one record, as a fresh list (changing it changes nothing here). */
  get ev(): Evidence[] {
    return [{ item: this.item, kinds: this.kinds, pa: this.pa, pb: this.pb, ta: this.ta, tb: this.tb }];
  }

  /** The plain edge's JSON: same keys in the same order. */
  toJSON(): Edge {
    return { a: this.a, b: this.b, ev: this.ev };
  }
}

/** Serialised form of a {@link CoactionGraph}. */
export interface CoactionGraphState {
  edges: Edge[];
  /** [later post time, edge key] per evidence added, in arrival order (drives expiry). */
  queue?: [number, string][];
}

/** Distinct items of an edge, bounded by how many distinct posts each side contributed. */
export function sharedItems(edge: Edge): number {
  const items = new Set<string>();
  const pa = new Set<string>();
  const pb = new Set<string>();
  for (const e of edge.ev) {
    items.add(e.item);
    pa.add(e.pa);
    pb.add(e.pb);
  }
  return Math.min(items.size, pa.size, pb.size);
}

/**
 * Expected co-acting pairs of accounts with `ma` and `mb` posts when the other accounts' `pairs` co-acting post pairs
 * among their `posts` posts set the rate (see the file comment). At least one pair is assumed, so a window without any
 * other co-action does not make every shared item infinitely surprising.
 */
export function expectedCoactions(ma: number, mb: number, counts: { posts: number; pairs: number }): number {
  if (counts.posts <= 0) return 0;
  return (2 * ma * mb * Math.max(counts.pairs, 1)) / (counts.posts * counts.posts);
}

/**
 * Pair keys are `a·PAIR_BASE + b` for account numbers a, b < PAIR_BASE: exact in a double (below 2^53), and far more
 * accounts than a window holds.
 */
const PAIR_BASE = 2 ** 26;

/** Products m_a·m_b below this have a sleeping bucket each; above, one bucket per power of two. */
const SLEEP_EXACT = 256;

/** The bucket of a sleeping edge with activity product `v` (>= 1). */
function sleepBucket(v: number): number {
  return v < SLEEP_EXACT ? v : SLEEP_EXACT + Math.floor(Math.log2(v));
}

/** The smallest product in bucket `b`: an edge of the bucket may be under a bound above it. */
function sleepFloor(b: number): number {
  return b < SLEEP_EXACT ? b : 2 ** (b - SLEEP_EXACT);
}

/** The co-action graph. Expiry and significance testing touch only the edges that need it: evidence is expired from
 * a queue in arrival order, and only edges with at least `minShared` evidence records (candidates) are tested. */
export class CoactionGraph {
  /**
   * Edges by pair key ({@link pairKey}: the two accounts' numbers, one double): a number key costs one map slot
   * where the `a\u0001b` string it replaces cost two concatenated strings and a flat copy per edge (a dense window
   * holds over a million edges, most with one record), and hashes faster.
   */
  private edges = new Map<number, Edge>();
  /** Account number per account id, while some expiry-queue entry names the account (derived, not serialised). */
  private ids = new Map<string, number>();
  /** Account id per number; a freed number is reused (derived, not serialised). */
  private names: Array<string | undefined> = [];
  /** Expiry-queue entries naming each account number: the number is freed at 0 (derived, not serialised). */
  private refs: number[] = [];
  /** Freed account numbers. */
  private free: number[] = [];
  /** Keys of edges holding at least `minShared` evidence records: the only ones that can pass the test. */
  private candidates = new Set<number>();
  /** Min-heap of (later post time, pair key), one entry per evidence added. */
  private queue = new TimeHeap<number>();
  /** sharedItems() per edge key, dropped whenever the edge's evidence changes (derived, not serialised). */
  private shared = new Map<number, number>();
  /**
   * Candidates with at least `minShared` shared items as of their cached count: the only edges the test visits
   * (derived, not serialised). Most candidates in a dense stream are pairs that met twice on one item.
   */
  private strong = new Set<number>();
  /** Candidates whose evidence changed since their shared-item count was cached (derived, not serialised). */
  private stale = new Set<number>();
  /**
   * The `strong` edges grouped by their shared items and distinct items (group code shared * 4096 + items, capped),
   * with each strong edge's code: edges alike in both have one lower bound of their expectation (derived). A group
   * holds the edges themselves, so the test reads them without a look-up in `edges` (an edge keeps its object for as
   * long as it is held).
   */
  private groups = new Map<number, Map<number, Edge>>();
  private groupOf = new Map<number, number>();
  /**
   * Strong edges the pair test set aside (derived, not serialised; `NullCounts.postsFell`). An edge read when its
   * accounts' activity product m_a·m_b was v, at or above its group's bound (the product from which the group's lower
   * bound of the expectation already fails the test), cannot pass while the bound stays at or below v: m only rises
   * unless the account's posts fall, which moves the edge to the bucket of its new product. Per group code, buckets
   * by v (one per value below {@link SLEEP_EXACT}, one per power of two above), so a call wakes only the buckets under
   * each group's bound: past a full dense window most strong edges join busy accounts and stay asleep. Each edge stays
   * in its group (`groupOf`) while asleep; it is out of the group's map until it wakes.
   */
  private asleep = new Map<number, Array<Map<number, Edge> | undefined>>();
  /** Bucket of each sleeping edge (its group is in `groupOf`). */
  private sleepOf = new Map<number, number>();
  /** Sleeping edges per account, woken when the account's posts fall. */
  private sleepBy = new Map<string, Set<number>>();
  /** Evidence records held: the co-acting post pairs C of the null model (derived, not serialised). */
  private total = 0;
  /** Evidence records per account (derived, not serialised). */
  private load = new Map<string, number>();

  private bump(a: string, b: string, by: number): void {
    this.total += by;
    for (const x of [a, b]) {
      const v = (this.load.get(x) ?? 0) + by;
      if (v > 0) this.load.set(x, v);
      else this.load.delete(x);
    }
  }

  /**
   * Per item, the accounts with co-action evidence on it and their number of partners there (derived, not
   * serialised): W_i, the account pairs that co-acted on item i within its interval, is half the sum; the time-aware
   * null model reads it.
   */
  private onItem = new Map<string, Map<string, number>>();
  /** W_i per item (derived, not serialised). */
  private itemW = new Map<string, number>();

  private link(item: string, a: string, b: string, by: 1 | -1): void {
    const w = (this.itemW.get(item) ?? 0) + by;
    let acc = this.onItem.get(item);
    if (w <= 0) {
      this.itemW.delete(item);
      this.onItem.delete(item);
      return;
    }
    this.itemW.set(item, w);
    if (!acc) this.onItem.set(item, (acc = new Map<string, number>()));
    for (const x of [a, b]) {
      const v = (acc.get(x) ?? 0) + by;
      if (v > 0) acc.set(x, v);
      else acc.delete(x);
    }
  }

  /** W_i: account pairs with co-action evidence on `item` (within its interval) now held. */
  pairsOn(item: string): number {
    return this.itemW.get(item) ?? 0;
  }

  constructor(
    private readonly maxEvidencePerEdge: number,
    private readonly minShared = 2,
  ) {}

  /** The number of account `a` (a new one when it has none), or undefined when `create` is false and it has none. */
  private idOf(a: string, create: boolean): number | undefined {
    let id = this.ids.get(a);
    if (id === undefined && create) {
      id = this.free.length > 0 ? this.free.pop()! : this.names.length;
      if (id >= PAIR_BASE) throw new RangeError(`more than ${PAIR_BASE} accounts in the co-action graph`);
      this.ids.set(a, id);
      this.names[id] = a;
      this.refs[id] = 0;
    }
    return id;
  }

  /** One more (by 1) or one fewer (by -1) expiry-queue entry names the accounts of `key`; frees unnamed numbers. */
  private ref(key: number, by: 1 | -1): void {
    const ia = Math.floor(key / PAIR_BASE);
    const ib = key - ia * PAIR_BASE;
    for (const id of [ia, ib]) {
      const r = (this.refs[id] = this.refs[id]! + by);
      if (r === 0) {
        this.ids.delete(this.names[id]!);
        this.names[id] = undefined;
        this.free.push(id);
      }
    }
  }

  /** The `a\u0001b` key of a pair key, the form snapshots and the test's ordering use. */
  private keyText(key: number): string {
    const ia = Math.floor(key / PAIR_BASE);
    return `${this.names[ia]!}\u0001${this.names[key - ia * PAIR_BASE]!}`;
  }

  /** Records that post `pa` of account `a` and post `pb` of account `b` co-acted on `item`. */
  add(a: string, pa: string, ta: number, b: string, pb: string, tb: number, item: string, kind: EvidenceKind): void {
    if (a === b) return;
    if (a > b) return this.add(b, pb, tb, a, pa, ta, item, kind);
    const ia = this.ids.get(a);
    const ib = this.ids.get(b);
    let edge = ia !== undefined && ib !== undefined ? this.edges.get(ia * PAIR_BASE + ib) : undefined;
    // Numbers are given only to accounts of evidence that is queued (below): a record refused on an existing edge
    // names no new account.
    const key = edge ? ia! * PAIR_BASE + ib! : this.idOf(a, true)! * PAIR_BASE + this.idOf(b, true)!;
    if (!edge && this.maxEvidencePerEdge > 0) {
      // Most edges of a dense stream never get a second record: a new edge is a SingleEdge.
      edge = new SingleEdge(a, b, item, ONE_KIND[kind], pa, pb, ta, tb);
      this.edges.set(key, edge);
      this.link(item, a, b, 1);
    } else if (edge instanceof SingleEdge) {
      if (edge.item === item && edge.pa === pa && edge.pb === pb) {
        if (!edge.kinds.includes(kind)) edge.kinds = [...edge.kinds, kind];
        return;
      }
      if (this.maxEvidencePerEdge <= 1) return;
      // A second record: the pair becomes a plain edge (same place in the map; groups refresh held objects).
      const first = edge.ev[0]!;
      edge = { a, b, ev: [first, { item, kinds: ONE_KIND[kind], pa, pb, ta, tb }] };
      this.edges.set(key, edge);
      if (first.item !== item) this.link(item, a, b, 1);
    } else {
      if (!edge) {
        edge = { a, b, ev: [] };
        this.edges.set(key, edge);
      }
      let onItem = false;
      for (const e of edge.ev) {
        if (e.item !== item) continue;
        onItem = true;
        if (e.pa === pa && e.pb === pb) {
          // Copied, not pushed: a new record's kinds are a list shared by every record of that kind (ONE_KIND).
          if (!e.kinds.includes(kind)) e.kinds = [...e.kinds, kind];
          return;
        }
      }
      if (edge.ev.length >= this.maxEvidencePerEdge) return;
      edge.ev.push({ item, kinds: ONE_KIND[kind], pa, pb, ta, tb });
      if (!onItem) this.link(item, a, b, 1);
    }
    this.bump(a, b, 1);
    this.shared.delete(key);
    this.queue.push(ta > tb ? ta : tb, key);
    this.ref(key, 1);
    if (edge.ev.length >= this.minShared) {
      this.candidates.add(key);
      this.stale.add(key);
    }
  }

  /** The edge between accounts `a` and `b` (either order), if any evidence joins them. */
  edge(a: string, b: string): Edge | undefined {
    const ia = this.ids.get(a < b ? a : b);
    const ib = this.ids.get(a < b ? b : a);
    return ia === undefined || ib === undefined ? undefined : this.edges.get(ia * PAIR_BASE + ib);
  }

  /** Moves a strong edge to the group of its code, or out of the groups (null). */
  private regroup(key: number, code: number | null, edge?: Edge): void {
    if (this.sleepOf.size > 0) this.wake(key);
    const old = this.groupOf.get(key);
    if (old === code) {
      // Same group: the held object is refreshed all the same, so a group never holds an edge that was replaced.
      if (code !== null && edge) this.groups.get(code)!.set(key, edge);
      return;
    }
    if (old !== undefined) {
      const g = this.groups.get(old)!;
      g.delete(key);
      if (g.size === 0) this.groups.delete(old);
      this.groupOf.delete(key);
    }
    if (code === null) return;
    let g = this.groups.get(code);
    if (!g) this.groups.set(code, (g = new Map<number, Edge>()));
    g.set(key, edge!);
    this.groupOf.set(key, code);
  }

  /** Sets a strong edge aside in bucket `bucket` of its group (the caller removes it from the group's map). */
  private sleep(key: number, code: number, bucket: number, edge: Edge): void {
    let buckets = this.asleep.get(code);
    if (!buckets) this.asleep.set(code, (buckets = []));
    let b = buckets[bucket];
    if (!b) buckets[bucket] = b = new Map<number, Edge>();
    b.set(key, edge);
    this.sleepOf.set(key, bucket);
    for (const x of [edge.a, edge.b]) {
      const set = this.sleepBy.get(x);
      if (set) set.add(key);
      else this.sleepBy.set(x, new Set([key]));
    }
  }

  /** Puts a sleeping edge back into its group's map (nothing when it is awake). */
  private wake(key: number): void {
    const bucket = this.sleepOf.get(key);
    if (bucket === undefined) return;
    const code = this.groupOf.get(key)!;
    const buckets = this.asleep.get(code)!;
    const b = buckets[bucket]!;
    const edge = b.get(key)!;
    b.delete(key);
    if (b.size === 0) buckets[bucket] = undefined;
    this.sleepOf.delete(key);
    for (const x of [edge.a, edge.b]) {
      const set = this.sleepBy.get(x)!;
      set.delete(key);
      if (set.size === 0) this.sleepBy.delete(x);
    }
    let g = this.groups.get(code);
    if (!g) this.groups.set(code, (g = new Map<number, Edge>()));
    g.set(key, edge);
  }

  /** Moves a sleeping edge to the bucket of its accounts' current activity product. */
  private rebucket(key: number, postsOf: (account: string) => number): void {
    const bucket = this.sleepOf.get(key)!;
    const code = this.groupOf.get(key)!;
    const buckets = this.asleep.get(code)!;
    const b = buckets[bucket]!;
    const edge = b.get(key)!;
    const to = sleepBucket(postsOf(edge.a) * postsOf(edge.b));
    if (to === bucket) return;
    b.delete(key);
    if (b.size === 0) buckets[bucket] = undefined;
    let into = buckets[to];
    if (!into) buckets[to] = into = new Map<number, Edge>();
    into.set(key, edge);
    this.sleepOf.set(key, to);
  }

  /** Wakes every sleeping edge of a bucket. */
  private wakeBucket(buckets: Array<Map<number, Edge> | undefined>, bucket: number): void {
    const b = buckets[bucket];
    if (b) for (const key of [...b.keys()]) this.wake(key);
  }

  /** Number of edges held. */
  size(): number {
    return this.edges.size;
  }

  /** Drops evidence whose later post is older than `cutoffMs`, and edges left without evidence. Only edges that
   * hold evidence older than the cutoff are visited (a min-heap of evidence times, so disorder is harmless). */
  expire(cutoffMs: number): void {
    while (this.queue.size > 0 && this.queue.peekTime() < cutoffMs) {
      const key = this.queue.pop();
      this.expireEdge(key, cutoffMs);
      // After the edge's maps let go of the key: its accounts' numbers may be freed now.
      this.ref(key, -1);
    }
  }

  /** Drops the evidence of edge `key` whose later post is older than `cutoffMs` (the edge when none is left). */
  private expireEdge(key: number, cutoffMs: number): void {
    const edge = this.edges.get(key);
    if (!edge) return;
    const all = edge.ev;
    const before = all.length;
    const gone = new Set<string>();
    const ev = all.filter((e) => {
      if (Math.max(e.ta, e.tb) >= cutoffMs) return true;
      gone.add(e.item);
      return false;
    });
    // A SingleEdge keeps its record or goes with it; a plain edge left with one record becomes a SingleEdge (same
    // place in the map; a group holding it refreshes it, as it is then stale or out of the groups).
    if (!(edge instanceof SingleEdge)) {
      if (ev.length === 1) this.edges.set(key, SingleEdge.of(edge.a, edge.b, ev[0]!));
      else edge.ev = ev;
    }
    if (ev.length !== before) this.bump(edge.a, edge.b, ev.length - before);
    if (gone.size > 0) {
      for (const e of ev) gone.delete(e.item);
      for (const item of gone) this.link(item, edge.a, edge.b, -1);
    }
    this.shared.delete(key);
    if (ev.length === 0) {
      this.edges.delete(key);
      this.candidates.delete(key);
      this.strong.delete(key);
      this.regroup(key, null);
      this.stale.delete(key);
    } else if (ev.length < this.minShared) {
      this.candidates.delete(key);
      this.strong.delete(key);
      this.regroup(key, null);
      this.stale.delete(key);
    } else {
      this.stale.add(key);
    }
  }

  /** Edges with at least `minShared` shared items whose null-model p-value passes the multiple-testing control over
   * the edges held (`counts.correction`: Bonferroni, p below `alpha / edges`, or Benjamini-Hochberg), sorted by edge
   * key; only candidate edges (enough evidence records) are
   * visited, each edge's shared-item count is kept until its evidence changes, and an edge is rejected without the
   * full tail sum when the probability of exactly `shared` co-actions alone is above the threshold. */
  significantEdges(counts: NullCounts, minShared: number, alpha: number): SignificantEdge[] {
    const m = Math.max(1, this.edges.size);
    const bh = counts.correction === 'bh';
    // Benjamini-Hochberg rejects the j smallest of m p-values when p_(j) <= j·alpha/m; no p-value above alpha can be
    // rejected, so the cheap pre-filter uses alpha, and the step-up runs on the survivors below.
    const threshold = Math.log(bh ? alpha : alpha / m);
    const floor = Math.max(1, counts.minPosts ?? 1);
    const out: Array<SignificantEdge & { key: number }> = [];
    // Only edges whose evidence changed get their shared items recounted; the rest keep their place in `strong`.
    for (const key of this.stale) {
      const edge = this.edges.get(key)!;
      const s = sharedItems(edge);
      this.shared.set(key, s);
      if (s >= this.minShared) {
        this.strong.add(key);
        this.regroup(key, Math.min(s, 4095) * 4096 + Math.min(new Set(edge.ev.map((e) => e.item)).size, 4095), edge);
      } else {
        this.strong.delete(key);
        this.regroup(key, null);
      }
    }
    this.stale.clear();
    const useSleep = minShared >= this.minShared && counts.maxSharers !== undefined && counts.postsFell !== undefined;
    if (this.sleepOf.size > 0) {
      if (!useSleep) for (const key of [...this.sleepOf.keys()]) this.wake(key);
      else
        for (const x of counts.postsFell!) {
          // A busy account's posts fall at nearly every call: its edges move to the bucket of their new product (a
          // lower bound again) instead of waking, and the buckets below each group's bound wake below.
          const set = this.sleepBy.get(x);
          if (set) for (const key of set) this.rebucket(key, counts.postsOf);
        }
    }
    // A lower bound of an edge's expectation: the pair's own items can take at most (4k - 6) each off S, k at most
    // maxSharers; the fewest posts per account are 1 and N is at most `posts`. When the Poisson probability of exactly
    // `shared` at that bound is above the threshold (with a margin for rounding), so is the tail at the expectation.
    const cannotPass = (shared: number, items: number, ma: number, mb: number, posts: number): boolean => {
      if (counts.itemPairs === undefined || counts.maxSharers === undefined) return false;
      const s = Math.max(2, counts.itemPairs - items * Math.max(0, 4 * counts.maxSharers - 6));
      const lo = (ma * mb * s) / (posts * posts);
      return -lo + shared * Math.log(lo) - logFactorial(shared) > threshold + 1e-6;
    };
    const useGroups = minShared >= this.minShared && counts.maxSharers !== undefined;
    // The full test of one edge (its shared items known), after any shortcut has let it through.
    const test = (key: number, edge: Edge, shared: number, ma: number, mb: number, posts: number): void => {
      let expected: number;
      if (counts.timePairs !== undefined) {
        // The pair left out of the items it co-shared: W_i minus every co-acting pair that involves a or b there.
        let s = counts.timePairs;
        const seen = new Set<string>();
        for (const e of edge.ev) {
          if (seen.has(e.item)) continue;
          seen.add(e.item);
          if (counts.sharersOf && counts.sharersOf(e.item) > (counts.crowdSharers ?? Infinity)) continue;
          const on = this.onItem.get(e.item);
          if (on) s -= 2 * ((on.get(edge.a) ?? 0) + (on.get(edge.b) ?? 0) - 1);
        }
        expected = expectedPerItem(ma, mb, { posts, itemPairs: s });
      } else if (counts.itemPairs !== undefined) {
        // The pair left out of the items it co-shared: k(k-1) -> (k-2)(k-3), i.e. minus 4k - 6 per item.
        let s = counts.itemPairs;
        if (counts.sharersOf) {
          const seen = new Set<string>();
          for (const e of edge.ev) {
            if (seen.has(e.item)) continue;
            seen.add(e.item);
            const k = counts.sharersOf(e.item);
            if (k >= 2) s -= 4 * k - 6;
          }
        }
        expected = expectedPerItem(ma, mb, { posts, itemPairs: s });
      } else {
        expected = expectedCoactions(ma, mb, {
          posts,
          pairs:
            Math.max(this.total, counts.pairs ?? 0) -
            this.coactionsOf(edge.a) -
            this.coactionsOf(edge.b) +
            edge.ev.length,
        });
      }
      // P(X >= k) >= P(X = k): when log P(X = k) is already above the threshold, so is the tail.
      if (expected > 0 && -expected + shared * Math.log(expected) - logFactorial(shared) > threshold) return;
      const logP = logPoissonTail(shared, expected);
      if (logP <= threshold) out.push({ key, edge, shared, expected, logP });
    };
    // The activity product m_a·m_b from which an edge of a group (shared items, distinct items) cannot pass whatever
    // its own items and posts: the group's lower bound of the expectation (cannotPass) scaled by m_a·m_b reaches the
    // smallest λ whose Poisson probability of exactly `shared` is above the threshold (with the same margin), and the
    // tail only grows with λ. Infinity when no λ is (the edge is then read). Found by bisection, once per group.
    const sleepBound = (shared: number, items: number, posts: number): number => {
      if (counts.itemPairs === undefined || counts.maxSharers === undefined) return Infinity;
      const s = Math.max(2, counts.itemPairs - items * Math.max(0, 4 * counts.maxSharers - 6));
      const need = threshold + 1e-6;
      const lf = logFactorial(shared);
      const point = (lambda: number): number => -lambda + shared * Math.log(lambda) - lf;
      if (!(point(shared) > need)) return Infinity;
      let lo = 0;
      let hi = shared;
      for (let i = 0; i < 64; i++) {
        const mid = (lo + hi) / 2;
        if (point(mid) > need) hi = mid;
        else lo = mid;
      }
      // A relative margin far above rounding, so a product at the bound is always on the side that is read.
      return ((hi * posts * posts) / s) * (1 + 1e-9);
    };
    if (useGroups) {
      const groupPosts = Math.max(floor, counts.posts);
      const bounds = new Map<number, number>();
      const boundOf = (code: number): number => {
        let v = bounds.get(code);
        if (v === undefined) {
          const items = code % 4096;
          const shared = Math.floor(code / 4096);
          v = shared >= 4095 || items >= 4095 ? Infinity : sleepBound(shared, items, groupPosts);
          bounds.set(code, v);
        }
        return v;
      };
      if (useSleep)
        for (const [code, buckets] of this.asleep) {
          // Buckets whose products may be under the group's bound now wake (and are read below).
          const bound = boundOf(code);
          for (let b = 1; b < buckets.length && sleepFloor(b) < bound; b++) this.wakeBucket(buckets, b);
          if (!buckets.some((b) => b !== undefined)) this.asleep.delete(code);
        }
      for (const [code, keys] of this.groups) {
        // After the recount above every key of a group has the group's shared items (below the 4095 cap).
        const groupShared = Math.floor(code / 4096);
        const items = code % 4096;
        const capped = groupShared >= 4095 || items >= 4095;
        if (!capped && cannotPass(groupShared, items, 1, 1, groupPosts)) continue;
        if (!capped && groupShared < minShared) continue;
        // Past ~70k dense posts the group bound (m_a = m_b = 1) no longer skips the largest groups, and most of the
        // test's time is this loop: one pass over each group's keys, the edge's own bound before anything else.
        for (const [key, edge] of keys) {
          if (edge.ev.length < minShared) continue;
          let shared = groupShared;
          if (capped) {
            shared = this.shared.get(key) ?? sharedItems(edge);
            this.shared.set(key, shared);
            if (shared < minShared) continue;
          }
          const ma = counts.postsOf(edge.a);
          const mb = counts.postsOf(edge.b);
          if (useSleep && ma * mb >= boundOf(code)) {
            // Deleting the entry being visited is safe in a Map iteration.
            keys.delete(key);
            this.sleep(key, code, sleepBucket(ma * mb), edge);
            continue;
          }
          const posts = Math.max(floor, counts.posts - ma - mb);
          if (items < 4095 && cannotPass(shared, items, ma, mb, posts)) continue;
          test(key, edge, shared, ma, mb, posts);
        }
        if (keys.size === 0) this.groups.delete(code);
      }
    } else {
      for (const key of minShared >= this.minShared ? this.strong : this.edges.keys()) {
        const edge = this.edges.get(key);
        if (!edge || edge.ev.length < minShared) continue;
        let shared = this.shared.get(key);
        if (shared === undefined) {
          shared = sharedItems(edge);
          this.shared.set(key, shared);
        }
        if (shared < minShared) continue;
        const ma = counts.postsOf(edge.a);
        const mb = counts.postsOf(edge.b);
        test(key, edge, shared, ma, mb, Math.max(floor, counts.posts - ma - mb));
      }
    }
    // Ordered by the pair's `a\u0001b` text, as when that was the key.
    let kept = out.map((x) => ({ ...x, text: `${x.edge.a}\u0001${x.edge.b}` }));
    if (bh) {
      // Step-up: the largest j with p_(j) <= j·alpha/m; every edge ranked at or before it is kept.
      const byP = kept.slice().sort((x, y) => x.logP - y.logP || (x.text < y.text ? -1 : x.text > y.text ? 1 : 0));
      let last = -1;
      for (let j = 0; j < byP.length; j++) if (byP[j]!.logP <= Math.log(((j + 1) * alpha) / m)) last = j;
      kept = byP.slice(0, last + 1);
    }
    kept.sort((x, y) => (x.text < y.text ? -1 : x.text > y.text ? 1 : 0));
    return kept.map(({ edge, shared, expected, logP }) => ({ edge, shared, expected, logP }));
  }

  /** Co-acting post pairs (evidence records) held: C of the null model. */
  coactions(): number {
    return this.total;
  }

  /** Co-acting post pairs (evidence records) held in which `account` takes part. */
  coactionsOf(account: string): number {
    return this.load.get(account) ?? 0;
  }

  /** Connected components (sorted account lists, sorted by first account) of the given edges. */
  static components(edges: SignificantEdge[]): string[][] {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let r = x;
      while (parent.get(r) !== r) r = parent.get(r)!;
      let c = x;
      while (c !== r) {
        const n = parent.get(c)!;
        parent.set(c, r);
        c = n;
      }
      return r;
    };
    for (const { edge } of edges) {
      if (!parent.has(edge.a)) parent.set(edge.a, edge.a);
      if (!parent.has(edge.b)) parent.set(edge.b, edge.b);
      const ra = find(edge.a);
      const rb = find(edge.b);
      if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
    }
    const groups = new Map<string, string[]>();
    for (const x of parent.keys()) {
      const r = find(x);
      const g = groups.get(r);
      if (g) g.push(x);
      else groups.set(r, [x]);
    }
    return [...groups.values()].map((g) => g.sort()).sort((x, y) => (x[0]! < y[0]! ? -1 : 1));
  }

  /** Plain JSON-serialisable snapshot. */
  toJSON(): CoactionGraphState {
    return {
      edges: [...this.edges.values()],
      queue: this.queue.pairs().map(([t, k]): [number, string] => [t, this.keyText(k)]),
    };
  }

  /** Rebuilds a graph from {@link toJSON} output. */
  static from(maxEvidencePerEdge: number, state: CoactionGraphState, minShared = 2): CoactionGraph {
    const g = new CoactionGraph(maxEvidencePerEdge, minShared);
    for (const e of state.edges) {
      const key = g.idOf(e.a, true)! * PAIR_BASE + g.idOf(e.b, true)!;
      g.edges.set(key, e.ev.length === 1 && maxEvidencePerEdge > 0 ? SingleEdge.of(e.a, e.b, e.ev[0]!) : e);
      g.bump(e.a, e.b, e.ev.length);
      for (const item of new Set(e.ev.map((v) => v.item))) g.link(item, e.a, e.b, 1);
      if (e.ev.length >= minShared) {
        g.candidates.add(key);
        g.stale.add(key);
      }
    }
    const queue =
      state.queue ??
      state.edges
        .flatMap((e) => e.ev.map((v): [number, string] => [Math.max(v.ta, v.tb), `${e.a}\u0001${e.b}`]))
        .sort((x, y) => x[0] - y[0]);
    // A sorted array is a valid min-heap; an exported heap is one already. An entry may name an edge that is gone
    // (its evidence expired by a later entry), so its accounts are read from the text (ids hold no U+0001).
    g.queue = TimeHeap.from(
      queue.map(([t, text]): [number, number] => {
        const cut = text.indexOf('\u0001');
        const key = g.idOf(text.slice(0, cut), true)! * PAIR_BASE + g.idOf(text.slice(cut + 1), true)!;
        g.ref(key, 1);
        return [t, key];
      }),
    );
    return g;
  }
}
