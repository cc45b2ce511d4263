// The Elasticsearch triage mirror against a local HTTP server that answers with Elasticsearch 8's real response
// shapes (headers, bodies, status codes), so the client's own error handling runs: update by id (200), a missing
// cluster document (404 document_missing_exception: skipped), conflicts (409 version_conflict_engine_exception:
// sent again, then a retriable TriageMirrorError) and a refused document (400: not retriable). Then, when
// MID_ES_URL is set, the same against a live Elasticsearch: the mapping is added, Kibana's filter on
// triage.status finds the cluster, a missing cluster is skipped.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ElasticsearchTriageMirror,
  TRIAGE_MAPPING,
  TriageMirrorError,
} from '../../../workers/adapters/elasticsearch-triage-mirror.ts';
import type { TriageState } from '../../../workers/ports/triage-store.ts';

const state = (clusterId: string, over: Partial<TriageState> = {}): TriageState => ({
  clusterId,
  status: 'escalated',
  closeReason: null,
  assignee: 'ann',
  watchers: [],
  labels: [{ name: 'T0049', mode: 'observed' }],
  reopenReason: null,
  closedPosts: null,
  mergedFrom: [],
  updatedAtMs: Date.parse('2025-10-20T12:00:00Z'),
  ...over,
});

interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}
type Answer = { status: number; body: unknown };

const esError = (status: number, type: string, reason: string) => ({
  status,
  body: {
    error: {
      root_cause: [{ type, reason, index_uuid: 'pBv3o0ErQ4u6wGk0bQzB1g', shard: '0', index: 'mid-clusters' }],
      type,
      reason,
      index_uuid: 'pBv3o0ErQ4u6wGk0bQzB1g',
      shard: '0',
      index: 'mid-clusters',
    },
    status,
  },
});
const updated = (id: string, version: number): Answer => ({
  status: 200,
  body: {
    _index: 'mid-clusters',
    _id: id,
    _version: version,
    result: 'updated',
    _shards: { total: 2, successful: 1, failed: 0 },
    _seq_no: version + 3,
    _primary_term: 1,
  },
});
const conflict = (id: string) =>
  esError(
    409,
    'version_conflict_engine_exception',
    `[${id}]: version conflict, required seqNo [5], primary term [1]. current document has seqNo [6] and primary term [1]`,
  );

describe('ElasticsearchTriageMirror against an HTTP server with Elasticsearch answers', () => {
  let server: Server;
  let url: string;
  let seen: Req[];
  let answer: (r: Req) => Answer;
  let mirror: ElasticsearchTriageMirror;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://es.local');
        const text = Buffer.concat(chunks).toString('utf8');
        const r: Req = {
          method: req.method ?? '',
          path: u.pathname,
          query: u.searchParams,
          body: text ? JSON.parse(text) : null,
        };
        seen.push(r);
        const a = answer(r);
        res.writeHead(a.status, {
          'content-type': 'application/vnd.elasticsearch+json;compatible-with=8',
          // The client refuses servers that do not say they are Elasticsearch.
          'x-elastic-product': 'Elasticsearch',
        });
        res.end(JSON.stringify(a.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(async () => {
    seen = [];
    answer = (r) =>
      r.method === 'PUT' && r.path === '/mid-clusters/_mapping'
        ? { status: 200, body: { acknowledged: true } }
        : esError(500, 'unexpected', `${r.method} ${r.path}`);
    mirror = new ElasticsearchTriageMirror({ node: url, prefix: 'mid', client: { maxRetries: 0 } });
    await mirror.start();
  });
  const updates = () => seen.filter((r) => r.path.includes('/_update/'));
  afterEach(() => mirror.stop());

  it('adds the triage mapping on start and updates the cluster document by id', async () => {
    const base = answer;
    answer = (r) => (r.path === '/mid-clusters/_update/c1' ? updated('c1', 2) : base(r));
    expect(await mirror.write(state('c1'))).toBe(true);
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /mid-clusters/_mapping',
      'POST /mid-clusters/_update/c1',
    ]);
    expect(seen[0]!.body).toEqual({ properties: TRIAGE_MAPPING });
    expect(seen[1]!.query.get('retry_on_conflict')).toBe('3');
    expect(seen[1]!.body).toEqual({
      doc: {
        triage: { status: 'escalated', assignee: 'ann', labels: ['T0049'], updatedAt: '2025-10-20T12:00:00.000Z' },
      },
    });
  });

  it('skips a cluster whose document is not indexed yet (404 document_missing_exception)', async () => {
    answer = (r) =>
      r.path === '/mid-clusters/_update/c9'
        ? esError(404, 'document_missing_exception', '[c9]: document missing')
        : esError(500, 'unexpected', r.path);
    expect(await mirror.write(state('c9'))).toBe(false);
    expect(updates()).toHaveLength(1);
  });

  it('sends the update again after a 409 conflict', async () => {
    let n = 0;
    answer = () => (++n < 3 ? conflict('c1') : updated('c1', 7));
    expect(await mirror.write(state('c1', { status: 'closed', closeReason: 'duplicate' }))).toBe(true);
    expect(updates().map((r) => r.path)).toEqual(Array(3).fill('/mid-clusters/_update/c1'));
  });

  it('gives up on a lasting conflict with a retriable error, and on a refused document with a final one', async () => {
    answer = () => conflict('c1');
    const err = await mirror.write(state('c1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TriageMirrorError);
    expect(err).toMatchObject({ name: 'TriageMirrorError', retriable: true });
    expect((err as Error).message).toContain('409');
    expect(updates()).toHaveLength(3);

    seen = [];
    answer = () => esError(400, 'mapper_parsing_exception', 'failed to parse field [triage.updatedAt] of type [date]');
    const bad = await mirror.write(state('c1')).catch((e: unknown) => e);
    expect(bad).toMatchObject({ name: 'TriageMirrorError', retriable: false });
    expect(updates()).toHaveLength(1);
  });
});

describe.skipIf(!process.env.MID_ES_URL)('ElasticsearchTriageMirror (live Elasticsearch, MID_ES_URL)', () => {
  const prefix = `mid-test-mirror-${Date.now().toString(36)}`;
  const index = `${prefix}-clusters`;
  let es: Client;
  let mirror: ElasticsearchTriageMirror;

  beforeAll(async () => {
    es = new Client({ node: process.env.MID_ES_URL! });
    // Like the real clusters index: dynamic false, so triage.* is searchable only once the mirror maps it.
    await es.indices.create({ index, mappings: { dynamic: false, properties: { id: { type: 'keyword' } } } });
    await es.index({ index, id: 'c1', document: { id: 'c1', score: 0.9 }, refresh: true });
    mirror = new ElasticsearchTriageMirror({ node: process.env.MID_ES_URL!, prefix });
    await mirror.start();
  }, 60_000);
  afterAll(async () => {
    await mirror?.stop();
    await es?.indices.delete({ index }, { ignore: [404] });
    await es?.close();
  });

  it('writes triage.* onto the cluster document, searchable by status, and skips a missing cluster', async () => {
    expect(await mirror.write(state('c1'))).toBe(true);
    expect(await mirror.write(state('missing'))).toBe(false);
    await es.indices.refresh({ index });
    const doc = await es.get<{ id: string; score: number; triage: unknown }>({ index, id: 'c1' });
    expect(doc._source).toMatchObject({
      id: 'c1',
      score: 0.9,
      triage: { status: 'escalated', assignee: 'ann', labels: ['T0049'] },
    });
    const hits = await es.search({ index, query: { term: { 'triage.status': 'escalated' } } });
    expect(hits.hits.hits.map((h) => h._id)).toEqual(['c1']);
    // A second start is idempotent (the mapping is already there).
    const again = new ElasticsearchTriageMirror({ node: process.env.MID_ES_URL!, prefix });
    await again.start();
    await again.stop();
    // A later change replaces the copy.
    await mirror.write(state('c1', { status: 'closed', closeReason: 'duplicate', assignee: null, labels: [] }));
    await es.indices.refresh({ index });
    expect((await es.get<{ triage: unknown }>({ index, id: 'c1' }))._source!.triage).toMatchObject({
      status: 'closed',
      assignee: null,
      labels: [],
    });
  });
});
