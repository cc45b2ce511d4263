// The one HTTP client all connectors use. It only fetches hosts that the configuration names (never arbitrary URLs
// found in posts), sends a descriptive User-Agent, limits concurrent requests per host, times requests out, and
// retries 429 / 5xx / network errors with jittered exponential backoff, honouring `Retry-After`. Redirects are
// followed by hand so that a redirect to a host outside the allow-list is refused too. Sleep, clock and randomness
// are injectable so tests run without real waiting.
// Limits against hostile or careless servers: a response body larger than `maxResponseBytes` (after decompression,
// counted while streaming, so a gzip bomb never sits in memory) or than `maxCompressionRatio` times its compressed
// Content-Length is refused without retry; an allow-list entry without a port allows only the scheme's default
// port; and a host name that resolves to a private, loopback or link-local address is refused unless
// `allowPrivateAddresses` is set. The check runs in the connection's own DNS lookup (an undici Agent), so it sees
// the address actually connected to and a DNS-rebinding answer cannot slip past it. IP literals are not looked up:
// they pass only when the allow-list names that very address, which is an explicit choice.
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupAllOptions } from 'node:dns';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { BlockList, isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { z } from 'zod';
import { backoffDelayMs } from './backoff.ts';
import { MidError } from '../pipelines/core/errors.ts';

/** Response limits of {@link HttpClient} (config section `hardening.http`). */
export const httpLimitsSchema = z.object({
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024)
    .describe(
      'Largest response body read, after decompression; a larger one fails without retry. A source may raise it for its own requests (DataFeed: maxResponseBytes). Default 10485760 (10 MiB).',
    ),
  maxCompressionRatio: z
    .number()
    .positive()
    .default(100)
    .describe('Largest decompressed-to-compressed size ratio of a compressed body with a Content-Length. Default 100.'),
  allowPrivateAddresses: z
    .boolean()
    .default(false)
    .describe(
      'Allow host names that resolve to private, loopback or link-local addresses (e.g. a source on the local network). Default false.',
    ),
});

/** Validated response limits. */
export type HttpLimits = z.infer<typeof httpLimitsSchema>;

/** Settings of the HTTP client (the worker builds them from the configuration). */
export const httpClientConfigSchema = z
  .object({
    timeoutMs: z
      .number()
      .int()
      .positive()
      .default(15_000)
      .describe('Per-attempt timeout, headers and body. Default 15000.'),
    maxRetries: z
      .number()
      .int()
      .min(0)
      .default(3)
      .describe('Retries after the first attempt on 429, 5xx and network errors. Default 3.'),
    baseDelayMs: z
      .number()
      .int()
      .min(0)
      .default(500)
      .describe('First backoff delay; doubles per retry, with full jitter. Default 500.'),
    maxDelayMs: z
      .number()
      .int()
      .min(0)
      .default(60_000)
      .describe('Longest wait between attempts, also caps Retry-After. Default 60000.'),
    perHostConcurrency: z.number().int().positive().default(2).describe('Requests in flight per host. Default 2.'),
    maxRedirects: z
      .number()
      .int()
      .min(0)
      .default(5)
      .describe('Redirects followed (each checked against the allow-list). Default 5.'),
    contactUrl: z
      .string()
      .optional()
      .describe(
        'URL put in the User-Agent so operators of the sites we read can reach us. Default: package.json homepage, if any.',
      ),
  })
  .extend(httpLimitsSchema.shape);

/** Validated settings of {@link HttpClient}. */
export type HttpClientConfig = z.infer<typeof httpClientConfigSchema>;

/** Options of {@link HttpClient}: settings plus the allow-list and injectable time. */
export interface HttpClientOptions extends Partial<HttpClientConfig> {
  /** Hosts (lower case, optionally with :port) that may be fetched. Nothing else is. */
  allowedHosts: Iterable<string>;
  /** Waits `ms`; rejects when `signal` aborts. Default: a real timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Current time in epoch ms, for HTTP-date Retry-After values. Default Date.now. */
  now?: () => number;
  /** Uniform random number in [0, 1), for jitter. Default Math.random. */
  random?: () => number;
  /** The fetch implementation. Default: Node's global fetch. */
  fetchImpl?: typeof fetch;
  /** Full User-Agent override. Default `mid-monitor/<version> (+<contactUrl>)`. */
  userAgent?: string;
  /** DNS lookup used for connections (tests point a name at 127.0.0.1). Default node:dns lookup. */
  lookup?: (
    hostname: string,
    options: LookupAllOptions,
    callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
  ) => void;
}

/** Per-request options. */
export interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Statuses (besides 2xx) returned instead of thrown, e.g. [304]. 3xx redirects are always followed. */
  acceptStatuses?: number[];
  /** Largest body for this request, overriding the client's `maxResponseBytes` (a source's own cap). */
  maxResponseBytes?: number;
}

/** A response with its body read (so the timeout covered it). */
export interface HttpResponse {
  status: number;
  /** The final URL after redirects. */
  url: string;
  headers: Headers;
  body: string;
}

/** Base of the client's errors. */
export class HttpError extends MidError {
  override name = 'HttpError';
  readonly retriable: boolean;
  /** HTTP status, or null for network errors and timeouts. */
  readonly status: number | null;
  /** The URL with secrets (key=, token=) removed. */
  readonly url: string;
  /** Response body excerpt, when there was one. */
  readonly bodyExcerpt: string | null;
  /** How long the server asked us to wait (Retry-After), in ms; null when it did not say. */
  retryAfterMs: number | null = null;
  constructor(
    message: string,
    options: { url: string; status?: number | null; retriable: boolean; cause?: unknown; body?: string | null },
  ) {
    super(message, { cause: options.cause });
    this.url = options.url;
    this.status = options.status ?? null;
    this.retriable = options.retriable;
    this.bodyExcerpt = options.body ? options.body.slice(0, 300) : null;
  }
}

/** Raised before any request when the URL's host is not in the configuration. */
export class HostNotAllowedError extends HttpError {
  override name = 'HostNotAllowedError';
  constructor(url: string, host: string) {
    super(`host ${host} is not in the configured sources; refusing to fetch`, { url, retriable: false });
  }
}

/** Raised when an attempt takes longer than `timeoutMs` (after the last retry). */
export class HttpTimeoutError extends HttpError {
  override name = 'HttpTimeoutError';
}

/** Raised when a body exceeds `maxResponseBytes` or the compression ratio cap; never retried (it would be as big again). */
export class ResponseTooLargeError extends HttpError {
  override name = 'ResponseTooLargeError';
}

/** Raised when a host name resolves to a private, loopback or link-local address that is not allowed; never retried. */
export class AddressNotAllowedError extends Error {
  override name = 'AddressNotAllowedError';
  readonly retriable = false;
  readonly code = 'EADDRNOTALLOWED';
}

// Special-purpose ranges (RFC 6890 and friends): nothing a public source lives on.
const PRIVATE_RANGES = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE_RANGES.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2001:db8::', 32],
] as const) {
  PRIVATE_RANGES.addSubnet(net, bits, 'ipv6');
}

/** True for private, loopback, link-local and other non-public addresses (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE_RANGES.check(address, 'ipv4');
  if (family !== 6) return true; // not an address at all: refuse
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE_RANGES.check(mapped[1]!, 'ipv4');
  return PRIVATE_RANGES.check(address, 'ipv6');
}

/** Raised when the caller's signal aborted the request; never retried. */
export class HttpAbortError extends HttpError {
  override name = 'HttpAbortError';
}

const SECRET_PARAMS = /([?&](?:key|api_key|apikey|token|access_token)=)[^&#\s]*/gi;
const USER_INFO = /\/\/[^/\s:@]+:[^/\s@]+@/g;

/**
 * Removes credentials (secret query parameters such as key= and token=, user:password@) from a URL, or from every
 * URL in a message, for messages and logs. The one secret scrubber: the connectors worker uses it on errors too.
 */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]').replace(USER_INFO, '//[redacted]@');
}

function packageInfo(): { version: string; homepage: string | null } {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
      homepage?: string;
    };
    return { version: pkg.version ?? '0.0.0', homepage: pkg.homepage ?? null };
  } catch {
    return { version: '0.0.0', homepage: null };
  }
}

/** Builds the User-Agent string: `mid-monitor/<version> (+<contact>)`. */
export function defaultUserAgent(contactUrl?: string): string {
  const { version, homepage } = packageInfo();
  const contact = contactUrl ?? homepage;
  return contact
    ? `mid-monitor/${version} (+${contact})`
    : `mid-monitor/${version} (public-interest disinformation monitoring)`;
}

/** Parses Retry-After (seconds or HTTP date) into milliseconds from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - now);
}

/** A counting semaphore per host. */
class HostLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next)
      next(); // the slot passes straight to the next waiter
    else this.active--;
  }
}

/** Reads a limited body as text; a read error becomes the error `wrap` makes of it. */
async function readLimited(body: ReadableStream<Uint8Array>, wrap: (cause: unknown) => HttpError): Promise<string> {
  const decoder = new TextDecoder();
  let out = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      out += decoder.decode(value, { stream: true });
    }
  } catch (cause) {
    await reader.cancel().catch(() => undefined);
    throw wrap(cause);
  }
  return out + decoder.decode();
}

function hostKey(u: URL): string {
  return u.host.toLowerCase();
}

/** The HTTP client connectors share. One instance per worker process. */
export class HttpClient {
  readonly userAgent: string;
  private readonly cfg: HttpClientConfig;
  private readonly allowed: Set<string>;
  private readonly limiters = new Map<string, HostLimiter>();
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HttpClientOptions) {
    const { allowedHosts, sleep, now, random, fetchImpl, userAgent, lookup, ...rest } = options;
    this.cfg = httpClientConfigSchema.parse(rest);
    this.allowed = new Set([...allowedHosts].map((h) => h.toLowerCase()));
    this.sleep = sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
    this.now = now ?? Date.now;
    this.random = random ?? Math.random;
    this.fetchImpl =
      fetchImpl ?? this.checkedFetch(lookup ?? (dnsLookup as unknown as NonNullable<HttpClientOptions['lookup']>));
    this.userAgent = userAgent ?? defaultUserAgent(this.cfg.contactUrl);
  }

  /** True when `url` may be fetched: its host and port are allow-listed (an entry without port: the default port). */
  isAllowed(url: string | URL): boolean {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:' && u.protocol !== 'wss:' && u.protocol !== 'ws:')
      return false;
    // u.host has no port when it is the scheme's default, so an entry without a port allows only that port.
    return this.allowed.has(hostKey(u));
  }

  /** Throws {@link HostNotAllowedError} unless `url` may be fetched. Used by the WebSocket connector too. */
  assertAllowed(url: string | URL): URL {
    const u = new URL(url);
    if (!this.isAllowed(u)) throw new HostNotAllowedError(redactUrl(u.toString()), u.host);
    return u;
  }

  /** GETs `url` and reads the body as text, with retries. Non-2xx statuses not in `acceptStatuses` throw HttpError. */
  async get(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
    this.assertAllowed(url);
    let attempt = 0;
    for (;;) {
      try {
        return await this.once(url, options);
      } catch (err) {
        const e = err as HttpError;
        if (!this.shouldRetry(e, attempt, options)) throw err;
        const wait =
          e.retryAfterMs != null
            ? e.retryAfterMs + Math.round(this.random() * 250)
            : backoffDelayMs(attempt, {
                baseMs: this.cfg.baseDelayMs,
                maxMs: this.cfg.maxDelayMs,
                random: this.random,
              });
        attempt++;
        await this.sleep(wait, options.signal);
      }
    }
  }

  /** GETs `url` and parses JSON. Unreadable JSON throws a non-retriable HttpError naming the parse problem. */
  async getJson<T = unknown>(url: string, options: RequestOptions = {}): Promise<{ response: HttpResponse; json: T }> {
    const response = await this.get(url, { ...options, headers: { accept: 'application/json', ...options.headers } });
    try {
      return { response, json: JSON.parse(response.body) as T };
    } catch (cause) {
      throw new HttpError(`response of ${redactUrl(url)} is not valid JSON: ${(cause as Error).message}`, {
        url: redactUrl(url),
        status: response.status,
        retriable: false,
        cause,
        body: response.body,
      });
    }
  }

  /**
   * GETs `url` and hands the response body stream to `consume` while the host slot is held (for large files).
   * Retries happen only before the body is handed over; the timeout covers the headers only.
   */
  async stream<T>(
    url: string,
    consume: (body: ReadableStream<Uint8Array>, response: Response) => Promise<T>,
    options: RequestOptions = {},
  ): Promise<T> {
    this.assertAllowed(url);
    let attempt = 0;
    for (;;) {
      const limiter = this.limiter(new URL(url));
      await limiter.acquire();
      try {
        const response = await this.send(url, options, false);
        if (!response.body)
          throw new HttpError(`empty body from ${redactUrl(url)}`, {
            url: redactUrl(url),
            status: response.status,
            retriable: true,
          });
        return await consume(this.limitBody(url, response, options), response);
      } catch (err) {
        const e = err as HttpError;
        if (!this.shouldRetry(e, attempt, options)) throw err;
        attempt++;
        await this.sleep(
          e.retryAfterMs ??
            backoffDelayMs(attempt - 1, {
              baseMs: this.cfg.baseDelayMs,
              maxMs: this.cfg.maxDelayMs,
              random: this.random,
            }),
          options.signal,
        );
      } finally {
        limiter.release();
      }
    }
  }

  /** A Retry-After longer than maxDelayMs is not waited out here: the error goes up so the worker reschedules. */
  private shouldRetry(e: unknown, attempt: number, options: RequestOptions): boolean {
    if (!(e instanceof HttpError) || !e.retriable || attempt >= this.cfg.maxRetries || options.signal?.aborted)
      return false;
    return e.retryAfterMs == null || e.retryAfterMs <= this.cfg.maxDelayMs;
  }

  private limiter(u: URL): HostLimiter {
    const key = hostKey(u);
    let l = this.limiters.get(key);
    if (!l) {
      l = new HostLimiter(this.cfg.perHostConcurrency);
      this.limiters.set(key, l);
    }
    return l;
  }

  private async once(url: string, options: RequestOptions): Promise<HttpResponse> {
    const limiter = this.limiter(new URL(url));
    await limiter.acquire();
    try {
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new Error('timeout')), this.cfg.timeoutMs);
      try {
        const response = await this.send(url, options, true, timeout.signal);
        const body = await readLimited(this.limitBody(url, response, options), (cause: unknown) =>
          this.networkError(url, cause, timeout.signal, options.signal),
        );
        return { status: response.status, url: response.url || url, headers: response.headers, body };
      } finally {
        clearTimeout(timer);
      }
    } finally {
      limiter.release();
    }
  }

  /**
   * Global fetch's undici with a checked DNS lookup: every address a host name resolves to for a connection must
   * be public unless private addresses are allowed. Keep-alive connections were checked when they were opened.
   */
  private checkedFetch(lookup: NonNullable<HttpClientOptions['lookup']>): typeof fetch {
    const allowPrivate = this.cfg.allowPrivateAddresses;
    const checked = (
      hostname: string,
      opts: { all?: boolean },
      callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
    ): void => {
      lookup(hostname, { ...opts, all: true }, (err, addresses) => {
        if (err) return callback(err, '');
        const bad = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
        if (bad)
          return callback(
            new AddressNotAllowedError(
              `${hostname} resolves to ${bad.address}, a private, loopback or link-local address; refusing to connect`,
            ),
            '',
          );
        if (addresses.length === 0)
          return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
        if (opts.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
    const dispatcher = new Agent({ connect: { lookup: checked as never } }); // never: net's overloaded lookup type
    return ((input: string, init: RequestInit) =>
      undiciFetch(input, { ...(init as object), dispatcher } as never)) as unknown as typeof fetch;
  }

  /** The body as a stream that fails with {@link ResponseTooLargeError} past the size or compression-ratio cap. */
  private limitBody(url: string, response: Response, options: RequestOptions): ReadableStream<Uint8Array> {
    const safe = redactUrl(url);
    let max = options.maxResponseBytes ?? this.cfg.maxResponseBytes;
    const encoding = response.headers.get('content-encoding');
    const compressedLength = Number(response.headers.get('content-length'));
    if (encoding && encoding !== 'identity' && Number.isFinite(compressedLength) && compressedLength > 0) {
      max = Math.min(max, Math.ceil(compressedLength * this.cfg.maxCompressionRatio));
    }
    const declared = Number(response.headers.get('content-length'));
    if (!encoding && Number.isFinite(declared) && declared > max) {
      void response.body?.cancel().catch(() => undefined);
      throw new ResponseTooLargeError(`response of ${safe} declares ${declared} bytes, over the limit of ${max}`, {
        url: safe,
        status: response.status,
        retriable: false,
      });
    }
    const body = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
    let seen = 0;
    return body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > max) {
            controller.error(
              new ResponseTooLargeError(
                `response of ${safe} is larger than ${max} bytes${encoding ? ` (decompressed, ${encoding})` : ''}; not read further`,
                { url: safe, status: response.status, retriable: false },
              ),
            );
            return;
          }
          controller.enqueue(chunk);
        },
      }),
    );
  }

  private networkError(
    url: string,
    cause: unknown,
    timeoutSignal: AbortSignal | undefined,
    callerSignal: AbortSignal | undefined,
  ): HttpError {
    const safe = redactUrl(url);
    if (cause instanceof HttpError) return cause;
    for (let c: unknown = cause, i = 0; c instanceof Error && i < 5; c = c.cause, i++) {
      if (c instanceof AddressNotAllowedError)
        return new HttpError(`request to ${safe} refused: ${c.message}`, { url: safe, retriable: false, cause });
    }
    if (callerSignal?.aborted)
      return new HttpAbortError(`request to ${safe} was aborted`, { url: safe, retriable: false, cause });
    if (timeoutSignal?.aborted)
      return new HttpTimeoutError(`request to ${safe} timed out after ${this.cfg.timeoutMs} ms`, {
        url: safe,
        retriable: true,
        cause,
      });
    return new HttpError(`request to ${safe} failed: ${(cause as Error)?.message ?? String(cause)}`, {
      url: safe,
      retriable: true,
      cause,
    });
  }

  /** One attempt, following redirects by hand; throws HttpError for unaccepted statuses. */
  private async send(
    url: string,
    options: RequestOptions,
    readErrorBody: boolean,
    timeoutSignal?: AbortSignal,
  ): Promise<Response> {
    let current = url;
    const signals = [options.signal, timeoutSignal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    for (let hop = 0; ; hop++) {
      this.assertAllowed(current);
      let response: Response;
      try {
        response = await this.fetchImpl(current, {
          method: 'GET',
          redirect: 'manual',
          signal,
          headers: { 'user-agent': this.userAgent, ...options.headers },
        });
      } catch (cause) {
        throw this.networkError(current, cause, timeoutSignal, options.signal);
      }
      const safe = redactUrl(current);
      if (
        response.status >= 300 &&
        response.status < 400 &&
        response.status !== 304 &&
        response.headers.get('location')
      ) {
        await response.body?.cancel().catch(() => undefined);
        if (hop >= this.cfg.maxRedirects)
          throw new HttpError(`too many redirects from ${safe}`, {
            url: safe,
            status: response.status,
            retriable: false,
          });
        current = new URL(response.headers.get('location')!, current).toString();
        continue;
      }
      if ((response.status >= 200 && response.status < 300) || options.acceptStatuses?.includes(response.status))
        return response;
      const body = readErrorBody
        ? await response.text().catch(() => '')
        : (await response.body?.cancel().catch(() => undefined), '');
      const retriable = response.status === 429 || response.status >= 500 || response.status === 408;
      const err = new HttpError(`GET ${safe} answered HTTP ${response.status}`, {
        url: safe,
        status: response.status,
        retriable,
        body,
      });
      err.retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
      throw err;
    }
  }
}
