// The small HTTP server of a worker process: GET /healthz (alive), /readyz (every worker started and not stopping),
// /metrics (Prometheus), and, when a signal store is attached (embedded mode), GET /api/clusters (JSON, newest and
// highest score first) and a plain HTML page at / listing open clusters with their reasons. Read-only; no post text
// beyond a cluster's sample text, and authors only as the pseudonyms the store holds.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkerMetrics } from './metrics.ts';
import type { SignalStore, StoredCluster } from './ports/signal-store.ts';
import type { Worker } from './worker.ts';

/** Options of {@link HttpServer}. */
export interface HttpServerOptions {
  port: number;
  host?: string;
  workers: Worker[];
  metrics: WorkerMetrics;
  /** Serves /api/clusters and / when given. */
  store?: SignalStore;
}

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
}

/** Renders the open clusters as a plain HTML page. */
export function renderClustersPage(clusters: StoredCluster[]): string {
  const rows = clusters.map((c) => `<li><h2>${esc(c.kinds.join(', '))} — score ${esc(c.score.toFixed(2))}</h2>
<p>${esc(c.posts.length)} posts by ${esc(c.accounts.length)} accounts, ${esc(c.start)} – ${esc(c.end)}${c.languages.length ? `, languages ${esc(c.languages.join(', '))}` : ''}</p>
<ul>${c.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>
${c.sampleText ? `<blockquote>${esc(c.sampleText)}</blockquote>` : ''}
${c.links.length ? `<p>Links: ${c.links.slice(0, 5).map((l) => esc(l)).join(' · ')}</p>` : ''}
${c.factchecks.length ? `<p>Fact-checks: ${c.factchecks.map((f) => `<a href="${esc(f.url)}">${esc(f.publisher)}${f.rating ? ` (${esc(f.rating)})` : ''}</a>`).join(' · ')}</p>` : ''}
<p><small>cluster ${esc(c.id)}</small></p></li>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mid-monitor: open clusters</title>
<meta http-equiv="refresh" content="15"><style>body{font-family:sans-serif;max-width:60em;margin:2em auto}li>h2{font-size:1.1em}blockquote{color:#444}</style></head>
<body><h1>Open clusters</h1><p>Signals of coordinated or inauthentic behaviour, not judgements of truth. Newest and highest score first.</p>
${clusters.length ? `<ol>${rows}</ol>` : '<p>No open clusters yet.</p>'}</body></html>`;
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
  get port(): number { return (this.server?.address() as AddressInfo | null)?.port ?? 0; }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => { void this.handle(req, res); });
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
    const { workers, metrics, store } = this.options;
    try {
      if (req.method !== 'GET') return this.send(res, 405, 'text/plain', 'method not allowed\n');
      switch (url.pathname) {
        case '/healthz': return this.send(res, 200, 'application/json', JSON.stringify({ status: 'ok' }));
        case '/readyz': {
          const ready = workers.every((w) => w.ready());
          return this.send(res, ready ? 200 : 503, 'application/json', JSON.stringify({ ready, workers: Object.fromEntries(workers.map((w) => [w.name, w.ready()])) }));
        }
        case '/metrics': {
          for (const w of workers) if (w.lag) metrics.lag.set({ worker: w.name }, await w.lag().catch(() => -1));
          return this.send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
        }
        case '/api/clusters': {
          if (!store) break;
          const limit = parseLimit(url.searchParams.get('limit'));
          if (limit === null) return this.send(res, 400, 'application/json', JSON.stringify({ error: `limit must be an integer from 1 to ${MAX_CLUSTERS_LIMIT}` }));
          return this.send(res, 200, 'application/json', JSON.stringify({
            clusters: await store.listClusters({ openOnly: url.searchParams.get('open') === '1', limit }),
          }));
        }
        case '/':
          if (!store) break;
          return this.send(res, 200, 'text/html; charset=utf-8', renderClustersPage(await store.listClusters({ openOnly: true, limit: 200 })));
      }
      return this.send(res, 404, 'text/plain', 'not found\n');
    } catch (err) {
      return this.send(res, 500, 'application/json', JSON.stringify({ error: (err as Error).message }));
    }
  }
}
