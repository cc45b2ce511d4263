import { describe, expect, it } from 'vitest';
import { CoactionGraph, expectedCoactions, expectedPerItem, sharedItems } from '../../pipelines/coaction-graph.ts';
import type { EvidenceKind } from '../../pipelines/coaction-graph.ts';
import { prng } from '../support/prng.ts';

describe('CoactionGraph', () => {
  it('counts distinct items, bounded by distinct posts on each side (a spammer repeating itself counts once)', () => {
    const g = new CoactionGraph(64);
    // a posts 5 times on 5 "items" all co-acting with the same single post of b.
    for (let i = 0; i < 5; i++) g.add('a', `pa${i}`, i, 'b', 'pb0', 0, `t:${i}`, 'text');
    const edge = g.toJSON().edges[0]!;
    expect(sharedItems(edge)).toBe(1);
    g.add('a', 'pa9', 9, 'b', 'pb9', 9, 'l:x', 'link');
    expect(sharedItems(g.toJSON().edges[0]!)).toBe(2);
  });

  it('never links an account to itself and stores evidence once with all its kinds', () => {
    const g = new CoactionGraph(64);
    g.add('a', 'p1', 0, 'a', 'p2', 1, 'l:x', 'link');
    expect(g.size()).toBe(0);
    g.add('b', 'p2', 1, 'a', 'p1', 0, 'l:x', 'link');
    g.add('a', 'p1', 0, 'b', 'p2', 1, 'l:x', 'xlang');
    const [edge] = g.toJSON().edges;
    expect(edge!.a).toBe('a');
    expect(edge!.ev).toHaveLength(1);
    expect(edge!.ev[0]!.kinds).toEqual(['link', 'xlang']);
  });

  it('keeps pairs that share many items and drops pairs whose sharing chance explains', () => {
    const g = new CoactionGraph(1024);
    for (let i = 0; i < 4; i++) g.add('a', `a${i}`, i, 'b', `b${i}`, i, `t:${i}`, 'text');
    for (let i = 0; i < 2; i++) g.add('c', `c${i}`, i, 'd', `d${i}`, i, `t:${i}`, 'text');
    // Other accounts' co-actions set the rate: 4,000 pairs (40 account pairs) among 1,000 posts.
    for (let i = 0; i < 4000; i++) g.add(`x${i % 40}`, `px${i}`, i, `y${i % 40}`, `py${i}`, i, `l:${i}`, 'link');
    const ours = (counts: { posts: number; postsOf: (x: string) => number }): string[] =>
      g
        .significantEdges(counts, 2, 0.01)
        .map((e) => `${e.edge.a}-${e.edge.b}`)
        .filter((k) => !k.startsWith('x'));
    // E ≈ 2·5·5·4000/990² ≈ 0.2 per pair: two shared items are plausible (p ≈ 0.018), four are not (p ≈ 6e-5).
    expect(ours({ posts: 1_000, postsOf: () => 5 })).toEqual(['a-b']);
    // Very active accounts: four shared items are no longer surprising.
    expect(ours({ posts: 1_000, postsOf: (x) => (x.startsWith('x') || x.startsWith('y') ? 5 : 40) })).toEqual([]);
  });

  it("a pair's own co-actions do not raise its bar, a network dominating the window is still tested against the rest", () => {
    const g = new CoactionGraph(1024);
    // Three accounts co-post 200 items each (most of a 900-post window); a little co-sharing elsewhere.
    for (let i = 0; i < 200; i++)
      for (const [x, y] of [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ] as const)
        g.add(x, `${x}${i}`, i, y, `${y}${i}`, i, `t:${i}`, 'text');
    for (let i = 0; i < 20; i++) g.add(`x${i}`, `px${i}`, i, `y${i}`, `py${i}`, i, `l:${i}`, 'link');
    const counts = { posts: 900, postsOf: (x: string) => (x.length === 1 ? 200 : 1) };
    const sig = g.significantEdges(counts, 2, 0.01);
    expect(sig.map((e) => `${e.edge.a}-${e.edge.b}`)).toEqual(['a-b', 'a-c', 'b-c']);
    // The rate comes from the 20 other pairs among the 500 other posts, not from the network's own 600.
    expect(sig[0]!.expected).toBeCloseTo((2 * 200 * 200 * 20) / 500 ** 2);
    expect(sig[0]!.shared).toBe(200);
  });

  it('divides by at least minPosts, so a ring that is the whole input is not its own baseline', () => {
    const g = new CoactionGraph(1024);
    const ring = Array.from({ length: 6 }, (_, i) => `r${i}`);
    for (let item = 0; item < 5; item++)
      for (let i = 0; i < ring.length; i++)
        for (let j = i + 1; j < ring.length; j++)
          g.add(ring[i]!, `${ring[i]}-${item}`, item, ring[j]!, `${ring[j]}-${item}`, item, `l:${item}`, 'link');
    const counts = { posts: 30, postsOf: () => 5 };
    expect(g.significantEdges(counts, 2, 0.01)).toHaveLength(0);
    expect(g.significantEdges({ ...counts, minPosts: 2000 }, 2, 0.01)).toHaveLength(15);
  });

  it('keeps the co-action counts through expiry and restore', () => {
    const g = new CoactionGraph(1024);
    g.add('a', 'p1', 100, 'b', 'p2', 100, 'l:x', 'link');
    g.add('a', 'p3', 5000, 'c', 'p4', 5000, 'l:y', 'link');
    g.add('a', 'p3', 5000, 'c', 'p4', 5000, 'l:y', 'xlang'); // the same evidence again: counted once
    expect([g.coactions(), g.coactionsOf('a'), g.coactionsOf('b'), g.coactionsOf('c')]).toEqual([2, 2, 1, 1]);
    const copy = CoactionGraph.from(1024, JSON.parse(JSON.stringify(g.toJSON())) as ReturnType<typeof g.toJSON>);
    for (const x of [g, copy]) {
      x.expire(1000);
      expect([x.coactions(), x.coactionsOf('a'), x.coactionsOf('b'), x.coactionsOf('c')]).toEqual([1, 1, 0, 1]);
    }
  });

  it('expected co-actions grow with activity and with the co-action density of the window', () => {
    expect(expectedCoactions(10, 10, { posts: 1000, pairs: 100 })).toBeCloseTo(0.02);
    expect(expectedCoactions(20, 10, { posts: 1000, pairs: 100 })).toBeCloseTo(0.04);
  });

  it('cuts connected components and expires old evidence', () => {
    const g = new CoactionGraph(64);
    g.add('a', 'p1', 100, 'b', 'p2', 100, 'i', 'text');
    g.add('b', 'p3', 5000, 'c', 'p4', 5000, 'i', 'text');
    g.add('x', 'p5', 100, 'y', 'p6', 100, 'i', 'text');
    const all = g.significantEdges({ posts: 1e6, postsOf: () => 1 }, 1, 1);
    expect(CoactionGraph.components(all)).toEqual([
      ['a', 'b', 'c'],
      ['x', 'y'],
    ]);
    g.expire(1000);
    expect(g.size()).toBe(1);
  });

  it('expires evidence in any arrival order and tests only pairs with enough evidence, also after a restore', () => {
    const g = new CoactionGraph(64, 2);
    // Added out of time order: the 900 ms evidence arrives last.
    g.add('a', 'a2', 5000, 'b', 'b2', 5000, 't:2', 'text');
    g.add('a', 'a3', 6000, 'b', 'b3', 6000, 't:3', 'text');
    g.add('c', 'c1', 900, 'd', 'd1', 900, 't:1', 'text');
    g.add('a', 'a1', 800, 'b', 'b1', 800, 't:1', 'text');
    const counts = { posts: 1e6, postsOf: () => 1 };
    expect(g.significantEdges(counts, 2, 1).map((e) => e.shared)).toEqual([3]);
    const copy = CoactionGraph.from(64, JSON.parse(JSON.stringify(g.toJSON())) as ReturnType<typeof g.toJSON>, 2);
    for (const x of [g, copy]) {
      x.expire(1000); // drops c-d entirely and the a-b evidence at 800 ms
      expect(x.size()).toBe(1);
      expect(x.toJSON().edges[0]!.ev.map((e) => e.item)).toEqual(['t:2', 't:3']);
      expect(x.significantEdges(counts, 2, 1).map((e) => e.shared)).toEqual([2]);
      x.expire(5500); // one item left: no longer a candidate
      expect(x.significantEdges(counts, 2, 1)).toEqual([]);
      expect(x.significantEdges(counts, 1, 1)).toHaveLength(1);
    }
  });
});

describe('CoactionGraph per-item null model', () => {
  it('expects m_a·m_b·Σk(k-1)/N² co-shared items', () => {
    // Two accounts with 10 of 1,000 posts; 50 items of 20 sharers: 50·20·19 = 19,000.
    expect(expectedPerItem(10, 10, { posts: 1000, itemPairs: 19_000 })).toBeCloseTo(1.9);
    expect(expectedPerItem(20, 10, { posts: 1000, itemPairs: 19_000 })).toBeCloseTo(3.8);
  });

  it('flags three accounts repeating each other hundreds of times when they are most of the window', () => {
    const g = new CoactionGraph(1024);
    const k = new Map<string, number>();
    // 300 headlines each posted by the same three accounts in the same minute: 900 of a 1,000-post window.
    for (let i = 0; i < 300; i++) {
      for (const [x, y] of [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ] as const)
        g.add(x, `${x}${i}`, i, y, `${y}${i}`, i, `t:${i}`, 'text');
      k.set(`t:${i}`, 3);
    }
    // 100 organic posts, 10 items shared by 10 accounts each.
    for (let i = 0; i < 10; i++) k.set(`l:o${i}`, 10);
    const itemPairs = [...k.values()].reduce((s, v) => s + v * (v - 1), 0);
    const counts = {
      posts: 1000,
      postsOf: (x: string) => (x.length === 1 ? 300 : 1),
      itemPairs,
      sharersOf: (item: string) => k.get(item) ?? 0,
      minPosts: 1000,
    };
    const sig = g.significantEdges(counts, 2, 0.01);
    expect(sig.map((e) => `${e.edge.a}-${e.edge.b}`)).toEqual(['a-b', 'a-c', 'b-c']);
    // Each pair left out of its own items (k = 3 -> one other sharer): only the organic items set the rate.
    expect(sig[0]!.expected).toBeCloseTo((300 * 300 * 900) / 1000 ** 2);
  });

  it("does not flag two heavy accounts sharing a few popular items (the items' own popularity explains it)", () => {
    const g = new CoactionGraph(1024);
    for (let i = 0; i < 4; i++) g.add('a', `a${i}`, i, 'b', `b${i}`, i, `l:news${i}`, 'link');
    const counts = {
      posts: 5000,
      postsOf: () => 120,
      // 40 news items of 100 sharers each.
      itemPairs: 40 * 100 * 99,
      sharersOf: () => 100,
    };
    expect(g.significantEdges(counts, 2, 0.01)).toEqual([]);
    // The same four items shared by two quiet accounts (3 posts each) are not chance.
    expect(g.significantEdges({ ...counts, postsOf: () => 3 }, 2, 0.01)).toHaveLength(1);
  });

  it('Benjamini-Hochberg keeps moderately significant pairs when many pairs are significant; Bonferroni does not', () => {
    const g = new CoactionGraph(1024);
    // 30 pairs co-sharing 5 items each, among 5,000 edges held.
    for (let p = 0; p < 30; p++)
      for (let i = 0; i < 5; i++) g.add(`r${p}a`, `ra${p}-${i}`, i, `r${p}b`, `rb${p}-${i}`, i, `l:${p}-${i}`, 'link');
    for (let p = 0; p < 4970; p++) g.add(`o${p}a`, `oa${p}`, 0, `o${p}b`, `ob${p}`, 0, `l:o${p}`, 'link');
    const counts = { posts: 10_000, postsOf: () => 4, itemPairs: 2_000_000, sharersOf: () => 0 };
    // E = 16·2e6/1e8 = 0.32 per pair: P(X >= 5) ≈ 2.9e-5, above Bonferroni's 0.01/5000 = 2e-6 but below the BH
    // threshold of the 30th smallest p-value, 30·0.01/5000 = 6e-5.
    expect(g.significantEdges(counts, 2, 0.01)).toHaveLength(0);
    expect(g.significantEdges({ ...counts, correction: 'bh' }, 2, 0.01)).toHaveLength(30);
    // With only one such pair BH is as strict as Bonferroni (1·0.01/5000).
    const one = new CoactionGraph(1024);
    for (let i = 0; i < 5; i++) one.add('r0a', `ra0-${i}`, i, 'r0b', `rb0-${i}`, i, `l:0-${i}`, 'link');
    for (let p = 0; p < 4999; p++) one.add(`o${p}a`, `oa${p}`, 0, `o${p}b`, `ob${p}`, 0, `l:o${p}`, 'link');
    expect(one.significantEdges({ ...counts, correction: 'bh' }, 2, 0.01)).toHaveLength(0);
  });
});

// Storage (pair keys are numbers, one-record edges are flat): snapshots and look-ups as with string keys and plain
// edges.
describe('CoactionGraph storage', () => {
  it('serialises a one-record edge as a plain edge and numbers accounts only while evidence names them', () => {
    const g = new CoactionGraph(8);
    g.add('b', 'pb', 2, 'a', 'pa', 1, 'l:x', 'link');
    expect(JSON.stringify(g.toJSON())).toBe(
      '{"edges":[{"a":"a","b":"b","ev":[{"item":"l:x","kinds":["link"],"pa":"pa","pb":"pb","ta":1,"tb":2}]}],' +
        '"queue":[[2,"a\\u0001b"]]}',
    );
    // A second record on the same item keeps both; the first record leaving makes it a one-record edge again.
    g.add('a', 'pa2', 5, 'b', 'pb2', 6, 'l:x', 'repost');
    expect(g.edge('b', 'a')!.ev.map((e) => e.pa)).toEqual(['pa', 'pa2']);
    g.expire(3);
    expect(JSON.stringify(g.edge('a', 'b'))).toBe(
      '{"a":"a","b":"b","ev":[{"item":"l:x","kinds":["repost"],"pa":"pa2","pb":"pb2","ta":5,"tb":6}]}',
    );
    g.expire(7);
    expect(g.size()).toBe(0);
    // Freed numbers are reused by new accounts; the old pair is gone, the new one found under its own names.
    g.add('c', 'pc', 10, 'd', 'pd', 10, 'l:y', 'link');
    expect(g.edge('a', 'b')).toBeUndefined();
    expect(g.edge('d', 'c')!.ev[0]!.pa).toBe('pc');
    expect((g as unknown as { ids: Map<string, number> }).ids.size).toBe(2);
  });

  it('gives the same state after random adds and expiries as its twin restored from JSON halfway', () => {
    const r = prng(5);
    const kinds: EvidenceKind[] = ['text', 'link', 'xlang', 'repost'];
    const ops: Array<(g: CoactionGraph) => void> = [];
    for (let i = 0, t = 0; i < 4000; i++, t += 1) {
      // The accounts drift (u0-u39 at first, u100-u139 at the end), so early ones leave with their evidence.
      const a = `u${Math.floor(t / 40) + Math.floor(r() * 40)}`;
      const b = `u${Math.floor(t / 40) + Math.floor(r() * 40)}`;
      const ta = t - Math.floor(r() * 20);
      const item = `l:${Math.floor(r() * 30)}`;
      const kind = kinds[Math.floor(r() * kinds.length)]!;
      // Posts repeat now and then, so records gain kinds and pairs gain records on the same and other items.
      const pa = `p${a}-${Math.floor(ta / 7)}`;
      const pb = `p${b}-${Math.floor(t / 7)}`;
      ops.push((g) => g.add(a, pa, ta, b, pb, t, item, kind));
      if (i % 97 === 0) ops.push((g) => g.expire(t - 250));
    }
    const g = new CoactionGraph(4);
    let twin: CoactionGraph | null = null;
    ops.forEach((op, i) => {
      if (i === ops.length >> 1) twin = CoactionGraph.from(4, JSON.parse(JSON.stringify(g)) as never);
      op(g);
      if (twin) op(twin);
    });
    expect(JSON.stringify(twin)).toBe(JSON.stringify(g));
    // Every numbered account is named by an expiry-queue entry (numbers are freed when the last one pops).
    const named = new Set(g.toJSON().queue!.flatMap(([, key]) => key.split('\u0001')));
    expect(named.size).toBeGreaterThan(10);
    for (const x of [g, twin!])
      expect(new Set((x as unknown as { ids: Map<string, number> }).ids.keys())).toEqual(named);
  });
});
