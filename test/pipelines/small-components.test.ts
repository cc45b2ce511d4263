// Components of significant pairs under minClusterAccounts (smallComponentsJoin): a significant pair that shares an
// account with an open cluster joins it (a member's partner that co-acted with it at another time than the rest);
// a significant pair touching no cluster still opens nothing.
import { describe, expect, it } from 'vitest';
import { T0, background, byTime, clusterAccounts, post } from './detection-fixtures.ts';
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

describe('small components of significant pairs', () => {
  const posts = byTime([
    ...background(3, 3000, 600, 6),
    ...freshPush(),
    // c0 (a push member) and an established account, two hours after the push; and a lone pair elsewhere.
    ...pair('c0', 'pal', T0 + 3 * HOUR),
    ...pair('lone-a', 'lone-b', T0 + 3 * HOUR),
  ]);

  it('join the open cluster they share an account with, and open none of their own', () => {
    const clusters = clusterAccounts(posts);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]).toContain('c0');
    expect(clusters[0]).toContain('pal');
    expect(clusters.flat()).not.toContain('lone-a');
  });

  it('the lone pair is significant (flagged where pairs are clusters)', () => {
    expect(clusterAccounts(posts, { minClusterAccounts: 2 })).toContainEqual(['lone-a', 'lone-b']);
  });

  it('stay out when switched off', () => {
    const clusters = clusterAccounts(posts, { smallComponentsJoin: false });
    expect(clusters).toHaveLength(1);
    expect(clusters[0]).toContain('c0');
    expect(clusters[0]).not.toContain('pal');
  });
});
