// The small HTTP server of a worker process: GET /healthz (alive), /readyz (every worker started and not stopping)
// and /metrics (Prometheus), unauthenticated for operators' probes. When an application is attached (the triage
// app of dashboards/triage in embedded mode and in `mid worker triage`), every other request is routed to it; the
// app does its own authentication.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkerMetrics } from './metrics.ts';
import type { Worker } from './worker.ts';

/** Options of {@link HttpServer}. */
export interface HttpServerOptions {
  port: number;
  host?: string;
  workers: Worker[];
  metrics: WorkerMetrics;
  /** Handles every request other than the probes (a Fastify app's `routing`). Default none (404). */
  app?: { routing(req: IncomingMessage, res: ServerResponse): void };
}

/** Most clusters one /api/clusters request returns. */
export const MAX_CLUSTERS_LIMIT = 1000;

/** `limit` of /api/clusters: absent means 100; otherwise an integer 1..MAX_CLUSTERS_LIMIT, else null (a 400). */
export function parseLimit(raw: string | null): number | null {
  if (raw === null || raw === '') return 100;
  if (!/^\d{1,7}$/.test(raw)) return null; // SQLite reads LIMIT -1 as "no limit": negative values must not pass
  const n = Number(raw);
  return n >= 1 && n <= MAX_CLUSTERS_LIMIT ? n : null;
}

/** The HTTP server of a worker process. */
export class HttpServer {
  private server: Server | null = null;

  constructor(private readonly options: HttpServerOptions) {}

  /** The port actually bound (useful with port 0). */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '0.0.0.0', () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeIdleConnections?.();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private send(res: ServerResponse, status: number, type: string, body: string): void {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { workers, metrics, app } = this.options;
    const probe = url.pathname === '/healthz' || url.pathname === '/readyz' || url.pathname === '/metrics';
    if (!probe && app) return app.routing(req, res);
    try {
      if (req.method !== 'GET') return this.send(res, 405, 'text/plain', 'method not allowed\n');
      switch (url.pathname) {
        case '/healthz':
          return this.send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
        case '/readyz': {
          const ready = workers.every((w) => w.ready());
          return this.send(
            res,
            ready ? 200 : 503,
            'application/json',
            JSON.stringify({ ready, workers: Object.fromEntries(workers.map((w) => [w.name, w.ready()])) }),
          );
        }
        case '/metrics': {
          for (const w of workers) if (w.lag) metrics.lag.set({ worker: w.name }, await w.lag().catch(() => -1));
          return this.send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
        }
      }
      return this.send(res, 404, 'text/plain', 'not found\n');
    } catch {
      // Internal messages stay in the process; the caller learns only that it failed.
      return this.send(res, 500, 'application/json', JSON.stringify({ error: 'internal error' }));
    }
  }
}
