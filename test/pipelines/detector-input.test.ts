// The detector input (pipelines/detector-input.ts): post ids are remembered for the window and forgotten after it,
// once per minute of event time, whether `seen` was built by applyCall or restored from a snapshot, and an id seen
// again later is kept until its later time leaves the window.
import { describe, expect, it } from 'vitest';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import type { DetectorPost } from '../../pipelines/detect-coordination.ts';
import { applyCall } from '../../pipelines/detector-input.ts';
import type { DetectorHeld } from '../../pipelines/detector-input.ts';
import { emptyEventTimeState } from '../../pipelines/event-time-driver.ts';

const WINDOW_S = 3600;
const options = { drive: { tickMs: 1000, minPostsPerAdvance: 1, maxTickMs: 10_000 }, windowSeconds: WINDOW_S };

function post(id: string, t: number): DetectorPost {
  return {
    id,
    createdAtMs: t,
    text: '',
    lang: 'und',
    repostOf: null,
    canonicalLinks: [],
    hashtags: [],
    botScore: 0,
    botReasons: [],
    author: { id: `u-${id}`, createdAt: null, posts: null, bot: false },
    fingerprint: { exact: '', minhash: [], tokenCount: 0 },
  };
}

function held(seen: Record<string, number> = {}): DetectorHeld {
  return { detector: createCoordinationDetector({ windowSeconds: WINDOW_S }), driver: emptyEventTimeState(), seen };
}

const call = (...posts: DetectorPost[]) => ({
  p: posts.map((p): [number, DetectorPost] => [0, p]),
  f: [],
  all: false,
  n: 1,
});

describe('applyCall', () => {
  it('forgets ids older than the window and keeps the rest', () => {
    const h = held();
    applyCall(h, call(post('a', 0), post('b', 60_000)), options);
    applyCall(h, call(post('c', 30 * 60_000)), options);
    expect(Object.keys(h.seen).sort()).toEqual(['a', 'b', 'c']);
    // Past the window of 'a' (and in a new minute), not yet past 'b'.
    applyCall(h, call(post('d', WINDOW_S * 1000 + 30_000)), options);
    expect(Object.keys(h.seen).sort()).toEqual(['b', 'c', 'd']);
    applyCall(h, call(post('e', WINDOW_S * 1000 + 31 * 60_000)), options);
    expect(Object.keys(h.seen).sort()).toEqual(['d', 'e']);
  });

  it('forgets ids of a restored record too, and keeps an id seen again later by its later time', () => {
    const h = held(JSON.parse(JSON.stringify({ a: 0, b: 60_000 })) as Record<string, number>);
    applyCall(h, call(post('b', 40 * 60_000)), options);
    applyCall(h, call(post('c', WINDOW_S * 1000 + 2 * 60_000)), options);
    expect(h.seen).toEqual({ b: 40 * 60_000, c: WINDOW_S * 1000 + 2 * 60_000 });
  });
});
