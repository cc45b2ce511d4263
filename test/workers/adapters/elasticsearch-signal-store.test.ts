// The Elasticsearch adapter at the transport level (@elastic/elasticsearch-mock): the exact setup requests, bulk
// `create` of posts with id = post id (409 = already indexed), doc_as_upsert for clusters, 429 retried, 400 rejected.
import MockModule from '@elastic/elasticsearch-mock';
import { createRequire } from 'node:module';
import { errors as esmErrors } from '@elastic/elasticsearch';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  clusterDocument,
  ElasticsearchSignalStore,
  ES_CLUSTER_MAPPINGS,
  ES_DLQ_MAPPINGS,
  ES_POST_MAPPINGS,
  ES_SETTINGS,
} from '../../../workers/adapters/elasticsearch-signal-store.ts';
import { cluster, enrichedPost } from '../fixtures.ts';

// The package is CommonJS: at run time the default import is the class itself.
const Mock = MockModule as unknown as typeof MockModule.default;
// The mock tests `instanceof ResponseError` against the CommonJS build of the client: an error made from the ESM
// build would be sent back as a 200 body (the "index already exists" path then never ran).
const errors = (createRequire(import.meta.url)('@elastic/elasticsearch') as { errors: typeof esmErrors }).errors;
type Mock = InstanceType<typeof Mock>;

interface Seen {
  method: string;
  path: string;
  body: unknown;
  querystring: unknown;
}

function ndjson(body: unknown): unknown[] {
  if (Array.isArray(body)) return body as unknown[];
  return String(body)
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);
}

describe('ElasticsearchSignalStore (transport level)', () => {
  let mock: Mock;
  let seen: Seen[];
  let store: ElasticsearchSignalStore;
  beforeEach(() => {
    mock = new Mock();
    seen = [];
    store = new ElasticsearchSignalStore({
      node: 'http://es.test:9200',
      prefix: 'mid',
      retentionDays: 30,
      bulkWaitMs: 10,
      client: { Connection: mock.getConnection() as never },
    });
  });
  const record = (respond: (p: Seen) => Record<string, unknown> | string | Error) => (p: unknown) => {
    seen.push(p as Seen);
    return respond(p as Seen);
  };

  it('setup installs the ILM policy, component templates, index templates and indices, in that order', async () => {
    mock.add(
      { method: 'PUT', path: '/_ilm/policy/:name' },
      record(() => ({ acknowledged: true })),
    );
    mock.add(
      { method: 'PUT', path: '/_component_template/:name' },
      record(() => ({ acknowledged: true })),
    );
    mock.add(
      { method: 'PUT', path: '/_index_template/:name' },
      record(() => ({ acknowledged: true })),
    );
    let creates = 0;
    mock.add(
      { method: 'PUT', path: '/:index/_mapping' },
      record(() => ({ acknowledged: true })),
    );
    mock.add(
      { method: 'PUT', path: '/:index' },
      record(() =>
        creates++ === 0
          ? (new errors.ResponseError({
              body: { error: { type: 'resource_already_exists_exception' } },
              statusCode: 400,
              headers: {},
              warnings: [],
              meta: {} as never,
            }) as never)
          : { acknowledged: true },
      ),
    );
    await store.setup();
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'PUT /_ilm/policy/mid-posts-policy',
      'PUT /_component_template/mid-settings',
      'PUT /_component_template/mid-posts-mappings',
      'PUT /_component_template/mid-clusters-mappings',
      'PUT /_component_template/mid-dlq-mappings',
      'PUT /_index_template/mid-posts',
      'PUT /_index_template/mid-clusters',
      'PUT /_index_template/mid-dlq',
      'PUT /mid-clusters',
      'PUT /mid-clusters/_mapping',
      'PUT /mid-dlq',
    ]);
    expect(seen[0]!.body).toEqual({
      policy: {
        _meta: { managed_by: 'mid-monitor' },
        phases: {
          hot: { min_age: '0ms', actions: { rollover: { max_age: '1d', max_primary_shard_size: '50gb' } } },
          delete: { min_age: '30d', actions: { delete: {} } },
        },
      },
    });
    expect(seen[1]!.body).toEqual({ template: { settings: ES_SETTINGS } });
    expect(ES_SETTINGS.analysis.analyzer.mid_dutch.filter).toContain('mid_dutch_stemmer');
    expect(seen[2]!.body).toEqual({ template: { mappings: ES_POST_MAPPINGS } });
    expect(ES_POST_MAPPINGS.properties.text).toEqual({
      type: 'text',
      analyzer: 'mid_dutch',
      fields: { keyword: { type: 'keyword', ignore_above: 256 } },
    });
    expect(seen[3]!.body).toEqual({ template: { mappings: ES_CLUSTER_MAPPINGS } });
    expect(seen[4]!.body).toEqual({ template: { mappings: ES_DLQ_MAPPINGS } });
    expect(seen[5]!.body).toEqual({
      index_patterns: ['mid-posts*'],
      data_stream: {},
      priority: 200,
      composed_of: ['mid-settings', 'mid-posts-mappings'],
      template: { settings: { 'index.lifecycle.name': 'mid-posts-policy' } },
      _meta: { managed_by: 'mid-monitor' },
    });
    expect(seen[6]!.body).toMatchObject({
      index_patterns: ['mid-clusters*'],
      composed_of: ['mid-settings', 'mid-clusters-mappings'],
    });
    expect(seen[7]!.body).toMatchObject({
      index_patterns: ['mid-dlq*'],
      composed_of: ['mid-settings', 'mid-dlq-mappings'],
    });
    // The clusters index already existed (setup run before): not an error; its mappings get the fields added since
    // (triage.*, size, ...), and the dlq index was still created.
    expect(seen[9]!.body).toEqual(ES_CLUSTER_MAPPINGS);
    expect(ES_CLUSTER_MAPPINGS.properties.triage.properties.status).toEqual({ type: 'keyword' });
  });

  it('writes posts with create and id = post id; a 409 counts as already indexed, a 400 is rejected with its reason', async () => {
    mock.add(
      { method: 'POST', path: '/_bulk' },
      record((p) => {
        const lines = ndjson(p.body) as Array<Record<string, { _index: string; _id: string }>>;
        const items = [];
        for (let i = 0; i < lines.length; i += 2) {
          const id = lines[i]!.create!._id;
          if (id === 'dup')
            items.push({
              create: {
                _index: 'mid-posts',
                _id: id,
                status: 409,
                error: { type: 'version_conflict_engine_exception', reason: 'exists' },
              },
            });
          else if (id === 'bad')
            items.push({
              create: {
                _index: 'mid-posts',
                _id: id,
                status: 400,
                error: { type: 'document_parsing_exception', reason: 'failed to parse field [createdAt]' },
              },
            });
          else items.push({ create: { _index: 'mid-posts', _id: id, status: 201, result: 'created' } });
        }
        return { took: 1, errors: true, items };
      }),
    );
    const result = await store.writePosts([
      enrichedPost('ok', 'goed'),
      enrichedPost('dup', 'dubbel'),
      enrichedPost('bad', 'fout'),
    ]);
    expect(result.written).toBe(1);
    expect(result.duplicates).toBe(1);
    expect(result.rejected).toEqual([
      { id: 'bad', reason: '400 document_parsing_exception: failed to parse field [createdAt]' },
    ]);
    const lines = ndjson(seen[0]!.body) as Array<Record<string, unknown>>;
    expect(lines[0]).toEqual({ create: { _index: 'mid-posts', _id: 'ok' } });
    expect(lines[1]).toMatchObject({ id: 'ok', '@timestamp': '2025-10-20T12:00:00.000Z', text: 'goed' });
  });

  it('retries documents that got 429 and indexes them on the next round', async () => {
    let round = 0;
    mock.add(
      { method: 'POST', path: '/_bulk' },
      record((p) => {
        round++;
        const lines = ndjson(p.body) as Array<Record<string, { _id: string }>>;
        const items = [];
        for (let i = 0; i < lines.length; i += 2) {
          const id = lines[i]!.create!._id;
          items.push(
            round === 1 && id === 'busy'
              ? {
                  create: {
                    _id: id,
                    status: 429,
                    error: { type: 'es_rejected_execution_exception', reason: 'queue full' },
                  },
                }
              : { create: { _id: id, status: 201 } },
          );
        }
        return { took: 1, errors: round === 1, items };
      }),
    );
    const result = await store.writePosts([enrichedPost('a', 'x'), enrichedPost('busy', 'y')]);
    expect(result).toEqual({ written: 2, duplicates: 0, rejected: [] });
    expect(seen).toHaveLength(2);
    const retried = ndjson(seen[1]!.body) as Array<Record<string, { _id: string }>>;
    expect(retried).toHaveLength(2);
    expect(retried[0]!.create!._id).toBe('busy');
  });

  it('deletes a merged cluster by id from the clusters index; a missing one is not an error', async () => {
    let found = true;
    mock.add(
      { method: 'DELETE', path: '/:index/_doc/:id' },
      record(() =>
        found
          ? { _index: 'mid-clusters', _id: 'c9', result: 'deleted' }
          : new errors.ResponseError({
              statusCode: 404,
              body: { _index: 'mid-clusters', _id: 'c9', result: 'not_found' },
              headers: {},
              warnings: [],
              meta: {} as never,
            }),
      ),
    );
    expect(await store.deleteCluster('c9')).toBe(true);
    expect(seen[0]!.method).toBe('DELETE');
    expect(seen[0]!.path).toBe('/mid-clusters/_doc/c9');
    found = false;
    expect(await store.deleteCluster('c9')).toBe(false);
  });

  it('upserts clusters with update + doc_as_upsert into the clusters index', async () => {
    mock.add(
      { method: 'POST', path: '/_bulk' },
      record((p) => {
        const lines = ndjson(p.body) as Array<Record<string, { _id: string }>>;
        return {
          took: 1,
          errors: false,
          items: [{ update: { _id: lines[0]!.update!._id, status: 201, result: 'created' } }],
        };
      }),
    );
    const c = cluster('c1', ['a', 'b'], '2025-10-20T13:00:00.000Z');
    const result = await store.upsertClusters([{ cluster: c, watermarkMs: 42 }]);
    expect(result.written).toBe(1);
    const lines = ndjson(seen[0]!.body);
    expect(lines[0]).toEqual({ update: { _index: 'mid-clusters', _id: 'c1' } });
    expect(lines[1]).toEqual({
      doc: {
        ...c,
        startMs: Date.parse(c.start),
        endMs: Date.parse(c.end),
        watermarkMs: 42,
        size: c.accounts.length,
        postCount: c.posts.length,
        youngShare: 0,
        domains: [],
      },
      doc_as_upsert: true,
    });
  });

  it('a cluster document carries size, post count, young-account share (from the composition reason) and link domains', () => {
    const c = {
      ...cluster('c2', ['p1', 'p2', 'p3', 'p4'], '2025-10-20T12:00:00.000Z'),
      links: ['https://www.bewijs.example/stembus?x=1', 'https://nos.nl/a', 'niet een url'],
      reasons: [
        '4 accounts acted together repeatedly',
        '3 of the 4 accounts were created less than 30 days before posting; 1 had at most 5 posts in total',
      ],
    };
    const doc = clusterDocument(c, 7);
    expect(doc).toMatchObject({
      size: 4,
      postCount: 4,
      youngShare: 0.75,
      domains: ['bewijs.example', 'nos.nl'],
      watermarkMs: 7,
      endMs: Date.parse(c.end),
    });
    expect(clusterDocument({ ...c, reasons: ['2 of the 4 accounts had at most 5 posts in total'] }, 7).youngShare).toBe(
      0,
    );
  });
});
