// The co-action graph's shortcut in the significance test: with `maxSharers` given, groups of edges (and single
// edges) whose expectation has a lower bound that already fails the test are skipped unread. The result must be the
// same edges, shared counts, expectations and p-values as the full test, whatever the counts: random graphs with
// rings (that pass), crowds, items with many sharers (which lower the bound most) and expiry, at many thresholds and
// minimum shared items; one-post accounts beside busy ones, so some groups pass the group bound (m_a = m_b = 1) and
// their edges are judged one by one (the case of a full dense window).
import { describe, expect, it } from 'vitest';
import { CoactionGraph, type NullCounts } from '../../pipelines/coaction-graph.ts';
import { prng as rng } from '../support/prng.ts';

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
          // Some items are shared by thousands (crowds), most by a few; a ring of six co-shares many items.
          const item = `l:${Math.floor(next() * 80)}`;
          if (!sharers.has(item))
            sharers.set(item, next() < 0.2 ? 150 + Math.floor(next() * 5000) : 2 + Math.floor(next() * 40));
          const ring = next() < 0.3;
          const a = ring ? accounts[Math.floor(next() * 6)]! : accounts[Math.floor(next() * 40)]!;
          const b = ring ? accounts[Math.floor(next() * 6)]! : accounts[Math.floor(next() * 40)]!;
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
});
