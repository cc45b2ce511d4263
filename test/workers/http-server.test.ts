// The worker process's HTTP server on a real socket (port 0): health, readiness and metrics with their status codes
// and bodies, every other request routed to an attached application (the triage app), 404 and 405 otherwise, and a
// failure never showing its internals to the caller.
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../workers/metrics.ts';
import { HttpServer } from '../../workers/http-server.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Worker } from '../../workers/worker.ts';

function worker(name: string, ready: boolean, lag?: number): Worker {
  return {
    name,
    ready: () => ready,
    start: async () => {},
    stop: async () => {},
    ...(lag === undefined ? {} : { lag: async () => lag }),
  };
}

const servers: HttpServer[] = [];
async function serve(
  options: Omit<ConstructorParameters<typeof HttpServer>[0], 'port' | 'host' | 'metrics'> & {
    metrics?: ReturnType<typeof createMetrics>;
  },
) {
  const s = new HttpServer({ port: 0, host: '127.0.0.1', metrics: options.metrics ?? createMetrics(), ...options });
  servers.push(s);
  await s.start();
  const base = `http://127.0.0.1:${s.port}`;
  return async (path: string, init?: RequestInit) => {
    const r = await fetch(base + path, init);
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: await r.text() };
  };
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    await s.stop();
    await s.stop();
  }
});

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

  it("serves Prometheus metrics with the consumers' lag, and -1 for a lag that could not be read", async () => {
    const failing: Worker = {
      ...worker('index', true),
      lag: async () => {
        throw new Error('broker down');
      },
    };
    const get = await serve({ workers: [worker('enrich', true, 7), worker('connectors', true), failing] });
    const m = await get('/metrics');
    expect(m.status).toBe(200);
    expect(m.type).toMatch(/^text\/plain/);
    expect(m.body).toMatch(/^mid_consumer_lag\w*\{worker="enrich"\} 7$/m);
    expect(m.body).toMatch(/^mid_consumer_lag\w*\{worker="index"\} -1$/m);
    expect(m.body).not.toMatch(/worker="connectors"\} /);
  });

  it('answers 404 for unknown paths 405 for other methods', async () => {
    const get = await serve({ workers: [] });
    for (const path of ['/nope', '/api/clusters', '/', '/healthz/extra']) {
      const r = await get(path);
      expect([path, r.status, r.body]).toEqual([path, 404, 'not found\n']);
    }
    const post = await get('/healthz', { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('routes every request but the probes to an attached application (the triage app), the probes never', async () => {
    const seen: string[] = [];
    const app = {
      routing: (req: IncomingMessage, res: ServerResponse) => {
        seen.push(`${req.method} ${req.url}`);
        res.writeHead(401).end('sign in');
      },
    };
    const get = await serve({ workers: [worker('index', true)], app });
    const page = await get('/api/clusters?limit=5');
    expect([page.status, page.body]).toEqual([401, 'sign in']);
    expect((await get('/', { method: 'POST' })).status).toBe(401);
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/metrics')).status).toBe(200);
    expect(seen).toEqual(['GET /api/clusters?limit=5', 'POST /']);
  });

  it('answers 500 without echoing the internal error', async () => {
    const secret = 'connect ECONNREFUSED 10.0.0.7:9200 user=elastic';
    const broken: Worker = {
      ...worker('index', true),
      ready: () => {
        throw new Error(secret);
      },
    };
    const get = await serve({ workers: [broken] });
    const r = await get('/readyz');
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
