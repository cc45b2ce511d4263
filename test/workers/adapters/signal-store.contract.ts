// The one contract every SignalStore adapter passes (sqlite always; elasticsearch when MID_ES_URL is set).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeadLetterMessage } from '../../../pipelines/core/envelopes.ts';
import type { SignalStore } from '../../../workers/ports/signal-store.ts';
import { cluster, enrichedPost } from '../fixtures.ts';

/** Registers the signal-store contract; `refresh` makes writes visible to reads (Elasticsearch), `skip` gives a reason to skip. */
export function signalStoreContract(
  name: string,
  make: () => SignalStore,
  options: { refresh?: (s: SignalStore) => Promise<void>; skip?: string } = {},
): void {
  const d = options.skip ? describe.skip : describe;
  d(`SignalStore contract: ${name}${options.skip ? ` (skipped: ${options.skip})` : ''}`, () => {
    let store: SignalStore;
    const refresh = () => options.refresh?.(store) ?? Promise.resolve();
    beforeEach(async () => {
      store = make();
      await store.start();
    });
    afterEach(async () => {
      await store.stop();
      await store.stop();
    });

    it('stores a post once per id and counts repeats as duplicates', async () => {
      const a = enrichedPost('a', 'De stembus sluit om negen uur');
      const b = enrichedPost('b', 'Kabinet valt over stikstof');
      expect(await store.writePosts([a, b])).toEqual({ written: 2, duplicates: 0, rejected: [] });
      expect(await store.writePosts([a, { ...b, text: 'changed' }])).toEqual({
        written: 0,
        duplicates: 2,
        rejected: [],
      });
      await refresh();
      expect((await store.counts()).posts).toBe(2);
      const got = await store.getPosts(['b', 'missing']);
      expect(got.map((p) => [p.id, p.text])).toEqual([['b', 'Kabinet valt over stikstof']]);
    });

    it('finds posts by words in their text and forgets deleted ones', async () => {
      await store.writePosts([
        enrichedPost('a', 'De stembus sluit om negen uur'),
        enrichedPost('b', 'Kabinet valt over stikstof'),
        enrichedPost('c', 'stikstof en boeren'),
      ]);
      await refresh();
      expect((await store.searchPosts('stikstof')).sort()).toEqual(['b', 'c']);
      expect(await store.deletePost('c')).toBe(true);
      expect(await store.deletePost('c')).toBe(false);
      await refresh();
      expect(await store.searchPosts('stikstof')).toEqual(['b']);
    });

    it('takes any text as a search query: NUL, quotes and FTS syntax are words, never errors', async () => {
      await store.writePosts([enrichedPost('a', 'Kabinet valt over stikstof')]);
      await refresh();
      expect(await store.searchPosts('stik\u0000stof')).toEqual([]);
      expect(await store.searchPosts('stikstof\u0000')).toEqual(['a']);
      expect(await store.searchPosts('"stikstof" OR NEAR( * ^')).toEqual([]);
    });

    it('upserts clusters by id, keeps the newest state, lists newest and highest score first', async () => {
      await store.upsertClusters([
        { cluster: cluster('c1', ['a', 'b'], '2025-10-20T12:00:00.000Z', 0.5), watermarkMs: 100 },
        { cluster: cluster('c2', ['c', 'd'], '2025-10-20T13:00:00.000Z', 0.4), watermarkMs: 100 },
        { cluster: cluster('c3', ['e', 'f'], '2025-10-20T13:00:00.000Z', 0.9), watermarkMs: 100 },
      ]);
      await store.upsertClusters([
        { cluster: cluster('c1', ['a', 'b', 'g'], '2025-10-20T12:30:00.000Z', 0.6), watermarkMs: 200 },
      ]);
      // A replayed older state does not win over the newer one.
      await store.upsertClusters([
        { cluster: cluster('c1', ['a', 'b'], '2025-10-20T12:00:00.000Z', 0.5), watermarkMs: 100 },
      ]);
      await refresh();
      const list = await store.listClusters();
      expect(list.map((c) => c.id)).toEqual(['c3', 'c2', 'c1']);
      expect(list[2]!.posts).toEqual(['a', 'b', 'g']);
      expect(list[2]!.watermarkMs).toBe(200);
      expect((await store.counts()).clusters).toBe(3);
    });

    it('deletes a cluster merged into another', async () => {
      await store.upsertClusters([
        { cluster: cluster('keep', ['a', 'b', 'c'], '2025-10-20T12:00:00.000Z'), watermarkMs: 100 },
        { cluster: cluster('gone', ['c'], '2025-10-20T12:00:00.000Z'), watermarkMs: 100 },
      ]);
      await refresh();
      expect(await store.deleteCluster('gone')).toBe(true);
      expect(await store.deleteCluster('gone')).toBe(false);
      await refresh();
      expect((await store.listClusters()).map((c) => c.id)).toEqual(['keep']);
    });

    it('calls clusters open while they are within the open window of the newest one', async () => {
      await store.upsertClusters([
        { cluster: cluster('old', ['a'], '2025-10-01T00:00:00.000Z'), watermarkMs: 1 },
        { cluster: cluster('new', ['b'], '2025-10-20T00:00:00.000Z'), watermarkMs: 1 },
      ]);
      await refresh();
      expect((await store.listClusters({ openOnly: true })).map((c) => c.id)).toEqual(['new']);
      expect((await store.listClusters()).map((c) => [c.id, c.open])).toEqual([
        ['new', true],
        ['old', false],
      ]);
      expect((await store.counts()).openClusters).toBe(1);
    });

    it('records dead letters once per source offset', async () => {
      const letter: DeadLetterMessage = {
        v: 1,
        kind: 'dead-letter',
        reason: 'invalid-json',
        detail: 'Unexpected token',
        worker: 'enrich',
        topic: 'posts.raw',
        partition: 0,
        offset: '7',
        key: 'k',
        value: '{',
        at: '2025-10-20T12:00:00.000Z',
      };
      await store.writeDeadLetters([letter, letter, { ...letter, offset: '8' }]);
      await refresh();
      expect((await store.counts()).dlq).toBe(2);
    });

    it('purges dead letters older than the cutoff', async () => {
      const t = Date.parse('2025-10-20T12:00:00Z');
      const letter: DeadLetterMessage = {
        v: 1,
        kind: 'dead-letter',
        reason: 'invalid-json',
        detail: 'x',
        worker: 'enrich',
        topic: 'posts.raw',
        partition: 0,
        offset: '1',
        key: 'k',
        value: '{',
        at: new Date(t - 100 * 86_400_000).toISOString(),
      };
      await store.writeDeadLetters([letter, { ...letter, offset: '2', at: new Date(t).toISOString() }]);
      await refresh();
      await store.purge(t - 90 * 86_400_000);
      await refresh();
      expect((await store.counts()).dlq).toBe(1);
    });

    it('purges posts and clusters older than the cutoff', async () => {
      const t = Date.parse('2025-10-20T12:00:00Z');
      await store.writePosts([
        enrichedPost('old', 'oud bericht', t - 100 * 86_400_000),
        enrichedPost('new', 'nieuw bericht', t),
      ]);
      await store.upsertClusters([
        { cluster: cluster('c-old', ['old'], new Date(t - 99 * 86_400_000).toISOString()), watermarkMs: 1 },
        { cluster: cluster('c-new', ['new'], new Date(t).toISOString()), watermarkMs: 1 },
      ]);
      await refresh();
      expect(await store.purge(t - 90 * 86_400_000)).toBe(1);
      await refresh();
      expect(await store.counts()).toMatchObject({ posts: 1, clusters: 1 });
      expect(await store.searchPosts('bericht')).toEqual(['new']);
    });
  });
}
