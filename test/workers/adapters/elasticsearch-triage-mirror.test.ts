// The Elasticsearch triage mirror at the transport level (@elastic/elasticsearch-mock): on start it adds the
// triage.* mapping to the clusters index; each write is a partial update of the cluster document. (The 404 path
// of a missing document is not covered: this mock answers an error returned from a route with status 200.)
import MockModule from '@elastic/elasticsearch-mock';
import { describe, expect, it } from 'vitest';
import { ElasticsearchTriageMirror, TRIAGE_MAPPING } from '../../../workers/adapters/elasticsearch-triage-mirror.ts';

// The package is CommonJS: at run time the default import is the class itself.
const Mock = MockModule as unknown as typeof MockModule.default;

describe('ElasticsearchTriageMirror (transport level)', () => {
  it('maps triage.* once and writes status, assignee and labels onto the cluster document', async () => {
    const mock = new Mock();
    const seen: Array<{ method: string; path: string; body: unknown }> = [];
    mock.add({ method: 'PUT', path: '/mid-clusters/_mapping' }, (p: unknown) => {
      seen.push(p as never);
      return { acknowledged: true };
    });
    mock.add({ method: 'POST', path: '/mid-clusters/_update/c1' }, (p: unknown) => {
      seen.push(p as never);
      return { result: 'updated', _id: 'c1' };
    });
    const mirror = new ElasticsearchTriageMirror({
      node: 'http://es.test:9200',
      prefix: 'mid',
      client: { Connection: mock.getConnection() as never },
    });
    await mirror.start();
    const state = {
      clusterId: 'c1',
      status: 'escalated' as const,
      closeReason: null,
      assignee: 'ann',
      watchers: [],
      labels: [{ name: 'T0049', mode: 'observed' as const }],
      reopenReason: null,
      closedPosts: null,
      mergedFrom: [],
      updatedAtMs: Date.parse('2025-10-20T12:00:00Z'),
    };
    expect(await mirror.write(state)).toBe(true);
    await mirror.stop();
    await mirror.stop();
    expect(seen[0]).toMatchObject({
      method: 'PUT',
      path: '/mid-clusters/_mapping',
      body: { properties: TRIAGE_MAPPING },
    });
    expect(seen[1]).toMatchObject({
      method: 'POST',
      body: {
        doc: {
          triage: { status: 'escalated', assignee: 'ann', labels: ['T0049'], updatedAt: '2025-10-20T12:00:00.000Z' },
        },
      },
    });
  });
});
