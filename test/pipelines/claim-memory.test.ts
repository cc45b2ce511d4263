import { describe, expect, it } from 'vitest';
import { ClaimMemory, type ClaimMemoryState } from '../../pipelines/claim-memory.ts';
import { DetectionWindow } from '../../pipelines/detection-window.ts';
import { evidencedPosters } from '../../pipelines/detect-shared-claims.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2024-03-14T08:00:00Z');
const CFG = { maxAgeMs: 24 * HOUR, maxPosts: 1000, maxPerClaim: 300 };

/** A window holding posts [id, account, time, text group or null, wording], in that order. */
function windowOf(posts: Array<[string, string, number, string | null, string]>): DetectionWindow {
  const w = new DetectionWindow();
  for (const [p, a, t, g, x] of posts) {
    const items = g ? [`t:${g}`] : [];
    w.addPost(
      p,
      { t, a, l: 'nl', items, g, tags: [], links: [], x },
      {
        created: null,
        ageDays: null,
        posts: null,
        botScore: 0,
        botReasons: [],
      },
    );
    for (const key of items) w.addAction(key, { t, a, p, l: 'nl', n: 0 });
  }
  return w;
}

describe('ClaimMemory', () => {
  it('keeps only posts leaving the window that co-acted with another account on their group', () => {
    const w = windowOf([
      ['p1', 'a', T0, 'claim', 'x1'],
      ['p2', 'b', T0 + 2 * HOUR, 'claim', 'x2'], // within 6 h of p1: both co-acted
      ['p3', 'c', T0 + HOUR, 'lonely', 'x3'], // nobody else on its group
      ['p4', 'c', T0 + 3 * HOUR, null, ''], // no text group
      ['p5', 'd', T0 + 9 * HOUR, 'late', 'x4'], // not leaving yet
      ['p6', 'e', T0 + 9.5 * HOUR, 'late', 'x5'],
    ]);
    const m = new ClaimMemory(CFG);
    m.capture(w, T0 + 4 * HOUR, 6 * HOUR);
    expect([...m.keys()]).toEqual(['t:claim']);
    expect(m.get('t:claim')!.map((r) => [r.p, r.a, r.t, r.x])).toEqual([
      ['p1', 'a', T0, 'x1'],
      ['p2', 'b', T0 + 2 * HOUR, 'x2'],
    ]);
    // a's share of the window's posts (1 of 6) when the post left.
    expect(m.get('t:claim')![0]!.s).toBeCloseTo(1 / 6);
    expect(m.accounts('t:claim')).toBe(2);
    // A second capture of the same posts adds nothing.
    m.capture(w, T0 + 4 * HOUR, 6 * HOUR);
    expect(m.size()).toBe(2);
  });

  it('forgets posts by age, then whole claims whose latest post is oldest when over the cap', () => {
    const posts: Array<[string, string, number, string | null, string]> = [];
    for (let g = 0; g < 4; g++)
      for (let i = 0; i < 3; i++) posts.push([`g${g}-${i}`, `acc${i}`, T0 + g * HOUR + i * 60_000, `c${g}`, `w${i}`]);
    const w = windowOf(posts);
    const m = new ClaimMemory({ ...CFG, maxPosts: 7 });
    m.capture(w, T0 + 10 * HOUR, 6 * HOUR);
    expect(m.size()).toBe(12);
    m.prune(T0 + 12 * HOUR);
    // 12 > 7: claims dropped oldest first down to 90% of the cap (6).
    expect([...m.keys()].sort()).toEqual(['t:c2', 't:c3']);
    expect(m.size()).toBe(6);
    // 24 h after c2's posts they are forgotten; c3's (an hour later) are still remembered.
    m.prune(T0 + 2 * HOUR + 24 * HOUR + 5 * 60_000);
    expect([...m.keys()]).toEqual(['t:c3']);
    expect(ClaimMemory.from(CFG, JSON.parse(JSON.stringify(m.toJSON())) as ClaimMemoryState).toJSON()).toEqual(
      m.toJSON(),
    );
  });

  it('keeps at most maxPerClaim posts of one claim, the newest', () => {
    const posts: Array<[string, string, number, string | null, string]> = [];
    for (let i = 0; i < 10; i++) posts.push([`p${i}`, `acc${i}`, T0 + i * 60_000, 'big', `w${i}`]);
    const m = new ClaimMemory({ ...CFG, maxPerClaim: 4 });
    m.capture(windowOf(posts), T0 + 7 * HOUR, 6 * HOUR);
    expect(m.get('t:big')!.map((r) => r.p)).toEqual(['p6', 'p7', 'p8', 'p9']);
  });

  it('lets the shared-claims test count rewriters that left the window', () => {
    const w = windowOf([
      ['p1', 'a', T0, 'claim', 'x1'],
      ['p2', 'b', T0 + 2 * HOUR, 'claim', 'x2'],
      ['p3', 'c', T0 + 7 * HOUR, 'claim', 'x3'], // 5 h after b's: a rewrite of b's, in the window
    ]);
    const m = new ClaimMemory(CFG);
    m.capture(w, T0 + 3 * HOUR, 6 * HOUR);
    w.expire(T0 + 3 * HOUR);
    const cfg = { alpha: 0.01, textIntervalMs: 6 * HOUR, maxItemAccounts: 150, minAccounts: 3, minPosts: 1000 };
    expect(evidencedPosters(w, 't:claim', cfg)).toEqual([]);
    expect(evidencedPosters(w, 't:claim', cfg, m.get('t:claim'))).toEqual(['a', 'b', 'c']);
  });
});
