// Components of significant pairs under minClusterAccounts. A pair that co-acted within the co-link interval on at
// least pairClusterMinTimedItems items opens a cluster of its own (CooRTweet's network of two). Other pairs only join
// (smallComponentsJoin): a pair that shares an account with an open cluster joins it (a member's partner that co-acted
// with it at another time than the rest); one touching no cluster opens nothing.
import { describe, expect, it } from 'vitest';
import { T0, babble, background, byTime, clusterAccounts, post } from './detection-fixtures.ts';
import { prng } from '../support/prng.ts';
import type { EnrichedPost } from '../../pipelines/types.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

/** 28 accounts created within 3 days post the same message, link and hashtag 23 s apart (the sample's push). */
function freshPush(): EnrichedPost[] {
  const link = 'https://stemfraude-nederland.info/bewijs-utrecht';
  const msg = 'Bewijs uit Utrecht: duizenden stemmen zijn verdwenen bij de telling, de media zwijgen erover';
  return Array.from({ length: 28 }, (_, i) =>
    post({
      id: `push-${String(i).padStart(2, '0')}`,
      account: `c${i}`,
      tMs: T0 + HOUR + i * 23_000,
      text: `${msg} #stemfraude ${link}`,
      links: [link],
      hashtags: ['stemfraude'],
      createdAt: new Date(Date.parse('2024-02-26T00:00:00Z') + (i % 3) * 86_400_000).toISOString(),
      posts: 3 + (i % 4),
    }),
  );
}

/** Two accounts sharing 8 fresh links, each within 5 s of the other, one link every 10 minutes from `startMs`. */
function pair(a: string, b: string, startMs: number): EnrichedPost[] {
  return Array.from({ length: 8 }, (_, i) =>
    [a, b].map((x, k) =>
      post({
        id: `${a}-${b}-${x}-${i}`,
        account: x,
        tMs: startMs + i * 10 * MIN + k * 5000,
        text: '',
        links: [`https://blog-${a}.example.net/post/${i}`],
      }),
    ),
  ).flat();
}

/**
 * Two accounts posting the same 8 distinctive sentences, `b` three minutes after `a` each time, one every 10 minutes
 * from `startMs`: identical copies (text co-action) never within the co-link interval (at most 120 s).
 */
function slowPair(a: string, b: string, startMs: number): EnrichedPost[] {
  const r = prng(a.length * 7919 + startMs);
  return Array.from({ length: 8 }, (_, i) => {
    const text = babble(r, 14);
    return [a, b].map((x, k) =>
      post({ id: `${a}-${b}-${x}-${i}`, account: x, tMs: startMs + i * 10 * MIN + k * 3 * MIN, text }),
    );
  }).flat();
}

describe('small components of significant pairs', () => {
  const posts = byTime([
    ...background(3, 3000, 600, 6),
    ...freshPush(),
    // c0 (a push member) and an established account, two hours after the push, three minutes apart each time; a lone
    // pair doing the same elsewhere; and a lone pair sharing 8 fresh links within 5 s of each other.
    ...slowPair('c0', 'pal', T0 + 3 * HOUR),
    ...slowPair('lone-a', 'lone-b', T0 + 3 * HOUR),
    ...pair('duo-a', 'duo-b', T0 + 3 * HOUR),
  ]);

  it('join the open cluster they share an account with; only a pair timed within the co-link interval opens its own', () => {
    const clusters = clusterAccounts(posts);
    expect(clusters).toHaveLength(2);
    const push = clusters.find((c) => c.includes('c0'))!;
    expect(push).toContain('pal');
    expect(clusters).toContainEqual(['duo-a', 'duo-b']);
    expect(clusters.flat()).not.toContain('lone-a');
  });

  it('the slow lone pair is significant (flagged where pairs are clusters)', () => {
    expect(clusterAccounts(posts, { minClusterAccounts: 2 })).toContainEqual(['lone-a', 'lone-b']);
  });

  it('the timed pair opens nothing with pairClusterMinTimedItems 0, nor with more timed items than it has', () => {
    for (const pairClusterMinTimedItems of [0, 9]) {
      const clusters = clusterAccounts(posts, { pairClusterMinTimedItems });
      expect(clusters).toHaveLength(1);
      expect(clusters.flat()).not.toContain('duo-a');
    }
  });

  it('stay out when switched off', () => {
    const clusters = clusterAccounts(posts, { smallComponentsJoin: false });
    expect(clusters).toHaveLength(2);
    const push = clusters.find((c) => c.includes('c0'))!;
    expect(push).not.toContain('pal');
  });
});

/**
 * A breaking-news feed: 30 links, one every 10 minutes, each shared within 90 s of its alert by 20 of 200 readers; two
 * fans share every one of them in the same 90 s. The fans co-share 30 links within the co-link interval, far more
 * than their activity predicts, but no closer in time than any two of each link's sharers.
 */
function breakingNews(): EnrichedPost[] {
  const r = prng(11);
  const out = background(12, 1500, 400, 6);
  for (let l = 0; l < 30; l++) {
    const alert = T0 + l * 10 * MIN;
    const link = `https://omroep.example/nieuws/${l}`;
    const readers = new Set<number>();
    while (readers.size < 20) readers.add(Math.floor(r() * 200));
    for (const account of [...[...readers].map((x) => `reader-${x}`), 'fan-a', 'fan-b'])
      out.push(
        post({
          id: `news-${l}-${account}`,
          account,
          tMs: alert + r() * 90_000,
          text: `${babble(r, 3)} ${link}`,
          links: [link],
        }),
      );
  }
  return byTime(out);
}

describe('networks of two and their timing', () => {
  it('two fans sharing every breaking-news link as fast as everyone else are not a network of two', () => {
    const posts = breakingNews();
    // Significant as a pair, and a component of its own (flagged where every pair is a cluster) ...
    expect(clusterAccounts(posts, { minClusterAccounts: 2 })).toContainEqual(['fan-a', 'fan-b']);
    // ... but their 30 timed co-shares are what the links' own spread predicts.
    expect(clusterAccounts(posts).flat()).not.toContain('fan-a');
  }, 60_000);
});
