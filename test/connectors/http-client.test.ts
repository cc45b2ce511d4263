// The shared HTTP client against a local server: retries, Retry-After, allow-list, redirects, concurrency, timeouts.
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HostNotAllowedError,
  HttpClient,
  HttpError,
  ResponseTooLargeError,
  isPrivateAddress,
  parseRetryAfter,
  redactUrl,
} from '../../connectors/http-client.ts';
import { startLocalServer } from './local-server.ts';
import type { LocalServer } from './local-server.ts';

let srv: LocalServer;
const sleeps: number[] = [];
const fakeSleep = async (ms: number): Promise<void> => {
  sleeps.push(ms);
};

beforeEach(async () => {
  srv = await startLocalServer();
  sleeps.length = 0;
});
afterEach(async () => {
  await srv.close();
});

function client(extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({ allowedHosts: [srv.host], sleep: fakeSleep, random: () => 0.5, ...extra });
}

describe('HttpClient', () => {
  it('sends a descriptive User-Agent', async () => {
    srv.route('/ua', (req, res) => res.end(req.headers['user-agent']));
    const r = await client({ contactUrl: 'https://example.org/mid' }).get(`${srv.origin}/ua`);
    expect(r.body).toMatch(/^mid-monitor\/\d+\.\d+\.\d+ \(\+https:\/\/example\.org\/mid\)$/);
  });

  it('waits out Retry-After on 429, then succeeds', async () => {
    let n = 0;
    srv.route('/limited', (_req, res) => {
      if (n++ === 0) res.writeHead(429, { 'retry-after': '7' }).end('slow down');
      else res.end('ok');
    });
    const r = await client().get(`${srv.origin}/limited`);
    expect(r.body).toBe('ok');
    expect(n).toBe(2);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(7000);
    expect(sleeps[0]).toBeLessThan(7300);
  });

  it('does not wait out a Retry-After longer than maxDelayMs: the error carries it to the worker', async () => {
    srv.route('/later', (_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end());
    const err = (await client({ maxDelayMs: 60_000 })
      .get(`${srv.origin}/later`)
      .catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(429);
    expect(err.retriable).toBe(true);
    expect(err.retryAfterMs).toBe(3_600_000);
    expect(sleeps).toEqual([]);
  });

  it('retries a 500 with jittered backoff and then succeeds', async () => {
    let n = 0;
    srv.route('/flaky', (_req, res) => {
      if (n++ === 0) res.writeHead(500).end('boom');
      else res.end('{"ok":true}');
    });
    const { json } = await client({ baseDelayMs: 400 }).getJson<{ ok: boolean }>(`${srv.origin}/flaky`);
    expect(json.ok).toBe(true);
    expect(sleeps).toEqual([200]); // random 0.5 × 400
  });

  it('gives up after maxRetries and says the error is retriable', async () => {
    let n = 0;
    srv.route('/down', (_req, res) => {
      n++;
      res.writeHead(503).end();
    });
    const err = (await client({ maxRetries: 2 })
      .get(`${srv.origin}/down`)
      .catch((e: unknown) => e)) as HttpError;
    expect(n).toBe(3);
    expect(err.name).toBe('HttpError');
    expect(err.retriable).toBe(true);
  });

  it('does not retry a 404', async () => {
    const err = (await client()
      .get(`${srv.origin}/missing`)
      .catch((e: unknown) => e)) as HttpError;
    expect(err.status).toBe(404);
    expect(err.retriable).toBe(false);
    expect(srv.requests).toHaveLength(1);
  });

  it('refuses hosts that are not configured, before any request', async () => {
    const c = new HttpClient({ allowedHosts: ['example.org'], sleep: fakeSleep });
    await expect(c.get(`${srv.origin}/x`)).rejects.toBeInstanceOf(HostNotAllowedError);
    expect(srv.requests).toHaveLength(0);
    expect(c.isAllowed('https://example.org/feed')).toBe(true);
    expect(c.isAllowed('https://evil.example.org/feed')).toBe(false);
    expect(c.isAllowed('file:///etc/passwd')).toBe(false);
  });

  it('refuses a redirect to a host outside the allow-list', async () => {
    srv.route('/jump', (_req, res) => res.writeHead(302, { location: 'http://elsewhere.invalid/x' }).end());
    srv.route('/local-jump', (_req, res) => res.writeHead(301, { location: '/target' }).end());
    srv.route('/target', (_req, res) => res.end('here'));
    await expect(client().get(`${srv.origin}/jump`)).rejects.toBeInstanceOf(HostNotAllowedError);
    expect((await client().get(`${srv.origin}/local-jump`)).body).toBe('here');
  });

  it('keeps at most perHostConcurrency requests in flight per host', async () => {
    let active = 0;
    let peak = 0;
    srv.route('/slow', (_req, res) => {
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active--;
        res.end('x');
      }, 30);
    });
    const c = client({ perHostConcurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => c.get(`${srv.origin}/slow`)));
    expect(peak).toBe(2);
  });

  it('times out a request that hangs, as a retriable HttpTimeoutError', async () => {
    srv.route('/hang', () => {
      /* never answers */
    });
    const err = (await client({ timeoutMs: 100, maxRetries: 0 })
      .get(`${srv.origin}/hang`)
      .catch((e: unknown) => e)) as HttpError;
    expect(err.name).toBe('HttpTimeoutError');
    expect(err.retriable).toBe(true);
  });

  it('reports truncated JSON as a non-retriable error naming the URL', async () => {
    srv.route('/trunc', (_req, res) => res.end('[{"id": "1", "uri": "x'));
    const err = (await client()
      .getJson(`${srv.origin}/trunc?key=SECRET`)
      .catch((e: unknown) => e)) as HttpError;
    expect(err.message).toMatch(/not valid JSON/);
    expect(err.message).not.toContain('SECRET');
    expect(err.retriable).toBe(false);
  });

  it('parses Retry-After seconds and HTTP dates; redacts secrets in URLs', () => {
    const now = Date.parse('2025-10-28T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 28 Oct 2025 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(redactUrl('https://x.test/a?query=b&key=abc123&x=1')).toBe('https://x.test/a?query=b&key=[redacted]&x=1');
    expect(redactUrl('GET https://u:pw@h.example/a?token=abc#f failed')).toBe(
      'GET https://[redacted]@h.example/a?token=[redacted]#f failed',
    );
  });
});

// Limits against hostile or careless servers (issue 12), all against the local server. The allow-list entries here
// are IP literals (127.0.0.1:port): naming the address is the explicit permission for loopback; host names that
// resolve to loopback are refused unless allowPrivateAddresses is set.
describe('HttpClient limits', () => {
  const counted = (path: string, handler: Parameters<LocalServer['route']>[1]): { hits: () => number } => {
    let n = 0;
    srv.route(path, (req, res, url) => {
      n++;
      handler(req, res, url);
    });
    return { hits: () => n };
  };

  it('refuses a body over maxResponseBytes without retrying it (declared length and streamed)', async () => {
    const declared = counted('/big', (_req, res) => res.end(Buffer.alloc(2 * 1024 * 1024, 97)));
    const err = (await client({ maxResponseBytes: 1024 * 1024 })
      .get(`${srv.origin}/big`)
      .catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(err.retriable).toBe(false);
    expect(declared.hits()).toBe(1);
    const chunk = Buffer.alloc(64 * 1024, 98);
    const streamed = counted('/endless', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }); // chunked, no length
      let sent = 0;
      const more = (): void => {
        while (sent < 200 && res.write(chunk)) sent++;
        if (sent < 200) res.once('drain', more);
        else res.end();
      };
      more();
    });
    const err2 = (await client({ maxResponseBytes: 1024 * 1024 })
      .get(`${srv.origin}/endless`)
      .catch((e: unknown) => e)) as HttpError;
    expect(err2).toBeInstanceOf(ResponseTooLargeError);
    expect(streamed.hits()).toBe(1);
    // A source's own cap raises the limit for its request.
    expect(
      (await client({ maxResponseBytes: 1024 }).get(`${srv.origin}/big`, { maxResponseBytes: 4 * 1024 * 1024 })).body
        .length,
    ).toBe(2 * 1024 * 1024);
  });

  it(
    'stops decompressing a 3 MB gzip bomb at the size cap and at the ratio cap, without holding it in memory',
    { timeout: 30_000 },
    async () => {
      // Gzip members concatenate: 300 copies of 10 MB of zeros is ~3 MB on the wire and 3 GB decompressed.
      const member = gzipSync(Buffer.alloc(10 * 1024 * 1024), { level: 9 });
      const bomb = Buffer.concat(Array.from({ length: 300 }, () => member));
      expect(bomb.length).toBeLessThan(4 * 1024 * 1024);
      srv.route('/bomb', (_req, res) =>
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }).end(bomb),
      );
      // The ratio case: 30 members (~300 KB on the wire, 300 MB inflated) stop at 100x the wire size, ~30 MB, so the
      // test does not spend its time inflating 300 MB of zeros on a loaded machine.
      const small = Buffer.concat(Array.from({ length: 30 }, () => member));
      srv.route('/bomb-length', (_req, res) =>
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(small.length) }).end(small),
      );
      const before = process.memoryUsage().rss;
      const bySize = (await client()
        .get(`${srv.origin}/bomb`)
        .catch((e: unknown) => e)) as HttpError;
      expect(bySize).toBeInstanceOf(ResponseTooLargeError);
      expect(bySize.message).toMatch(/larger than 10485760 bytes \(decompressed, gzip\)/);
      const byRatio = (await client({ maxResponseBytes: 1024 ** 3 })
        .get(`${srv.origin}/bomb-length`)
        .catch((e: unknown) => e)) as HttpError;
      expect(byRatio).toBeInstanceOf(ResponseTooLargeError);
      expect(byRatio.message).toMatch(new RegExp(`larger than ${Math.ceil(small.length * 100)} bytes`));
      // Loose: the old client went to 861 MiB on this; the capped reads hold ~10 MB and ~300 MB at most.
      expect(process.memoryUsage().rss - before).toBeLessThan(600 * 1024 * 1024);
    },
  );

  it('allows only the default port for an allow-list entry without a port', async () => {
    const c = new HttpClient({ allowedHosts: ['example.org', 'localhost'] });
    expect(c.isAllowed('https://example.org/a')).toBe(true);
    expect(c.isAllowed('https://example.org:443/a')).toBe(true);
    expect(c.isAllowed('https://example.org:8443/a')).toBe(false);
    expect(c.isAllowed('http://example.org:6379/')).toBe(false);
    const port = new URL(srv.origin).port;
    const err = await c.get(`http://localhost:${port}/x`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostNotAllowedError);
  });

  it('refuses a host name that resolves to a loopback address (DNS rebinding) unless private addresses are allowed', async () => {
    const hit = counted('/internal', (_req, res) => res.end('secret'));
    const port = new URL(srv.origin).port;
    const toLoopback: NonNullable<ConstructorParameters<typeof HttpClient>[0]['lookup']> = (_host, _opts, cb) =>
      cb(null, [{ address: '127.0.0.1', family: 4 }]);
    const strict = new HttpClient({ allowedHosts: [`rebind.test:${port}`], lookup: toLoopback, sleep: fakeSleep });
    const err = (await strict.get(`http://rebind.test:${port}/internal`).catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.retriable).toBe(false);
    expect(err.message).toMatch(/resolves to 127\.0\.0\.1, a private, loopback or link-local address/);
    expect(hit.hits()).toBe(0);
    expect(sleeps).toEqual([]);
    // The real resolver: localhost is loopback too.
    const real = (await new HttpClient({ allowedHosts: [`localhost:${port}`] })
      .get(`http://localhost:${port}/internal`)
      .catch((e: unknown) => e)) as HttpError;
    expect(real.message).toMatch(/private, loopback or link-local/);
    const open = new HttpClient({
      allowedHosts: [`rebind.test:${port}`],
      lookup: toLoopback,
      allowPrivateAddresses: true,
    });
    expect((await open.get(`http://rebind.test:${port}/internal`)).body).toBe('secret');
    expect(hit.hits()).toBe(1);
  });

  it('classifies addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
      'nonsense',
    ])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['93.184.216.34', '2a00:1450:4001::1', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(a), a).toBe(false);
  });
});
