// The event-time driver: the sequence of observe/advance calls depends on the posts alone (not on batching), and
// minPostsPerAdvance / maxTickMs thin out advances without ever leaving posts unadvanced for longer than maxTickMs.
import { describe, expect, it } from 'vitest';
import type { CoordinationDetector } from '../../pipelines/detect-coordination.ts';
import type { EnrichedPost } from '../../pipelines/types.ts';
import {
  awaitsFlush,
  driveDetector,
  emptyEventTimeState,
  eventTimeOptionsSchema,
} from '../../pipelines/event-time-driver.ts';
import { enrichedPost } from '../workers/fixtures.ts';

function recorder() {
  const calls: string[] = [];
  const d: CoordinationDetector = {
    observe: (p: EnrichedPost) => {
      calls.push(`o:${p.id}`);
    },
    advance: (t: number) => {
      calls.push(`a:${t}`);
      return [];
    },
    clusters: () => [],
    accounts: () => [],
    exportState: () => ({}),
    exportStateJson: () => '{}',
    exportStateParts: () => ['[[[],{}]]'],
    observeFactCheck() {},
  };
  return { calls, d };
}

const T0 = Date.parse('2025-10-20T12:00:00Z');
// 300 posts over 300 s on 2 partitions: 1 post per second of event time.
const posts = Array.from({ length: 300 }, (_, i) => ({
  post: enrichedPost(`p${i}`, 'x', T0 + i * 1000),
  partition: i % 2,
}));

/** Options with tickMs 1000; without minPostsPerAdvance / maxTickMs: advance at every boundary with something observed. */
const options = (opts: { minPostsPerAdvance?: number; maxTickMs?: number }) =>
  eventTimeOptionsSchema.parse({ tickMs: 1000, minPostsPerAdvance: 1, maxTickMs: 1000, ...opts });

function run(batch: number, opts: { minPostsPerAdvance?: number; maxTickMs?: number }) {
  const { calls, d } = recorder();
  const state = emptyEventTimeState();
  for (let i = 0; i < posts.length; i += batch)
    driveDetector(state, d, { posts: posts.slice(i, i + batch), partitions: 2 }, options(opts));
  driveDetector(state, d, { posts: [], partitions: 2, flushAll: true }, options(opts));
  return calls;
}

describe('driveDetector', () => {
  it('advances at every boundary with something observed by default, the same for any batching', () => {
    const one = run(1, {});
    expect(run(7, {})).toEqual(one);
    expect(run(300, {})).toEqual(one);
    expect(one.filter((c) => c.startsWith('a:')).length).toBeGreaterThan(250);
  });

  it('with minPostsPerAdvance advances only after that many posts or maxTickMs, the same for any batching', () => {
    const opts = { minPostsPerAdvance: 20, maxTickMs: 60_000 };
    const one = run(1, opts);
    expect(run(13, opts)).toEqual(one);
    const advances = one.filter((c) => c.startsWith('a:')).map((c) => Number(c.slice(2)));
    expect(advances.length).toBeGreaterThan(10);
    expect(advances.length).toBeLessThan(20);
    // Between two advances at least 20 posts were observed (the last advance is the flush's).
    const gaps = one
      .join(' ')
      .split(/ a:\d+ ?/)
      .slice(1, -2)
      .map((s) => s.split(' ').filter((x) => x.startsWith('o:')).length);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(20);
  });

  it('advances once more at a flush, at the boundary after the last post, so trailing posts are evaluated', () => {
    const opts = { minPostsPerAdvance: 20, maxTickMs: 60_000 };
    const calls = run(10, opts);
    expect(calls[calls.length - 1]).toBe(`a:${T0 + 300_000}`);
    expect(calls[calls.length - 2]).toBe('o:p299');
    // Without the flush the trailing posts wait for later posts.
    const { calls: noFlush, d } = recorder();
    const state = emptyEventTimeState();
    driveDetector(state, d, { posts, partitions: 2 }, options(opts));
    expect(noFlush[noFlush.length - 1]).not.toMatch(/^a:/);
  });

  it('gives the same calls for any batching when posts share a millisecond within a partition', () => {
    // Three posts per millisecond, the millisecond before each tick boundary among them, alternating between two
    // partitions: a batch that ends inside a millisecond leaves a post of it for the next batch. Before the watermark
    // became exclusive, that post was observed late (out of id order, after the boundary's advance).
    const same = Array.from({ length: 300 }, (_, i) => ({
      post: enrichedPost(`q${String(i).padStart(3, '0')}`, 'x', T0 + 999 + Math.floor(i / 3) * 500),
      partition: i % 2,
    }));
    const runSame = (batch: number) => {
      const { calls, d } = recorder();
      const state = emptyEventTimeState();
      let late = 0;
      for (let i = 0; i < same.length; i += batch)
        late += driveDetector(state, d, { posts: same.slice(i, i + batch), partitions: 2 }, options({})).late;
      driveDetector(state, d, { posts: [], partitions: 2, flushAll: true }, options({}));
      return { calls, late };
    };
    const whole = runSame(same.length);
    expect(whole.calls.filter((c) => c.startsWith('a:')).length).toBeGreaterThan(40);
    for (const batch of [1, 2, 4, 5, 7, 64]) {
      const r = runSame(batch);
      expect(r.late).toBe(0);
      expect(r.calls).toEqual(whole.calls);
    }
  });

  it('awaits a flush while posts observed since the last advance are not evaluated, even with nothing buffered', () => {
    const { calls, d } = recorder();
    const state = emptyEventTimeState();
    const opts = options({ minPostsPerAdvance: 20, maxTickMs: 60_000 });
    driveDetector(state, d, { posts: posts.slice(0, 10), partitions: 2 }, opts);
    expect(awaitsFlush(state)).toBe(true); // p9 waits for the watermark
    driveDetector(state, d, { posts: [], partitions: 2, flushAll: true }, opts);
    expect(awaitsFlush(state)).toBe(false);
    // A late post (its time already released) is observed at once: nothing is buffered, but it is not evaluated yet,
    // so an idle stream must still be flushed, or the post waits for the next post to be evaluated.
    const late = driveDetector(
      state,
      d,
      { posts: [{ post: enrichedPost('late', 'x', T0), partition: 0 }], partitions: 2 },
      opts,
    );
    expect(late.late).toBe(1);
    expect(state.buffer).toHaveLength(0);
    expect(awaitsFlush(state)).toBe(true);
    driveDetector(state, d, { posts: [], partitions: 2, flushAll: true }, opts);
    expect(calls.slice(-2)).toEqual(['o:late', `a:${T0 + 11_000}`]);
    expect(awaitsFlush(state)).toBe(false);
  });

  it('advances at least every maxTickMs of event time while posts arrive', () => {
    const advances = run(5, { minPostsPerAdvance: 1000, maxTickMs: 30_000 })
      .filter((c) => c.startsWith('a:'))
      .map((c) => Number(c.slice(2)));
    expect(advances.length).toBeGreaterThanOrEqual(9);
    // The last advance is the flush's, at the boundary after the last post.
    for (let i = 1; i < advances.length - 1; i++) expect(advances[i]! - advances[i - 1]!).toBe(30_000);
    expect(advances[advances.length - 1]).toBe(T0 + 300_000);
  });
});
