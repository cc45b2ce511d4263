// The detection window's incremental bookkeeping against brute force: after random posts (some out of order, some
// sharing items with many accounts) and expiries, every item holds exactly the actions of its posts still in the
// window, in time order, with the right distinct-account counts, C and the per-item null model's S (itemPairs), the
// accounts' Σm² and counts per m, the multi-account text groups and links, and the accounts whose posts fell; a window
// rebuilt from its JSON agrees.
import { describe, expect, it } from 'vitest';
import { DetectionWindow } from '../../pipelines/detection-window.ts';
import { prng as rng } from '../support/prng.ts';

/** Σ k(k - 1) over non-hashtag items with 2 <= k <= max, recomputed from the items. */
function bruteItemPairs(w: DetectionWindow, max: number): number {
  let s = 0;
  for (const [key, item] of w.items) {
    const k = new Set(item.acts.map((x) => x.a)).size;
    if (k >= 2 && k <= max && key[0] !== 'h') s += k * (k - 1);
  }
  return s;
}

/** Checks every item against the posts held. */
function checkItems(w: DetectionWindow): void {
  const expected = new Map<string, Array<{ t: number; p: string }>>();
  for (const [p, rec] of w.posts)
    for (const key of rec.items) {
      const list = expected.get(key) ?? [];
      list.push({ t: rec.t, p });
      expected.set(key, list);
    }
  expect([...w.items.keys()].sort()).toEqual([...expected.keys()].sort());
  let pairs = 0;
  for (const [key, item] of w.items) {
    expect(item.acts.map((x) => x.p).sort()).toEqual(
      expected
        .get(key)!
        .map((x) => x.p)
        .sort(),
    );
    for (let i = 1; i < item.acts.length; i++) expect(item.acts[i]!.t).toBeGreaterThanOrEqual(item.acts[i - 1]!.t);
    const counts: Record<string, number> = {};
    for (const x of item.acts) counts[x.a] = (counts[x.a] ?? 0) + 1;
    expect(item.accounts).toEqual(counts);
    expect(item.distinct).toBe(Object.keys(counts).length);
    for (const x of item.acts) pairs += x.n;
  }
  expect(w.pairs).toBe(pairs);
}

/** Checks the counts kept for the shared-claims test against a pass over the accounts and items. */
function checkDerived(w: DetectionWindow): void {
  let sumSquares = 0;
  const byPosts = new Map<number, number>();
  for (const r of w.accounts.values()) {
    sumSquares += r.n * r.n;
    byPosts.set(r.n, (byPosts.get(r.n) ?? 0) + 1);
  }
  expect(w.activity()).toEqual({ sumSquares, byPosts: [...byPosts].sort((x, y) => x[0] - y[0]) });
  const multi = [...w.items].filter(([key, item]) => (key[0] === 't' || key[0] === 'l') && item.distinct >= 2);
  expect([...w.sharedTextsAndLinks()].sort(([x], [y]) => (x < y ? -1 : 1))).toEqual(
    multi.sort(([x], [y]) => (x < y ? -1 : 1)),
  );
  for (const [key, item] of w.sharedTextsAndLinks()) expect(w.items.get(key)).toBe(item);
}

describe('DetectionWindow', () => {
  it('keeps items, C and itemPairs exact through out-of-order posts and expiries, and across toJSON/from', () => {
    const next = rng(7);
    const w = new DetectionWindow();
    const windowMs = 600_000;
    let now = 0;
    for (let i = 0; i < 2000; i++) {
      now += Math.floor(next() * 1000);
      // One post in ten arrives up to a minute late.
      const t = next() < 0.1 ? now - Math.floor(next() * 60_000) : now;
      // Skewed activity: a few busy accounts and many with one or two posts (which leave the window entirely).
      const a = `acct${Math.floor(600 * next() ** 3)}`;
      const items = new Set<string>();
      if (next() < 0.5) items.add(`t:g${Math.floor(next() * 8)}`);
      if (next() < 0.3) items.add(`l:https://x.test/${Math.floor(next() * 5)}`);
      if (next() < 0.4) items.add('h:debat');
      if (next() < 0.2) items.add(`r:post${Math.floor(next() * 3)}`);
      const id = `p${i}`;
      w.addPost(
        id,
        { t, a, l: 'nl', items: [...items], g: null, tags: [], links: [], x: '' },
        { created: null, ageDays: null, posts: null, botScore: 0, botReasons: [] },
      );
      for (const key of items) {
        const action = { t, a, p: id, l: 'nl', n: 0 };
        w.addAction(key, action);
        w.countPairs(action, Math.floor(next() * 3));
      }
      if (i % 100 === 99) {
        const before = new Map([...w.accounts].map(([a, r]) => [a, r.n]));
        w.takeFallen();
        w.expire(now - windowMs);
        // Every account with fewer posts after expiry is reported (the pair test wakes its edges).
        const fallen = w.takeFallen();
        for (const [a, n] of before) if ((w.accounts.get(a)?.n ?? 0) < n) expect(fallen.has(a)).toBe(true);
        checkItems(w);
        checkDerived(w);
        for (const max of [3, 20, 150]) expect(w.itemPairs(max)).toBe(bruteItemPairs(w, max));
      }
    }
    expect(w.itemPairs(150)).toBeGreaterThan(0);
    const copy = DetectionWindow.from(JSON.parse(JSON.stringify(w.toJSON())) as ReturnType<DetectionWindow['toJSON']>);
    expect(copy.itemPairs(150)).toBe(w.itemPairs(150));
    expect(JSON.stringify(copy.toJSON())).toBe(JSON.stringify(w.toJSON()));
    checkDerived(copy);
    copy.expire(now - windowMs / 2);
    checkItems(copy);
    checkDerived(copy);
    expect(copy.itemPairs(150)).toBe(bruteItemPairs(copy, 150));
  });
});
