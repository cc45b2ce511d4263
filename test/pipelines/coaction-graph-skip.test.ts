// The co-action graph's shortcut in the significance test: with `maxSharers` given, groups of edges (and single
// edges) whose expectation has a lower bound that already fails the test are skipped unread. The result must be the
// same edges, shared counts, expectations and p-values as the full test, whatever the counts: random graphs with
// rings (that pass), crowds, items with many sharers (which lower the bound most) and expiry, at many thresholds and
// minimum shared items; one-post accounts beside busy ones, so some groups pass the group bound (m_a = m_b = 1) and
// their edges are judged one by one (the case of a full dense window). With `postsFell` the test also sets aside edges
// its bound rejected, across calls: a graph called again and again, with activity rising and falling (falls reported)
// and the counts moving both ways, must give what the full test gives on an identical graph at every call.
import { describe, expect, it } from 'vitest';
import { CoactionGraph, type NullCounts } from '../../pipelines/coaction-graph.ts';
import { prng as rng } from '../support/prng.ts';

/**
 * One random co-action: an item (shared by thousands, a crowd, or by a few, its sharer count drawn the first time)
 * and two accounts, a pair of the ring of six in 30% of draws (it co-shares many items), else any two of the 40.
 */
function draw(
  next: () => number,
  sharers: Map<string, number>,
  accounts: string[],
): { item: string; a: string; b: string } {
  const item = `l:${Math.floor(next() * 80)}`;
  if (!sharers.has(item))
    sharers.set(item, next() < 0.2 ? 150 + Math.floor(next() * 5000) : 2 + Math.floor(next() * 40));
  const ring = next() < 0.3;
  const a = ring ? accounts[Math.floor(next() * 6)]! : accounts[Math.floor(next() * 40)]!;
  const b = ring ? accounts[Math.floor(next() * 6)]! : accounts[Math.floor(next() * 40)]!;
  return { item, a, b };
}

describe('CoactionGraph significance shortcut (maxSharers)', () => {
  it('gives the same significant edges as the full test', () => {
    let passed = 0;
    for (let seed = 1; seed <= 3; seed++) {
      const next = rng(seed);
      const g = new CoactionGraph(64, 2);
      const sharers = new Map<string, number>();
      const posts = new Map<string, number>();
      const accounts = Array.from({ length: 40 }, (_, i) => `a${i}`);
      for (const a of accounts) posts.set(a, next() < 0.3 ? 1 : 1 + Math.floor(next() * 30));
      let t = 0;
      let p = 0;
      for (let step = 0; step < 20; step++) {
        for (let n = 0; n < 60; n++) {
          t += 1000;
          const { item, a, b } = draw(next, sharers, accounts);
          g.add(a, `p${p++}`, t, b, `p${p++}`, t - 500, item, 'link');
        }
        if (step % 7 === 6) g.expire(t - 200_000);
        const maxSharers = Math.max(...sharers.values());
        for (const total of [200, 3000, 60_000]) {
          for (const itemPairs of [100, 20_000, 5_000_000]) {
            const counts: NullCounts = {
              posts: total,
              postsOf: (a) => posts.get(a) ?? 1,
              minPosts: 100,
              itemPairs,
              sharersOf: (item) => sharers.get(item) ?? 0,
            };
            for (const alpha of [0.01, 0.5]) {
              for (const correction of ['bonferroni', 'bh'] as const) {
                // A caller's minimum above the graph's own (3 > 2) drops whole groups by their shared items.
                for (const minShared of [2, 3]) {
                  const full = g.significantEdges({ ...counts, correction }, minShared, alpha);
                  const fast = g.significantEdges({ ...counts, correction, maxSharers }, minShared, alpha);
                  expect(fast).toEqual(full);
                  passed += full.length;
                }
              }
            }
          }
        }
      }
    }
    // The comparison means something only if edges pass at some counts and fail at others.
    expect(passed).toBeGreaterThan(100);
  });

  it('gives the same edges across calls when it sets rejected edges aside (postsFell)', () => {
    let passed = 0;
    let slept = 0;
    let woken = 0;
    for (let seed = 1; seed <= 4; seed++) {
      const next = rng(100 + seed);
      // Two graphs fed the same evidence: the full test on one, the shortcut (which keeps edges aside) on the other.
      const full = new CoactionGraph(64, 2);
      const fast = new CoactionGraph(64, 2);
      const sharers = new Map<string, number>();
      const posts = new Map<string, number>();
      const accounts = Array.from({ length: 40 }, (_, i) => `a${i}`);
      for (const a of accounts) posts.set(a, next() < 0.3 ? 1 : 1 + Math.floor(next() * 30));
      const fell = new Set<string>();
      let t = 0;
      let p = 0;
      for (let step = 0; step < 60; step++) {
        for (let n = 0; n < 30; n++) {
          t += 1000;
          const { item, a, b } = draw(next, sharers, accounts);
          for (const g of [full, fast]) g.add(a, `p${p}`, t, b, `p${p + 1}`, t - 500, item, 'link');
          p += 2;
        }
        // Activity moves both ways: a rise needs no report, a fall is reported (as the window's expiry does).
        for (let k = 0; k < 8; k++) {
          const a = accounts[Math.floor(next() * 40)]!;
          const m = posts.get(a)!;
          const to = next() < 0.5 ? m + 1 + Math.floor(next() * 20) : Math.max(1, m - 1 - Math.floor(next() * 30));
          if (to < m) fell.add(a);
          posts.set(a, to);
        }
        if (step % 7 === 6) for (const g of [full, fast]) g.expire(t - 200_000);
        const counts: NullCounts = {
          posts: [200, 3000, 60_000][Math.floor(next() * 3)]!,
          postsOf: (a) => posts.get(a) ?? 1,
          minPosts: 100,
          itemPairs: [100, 20_000, 5_000_000][Math.floor(next() * 3)]!,
          sharersOf: (item) => sharers.get(item) ?? 0,
          correction: next() < 0.5 ? 'bonferroni' : 'bh',
        };
        const alpha = next() < 0.5 ? 0.01 : 0.5;
        const maxSharers = Math.max(...sharers.values());
        const before = sleeping(fast);
        const got = fast.significantEdges({ ...counts, maxSharers, postsFell: [...fell] }, 2, alpha);
        fell.clear();
        expect(got).toEqual(full.significantEdges(counts, 2, alpha));
        passed += got.length;
        slept = Math.max(slept, sleeping(fast));
        if (sleeping(fast) < before) woken++;
      }
    }
    // Meaningful only if edges pass, edges are set aside, and set-aside edges come back.
    expect(passed).toBeGreaterThan(50);
    expect(slept).toBeGreaterThan(20);
    expect(woken).toBeGreaterThan(5);
  });
});

/** Edges the graph has set aside (a private field, read to check that the case under test happens). */
function sleeping(g: CoactionGraph): number {
  return (g as unknown as { sleepOf: Map<string, number> }).sleepOf.size;
}
