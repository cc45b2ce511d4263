// The link-ring test (pipelines/detect-link-rings.ts): fresh links, each shared by all its sharers within minutes,
// shared by more of the same accounts than their activity predicts. A small ring sharing a few links over five
// minutes (its account pairs mostly further apart than the co-link interval) is found; an interest community following
// the same links over hours, viral links shared by hundreds over twenty minutes and headlines that heavy readers share
// within minutes are not.
import { describe, expect, it } from 'vitest';
import { flashLinks, linkRingPairs, logOverlapTail } from '../../pipelines/detect-link-rings.ts';
import { DetectionWindow } from '../../pipelines/detection-window.ts';
import { logFactorial } from '../../pipelines/tail-probability.ts';
import type { EnrichedPost } from '../../pipelines/types.ts';
import { prng } from '../support/prng.ts';
import { T0, babble, background, byTime, clusterAccounts, community, post, viral } from './detection-fixtures.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
/** The test on (the default), without and with the other sharers of the ring's links. */
const ON = { linkRingAlpha: 0.01, linkRingWholeLinks: false };
const WHOLE = { linkRingAlpha: 0.01 };

const RING = Array.from({ length: 6 }, (_, a) => `ring-${a}`);

/**
 * Six accounts (ten posts of chatter each over six hours) share three fresh links of one domain, each link by all six
 * within five minutes, each with a comment of its own.
 */
function ring(r: () => number, links = 3): EnrichedPost[] {
  const out: EnrichedPost[] = [];
  RING.forEach((account, a) => {
    for (let i = 0; i < 10; i++)
      out.push(post({ id: `${account}-chat-${i}`, account, tMs: T0 + r() * 6 * HOUR, text: babble(r, 9) }));
    for (let l = 0; l < links; l++)
      out.push(
        post({
          id: `${account}-l${l}`,
          account,
          tMs: T0 + (1 + 1.5 * l) * HOUR + r() * 5 * MIN,
          text: `${babble(r, 1 + a)} https://waarheid.example/stuk-${l}`,
          links: [`https://waarheid.example/stuk-${l}`],
        }),
      );
  });
  return out;
}

/** Organic link sharing: 600 posts by the 400 background accounts, each with one of 300 news links, over six hours. */
function news(r: () => number): EnrichedPost[] {
  return Array.from({ length: 600 }, (_, i) => {
    const link = `https://www.nu.nl/${Math.floor(r() * 300)}`;
    return post({
      id: `news-${i}`,
      account: `bg-${Math.floor(r() * 400)}`,
      tMs: T0 + r() * 6 * HOUR,
      text: `${babble(r, 6)} ${link}`,
      links: [link],
    });
  });
}

/**
 * 100 heavy readers (30 posts of chatter each) and 24 headlines, one every 15 minutes, each shared by 25 of them within
 * eight minutes of its publication: flash links with many common sharers, as busy accounts share the news.
 */
function headlines(r: () => number): EnrichedPost[] {
  const out: EnrichedPost[] = [];
  for (let reader = 0; reader < 100; reader++)
    for (let i = 0; i < 30; i++)
      out.push(
        post({
          id: `hr-${reader}-chat-${i}`,
          account: `reader-${reader}`,
          tMs: T0 + r() * 6 * HOUR,
          text: babble(r, 10),
        }),
      );
  for (let h = 0; h < 24; h++) {
    const link = `https://krant.example/2024/03/${h}`;
    const sharers = new Set<number>();
    while (sharers.size < 25) sharers.add(Math.floor(r() * 100));
    for (const s of [...sharers].sort((x, y) => x - y))
      out.push(
        post({
          id: `hl-${h}-${s}`,
          account: `reader-${s}`,
          tMs: T0 + h * 15 * MIN + r() * 8 * MIN,
          text: `${babble(r, 4)} ${link}`,
          links: [link],
        }),
      );
  }
  return out;
}

describe('link rings (detector)', () => {
  it('finds six accounts sharing three fresh links within five minutes each time, only with the test', () => {
    const posts = byTime([...background(1, 1500, 400, 6), ...news(prng(9)), ...ring(prng(2))]);
    expect(clusterAccounts(posts, ON).flat().sort()).toEqual(RING);
    expect(clusterAccounts(posts, { linkRingAlpha: 0 })).toEqual([]);
  }, 60_000);

  it('with linkRingWholeLinks (its default), also joins a member that shared only one of the ring links', () => {
    const r = prng(12);
    const late = post({
      id: 'ring-6-l0',
      account: 'ring-6',
      tMs: T0 + HOUR + 4 * MIN,
      text: 'kijk dit https://waarheid.example/stuk-0',
      links: ['https://waarheid.example/stuk-0'],
    });
    const posts = byTime([...background(13, 1500, 400, 6), ...news(r), ...ring(r), late]);
    expect(clusterAccounts(posts, ON).flat().sort()).toEqual(RING);
    expect(clusterAccounts(posts, WHOLE).flat().sort()).toEqual([...RING, 'ring-6']);
  }, 60_000);

  it('does not flag an interest community following the same links over hours, and finds a ring among it', () => {
    const r = prng(3);
    const organic = [...background(4, 1500, 400, 6), ...news(r), ...community(r)];
    expect(clusterAccounts(byTime(organic), WHOLE)).toEqual([]);
    expect(
      clusterAccounts(byTime([...organic, ...ring(r)]), WHOLE)
        .flat()
        .sort(),
    ).toEqual(RING);
  }, 60_000);

  it('does not flag viral links shared by hundreds within twenty minutes', () => {
    expect(
      clusterAccounts(byTime([...background(5, 1500, 400, 6), ...news(prng(10)), ...viral(prng(6))]), WHOLE),
    ).toEqual([]);
  }, 60_000);

  it('does not flag heavy readers sharing headlines within minutes of their publication', () => {
    const posts = byTime([...background(7, 1500, 400, 6), ...news(prng(11)), ...headlines(prng(8))]);
    // The headlines are flash links with many common sharers, tested ...
    expect([...flashLinks(windowOf(posts), CFG).keys()].filter((k) => k.includes('krant'))).toHaveLength(24);
    // ... but the readers' activity explains how many of them share any two.
    expect(clusterAccounts(posts, WHOLE)).toEqual([]);
  }, 60_000);
});

/** The window of a detector-like feed of `posts` (links only; enough for the link-ring test). */
function windowOf(posts: EnrichedPost[]): DetectionWindow {
  const w = new DetectionWindow();
  for (const p of posts) {
    const links = p.canonicalLinks ?? [];
    const items = links.map((l) => `l:${l}`);
    w.addPost(
      p.id,
      { t: p.createdAtMs, a: p.author.id, l: 'nl', items, g: null, tags: [], links, x: '' },
      { created: null, ageDays: null, posts: null, botScore: 0, botReasons: [] },
    );
    for (const key of items) w.addAction(key, { t: p.createdAtMs, a: p.author.id, p: p.id, l: 'nl', n: 0 });
  }
  return w;
}

const CFG = {
  alpha: 0.01,
  spanMs: 10 * MIN,
  maxItemAccounts: 150,
  minAccounts: 3,
  maxLinksPerAccount: 32,
  minPosts: 1000,
};

describe('linkRingPairs', () => {
  /** A window of 3,000 filler posts by 1,000 accounts and the given link shares: [link, account, time]. */
  function windowWith(shares: Array<[string, string, number]>): DetectionWindow {
    const w = new DetectionWindow();
    const add = (key: string | null, a: string, t: number, p: string): void => {
      w.addPost(
        p,
        { t, a, l: 'nl', items: key ? [key] : [], g: null, tags: [], links: [], x: '' },
        { created: null, ageDays: null, posts: null, botScore: 0, botReasons: [] },
      );
      if (key) w.addAction(key, { t, a, p, l: 'nl', n: 0 });
    };
    shares.forEach(([key, a, t], i) => add(key, a, t, `s${i}`));
    for (let i = 0; i < 3000; i++) add(null, `bg${i % 1000}`, T0 + i * 1000, `f${i}`);
    return w;
  }

  it('passes two links the same four accounts shared within minutes, not when one link spread over hours', () => {
    const flash: Array<[string, string, number]> = [];
    const spread: Array<[string, string, number]> = [];
    for (const [l, key] of ['l:x', 'l:y'].entries())
      ['a', 'b', 'c', 'd'].forEach((a, i) => {
        flash.push([key, a, T0 + l * HOUR + i * 2 * MIN]);
        spread.push([key, a, T0 + l * HOUR + i * (l === 0 ? 2 * MIN : 40 * MIN)]);
      });
    const [pair, ...rest] = linkRingPairs(windowWith(flash), CFG);
    expect(rest).toEqual([]);
    expect(pair).toMatchObject({ links: ['l:x', 'l:y'], accounts: ['a', 'b', 'c', 'd'] });
    expect(pair!.logP).toBeLessThan(Math.log(0.01));
    expect(linkRingPairs(windowWith(spread), CFG)).toEqual([]);
  });

  it('needs minAccounts common sharers', () => {
    const shares: Array<[string, string, number]> = [];
    for (const [l, key] of ['l:x', 'l:y'].entries())
      ['a', 'b'].forEach((a, i) => shares.push([key, a, T0 + l * HOUR + i * MIN]));
    expect(linkRingPairs(windowWith(shares), { ...CFG, minAccounts: 3 })).toEqual([]);
    expect(linkRingPairs(windowWith(shares), { ...CFG, minAccounts: 2 })).toHaveLength(1);
  });
});

describe('logOverlapTail', () => {
  it('bounds the exact tail of a sum of independent Bernoullis', () => {
    // Ten accounts with chance 0.05 each, and 200 with 0.1: P(C >= c) by dynamic programming.
    const ps = [...Array<number>(10).fill(0.05), ...Array<number>(200).fill(0.1)];
    let dist = [1];
    for (const p of ps) {
      const next = Array<number>(dist.length + 1).fill(0);
      dist.forEach((q, k) => {
        next[k]! += q * (1 - p);
        next[k + 1]! += q * p;
      });
      dist = next;
    }
    const mu = ps.reduce((s, p) => s + p, 0);
    for (const c of [1, 5, 20, 30, 45]) {
      const exact = Math.log(dist.slice(c).reduce((s, q) => s + q, 0));
      expect(logOverlapTail(c, mu)).toBeGreaterThanOrEqual(exact - 1e-9);
    }
    // Small means: the union bound μ^c / c!.
    expect(logOverlapTail(3, 0.01)).toBeCloseTo(3 * Math.log(0.01) - logFactorial(3), 9);
    expect(logOverlapTail(0, 5)).toBe(0);
  });
});
