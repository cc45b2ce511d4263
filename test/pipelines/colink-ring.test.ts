// The co-link ring of issue 11: about 25 accounts, most younger than 30 days, each sharing each of 8 fresh links of
// one unknown domain within one minute of each other, every post a different short comment, plus a few organic posts
// of their own. It must be flagged alone and inside 3,000 organic posts (with their own link sharing and a viral
// story), whatever the luck of its young share.
import { describe, expect, it } from 'vitest';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import { driveDetector, emptyEventTimeState, eventTimeOptionsSchema } from '../../pipelines/event-time-driver.ts';
import type { Cluster, EnrichedPost } from '../../pipelines/types.ts';
import { T0, babble, byTime, post } from './detection-fixtures.ts';
import { prng } from '../support/prng.ts';

const MIN = 60_000;
const COMMENTS = ['Lees dit', 'Bizar', 'Delen!!', 'Kijk nou', 'Schandalig', 'Wakker worden', 'Eindelijk', 'Dit!'];

/** The ring: `size` accounts, `young` of them created 5-25 days before T0; 8 links, one every 40 minutes. */
function ring(seed: number, size = 25, young = 14): EnrichedPost[] {
  const r = prng(seed);
  const out: EnrichedPost[] = [];
  const created = (i: number): string =>
    new Date(T0 - (i < young ? 5 + r() * 20 : 400 + r() * 2000) * 86_400_000).toISOString();
  const accounts = Array.from({ length: size }, (_, i) => ({ id: `ring-${i}`, createdAt: created(i) }));
  for (let l = 0; l < 8; l++) {
    const link = `https://nieuws-onthuld.click/a/${seed}-${l}`;
    const start = T0 + 20 * MIN + l * 40 * MIN;
    accounts.forEach((a, i) => {
      const comment = `${COMMENTS[(i + l) % COMMENTS.length]}${i % 3 === 0 ? '' : ` ${COMMENTS[(i * 7 + l * 3) % COMMENTS.length]!.toLowerCase()}`}${'!'.repeat(i % 4)}`;
      out.push(
        post({
          id: `ring-${l}-${i}`,
          account: a.id,
          tMs: start + r() * 55_000,
          text: `${comment} ${link}`,
          links: [link],
          createdAt: a.createdAt,
          posts: 40 + Math.floor(r() * 400),
        }),
      );
    });
  }
  for (let k = 0; k < 10; k++) {
    const a = accounts[Math.floor(r() * size)]!;
    out.push(
      post({
        id: `ring-own-${k}`,
        account: a.id,
        tMs: T0 + r() * 6 * 60 * MIN,
        text: babble(r, 6 + Math.floor(r() * 8)),
        createdAt: a.createdAt,
      }),
    );
  }
  return out;
}

/** 3,000 organic posts by 1,000 accounts over 6 hours: chatter, 40 news links shared at random, one viral story. */
function organic(seed: number): EnrichedPost[] {
  const r = prng(seed);
  const out: EnrichedPost[] = [];
  for (let i = 0; i < 3000; i++) {
    const account = `org-${Math.floor(r() * 1000)}`;
    const tMs = T0 + r() * 6 * 60 * MIN;
    const u = r();
    if (u < 0.1) {
      // The viral story: shared within two hours by many accounts.
      const link = 'https://omroep.nl/nieuws/storm';
      out.push(
        post({
          id: `org-${i}`,
          account,
          tMs: T0 + 60 * MIN + r() * 120 * MIN,
          text: `${babble(r, 4)} ${link}`,
          links: [link],
        }),
      );
    } else if (u < 0.4) {
      const link = `https://krant.nl/artikel/${Math.floor(r() * 40)}`;
      out.push(post({ id: `org-${i}`, account, tMs, text: `${babble(r, 5)} ${link}`, links: [link] }));
    } else {
      out.push(post({ id: `org-${i}`, account, tMs, text: babble(r, 8 + Math.floor(r() * 10)) }));
    }
  }
  return out;
}

/** Runs the detector over the posts as `mid analyze` does (one partition, default advance rule, flushed at the end). */
function analyze(posts: EnrichedPost[]): Cluster[] {
  const det = createCoordinationDetector({});
  const state = emptyEventTimeState();
  const opts = eventTimeOptionsSchema.parse({});
  const sorted = byTime(posts);
  for (let i = 0; i < sorted.length; i += 500)
    driveDetector(
      state,
      det,
      { posts: sorted.slice(i, i + 500).map((p) => ({ post: p, partition: 0 })), partitions: 1 },
      opts,
    );
  driveDetector(state, det, { posts: [], partitions: 1, flushAll: true }, opts);
  return det.clusters();
}

function flagged(clusters: Cluster[]): { ring: number; organic: number } {
  const all = new Set(clusters.flatMap((c) => c.accounts));
  return {
    ring: [...all].filter((a) => a.startsWith('ring-')).length,
    organic: [...all].filter((a) => a.startsWith('org-')).length,
  };
}

// A few thousand posts through the whole detector: slow on a loaded machine, so a generous timeout (not an assert).
describe('co-link ring (issue 11)', { timeout: 240_000 }, () => {
  it('is flagged when its posts are the whole input', () => {
    const f = flagged(analyze(ring(1)));
    expect(f.ring).toBeGreaterThanOrEqual(23);
  });

  it('is flagged inside 3,000 organic posts, and no organic account is', () => {
    const f = flagged(analyze([...ring(2), ...organic(3)]));
    expect(f.ring).toBeGreaterThanOrEqual(23);
    expect(f.organic).toBe(0);
  });

  it('is flagged whatever its young share (none young, inside organic posts)', () => {
    const f = flagged(analyze([...ring(4, 25, 0), ...organic(5)]));
    expect(f.ring).toBeGreaterThanOrEqual(23);
    expect(f.organic).toBe(0);
  });

  it('organic posts alone give no cluster', () => {
    expect(analyze(organic(6))).toEqual([]);
  });
});
