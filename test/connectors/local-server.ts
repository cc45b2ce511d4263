// A local HTTP server for connector tests (node:http on 127.0.0.1, port 0): each test registers handlers by path,
// and every request is recorded, so the connectors' real HTTP code runs against recorded payloads.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Recorded real payloads (shared/ sits beside the clone; `MID_REAL_FIXTURES` points elsewhere, e.g. from a worktree). */
export const REAL_FIXTURES =
  process.env.MID_REAL_FIXTURES ?? fileURLToPath(new URL('../../../shared/fixtures/real/', import.meta.url));
/** Our own recorded-format fixtures. */
export const OWN_FIXTURES = fileURLToPath(new URL('../fixtures/connectors/', import.meta.url));

/** Reads a fixture file as text. */
export function fixture(dir: string, name: string): string {
  return readFileSync(dir + name, 'utf8');
}

/** One handler; gets the parsed URL. */
export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** A running local server. */
export interface LocalServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** host:port, for the allow-list. */
  host: string;
  server: Server;
  requests: Array<{ path: string; headers: IncomingMessage['headers'] }>;
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

/** Starts a server; unknown paths answer 404. */
export async function startLocalServer(): Promise<LocalServer> {
  const routes = new Map<string, Handler>();
  const requests: LocalServer['requests'] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ path: url.pathname + url.search, headers: req.headers });
    const h = routes.get(url.pathname);
    if (!h) {
      res.writeHead(404).end('not found');
      return;
    }
    h(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    server,
    requests,
    route: (path, handler) => {
      routes.set(path, handler);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with a recorded response record `{ response: { status, headers, body } }`, optionally rewriting text. */
export function replayRecord(
  record: { response: { status: number; headers: Record<string, string>; body: unknown } },
  rewrite: (s: string) => string = (s) => s,
): Handler {
  return (_req, res) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(record.response.headers)) headers[k] = rewrite(v);
    res.writeHead(record.response.status, headers).end(JSON.stringify(record.response.body));
  };
}
