// Memory of claims beyond the detector window, for the shared-claims test (detect-shared-claims.ts). A slow drip
// rewrites its claims over up to a day, longer than the 6 h window, so at any advance the window holds only part of
// each claim's rewriters and the claim-pair test sees a fraction of the drip (held-out recall 0.54 for drips spread
// over 6-24 h). When a post on a text group leaves the window and another account posted on that group within the
// text interval (a co-action: only those can be evidence), its account, time, wording hash and the account's share of
// the window's posts are kept here for `maxAgeMs` after the post. Posts without such a partner are not kept: with the
// text interval no longer than the window, every later post within their interval has already been seen. Bounded by
// count: at most `maxPosts` posts in all (the claims whose latest remembered post is oldest are dropped first) and
// `maxPerClaim` per claim (its oldest dropped; a claim that big is a crowd the test skips anyway). Plain data:
// `toJSON` / `from` round-trip it, so a restarted detector remembers the same claims.
import type { DetectionWindow } from './detection-window.ts';

/** One remembered post on a claim. */
export interface RememberedPost {
  /** Post time, ms. */
  t: number;
  /** Account id. */
  a: string;
  /** Post id. */
  p: string;
  /** Short exact-text hash (the wording), as the window keeps it. */
  x: string;
  /** The account's share of the window's posts when the post left it (its activity for the null model). */
  s: number;
}

/** Settings of {@link ClaimMemory}. */
export interface ClaimMemoryConfig {
  /** How long a post is remembered after its time, ms; 0 keeps nothing. */
  maxAgeMs: number;
  /** Most posts remembered in all. */
  maxPosts: number;
  /** Most posts remembered per claim. */
  maxPerClaim: number;
}

/** Serialised form of a {@link ClaimMemory}: each claim's posts, sorted by time. */
export type ClaimMemoryState = [string, RememberedPost[]][];

/** The memory of claims (text groups) whose posts left the window. */
export class ClaimMemory {
  private readonly claims = new Map<string, RememberedPost[]>();
  private total = 0;
  /** Distinct accounts per claim, computed when asked and dropped when the claim changes. */
  private readonly distinctOf = new Map<string, number>();
  /** Time of the oldest remembered post (prune has nothing to do before then). */
  private oldestMs = Infinity;

  constructor(private readonly config: ClaimMemoryConfig) {}

  /** The remembered posts of claim `key`, sorted by time (undefined when none). */
  get(key: string): readonly RememberedPost[] | undefined {
    return this.claims.get(key);
  }

  /** Distinct accounts among the remembered posts of claim `key` (0 when none). */
  accounts(key: string): number {
    let d = this.distinctOf.get(key);
    if (d === undefined) {
      d = new Set(this.claims.get(key)?.map((r) => r.a)).size;
      this.distinctOf.set(key, d);
    }
    return d;
  }

  /** Keys of the claims with remembered posts. */
  keys(): IterableIterator<string> {
    return this.claims.keys();
  }

  /** Posts remembered in all. */
  size(): number {
    return this.total;
  }

  /**
   * Keeps the posts on text groups that are about to leave `window` (time before `cutoffMs`, visited in the order the
   * window expires them) and have another account's post on the group within `intervalMs`. Call before
   * `window.expire(cutoffMs)`.
   */
  capture(window: DetectionWindow, cutoffMs: number, intervalMs: number): void {
    if (!(this.config.maxAgeMs > 0)) return;
    const n = Math.max(1, window.size());
    for (const [id, rec] of window.posts) {
      if (rec.t >= cutoffMs) break;
      if (!rec.g) continue;
      const key = `t:${rec.g}`;
      const acts = window.items.get(key)?.acts;
      if (!acts) continue;
      // First action at the post's time, then the post itself among those at that time.
      let lo = 0;
      let hi = acts.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (acts[mid]!.t < rec.t) lo = mid + 1;
        else hi = mid;
      }
      while (lo < acts.length && acts[lo]!.t === rec.t && acts[lo]!.p !== id) lo++;
      if (lo >= acts.length || acts[lo]!.p !== id) continue;
      let partner = false;
      for (let j = lo - 1; j >= 0 && !partner && rec.t - acts[j]!.t <= intervalMs; j--) partner = acts[j]!.a !== rec.a;
      for (let j = lo + 1; j < acts.length && !partner && acts[j]!.t - rec.t <= intervalMs; j++)
        partner = acts[j]!.a !== rec.a;
      if (!partner) continue;
      this.add(key, { t: rec.t, a: rec.a, p: id, x: rec.x, s: (window.accounts.get(rec.a)?.n ?? 1) / n });
    }
  }

  private add(key: string, post: RememberedPost): void {
    let list = this.claims.get(key);
    if (!list) {
      list = [];
      this.claims.set(key, list);
    }
    if (list.some((x) => x.p === post.p)) return;
    this.distinctOf.delete(key);
    let i = list.length;
    while (i > 0 && list[i - 1]!.t > post.t) i--;
    list.splice(i, 0, post);
    this.total++;
    if (post.t < this.oldestMs) this.oldestMs = post.t;
    if (list.length > this.config.maxPerClaim) {
      list.shift();
      this.total--;
    }
  }

  /**
   * Forgets posts older than `nowMs - maxAgeMs`, then, while more than `maxPosts` are held, whole claims whose latest
   * post is oldest (down to 90% of the cap, so a full memory is not sorted at every call).
   */
  prune(nowMs: number): void {
    const limit = nowMs - this.config.maxAgeMs;
    if (this.oldestMs < limit) {
      this.oldestMs = Infinity;
      for (const [key, list] of this.claims) {
        let i = 0;
        while (i < list.length && list[i]!.t < limit) i++;
        if (i > 0) this.distinctOf.delete(key);
        this.total -= i;
        if (i === list.length) this.claims.delete(key);
        else {
          if (i > 0) list.splice(0, i);
          if (list[0]!.t < this.oldestMs) this.oldestMs = list[0]!.t;
        }
      }
    }
    if (this.total <= this.config.maxPosts) return;
    const byLatest = [...this.claims].sort(
      ([ka, a], [kb, b]) => a[a.length - 1]!.t - b[b.length - 1]!.t || (ka < kb ? -1 : 1),
    );
    const target = Math.floor(this.config.maxPosts * 0.9);
    for (const [key, list] of byLatest) {
      if (this.total <= target) break;
      this.claims.delete(key);
      this.distinctOf.delete(key);
      this.total -= list.length;
    }
  }

  /** Plain JSON-serialisable snapshot. */
  toJSON(): ClaimMemoryState {
    return [...this.claims.entries()];
  }

  /** Restores a snapshot from {@link toJSON} (absent: empty). */
  static from(config: ClaimMemoryConfig, state: ClaimMemoryState | undefined): ClaimMemory {
    const m = new ClaimMemory(config);
    for (const [key, list] of state ?? []) {
      if (list.length === 0) continue;
      m.claims.set(key, list.slice());
      m.total += list.length;
      if (list[0]!.t < m.oldestMs) m.oldestMs = list[0]!.t;
    }
    return m;
  }
}
