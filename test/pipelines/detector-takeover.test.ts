// A detector takeover without Redis: the inputs of a stream (posts over four partitions, fed through applyCall as the
// detect worker feeds them) applied by one holder, against a holder whose state is saved as JSON at a checkpoint and
// restored by a standby that gets the later posts again, in other batches and with idle flushes at other points. The
// stream is a hashtag push by young accounts spread over 40 minutes, which only the long burst span
// (detect.burstLongWindowSeconds) flags on all its posts. The clusters must be the same; a run whose last posts still
// wait for the watermark (no final flush) has not judged them, which is what made the detect-worker takeover test fail
// when its uninterrupted reference run stopped before its idle flush.
import { describe, expect, it } from 'vitest';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import type { DetectorPost } from '../../pipelines/detect-coordination.ts';
import { applyCall } from '../../pipelines/detector-input.ts';
import type { DetectCall, DetectorHeld } from '../../pipelines/detector-input.ts';
import { awaitsFlush, emptyEventTimeState } from '../../pipelines/event-time-driver.ts';
import type { EventTimeState } from '../../pipelines/event-time-driver.ts';

const T0 = Date.parse('2025-10-20T08:00:00Z');
const DAY = 86_400_000;
const PARTITIONS = 4;
const detectCfg = { burstLongWindowSeconds: 3600 };
const options = { drive: { tickMs: 1000, minPostsPerAdvance: 200, maxTickMs: 10_000 }, windowSeconds: 6 * 3600 };

/** 1,201 posts over 40 minutes, the last one of the push; every 12th is the push (#stembus, 12 accounts created five days earlier). */
function stream(): DetectorPost[] {
  const posts: DetectorPost[] = [];
  for (let i = 0; i <= 1200; i++) {
    const t = T0 + i * 2000;
    const push = i % 12 === 0;
    const a = push ? `camp-${(i / 12) % 12}` : `user-${i % 400}`;
    posts.push({
      id: `p${i}`,
      createdAtMs: t,
      text: '',
      lang: 'nl',
      repostOf: null,
      canonicalLinks: [],
      hashtags: push ? ['stembus'] : [`chat${i % 9}`],
      botScore: 0,
      botReasons: [],
      author: {
        id: a,
        createdAt: new Date(push ? T0 - 5 * DAY : T0 - 2000 * DAY).toISOString(),
        posts: push ? 20 : 3000,
        bot: false,
      },
      fingerprint: { exact: '', minhash: [], tokenCount: 0 },
      accountSignals: { ageDays: push ? 5 : 2000, declaredBot: false },
    });
  }
  return posts;
}

/** The calls of `posts` in batches of `size`, each post in partition `i % PARTITIONS` (in time order per partition). */
function calls(posts: DetectorPost[], size: number): DetectCall[] {
  const out: DetectCall[] = [];
  for (let i = 0; i < posts.length; i += size)
    out.push({
      p: posts.slice(i, i + size).map((p, j): [number, DetectorPost] => [(i + j) % PARTITIONS, p]),
      f: [],
      all: false,
      n: PARTITIONS,
    });
  return out;
}

const flush: DetectCall = { p: [], f: [], all: true, n: PARTITIONS };

function fresh(): DetectorHeld {
  return { detector: createCoordinationDetector(detectCfg), driver: emptyEventTimeState(), seen: {} };
}

/** What a checkpoint saves (detector, driver, ids seen) and a standby restores, through JSON. */
function restore(held: DetectorHeld): DetectorHeld {
  const saved = JSON.stringify({ detector: held.detector.exportState(), driver: held.driver, seen: held.seen });
  const s = JSON.parse(saved) as { detector: unknown; driver: EventTimeState; seen: Record<string, number> };
  return { detector: createCoordinationDetector(detectCfg, s.detector), driver: s.driver, seen: s.seen };
}

/** Applies `cs` to `held` as the detect worker does (posts already seen are not fed again). */
function apply(held: DetectorHeld, cs: DetectCall[]): void {
  for (const c of cs) applyCall(held, { ...c, p: c.p.filter(([, p]) => held.seen[p.id] === undefined) }, options);
}

const clusters = (held: DetectorHeld) =>
  held.detector.clusters().map((c) => ({ id: c.id, posts: [...c.posts].sort() }));

describe('a detector takeover (pipelines level)', () => {
  const posts = stream();
  const push = posts.filter((_, i) => i % 12 === 0).map((p) => p.id);

  it('gives the clusters of the uninterrupted run after a restore from JSON, other batches and other idle flushes', () => {
    const one = fresh();
    apply(one, [...calls(posts, 100), flush]);
    const reference = clusters(one);
    // The push is one cluster with all its posts, the last one (the stream's last post) included.
    expect(reference).toHaveLength(1);
    expect(reference[0]!.posts).toEqual([...push].sort());

    const holder = fresh();
    const first = calls(posts, 100);
    // An idle flush in the middle (the stream was quiet) is part of the input: a restore replays it too.
    apply(holder, [...first.slice(0, 4), flush, ...first.slice(4, 6)]);
    const standby = restore(holder);
    // The holder handles two more batches it never saves; they come again to the standby in other batches, with
    // idle flushes at other points than the holder's.
    apply(holder, first.slice(6, 8));
    const rest = calls(posts.slice(600), 37);
    apply(standby, [...rest.slice(0, 9), flush, ...rest.slice(9, 14), flush, ...rest.slice(14), flush]);
    expect(clusters(standby)).toEqual(reference);
  });

  it('has not judged the last posts of a run that was not flushed at its end', () => {
    const held = fresh();
    apply(held, calls(posts, 100));
    // The partitions' newest posts wait for the watermark; the push's last post is among them.
    expect(awaitsFlush(held.driver)).toBe(true);
    expect(clusters(held)[0]!.posts).not.toContain(push[push.length - 1]);
    apply(held, [flush]);
    expect(awaitsFlush(held.driver)).toBe(false);
    expect(clusters(held)[0]!.posts).toContain(push[push.length - 1]);
  });
});
