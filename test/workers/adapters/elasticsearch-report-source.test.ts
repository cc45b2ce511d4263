// The Elasticsearch report source at the transport level (@elastic/elasticsearch-mock) with real response shapes:
// the composite aggregation paged by after_key, the cluster range query and the member-post search.
import MockModule from '@elastic/elasticsearch-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ElasticsearchReportSource } from '../../../workers/adapters/elasticsearch-report-source.ts';
import { cluster } from '../fixtures.ts';

const Mock = MockModule as unknown as typeof MockModule.default;
type Mock = InstanceType<typeof Mock>;
const H = 3_600_000;
const t0 = Date.parse('2023-11-21T10:00:00Z');

describe('ElasticsearchReportSource (transport level)', () => {
  let mock: Mock;
  let bodies: Array<Record<string, unknown>>;
  let source: ElasticsearchReportSource;
  beforeEach(() => {
    mock = new Mock();
    bodies = [];
    source = new ElasticsearchReportSource({
      node: 'http://es.test:9200',
      pageSize: 2,
      client: { Connection: mock.getConnection() as never },
    });
  });

  it('pages the composite aggregation until no after_key and maps missing languages to und', async () => {
    const pages = [
      {
        after_key: { h: t0, source: 'mastodon', lang: 'nl' },
        buckets: [
          { key: { h: t0, source: 'bluesky', lang: null }, doc_count: 3 },
          { key: { h: t0, source: 'mastodon', lang: 'nl' }, doc_count: 5 },
        ],
      },
      {
        after_key: { h: t0 + H, source: 'mastodon', lang: 'nl' },
        buckets: [{ key: { h: t0 + H, source: 'mastodon', lang: 'nl' }, doc_count: 7 }],
      },
      { buckets: [] },
    ];
    mock.add({ method: 'POST', path: '/mid-posts/_search' }, (p: unknown) => {
      const body = (p as { body: Record<string, unknown> }).body;
      bodies.push(body);
      return {
        took: 1,
        timed_out: false,
        _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
        hits: { total: { value: 15, relation: 'eq' }, max_score: null, hits: [] },
        aggregations: { hours: pages[bodies.length - 1] },
      };
    });
    expect(await source.postHours(t0, t0 + 2 * H)).toEqual([
      { hourMs: t0, platform: 'bluesky', lang: 'und', posts: 3 },
      { hourMs: t0, platform: 'mastodon', lang: 'nl', posts: 5 },
      { hourMs: t0 + H, platform: 'mastodon', lang: 'nl', posts: 7 },
    ]);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]!.query).toEqual({ range: { createdAtMs: { gte: t0, lt: t0 + 2 * H } } });
    const comp = (b: Record<string, unknown>) =>
      (b.aggs as { hours: { composite: Record<string, unknown> } }).hours.composite;
    expect(comp(bodies[0]!).after).toBeUndefined();
    expect(comp(bodies[1]!).after).toEqual({ h: t0, source: 'mastodon', lang: 'nl' });
    expect(comp(bodies[0]!).sources).toEqual([
      { h: { histogram: { field: 'createdAtMs', interval: H } } },
      { source: { terms: { field: 'source' } } },
      { lang: { terms: { field: 'lang', missing_bucket: true } } },
    ]);
  });

  it('reads overlapping clusters and computes member figures from the member posts', async () => {
    const c = {
      ...cluster('c1', ['1', '2', '3'], '2023-11-21T10:30:00.000Z'),
      startMs: t0,
      endMs: t0 + 1800_000,
      watermarkMs: t0,
    };
    const shards = { total: 1, successful: 1, skipped: 0, failed: 0 };
    mock.add({ method: 'POST', path: '/mid-clusters/_search' }, (p: unknown) => {
      bodies.push((p as { body: Record<string, unknown> }).body);
      return {
        took: 1,
        timed_out: false,
        _shards: shards,
        hits: {
          total: { value: 1, relation: 'eq' },
          max_score: null,
          hits: [{ _index: 'mid-clusters', _id: 'c1', _score: null, _source: c }],
        },
      };
    });
    mock.add({ method: 'POST', path: '/mid-posts/_search' }, (p: unknown) => {
      bodies.push((p as { body: Record<string, unknown> }).body);
      const hit = (id: string, s: Record<string, unknown>) => ({
        _index: '.ds-mid-posts-000001',
        _id: id,
        _score: 1,
        _source: s,
      });
      return {
        took: 1,
        timed_out: false,
        _shards: shards,
        hits: {
          total: { value: 3, relation: 'eq' },
          max_score: 1,
          hits: [
            hit('1', {
              source: 'mastodon',
              author: { id: 'u1' },
              accountSignals: { ageDays: 3 },
              fingerprint: { exact: 'f' },
            }),
            hit('2', {
              source: 'telegram',
              author: { id: 'u2' },
              accountSignals: { ageDays: null },
              fingerprint: { exact: 'f' },
            }),
            hit('3', {
              source: 'mastodon',
              author: { id: 'u3' },
              accountSignals: { ageDays: 90 },
              fingerprint: { exact: '' },
            }),
          ],
        },
      };
    });
    const [r] = await source.clusters(t0, t0 + H, { youngAccountDays: 30 });
    expect(bodies[0]!.query).toEqual({
      bool: { filter: [{ range: { startMs: { lt: t0 + H } } }, { range: { endMs: { gte: t0 } } }] },
    });
    expect(bodies[1]!.query).toEqual({ ids: { values: ['1', '2', '3'] } });
    expect(r).toMatchObject({
      id: 'c1',
      posts: 3,
      platforms: ['mastodon', 'telegram'],
      youngAccounts: 1,
      accountsWithAge: 2,
      sampleTextAccounts: 2,
    });
    expect(r).not.toHaveProperty('startMs');
  });
});
