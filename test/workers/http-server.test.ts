// The worker process's HTTP server on a real socket (port 0): health, readiness and metrics with their status codes
// and bodies, the clusters API and page when a store is attached, 404 and 405 otherwise, and a failing store never
// showing its internals to the caller.
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../workers/metrics.ts';
import { HttpServer } from '../../workers/http-server.ts';
import type { SignalStore, StoredCluster } from '../../workers/ports/signal-store.ts';
import type { Worker } from '../../workers/worker.ts';
import { cluster } from './fixtures.ts';

function worker(name: string, ready: boolean, lag?: number): Worker {
  return { name, ready: () => ready, start: async () => {}, stop: async () => {}, ...(lag === undefined ? {} : { lag: async () => lag }) };
}

/** A store that answers listClusters only (the server reads nothing else). */
function store(list: () => Promise<StoredCluster[]>): SignalStore {
  return { kind: 'sqlite', listClusters: list } as unknown as SignalStore; // a partial fake: only listClusters is called
}

const servers: HttpServer[] = [];
async function serve(options: Omit<ConstructorParameters<typeof HttpServer>[0], 'port' | 'host' | 'metrics'> & { metrics?: ReturnType<typeof createMetrics> }) {
  const s = new HttpServer({ port: 0, host: '127.0.0.1', metrics: options.metrics ?? createMetrics(), ...options });
  servers.push(s);
  await s.start();
  const base = `http://127.0.0.1:${s.port}`;
  return async (path: string, init?: RequestInit) => {
    const r = await fetch(base + path, init);
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
  };
}
afterEach(async () => { for (const s of servers.splice(0)) { await s.stop(); await s.stop(); } });

describe('HttpServer', () => {
  it('answers /healthz 200 while alive, /readyz 200 only when every worker is ready (503 otherwise, naming them)', async () => {
    const get = await serve({ workers: [worker('enrich', true), worker('detect', false)] });
    const health = await get('/healthz');
    expect([health.status, health.type, JSON.parse(health.body)]).toEqual([200, 'application/json', { status: 'ok' }]);
    const notReady = await get('/readyz');
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.body)).toEqual({ ready: false, workers: { enrich: true, detect: false } });
    const get2 = await serve({ workers: [worker('enrich', true)] });
    const ready = await get2('/readyz');
    expect([ready.status, JSON.parse(ready.body)]).toEqual([200, { ready: true, workers: { enrich: true } }]);
  });

  it('serves Prometheus metrics with the consumers\' lag, and -1 for a lag that could not be read', async () => {
    const failing: Worker = { ...worker('index', true), lag: async () => { throw new Error('broker down'); } };
    const get = await serve({ workers: [worker('enrich', true, 7), worker('connectors', true), failing] });
    const m = await get('/metrics');
    expect(m.status).toBe(200);
    expect(m.type).toMatch(/^text\/plain/);
    expect(m.body).toMatch(/^mid_consumer_lag\w*\{worker="enrich"\} 7$/m);
    expect(m.body).toMatch(/^mid_consumer_lag\w*\{worker="index"\} -1$/m);
    expect(m.body).not.toMatch(/worker="connectors"\} /);
  });

  it('answers 404 for unknown paths and for the clusters API without a store, 405 for other methods', async () => {
    const get = await serve({ workers: [] });
    for (const path of ['/nope', '/api/clusters', '/', '/healthz/extra']) {
      const r = await get(path);
      expect([path, r.status, r.body]).toEqual([path, 404, 'not found\n']);
    }
    const post = await get('/healthz', { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('lists clusters as JSON (open only, limit capped at 1000) and as an escaped HTML page', async () => {
    const calls: unknown[] = [];
    const c: StoredCluster = { ...cluster('c1', ['a', 'b'], '2025-10-20T12:00:00.000Z'), reasons: ['<script>alert(1)</script>'], watermarkMs: 1, open: true };
    const get = await serve({ workers: [], store: store(async function (this: unknown, ...args: unknown[]) { calls.push(args[0]); return [c]; }) });
    const api = await get('/api/clusters?open=1&limit=5000');
    expect(api.status).toBe(200);
    expect(JSON.parse(api.body)).toEqual({ clusters: [c] });
    expect(calls[0]).toEqual({ openOnly: true, limit: 1000 });
    await get('/api/clusters');
    expect(calls[1]).toEqual({ openOnly: false, limit: 100 });
    const page = await get('/');
    expect([page.status, page.type]).toEqual([200, 'text/html; charset=utf-8']);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>');
  });

  it('answers 500 without echoing the internal error', async () => {
    const secret = 'connect ECONNREFUSED 10.0.0.7:9200 user=elastic';
    const get = await serve({ workers: [], store: store(async () => { throw new Error(secret); }) });
    const r = await get('/api/clusters');
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body)).toEqual({ error: 'internal error' });
    expect(r.body).not.toContain('ECONNREFUSED');
  });

  it('stops safely before start and twice', async () => {
    const s = new HttpServer({ port: 0, host: '127.0.0.1', workers: [], metrics: createMetrics() });
    await s.stop();
    await s.start();
    const port = s.port;
    expect(port).toBeGreaterThan(0);
    await s.stop();
    await s.stop();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
