import { describe, expect, it } from 'vitest';
import { evidencedPosters, sharedClaimPairs } from '../../pipelines/detect-shared-claims.ts';
import { DetectionWindow } from '../../pipelines/detection-window.ts';
import type { EnrichedPost } from '../../pipelines/types.ts';
import { prng } from '../support/prng.ts';
import { babble, byTime, clusterAccounts, post, T0 } from './detection-fixtures.ts';

const HOUR = 3_600_000;
const MIN = 60_000;

/** One item's posts as a window holds them: [account, time, wording]. */
function windowWith(key: string, acts: Array<[string, number, string]>): DetectionWindow {
  const w = new DetectionWindow();
  acts.forEach(([a, t, x], i) => {
    const p = `p${i}`;
    w.addPost(
      p,
      { t, a, l: 'nl', items: [key], g: key.slice(2), tags: [], links: [], x },
      { created: null, ageDays: null, posts: null, botScore: 0, botReasons: [] },
    );
    w.addAction(key, { t, a, p, l: 'nl', n: 0 });
  });
  return w;
}

const CFG = {
  alpha: 0.01,
  textIntervalMs: 6 * HOUR,
  maxItemAccounts: 150,
  minAccounts: 3,
  minPosts: 1000,
};

describe('evidencedPosters', () => {
  it('counts rewrites within the text interval, not a wording several accounts copied, however close', () => {
    const w = windowWith('t:claim', [
      ['a', T0, 'x1'],
      ['b', T0 + 3 * HOUR, 'x2'], // a rewrite 3 h after a's: both are evidence
      ['c', T0 + 5 * HOUR, 'x4'],
      ['d', T0 + 12 * HOUR, 'x5'], // 7 h after c: nothing within the text interval
      ['e', T0 + 20 * HOUR, 'x3'],
      ['f', T0 + 20 * HOUR + 5 * MIN, 'x3'], // identical copies minutes apart by three accounts: the pair test's
      ['g', T0 + 20 * HOUR + 6 * MIN, 'x3'], // business, not rewrites
    ]);
    expect(evidencedPosters(w, 't:claim', CFG)).toEqual(['a', 'b', 'c']);
  });

  it('leaves out identical copies (what share buttons produce), also when one sharer edited the headline', () => {
    const w = windowWith(
      't:headline',
      Array.from({ length: 8 }, (_, i): [string, number, string] => [`r${i}`, T0 + i * 3 * MIN, 'same']),
    );
    expect(evidencedPosters(w, 't:headline', CFG)).toEqual([]);
    w.addPost(
      'edited',
      { t: T0 + 10 * MIN, a: 'r9', l: 'nl', items: ['t:headline'], g: 'headline', tags: [], links: [], x: 'other' },
      { created: null, ageDays: null, posts: null, botScore: 0, botReasons: [] },
    );
    w.addAction('t:headline', { t: T0 + 10 * MIN, a: 'r9', p: 'edited', l: 'nl', n: 0 });
    expect(evidencedPosters(w, 't:headline', CFG)).toEqual(['r9']);
    expect(sharedClaimPairs(w, CFG).pairs).toEqual([]);
  });
});

// ----- The detector on a small world: a slow drip and the organic hard negatives -----

/** Background accounts with skewed activity: account i posts (and shares, and quotes) in proportion to 1/(i+1)^0.7. */
function activity(n: number): (r: () => number) => string {
  const w = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** 0.7);
  const total = w.reduce((s, x) => s + x, 0);
  const cum: number[] = [];
  let c = 0;
  for (const x of w) cum.push((c += x / total));
  return (r) => {
    const u = r();
    let i = 0;
    while (i < n - 1 && cum[i]! < u) i++;
    return `bg-${i}`;
  };
}

/** An exponential delay with mean `meanMs` (how shares of a story decay). */
const decay = (r: () => number, meanMs: number): number => -Math.log(1 - r()) * meanMs;

const SLOTS = [
  ['schandalig', 'schokkend', 'onacceptabel', 'bizar'],
  ['verzwegen', 'weggemoffeld', 'verborgen', 'stilgehouden'],
  ['kiezers', 'burgers', 'mensen', 'Nederlanders'],
  ['bewijs', 'documenten', 'beelden', 'bewijzen'],
];

/** A 20-word claim in chunks, with synonym slots; `paraphrase` rewords it (synonyms, chunks rotated or swapped). */
function claim(words: string): string[][] {
  const w = words.split(' ');
  const out: string[][] = [];
  for (let i = 0; i < w.length; i += 4) {
    out.push(w.slice(i, i + 4));
    if (out.length <= SLOTS.length) out.push(SLOTS[out.length - 1]!);
  }
  return out;
}
function paraphrase(r: () => number, tpl: string[][]): string {
  const parts = tpl.map((slot) =>
    SLOTS.includes(slot) ? (r() < 0.6 ? slot[Math.floor(r() * slot.length)]! : slot[0]!) : slot.join(' '),
  );
  if (r() < 0.5) parts.push(...parts.splice(0, 1 + Math.floor(r() * (parts.length - 1))));
  else {
    const i = Math.floor(r() * parts.length);
    const j = Math.floor(r() * parts.length);
    [parts[i], parts[j]] = [parts[j]!, parts[i]!];
  }
  return parts.join(' ');
}
const CLAIM_A = claim('stembussen in Utrecht zijn na sluiting door onbekenden geopend en de tellingen aangepast');
const CLAIM_B = claim('ambtenaren kregen opdracht om briefstemmen uit Zuid-Holland apart te leggen tot na de uitslag');

/**
 * Six hours: 4,000 organic posts by 400 accounts of skewed activity; 12 news links shared by 100 accounts each over
 * hours; share-button copies (10 headlines, identical text and link, 40 sharers each within ~45 min, from 150 readers
 * who post little else, the first readers sharing nearly every headline); two politician quotes each quoted by 60 accounts with their own comment; and, unless `drip` is false,
 * a slow drip: 24 accounts, claims A and B reworded over 4 hours, 8 post only A, 8 only B, 8 both (so no two accounts
 * share more than two items), each with two posts of chatter.
 */
function world(seed: number, drip = true): EnrichedPost[] {
  const r = prng(seed);
  const pick = activity(400);
  const out: EnrichedPost[] = [];
  let id = 0;
  const add = (account: string, tMs: number, text: string, links: string[] = []): void => {
    out.push(post({ id: `p${seed}-${id++}`, account, tMs: Math.min(T0 + 6 * HOUR, tMs), text, links }));
  };
  for (let i = 0; i < 4000; i++) add(pick(r), T0 + r() * 6 * HOUR, babble(r, 8 + Math.floor(r() * 10)));
  for (let l = 0; l < 12; l++) {
    const t0 = T0 + r() * 3 * HOUR;
    for (let k = 0; k < 100; k++)
      add(pick(r), t0 + decay(r, 70 * MIN), babble(r, 5 + Math.floor(r() * 8)), [`https://nos.example/${l}`]);
  }
  for (let h = 0; h < 10; h++) {
    const headline = `${babble(r, 10)} | NU.nl https://nu.example/${h}`;
    const t0 = T0 + r() * 5 * HOUR;
    const sharers = new Set<string>();
    while (sharers.size < 40) sharers.add(`reader-${Math.floor(150 * r() ** 2)}`);
    for (const a of sharers) add(a, t0 + decay(r, 45 * MIN), headline, [`https://nu.example/${h}`]);
  }
  for (const quote of [
    '"Wij gaan de huizenmarkt binnen vier jaar volledig op orde brengen voor alle starters"',
    '"Het kabinet zal de zorgpremie volgend jaar niet verhogen voor gezinnen met een laag inkomen"',
  ]) {
    const t0 = T0 + r() * 4 * HOUR;
    const quoters = new Set<string>();
    while (quoters.size < 60) quoters.add(pick(r));
    for (const a of quoters) add(a, t0 + decay(r, 50 * MIN), `${quote} ${babble(r, 4 + Math.floor(r() * 9))}`);
  }
  if (drip)
    for (let i = 0; i < 24; i++) {
      const a = `drip-${i}`;
      for (let f = 0; f < 2; f++) add(a, T0 + r() * 6 * HOUR, babble(r, 10));
      if (i < 8 || i >= 16) add(a, T0 + HOUR + r() * 4 * HOUR, paraphrase(r, CLAIM_A));
      if (i >= 8) add(a, T0 + 1.5 * HOUR + r() * 4 * HOUR, paraphrase(r, CLAIM_B));
    }
  return byTime(out);
}

function flagged(posts: EnrichedPost[], config = {}): string[] {
  return clusterAccounts(posts, config, 500).flat();
}

describe('shared claims in the coordination detector', () => {
  const posts = world(5);
  const drip = (xs: string[]) => xs.filter((a) => a.startsWith('drip-'));

  it('finds a slow drip whose account pairs share at most two claims, which the pair test alone misses', () => {
    const on = flagged(posts);
    expect(drip(on).length).toBeGreaterThanOrEqual(22);
    expect(on.filter((a) => !a.startsWith('drip-'))).toEqual([]);
    // The pair test alone: at most the accounts that posted both claims, not the drip.
    expect(drip(flagged(posts, { sharedClaimAlpha: 0 })).length).toBeLessThanOrEqual(8);
  });

  it('flags none of the organic hard negatives: share-button copies, quotes with own comments, news links', () => {
    for (const seed of [6, 7, 8]) expect(flagged(world(seed, false))).toEqual([]);
  });
});

describe('shared links in the coordination detector (sharedClaimLinks)', () => {
  /**
   * The organic world without a drip, plus a small co-link ring: 15 accounts with some chatter each, 3 fresh links
   * of one unknown domain, each account sharing 2 of the 3 with its own comment within two minutes of the others
   * (so an account pair co-shares one or two links).
   */
  function ringWorld(seed: number): EnrichedPost[] {
    const r = prng(seed * 31);
    const out = world(seed, false);
    let id = 0;
    const starts = [T0 + 1.2 * HOUR, T0 + 2.7 * HOUR, T0 + 4.1 * HOUR];
    for (let i = 0; i < 15; i++) {
      const a = `ring-${i}`;
      for (let f = 0; f < 6; f++)
        out.push(post({ id: `ring${seed}-${id++}`, account: a, tMs: T0 + r() * 6 * HOUR, text: babble(r, 10) }));
      starts.forEach((t0, m) => {
        if (m === i % 3) return;
        const url = `https://vrijspreker.example/artikel/${seed}-${m}`;
        const text = `${babble(r, 1 + Math.floor(r() * 4))} ${url}`;
        out.push(post({ id: `ring${seed}-${id++}`, account: a, tMs: t0 + r() * 2 * MIN, text, links: [url] }));
      });
    }
    return byTime(out);
  }
  const ring = (xs: string[]) => xs.filter((a) => a.startsWith('ring-'));

  it('finds a small ring sharing 3 links with different comments, which the pair test alone misses', () => {
    const posts = ringWorld(5);
    const on = flagged(posts, { sharedClaimLinks: true });
    expect(ring(on).length).toBeGreaterThanOrEqual(13);
    expect(on.filter((a) => !a.startsWith('ring-'))).toEqual([]);
    expect(ring(flagged(posts, { sharedClaimLinks: false, linkRingAlpha: 0 })).length).toBeLessThanOrEqual(4);
  });

  it('flags none of the organic news links shared by 100 accounts or the share-button copies', () => {
    for (const seed of [6, 7, 8]) expect(flagged(world(seed, false), { sharedClaimLinks: true })).toEqual([]);
  });
});

describe('claim memory beyond the window (sharedClaimMemorySeconds)', () => {
  /** `posts` moved `ms` later. */
  const shifted = (posts: EnrichedPost[], ms: number): EnrichedPost[] =>
    posts.map((p) => ({
      ...p,
      createdAtMs: p.createdAtMs + ms,
      createdAt: new Date(p.createdAtMs + ms).toISOString(),
    }));

  /**
   * Eighteen hours: three of the six-hour organic worlds above back to back (the same accounts), and, unless `drip`
   * is false, a drip of 24 accounts rewording claims A and B over 12 hours each (8 post only A, 8 only B, 8 both;
   * chatter over the whole day), so the 6 h window never holds more than about half of either claim's rewriters.
   */
  function dayWorld(seed: number, drip = true): EnrichedPost[] {
    const out = [0, 1, 2].flatMap((k) => shifted(world(seed * 10 + k, false), k * 6 * HOUR));
    if (drip) {
      const r = prng(seed * 97);
      let id = 0;
      const add = (account: string, tMs: number, text: string): void => {
        out.push(post({ id: `drip${seed}-${id++}`, account, tMs, text }));
      };
      for (let i = 0; i < 24; i++) {
        const a = `drip-${i}`;
        for (let f = 0; f < 4; f++) add(a, T0 + r() * 18 * HOUR, babble(r, 10));
        if (i < 8 || i >= 16) add(a, T0 + 2 * HOUR + r() * 12 * HOUR, paraphrase(r, CLAIM_A));
        if (i >= 8) add(a, T0 + 3 * HOUR + r() * 12 * HOUR, paraphrase(r, CLAIM_B));
      }
    }
    return byTime(out);
  }
  const drip = (xs: string[]) => xs.filter((a) => a.startsWith('drip-'));

  it('finds a drip over 12 h with memory, which the 6 h window alone misses', () => {
    const posts = dayWorld(5);
    const on = flagged(posts);
    expect(drip(on).length).toBeGreaterThanOrEqual(20);
    expect(on.filter((a) => !a.startsWith('drip-'))).toEqual([]);
    // The window alone: the rewriters of both claims in it at once are too few at most advances.
    expect(drip(flagged(posts, { sharedClaimMemorySeconds: 0 })).length).toBeLessThan(drip(on).length - 2);
  }, 240_000);

  it('flags none of the organic hard negatives over a day with memory', () => {
    for (const seed of [6, 7]) expect(flagged(dayWorld(seed, false))).toEqual([]);
  }, 240_000);
});
