// The shared HTTP client against a local server: retries, Retry-After, allow-list, redirects, concurrency, timeouts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostNotAllowedError, HttpClient, HttpError, parseRetryAfter, redactUrl } from '../../connectors/http-client.ts';
import { startLocalServer } from './local-server.ts';
import type { LocalServer } from './local-server.ts';

let srv: LocalServer;
const sleeps: number[] = [];
const fakeSleep = async (ms: number): Promise<void> => { sleeps.push(ms); };

beforeEach(async () => { srv = await startLocalServer(); sleeps.length = 0; });
afterEach(async () => { await srv.close(); });

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
    const err = await client({ maxDelayMs: 60_000 }).get(`${srv.origin}/later`).catch((e: unknown) => e) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(429);
    expect(err.retriable).toBe(true);
    expect(err.retryAfterMs).toBe(3_600_000);
    expect(sleeps).toEqual([]);
  });

  it('retries a 500 with jittered backoff and then succeeds', async () => {
    let n = 0;
    srv.route('/flaky', (_req, res) => { if (n++ === 0) res.writeHead(500).end('boom'); else res.end('{"ok":true}'); });
    const { json } = await client({ baseDelayMs: 400 }).getJson<{ ok: boolean }>(`${srv.origin}/flaky`);
    expect(json.ok).toBe(true);
    expect(sleeps).toEqual([200]); // random 0.5 × 400
  });

  it('gives up after maxRetries and says the error is retriable', async () => {
    let n = 0;
    srv.route('/down', (_req, res) => { n++; res.writeHead(503).end(); });
    const err = await client({ maxRetries: 2 }).get(`${srv.origin}/down`).catch((e: unknown) => e) as HttpError;
    expect(n).toBe(3);
    expect(err.name).toBe('HttpError');
    expect(err.retriable).toBe(true);
  });

  it('does not retry a 404', async () => {
    const err = await client().get(`${srv.origin}/missing`).catch((e: unknown) => e) as HttpError;
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
      active++; peak = Math.max(peak, active);
      setTimeout(() => { active--; res.end('x'); }, 30);
    });
    const c = client({ perHostConcurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => c.get(`${srv.origin}/slow`)));
    expect(peak).toBe(2);
  });

  it('times out a request that hangs, as a retriable HttpTimeoutError', async () => {
    srv.route('/hang', () => { /* never answers */ });
    const err = await client({ timeoutMs: 100, maxRetries: 0 }).get(`${srv.origin}/hang`).catch((e: unknown) => e) as HttpError;
    expect(err.name).toBe('HttpTimeoutError');
    expect(err.retriable).toBe(true);
  });

  it('reports truncated JSON as a non-retriable error naming the URL', async () => {
    srv.route('/trunc', (_req, res) => res.end('[{"id": "1", "uri": "x'));
    const err = await client().getJson(`${srv.origin}/trunc?key=SECRET`).catch((e: unknown) => e) as HttpError;
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
    expect(redactUrl('GET https://u:pw@h.example/a?token=abc#f failed')).toBe('GET https://[redacted]@h.example/a?token=[redacted]#f failed');
  });
});
