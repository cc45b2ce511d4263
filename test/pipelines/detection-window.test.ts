// The detection window's incremental bookkeeping against brute force: after random posts (some out of order, some
// sharing items with many accounts) and expiries, every item holds exactly the actions of its posts still in the
// window, in time order, with the right distinct-account counts, C and the per-item null model's S (itemPairs); a
// window rebuilt from its JSON agrees.
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
      const a = `acct${Math.floor(next() * 60)}`;
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
        w.expire(now - windowMs);
        checkItems(w);
        for (const max of [3, 20, 150]) expect(w.itemPairs(max)).toBe(bruteItemPairs(w, max));
      }
    }
    expect(w.itemPairs(150)).toBeGreaterThan(0);
    const copy = DetectionWindow.from(JSON.parse(JSON.stringify(w.toJSON())) as ReturnType<DetectionWindow['toJSON']>);
    expect(copy.itemPairs(150)).toBe(w.itemPairs(150));
    expect(JSON.stringify(copy.toJSON())).toBe(JSON.stringify(w.toJSON()));
    copy.expire(now - windowMs / 2);
    checkItems(copy);
    expect(copy.itemPairs(150)).toBe(bruteItemPairs(copy, 150));
  });
});
