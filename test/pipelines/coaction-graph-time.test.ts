// The time-aware null model of the pair test (nullModel 'time', coaction-graph.ts): an item's share of the
// expectation is k_i(k_i - 1) times the chance that two of its sharers co-acted within its interval, taken from the
// item's own co-acting pairs. Same-minute co-shares of items that others spread over hours are strong evidence;
// readers who share the same headlines at their own pace co-act only as often as that spread predicts.
import { describe, expect, it } from 'vitest';
import { CoactionGraph } from '../../pipelines/coaction-graph.ts';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import type { EnrichedPost } from '../../pipelines/types.ts';
import { prng } from '../support/prng.ts';
import { T0, clusterAccounts, background, byTime, post } from './detection-fixtures.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

const run = clusterAccounts;

/**
 * Eight links that 40 organic accounts each share at their own time over six hours; four busy accounts (15 posts of
 * chatter each) share four of them within 10 seconds of each other.
 */
function ringOnSpreadLinks(): EnrichedPost[] {
  const r = prng(11);
  const out = background(3, 1000, 300, 6);
  const links = Array.from({ length: 8 }, (_, i) => `https://nieuws${i}.example/artikel-${i}`);
  links.forEach((link, l) => {
    for (let j = 0; j < 40; j++)
      out.push(
        post({
          id: `org-${l}-${j}`,
          account: `org-${(j * 7 + l) % 60}`,
          tMs: T0 + r() * 6 * HOUR,
          text: `Interessant stuk ${j}`,
          links: [link],
        }),
      );
  });
  for (let a = 0; a < 4; a++) {
    for (let i = 0; i < 15; i++)
      out.push(post({ id: `ring-${a}-chat-${i}`, account: `ring-${a}`, tMs: T0 + r() * 6 * HOUR, text: `dag ${i}` }));
    for (let l = 0; l < 4; l++)
      out.push(
        post({
          id: `ring-${a}-l${l}`,
          account: `ring-${a}`,
          tMs: T0 + (0.5 + 1.2 * l) * HOUR + a * 3_000,
          text: ['Lees dit', 'Bizar', 'Delen!!', 'Wow'][a],
          links: [links[l]!],
        }),
      );
  }
  return byTime(out);
}

/**
 * 30 heavy readers share, each with chance 0.5, each of 60 headlines with its link (the share button's identical
 * text), at a time of their own within three hours of the headline's publication; headlines appear every 5 minutes.
 */
function heavyReaders(): EnrichedPost[] {
  const r = prng(5);
  const out = background(4, 1000, 300, 6);
  for (let h = 0; h < 60; h++) {
    const published = T0 + h * 5 * MIN;
    const link = `https://krant.example/2024/03/${h}`;
    for (let reader = 0; reader < 30; reader++) {
      if (r() >= 0.5) continue;
      out.push(
        post({
          id: `hr-${h}-${reader}`,
          account: `reader-${reader}`,
          tMs: published + r() * 3 * HOUR,
          text: `Kabinet en oppositie botsen over begroting van het jaar ${2000 + h} ${link}`,
          links: [link],
        }),
      );
    }
  }
  return byTime(out);
}

describe('time-aware null model (detector)', () => {
  it('flags a ring co-sharing within seconds links that organic accounts share over hours', () => {
    const posts = ringOnSpreadLinks();
    const ring = ['ring-0', 'ring-1', 'ring-2', 'ring-3'];
    const flagged = (config: object): string[] => run(posts, config).flat().sort();
    // The pair test alone (shared-items test off) with the time-aware null: the ring, nothing else.
    expect(flagged({ nullModel: 'time', sharedItemAlpha: 0 })).toEqual(ring);
    // The untimed per-item null alone: the same four co-shares of four busy accounts are what the links' popularity
    // predicts.
    expect(flagged({ nullModel: 'item', sharedItemAlpha: 0 })).toEqual([]);
    // The shared-items test (opt-in sharedItemAlpha, pipelines/detect-shared-items.ts) judges the same co-shares by
    // timing: with either null it finds exactly the ring, and none of the 60 community accounts sharing the same links.
    for (const nullModel of ['item', 'time']) {
      const found = flagged({ nullModel, sharedItemAlpha: 0.01 });
      expect(found.filter((a) => a.startsWith('org-'))).toEqual([]);
      expect(found).toEqual(ring);
    }
  }, 120_000);

  it('does not flag heavy readers sharing many headlines, each spread over hours', () => {
    const posts = heavyReaders();
    // The readers do co-act (identical copies within 10 minutes, links within the co-link interval) ...
    const det = createCoordinationDetector({ nullModel: 'time' });
    for (const p of posts) det.observe(p);
    const graph = (det.exportState() as { graph: { edges: { a: string; ev: unknown[] }[] } }).graph;
    expect(graph.edges.filter((e) => e.a.startsWith('reader') && e.ev.length >= 3).length).toBeGreaterThan(20);
    // ... but only as often as the headlines' own time spread predicts, also with the shared-items test on (it only
    // adds edges, so nothing flagged here also means the pair test alone flags nothing).
    expect(run(posts, { nullModel: 'time', sharedItemAlpha: 0.01 })).toEqual([]);
  }, 120_000);
});

describe('time-aware null model (graph)', () => {
  it('counts W_i, the account pairs co-acting on an item, through expiry and restore', () => {
    const g = new CoactionGraph(64);
    g.add('a', 'a1', 100, 'b', 'b1', 100, 'l:x', 'link');
    g.add('a', 'a2', 200, 'b', 'b2', 200, 'l:x', 'link'); // the same pair again: still one pair on l:x
    g.add('a', 'a3', 5000, 'c', 'c1', 5000, 'l:x', 'link');
    g.add('b', 'b3', 5000, 'c', 'c1', 5000, 'l:y', 'link');
    expect([g.pairsOn('l:x'), g.pairsOn('l:y'), g.pairsOn('l:z')]).toEqual([2, 1, 0]);
    const copy = CoactionGraph.from(64, JSON.parse(JSON.stringify(g.toJSON())) as ReturnType<typeof g.toJSON>);
    for (const x of [g, copy]) {
      expect([x.pairsOn('l:x'), x.pairsOn('l:y')]).toEqual([2, 1]);
      x.expire(1000);
      expect([x.pairsOn('l:x'), x.pairsOn('l:y')]).toEqual([1, 1]);
    }
  });

  it('leaves every co-acting pair of the tested accounts out of the items they co-shared', () => {
    const g = new CoactionGraph(64);
    // a and b co-share two items, each also co-acted on by a-c and b-c; d-e co-act on 10 other items.
    for (const item of ['l:1', 'l:2'])
      for (const [x, y] of [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ] as const)
        g.add(x, `${x}${item}`, 0, y, `${y}${item}`, 0, item, 'link');
    for (let i = 0; i < 10; i++) g.add('d', `d${i}`, 0, 'e', `e${i}`, 0, `l:o${i}`, 'link');
    const timePairs = 2 * (2 * 3 + 10);
    const counts = { posts: 1000, postsOf: () => 10, timePairs, sharersOf: () => 3, minPosts: 1 };
    const ab = g.significantEdges(counts, 2, 1).find((e) => e.edge.a === 'a' && e.edge.b === 'b')!;
    // Only d-e's 10 pairs remain: S_t = 2·10 (not 32, nor 28 with only a-b itself left out), N = 1000 - 20.
    expect((ab.expected * 980 ** 2) / (10 * 10)).toBeCloseTo(20, 6);
  });
});
