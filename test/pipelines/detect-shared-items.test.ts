// The shared-items test (pipelines/detect-shared-items.ts): link and repost items co-shared within the co-link
// interval by the same account pairs, judged against the items' own time spread and the accounts' activity. A ring
// that shares each link within a minute is found even when its accounts are too busy for the pair test; an interest
// community following the same links at its own pace over hours, and viral links shared by hundreds, are not.
import { describe, expect, it } from 'vitest';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import { coSharingPairs, sharedItemPairs, SharedItemsCache } from '../../pipelines/detect-shared-items.ts';
import { DetectionWindow } from '../../pipelines/detection-window.ts';
import type { EnrichedPost } from '../../pipelines/types.ts';
import { prng } from '../support/prng.ts';
import { T0, clusterAccounts, babble, background, byTime, community, post, viral } from './detection-fixtures.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const ON = { sharedItemAlpha: 0.01 };

const run = clusterAccounts;

const RING = Array.from({ length: 6 }, (_, a) => `ring-${a}`);

/**
 * Six busy accounts (40 posts of chatter each over six hours) share three fresh links, each within a minute of each
 * other, each with a comment of its own.
 */
function ring(r: () => number): EnrichedPost[] {
  const out: EnrichedPost[] = [];
  RING.forEach((account, a) => {
    for (let i = 0; i < 40; i++)
      out.push(post({ id: `${account}-chat-${i}`, account, tMs: T0 + r() * 6 * HOUR, text: babble(r, 9) }));
    for (let l = 0; l < 3; l++)
      out.push(
        post({
          id: `${account}-l${l}`,
          account,
          tMs: T0 + (1 + 1.5 * l) * HOUR + r() * MIN,
          text: `${babble(r, 1 + a)} https://echtnieuws.example/stuk-${l}`,
          links: [`https://echtnieuws.example/stuk-${l}`],
        }),
      );
  });
  return out;
}

describe('shared items (detector)', () => {
  it('finds a ring of six busy accounts sharing three links within a minute each time, only with the test', () => {
    const posts = byTime([...background(1, 1500, 400, 6), ...ring(prng(2))]);
    expect(run(posts, ON).flat().sort()).toEqual(RING);
    // Without it (and without the link-ring test, which finds such a ring by its own evidence): nothing.
    expect(run(posts, { linkRingAlpha: 0 })).toEqual([]);
  }, 60_000);

  it('does not flag an interest community following the same links over hours, and finds a ring among it', () => {
    const r = prng(3);
    const organic = [...background(4, 1500, 400, 6), ...community(r)];
    const withRing = byTime([...organic, ...ring(r)]);
    // Also as a sample of a larger platform (nullMinPosts 10000), where the accounts' activity alone no longer
    // explains how many of the same accounts follow these links: only the timing keeps them out.
    for (const config of [ON, { ...ON, nullMinPosts: 10_000 }]) {
      expect(run(byTime(organic), config)).toEqual([]);
      expect(run(withRing, config).flat().sort()).toEqual(RING);
    }
  }, 60_000);

  it('does not flag viral links shared by hundreds within minutes', () => {
    const posts = byTime([...background(5, 1500, 400, 6), ...viral(prng(6))]);
    expect(run(posts, ON)).toEqual([]);
  }, 60_000);

  it('gives the same clusters at every advance after a restore from exportState', () => {
    const r = prng(7);
    const posts = byTime([...background(8, 1500, 400, 6), ...community(r), ...ring(r)]);
    const whole = createCoordinationDetector(ON);
    let restored = createCoordinationDetector(ON);
    let latest = -Infinity;
    const reported: Array<[string[], string[]]> = [];
    const ids = (cs: Array<{ accounts: string[] }>): string[] => cs.map((c) => c.accounts.join(','));
    posts.forEach((p, i) => {
      latest = Math.max(latest, p.createdAtMs);
      whole.observe(p);
      restored.observe(p);
      if ((i + 1) % 40 === 0) {
        reported.push([ids(whole.advance(latest)), ids(restored.advance(latest))]);
        // A new detector from the snapshot (no derived cache) takes over.
        restored = createCoordinationDetector(ON, restored.exportState());
      }
    });
    reported.push([ids(whole.advance(latest)), ids(restored.advance(latest))]);
    for (const [a, b] of reported) expect(b).toEqual(a);
    expect(restored.clusters()).toEqual(whole.clusters());
    expect(
      whole
        .clusters()
        .flatMap((c) => c.accounts)
        .sort(),
    ).toEqual(RING);
  }, 60_000);
});

describe('sharedItemPairs', () => {
  /** A window holding link items' shares: [item, account, time]. */
  function windowWith(shares: Array<[string, string, number]>, filler = 3000): DetectionWindow {
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
    for (let i = 0; i < filler; i++) add(null, `bg${i % 1000}`, T0 + i * 1000, `f${i}`);
    return w;
  }
  const CFG = {
    alpha: 0.01,
    intervalMs: 60_000,
    maxItemAccounts: 150,
    minAccounts: 4,
    minPosts: 1000,
    partnerLimit: 200,
    maxItemsPerPair: 32,
  };

  it('counts co-sharing pairs within the interval only', () => {
    const w = windowWith([
      ['l:x', 'a', T0],
      ['l:x', 'b', T0 + 30_000],
      ['l:x', 'c', T0 + 100_000], // 70 s after b: no pair with b or a
      ['l:x', 'c', T0 + 110_000], // the same account again: no pair with itself
    ]);
    expect(coSharingPairs(w, 'l:x', CFG.intervalMs, 200)).toEqual(['a\u0001b']);
  });

  it('passes two links the same four accounts shared within a minute, not when they shared them hours apart', () => {
    const tight: Array<[string, string, number]> = [];
    const loose: Array<[string, string, number]> = [];
    for (const [l, key] of ['l:x', 'l:y'].entries())
      ['a', 'b', 'c', 'd'].forEach((a, i) => {
        tight.push([key, a, T0 + l * HOUR + i * 5_000]);
        loose.push([key, a, T0 + l * HOUR + i * 40 * MIN]);
      });
    const [pair] = sharedItemPairs(windowWith(tight), CFG);
    expect(pair).toMatchObject({ items: ['l:x', 'l:y'], accounts: 4, matching: 2 });
    expect(pair!.pairs).toHaveLength(6);
    expect(sharedItemPairs(windowWith(loose), CFG)).toEqual([]);
  });

  it('gives what a fresh full pass gives at every step when told only the touched items and the expiries', () => {
    // 12 accounts sharing links and reposts, a few new ones every 60 posts (old ones go quiet and expire), some late, expiry every 25 posts, the interval
    // changing once, few items allowed per account pair: what the tracked cache reads must be all that changed.
    const r = prng(21);
    const w = new DetectionWindow();
    const tracked = new SharedItemsCache(true);
    const cfg = { ...CFG, alpha: 1, minAccounts: 3, maxItemsPerPair: 3 };
    const windowMs = 2 * HOUR;
    let latest = T0;
    let found = 0;
    for (let i = 0; i < 1500; i++) {
      const key = `${r() < 0.5 ? 'l' : 'r'}:${Math.floor(i / 60) + Math.floor(r() * 4)}`; // items go quiet, then expire
      const a = `acc-${Math.floor(r() * 12)}`;
      latest += Math.floor(r() * 20_000);
      const t = r() < 0.1 ? latest - Math.floor(r() * 30 * MIN) : latest; // some late posts
      const p = `p${i}`;
      w.addPost(
        p,
        { t, a, l: 'nl', items: [key], g: null, tags: [], links: [], x: '' },
        { created: null, ageDays: null, posts: null, botScore: 0, botReasons: [] },
      );
      w.addAction(key, { t, a, p, l: 'nl', n: 0 });
      tracked.touch(key);
      if ((i + 1) % 25 !== 0) continue;
      const cutoff = latest - windowMs;
      w.expire(cutoff);
      tracked.expireBefore(cutoff);
      const stepCfg = i < 700 ? cfg : { ...cfg, intervalMs: 20_000 };
      const got = sharedItemPairs(w, stepCfg, tracked);
      expect(got).toEqual(sharedItemPairs(w, stepCfg));
      found += got.length;
    }
    expect(found).toBeGreaterThan(50);
  });
});
