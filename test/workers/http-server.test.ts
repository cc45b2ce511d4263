// The worker HTTP server's cluster API: `limit` is validated (a negative limit used to skip the cap: SQLite reads
// LIMIT -1 as no limit), against a real SQLite store.
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteSignalStore } from '../../workers/adapters/sqlite-signal-store.ts';
import { HttpServer, parseLimit } from '../../workers/http-server.ts';
import { createMetrics } from '../../workers/metrics.ts';
import { cluster } from './fixtures.ts';

let server: HttpServer | null = null;
let store: SqliteSignalStore | null = null;
afterEach(async () => { await server?.stop(); await store?.stop(); server = null; store = null; });

describe('/api/clusters', () => {
  it('answers 400 to a limit outside 1..1000 and never returns more than the cap', async () => {
    store = new SqliteSignalStore({ file: ':memory:' });
    await store.start();
    await store.upsertClusters(Array.from({ length: 1_005 }, (_, i) => ({ cluster: cluster(`c${i}`, ['a', 'b'], '2025-10-20T12:00:00.000Z', 0.5), watermarkMs: 1 })));
    server = new HttpServer({ port: 0, host: '127.0.0.1', workers: [], metrics: createMetrics(), store });
    await server.start();
    const get = async (q: string) => {
      const r = await fetch(`http://127.0.0.1:${server!.port}/api/clusters${q}`);
      return { status: r.status, body: (await r.json()) as { clusters?: unknown[]; error?: string } };
    };
    for (const bad of ['-1', '0', '1001', 'abc', '1.5', '1e3']) {
      const r = await get(`?limit=${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error).toMatch(/limit must be an integer from 1 to 1000/);
    }
    expect((await get('')).body.clusters).toHaveLength(100);
    expect((await get('?limit=1000')).body.clusters).toHaveLength(1000);
    expect((await get('?limit=3')).body.clusters).toHaveLength(3);
  });

  it('parses limits', () => {
    expect([parseLimit(null), parseLimit('7'), parseLimit('-1'), parseLimit('99999999')]).toEqual([100, 7, null, null]);
  });
});
