// Dominating networks (issue 11): a few accounts whose own output repeats (the same headline and link from each of them
// in the same minute, hundreds of times) are flagged even when they are most of the window, because the per-item null
// leaves a pair out of the items it co-shared; declared bots doing the same stay labelled, not flagged; a news outlet's
// own feed accounts posting the same headline at different times are not a network.
import { describe, expect, it } from 'vitest';
import { T0, babble, background, byTime, clusterAccounts, post } from './detection-fixtures.ts';
import { prng } from '../support/prng.ts';
import type { EnrichedPost } from '../../pipelines/types.ts';

const HOUR = 3_600_000;

/** `n` headlines, each posted by every account in `accounts` with `gapMs` between the accounts' copies, one headline
 * every `everyMs` from T0; every headline is a distinct message with its own link. */
function headlines(
  prefix: string,
  accounts: string[],
  n: number,
  everyMs: number,
  gapMs: number,
  bot = false,
): EnrichedPost[] {
  const out: EnrichedPost[] = [];
  const r = prng(7);
  for (let i = 0; i < n; i++) {
    const text = `Breaking: ${babble(r, 12)}`;
    accounts.forEach((a, k) =>
      out.push(
        post({
          id: `${prefix}-${a}-${i}`,
          account: a,
          tMs: T0 + i * everyMs + k * gapMs,
          text,
          links: [`https://feeds.example.org/story/${i}`],
          bot,
        }),
      ),
    );
  }
  return out;
}

describe('dominating networks', () => {
  // Three accounts, 300 headlines over 6 h (one every 72 s), each posted by all three within the same minute: 900
  // posts, against 500 organic posts by 250 accounts: the network is 64% of the window.
  const net = ['feed-a', 'feed-b', 'feed-c'];
  const organic = background(21, 500, 250, 6);

  it('three accounts posting the same headline in the same minute hundreds of times, most of the window, are flagged', () => {
    const posts = byTime([...headlines('dom', net, 300, 72_000, 15_000), ...organic]);
    const share = posts.filter((p) => net.includes(p.author.id)).length / posts.length;
    expect(share).toBeGreaterThan(0.6);
    const clusters = clusterAccounts(posts);
    expect(clusters.map((c) => [...c].sort())).toEqual([net]);
  });

  it('the same output from declared bots stays labelled, not flagged', () => {
    const posts = byTime([...headlines('bot', net, 300, 72_000, 15_000, true), ...organic]);
    // Labelled: the enriched posts carry the declaration (what the account views and reports show).
    expect(posts.filter((p) => p.accountSignals.declaredBot)).toHaveLength(900);
    expect(clusterAccounts(posts)).toEqual([]);
  });

  it("a news outlet's own feed accounts posting the same headlines at different times are not flagged", () => {
    // Each headline reaches the outlet's three regional feeds 40 and 80 minutes apart (scheduled per feed), 60
    // headlines over 6 h: identical copies beyond the exact-copy interval and links beyond the co-link interval.
    const posts = byTime([...headlines('feed', net, 60, 6 * 60_000, 40 * 60_000), ...organic]);
    expect(posts.filter((p) => p.createdAtMs > T0 + 6 * HOUR + 80 * 60_000)).toHaveLength(0);
    expect(clusterAccounts(posts)).toEqual([]);
  });
});
