// The sliding window the coordination detectors share: the posts of the last `windowSeconds`, the actions on each
// item (a text group, a canonical link, a hashtag, a reposted post) in time order, the accounts active in the window
// and the counts the null model needs (posts N, co-acting post pairs C, posts per account m). Everything older than
// the window is dropped on `expire`, so memory is bounded by the window (plus out-of-order slack). Plain data only,
// so `toJSON` / `from` round-trip the whole state through JSON.

/** One post acting on one item. */
export interface Action {
  /** Post time, ms. */
  t: number;
  /** Account id. */
  a: string;
  /** Post id. */
  p: string;
  /** Post language. */
  l: string;
  /** Co-acting pairs this action created when it was inserted (subtracted from C when it expires). */
  n: number;
}

/** The actions on one item, sorted by time, with a count per distinct account. */
export interface Item {
  acts: Action[];
  accounts: Record<string, number>;
  distinct: number;
}

/** What the window keeps of a post. */
export interface PostRecord {
  t: number;
  a: string;
  l: string;
  /** Item keys this post acted on. */
  items: string[];
  /** Text group key, if any. */
  g: string | null;
  /** Short exact-text hash when the post is in a text group or has a link, else ''. */
  x: string;
  tags: string[];
  links: string[];
}

/** What the window keeps of an account (profile as of its latest post). */
export interface AccountRecord {
  /** Posts in the window. */
  n: number;
  /** Creation time, ms, or null. */
  created: number | null;
  /** Age in days at its latest post, or null. */
  ageDays: number | null;
  /** Total posts according to the platform, or null. */
  posts: number | null;
  botScore: number;
  botReasons: string[];
}

/** Serialised form of a {@link DetectionWindow}. */
export interface DetectionWindowState {
  items: [string, Item][];
  posts: [string, PostRecord][];
  accounts: [string, AccountRecord][];
  queue: string[];
  pairs: number;
  firstMs: number | null;
  latestMs: number | null;
}

/** The shared window store. */
export class DetectionWindow {
  readonly items = new Map<string, Item>();
  readonly posts = new Map<string, PostRecord>();
  readonly accounts = new Map<string, AccountRecord>();
  /** Post ids in arrival order, for expiry. */
  private queue: string[] = [];
  private head = 0;
  /** C: co-acting post pairs (distinct accounts, within the item's interval) among the posts in the window. */
  pairs = 0;
  /** Time of the earliest post ever observed, ms (how much baseline history exists). */
  firstMs: number | null = null;
  /** Latest post time observed, ms. */
  latestMs: number | null = null;
  /** Accounts in the window that `isCohort` says are young or without history (kept up to date incrementally). */
  cohortAccounts = 0;
  /** Items other than hashtags by distinct accounts: `byDistinct[k]` items have k (derived, not serialised). */
  private byDistinct: number[] = [0];
  /** Accounts whose posts in the window fell since {@link takeFallen} (derived, not serialised). */
  private fallen = new Set<string>();
  /** Accounts by posts in the window: `byPosts[m]` accounts have m (derived, not serialised). */
  private byPosts: number[] = [0];
  /** Σ m² over the accounts of the window (derived, not serialised). */
  private sumSquares = 0;
  /**
   * The text groups and links (keys `t:`, `l:`) that two or more accounts acted on: the only ones the shared-claims
   * test can use, a few thousand of a dense window's tens of thousands of items (derived, not serialised).
   */
  private multi = new Map<string, Item>();

  /** @param isCohort optional classifier of account records; when given, {@link cohortAccounts} is maintained. */
  constructor(readonly isCohort: ((r: AccountRecord) => boolean) | null = null) {}

  /** Records a post; the caller then adds its actions with {@link addAction}. */
  addPost(id: string, rec: PostRecord, account: Omit<AccountRecord, 'n'>): void {
    this.posts.set(id, rec);
    this.queue.push(id);
    const acc = this.accounts.get(rec.a);
    const f = this.isCohort;
    if (acc) {
      if (f && f(acc)) this.cohortAccounts--;
      this.countPosts(acc.n, acc.n + 1);
      acc.n++;
      acc.created = account.created;
      acc.ageDays = account.ageDays;
      acc.posts = account.posts;
      acc.botScore = account.botScore;
      acc.botReasons = account.botReasons;
      if (f && f(acc)) this.cohortAccounts++;
    } else {
      const created = { n: 1, ...account };
      this.countPosts(0, 1);
      this.accounts.set(rec.a, created);
      if (f && f(created)) this.cohortAccounts++;
    }
    if (this.firstMs === null || rec.t < this.firstMs) this.firstMs = rec.t;
    if (this.latestMs === null || rec.t > this.latestMs) this.latestMs = rec.t;
  }

  /**
   * Inserts an action into its item (kept sorted by time) and returns its index. Callers scan neighbours with
   * {@link neighbours} before or after; `n` is set by the caller through {@link countPairs}.
   */
  addAction(key: string, action: Action): number {
    let item = this.items.get(key);
    if (!item) {
      item = { acts: [], accounts: {}, distinct: 0 };
      this.items.set(key, item);
    }
    const acts = item.acts;
    let i = acts.length;
    while (i > 0 && acts[i - 1]!.t > action.t) i--;
    acts.splice(i, 0, action);
    const c = item.accounts[action.a] ?? 0;
    if (c === 0) this.setDistinct(key, item, item.distinct + 1);
    item.accounts[action.a] = c + 1;
    return i;
  }

  /** One action of `account` on `item` left the window. */
  private unshare(key: string, item: Item, account: string): void {
    const c = (item.accounts[account] ?? 1) - 1;
    if (c <= 0) {
      delete item.accounts[account];
      this.setDistinct(key, item, item.distinct - 1);
    } else item.accounts[account] = c;
  }

  /** An account's posts in the window went from `from` to `to`: keeps {@link activity}'s counts. */
  private countPosts(from: number, to: number): void {
    const h = this.byPosts;
    if (from > 0) h[from]!--;
    while (h.length <= to) h.push(0);
    if (to > 0) h[to]!++;
    this.sumSquares += to * to - from * from;
  }

  /**
   * Σ m² over the window's accounts (m: posts in the window) and the accounts per m as [m, accounts] by m (only m
   * that some account has): kept up to date on every post and expiry instead of a pass over every account.
   */
  activity(): { sumSquares: number; byPosts: [number, number][] } {
    const out: [number, number][] = [];
    const h = this.byPosts;
    for (let m = 1; m < h.length; m++) if (h[m]! > 0) out.push([m, h[m]!]);
    return { sumSquares: this.sumSquares, byPosts: out };
  }

  /** The text groups and links (`t:`, `l:` keys) with two or more distinct accounts, with their items; any order. */
  sharedTextsAndLinks(): ReadonlyMap<string, Item> {
    return this.multi;
  }

  /** Changes an item's distinct accounts, keeping {@link itemPairs}' histogram (hashtags are not counted there). */
  private setDistinct(key: string, item: Item, k: number): void {
    const kind = key[0];
    if ((kind === 't' || kind === 'l') && item.distinct >= 2 !== k >= 2) {
      if (k >= 2) this.multi.set(key, item);
      else this.multi.delete(key);
    }
    if (key[0] !== 'h') {
      const h = this.byDistinct;
      if (item.distinct > 0) h[item.distinct]!--;
      while (h.length <= k) h.push(0);
      if (k > 0) h[k]!++;
    }
    item.distinct = k;
  }

  /**
   * S = Σ k(k - 1) over the items other than hashtags (keys starting with `h`) with k distinct accounts, 2 <= k <=
   * `maxAccounts`: the per-item null model's count (coaction-graph.ts), from a histogram of items by k kept up to date
   * on every insert and expiry instead of a pass over every item at every advance. Exact (integer sums).
   */
  itemPairs(maxAccounts: number): number {
    const h = this.byDistinct;
    let s = 0;
    for (let k = 2; k < h.length && k <= maxAccounts; k++) s += h[k]! * k * (k - 1);
    return s;
  }

  /** Actions of other accounts on the same item within `intervalMs` of the action at `index`. */
  neighbours(key: string, index: number, intervalMs: number, limit: number): Action[] {
    const item = this.items.get(key);
    if (!item) return [];
    const acts = item.acts;
    const me = acts[index]!;
    const out: Action[] = [];
    for (let j = index - 1; j >= 0 && out.length < limit; j--) {
      const o = acts[j]!;
      if (me.t - o.t > intervalMs) break;
      if (o.a !== me.a) out.push(o);
    }
    for (let j = index + 1; j < acts.length && out.length < limit; j++) {
      const o = acts[j]!;
      if (o.t - me.t > intervalMs) break;
      if (o.a !== me.a) out.push(o);
    }
    return out;
  }

  /** Adds `n` co-acting pairs created by an action (kept on the action so expiry can subtract them). */
  countPairs(action: Action, n: number): void {
    action.n += n;
    this.pairs += n;
  }

  /**
   * Drops every post older than `cutoffMs` with its actions. The posts go first (in arrival order), then each item
   * they acted on loses them in one pass over its actions older than the cutoff (where all of them lie, actions being
   * sorted by time): one splice per item rather than a search and a splice per post, which on a busy item (the
   * debate hashtag holds tens of thousands of actions) moved the whole array once per expired post.
   */
  expire(cutoffMs: number): void {
    const gone = new Set<string>();
    const touched = new Set<string>();
    while (this.head < this.queue.length) {
      const id = this.queue[this.head]!;
      const rec = this.posts.get(id);
      if (rec && rec.t >= cutoffMs) break;
      this.head++;
      if (!rec) continue;
      this.posts.delete(id);
      gone.add(id);
      for (const key of rec.items) touched.add(key);
      const acc = this.accounts.get(rec.a);
      if (acc) {
        this.fallen.add(rec.a);
        this.countPosts(acc.n, acc.n - 1);
      }
      if (acc && --acc.n <= 0) {
        this.accounts.delete(rec.a);
        if (this.isCohort && this.isCohort(acc)) this.cohortAccounts--;
      }
    }
    for (const key of touched) {
      const item = this.items.get(key);
      if (!item) continue;
      const acts = item.acts;
      let kept = 0;
      let i = 0;
      // Every removed action is older than the cutoff (its post was), so only that prefix is read.
      for (; i < acts.length && acts[i]!.t < cutoffMs; i++) {
        const act = acts[i]!;
        if (!gone.has(act.p)) {
          acts[kept++] = act;
          continue;
        }
        this.pairs -= act.n;
        this.unshare(key, item, act.a);
      }
      if (kept === i) continue;
      acts.splice(kept, i - kept);
      if (acts.length === 0) this.items.delete(key);
    }
    // A late post older than a newer head entry is removed once that entry expires: bounded slack.
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.pairs < 0) this.pairs = 0;
  }

  /** The most distinct accounts on one item other than hashtags (0 when there is none): bounds k_i for the test. */
  maxSharers(): number {
    const h = this.byDistinct;
    let k = h.length - 1;
    while (k > 0 && h[k] === 0) k--;
    return k;
  }

  /**
   * The accounts whose posts in the window fell (by expiry, the only way they fall) since the previous call, and
   * forgets them: the pair test sets aside edges of busy accounts until one of them is less busy (coaction-graph.ts).
   */
  takeFallen(): Set<string> {
    const out = this.fallen;
    this.fallen = new Set<string>();
    return out;
  }

  /** Posts currently held. */
  size(): number {
    return this.posts.size;
  }

  /** Plain JSON-serialisable snapshot. */
  toJSON(): DetectionWindowState {
    return {
      items: [...this.items.entries()],
      posts: [...this.posts.entries()],
      accounts: [...this.accounts.entries()],
      queue: this.queue.slice(this.head),
      pairs: this.pairs,
      firstMs: this.firstMs,
      latestMs: this.latestMs,
    };
  }

  /** Rebuilds a window from {@link toJSON} output. */
  static from(state: DetectionWindowState, isCohort: ((r: AccountRecord) => boolean) | null = null): DetectionWindow {
    const w = new DetectionWindow(isCohort);
    for (const [k, v] of state.items) {
      const distinct = v.distinct;
      v.distinct = 0;
      w.setDistinct(k, v, distinct);
      w.items.set(k, v);
    }
    for (const [k, v] of state.posts) w.posts.set(k, v);
    for (const [k, v] of state.accounts) {
      w.accounts.set(k, v);
      w.countPosts(0, v.n);
      if (isCohort && isCohort(v)) w.cohortAccounts++;
    }
    w.queue = state.queue.slice();
    w.pairs = state.pairs;
    w.firstMs = state.firstMs;
    w.latestMs = state.latestMs;
    return w;
  }
}
