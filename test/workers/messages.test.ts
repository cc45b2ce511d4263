// The topic codec: every encoder's output decodes back to what was encoded, with the key the topic needs, and a
// value that is not what its topic carries becomes a reason (never an exception).
import { describe, expect, it } from 'vitest';
import type { NormalizedFactCheck } from '../../pipelines/types.ts';
import {
  clusterMergedMessage,
  clusterMessage,
  deadLetterMessage,
  decodeCluster,
  decodeDeadLetter,
  decodeEnrichedPost,
  decodeFactCheck,
  decodeRawPost,
  decodeSignal,
  enrichedPostMessage,
  enrichedTombstoneMessage,
  factCheckMessage,
  rawPostMessage,
  tombstoneMessage,
} from '../../workers/messages.ts';
import { cluster, enrichedPost, normalizedPosts } from './fixtures.ts';

const factcheck: NormalizedFactCheck = {
  id: 'factcheck:https://check.example/1',
  source: 'vb',
  claim: 'Stemmen met potlood is ongeldig',
  claimant: null,
  rating: 'Onjuist',
  publisher: 'Check',
  reviewUrl: 'https://check.example/1',
  lang: 'nl',
  reviewedAt: '2025-10-28T08:00:00.000Z',
  claimDate: null,
  appearances: [],
};

describe('message codec', () => {
  it('round-trips posts, tombstones, fact-checks, clusters, merges and dead letters, keyed by their id', () => {
    const post = normalizedPosts(1)[0]!;
    const raw = rawPostMessage(post);
    expect(raw.key).toBe(post.id);
    expect(decodeRawPost(raw.value)).toEqual({ ok: true, message: { v: 1, kind: 'post', post } });
    expect(decodeRawPost(tombstoneMessage('p9', 'mastodon').value)).toEqual({
      ok: true,
      message: { v: 1, kind: 'tombstone', id: 'p9', source: 'mastodon' },
    });

    const enriched = enrichedPost('e1', 'tekst');
    const em = enrichedPostMessage(enriched);
    expect(em.key).toBe('e1');
    expect(decodeEnrichedPost(em.value)).toEqual({ ok: true, message: { v: 1, kind: 'enriched', post: enriched } });
    expect(decodeEnrichedPost(enrichedTombstoneMessage('e2', 'rss').value)).toEqual({
      ok: true,
      message: { v: 1, kind: 'tombstone', id: 'e2', source: 'rss' },
    });

    const fm = factCheckMessage(factcheck);
    expect(fm.key).toBe(factcheck.id);
    expect(decodeFactCheck(fm.value)).toEqual({ ok: true, message: { v: 1, kind: 'factcheck', factcheck } });

    const c = cluster('c1', ['a', 'b'], '2025-10-20T12:00:00.000Z');
    const cm = clusterMessage(c, 1234);
    expect(cm.key).toBe('c1');
    expect(decodeCluster(cm.value)).toEqual({
      ok: true,
      message: { v: 1, kind: 'cluster', cluster: c, watermarkMs: 1234 },
    });
    expect(decodeSignal(cm.value)).toEqual(decodeCluster(cm.value));
    const mm = clusterMergedMessage('c2', 'c1', 99);
    expect(mm.key).toBe('c2');
    expect(decodeSignal(mm.value)).toEqual({
      ok: true,
      message: { v: 1, kind: 'merged', id: 'c2', into: 'c1', watermarkMs: 99 },
    });

    const at = new Date('2025-10-28T09:00:00Z');
    const dm = deadLetterMessage(
      { topic: 'posts.raw', key: 'k', value: '{bad', partition: 2, offset: '17' },
      'enrich',
      'invalid-json',
      'bad value '.repeat(80),
      at,
    );
    expect(dm.key).toBe('k');
    const d = decodeDeadLetter(dm.value);
    expect(d).toEqual({
      ok: true,
      message: {
        v: 1,
        kind: 'dead-letter',
        reason: 'invalid-json',
        detail: `${'bad value '.repeat(50).slice(0, 500)}…`, // redacted, then cut to 500 (redactDetail)
        worker: 'enrich',
        topic: 'posts.raw',
        partition: 2,
        offset: '17',
        key: 'k',
        value: '{bad',
        at: at.toISOString(),
      },
    });
    // Without partition and offset (a message that never came from the bus) they are null, not missing.
    const d2 = decodeDeadLetter(deadLetterMessage({ topic: 'file', key: null, value: 'v' }, 'analyze', 'r', 'd').value);
    expect(d2.ok && [d2.message.partition, d2.message.offset, d2.message.key]).toEqual([null, null, null]);
  });

  it.each([
    ['invalid JSON', '{"v":1,', 'invalid-json'],
    ['an array', '[1,2]', 'invalid-message'],
    ['null', 'null', 'invalid-message'],
    ['a string', '"post"', 'invalid-message'],
    ['no version', '{"kind":"post","post":{}}', 'unknown-schema-version'],
    ['a newer version', '{"v":2,"kind":"post","post":{}}', 'unknown-schema-version'],
  ])('rejects %s on every topic with a reason', (_what, value, reason) => {
    for (const decode of [
      decodeRawPost,
      decodeEnrichedPost,
      decodeFactCheck,
      decodeCluster,
      decodeSignal,
      decodeDeadLetter,
    ]) {
      const d = decode(value);
      expect(d.ok).toBe(false);
      if (!d.ok) {
        expect(d.reason).toBe(reason);
        expect(d.detail.length).toBeGreaterThan(0);
      }
    }
  });

  it('rejects a message of the wrong kind or with its payload missing, naming what the topic carries', () => {
    const post = normalizedPosts(1)[0]!;
    const cases: Array<[(v: string) => { ok: boolean }, string]> = [
      [decodeRawPost, factCheckMessage(factcheck).value],
      [decodeRawPost, '{"v":1,"kind":"post"}'],
      [decodeRawPost, '{"v":1,"kind":"tombstone","id":"x"}'],
      [decodeEnrichedPost, rawPostMessage(post).value],
      [decodeEnrichedPost, '{"v":1,"kind":"enriched","post":{"id":"x"}}'],
      [decodeFactCheck, rawPostMessage(post).value],
      [decodeFactCheck, '{"v":1,"kind":"factcheck","factcheck":null}'],
      [decodeCluster, clusterMergedMessage('a', 'b', 1).value],
      [decodeCluster, '{"v":1,"kind":"cluster","cluster":{"id":"c","posts":"a"}}'],
      [decodeSignal, '{"v":1,"kind":"merged","id":"a"}'],
      [decodeDeadLetter, clusterMessage(cluster('c', [], 'x'), 1).value],
    ];
    for (const [decode, value] of cases) {
      const d = decode(value) as { ok: false; reason: string; detail: string };
      expect(d.ok, value).toBe(false);
      expect(d.reason).toBe('invalid-message');
    }
    const d = decodeEnrichedPost(rawPostMessage(post).value);
    expect(!d.ok && d.detail).toMatch(/posts\.enriched carries/);
  });
});
