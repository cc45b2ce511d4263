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
      acc.n++;
      acc.created = account.created;
      acc.ageDays = account.ageDays;
      acc.posts = account.posts;
      acc.botScore = account.botScore;
      acc.botReasons = account.botReasons;
      if (f && f(acc)) this.cohortAccounts++;
    } else {
      const created = { n: 1, ...account };
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
    if (c === 0) item.distinct++;
    item.accounts[action.a] = c + 1;
    return i;
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

  /** Drops every post older than `cutoffMs` with its actions. */
  expire(cutoffMs: number): void {
    while (this.head < this.queue.length) {
      const id = this.queue[this.head]!;
      const rec = this.posts.get(id);
      if (rec && rec.t >= cutoffMs) break;
      this.head++;
      if (!rec) continue;
      this.posts.delete(id);
      for (const key of rec.items) {
        const item = this.items.get(key);
        if (!item) continue;
        const i = item.acts.findIndex((x) => x.p === id);
        if (i < 0) continue;
        const [act] = item.acts.splice(i, 1);
        this.pairs -= act!.n;
        const c = (item.accounts[act!.a] ?? 1) - 1;
        if (c <= 0) {
          delete item.accounts[act!.a];
          item.distinct--;
        } else item.accounts[act!.a] = c;
        if (item.acts.length === 0) this.items.delete(key);
      }
      const acc = this.accounts.get(rec.a);
      if (acc && --acc.n <= 0) {
        this.accounts.delete(rec.a);
        if (this.isCohort && this.isCohort(acc)) this.cohortAccounts--;
      }
    }
    // A late post older than a newer head entry is removed once that entry expires: bounded slack.
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.pairs < 0) this.pairs = 0;
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
    for (const [k, v] of state.items) w.items.set(k, v);
    for (const [k, v] of state.posts) w.posts.set(k, v);
    for (const [k, v] of state.accounts) {
      w.accounts.set(k, v);
      if (isCohort && isCohort(v)) w.cohortAccounts++;
    }
    w.queue = state.queue.slice();
    w.pairs = state.pairs;
    w.firstMs = state.firstMs;
    w.latestMs = state.latestMs;
    return w;
  }
}
