// The notifier port: one channel format (Slack-compatible webhook, Teams Workflows, Matrix, signed JSON webhook,
// e-mail) sends one rendered alert. Notifiers do one attempt and classify the outcome; retries, back-off, rate
// limits and the dead-letter list belong to the delivery loop (workers/alerts-worker.ts). Secrets come from the
// config (resolved from the environment by the loader) or a file and are never put into errors or logs.
import { readFileSync } from 'node:fs';
import type { AlertMessage } from '../../pipelines/alert-message.ts';

/** Channel formats. */
export const CHANNEL_FORMATS = ['slack', 'mattermost', 'teams', 'matrix', 'json', 'email'] as const;
/** One of {@link CHANNEL_FORMATS}. */
export type ChannelFormat = (typeof CHANNEL_FORMATS)[number];

/** One delivery attempt. */
export interface DeliveryRequest {
  message: AlertMessage;
  /** (cluster, route, version): the receiver dedupes by it where the channel allows. */
  idempotencyKey: string;
  route: string;
  /** 1 = first alert, higher = follow-up. */
  version: number;
  /** The channel's reference to the first message of this cluster (thread root), when there was one. */
  thread: string | null;
}

/** What a successful send gives back. */
export interface DeliveryResult {
  /** A reference later follow-ups thread under (Matrix event id, e-mail Message-ID, JSON key), else null. */
  threadRef: string | null;
}

/** A channel. */
export interface Notifier {
  readonly format: ChannelFormat;
  /** True when follow-ups go into the first message's thread; else they are new messages titled "Update". */
  readonly threads: boolean;
  /** One attempt; throws {@link DeliveryError}. */
  send(request: DeliveryRequest, signal?: AbortSignal): Promise<DeliveryResult>;
  /** Closes connections (e-mail transport). */
  close?(): Promise<void>;
}

/** A failed attempt: `retriable` decides between back-off and the dead-letter list. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly retriable: boolean,
    readonly status: number | null = null,
    /** The receiver's Retry-After, in ms, when it sent one. */
    readonly retryAfterMs: number | null = null,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** Raised when a channel's configuration is unusable (missing secret, bad URL); not retriable. */
export class ChannelConfigError extends Error {
  override name = 'ChannelConfigError';
  readonly retriable = false;
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/**
 * A secret: the value the config loader resolved from the environment, else the named file's content (trimmed).
 * Null when neither is set.
 */
export function readSecret(value: string | undefined, file: string | undefined): string | null {
  if (value) return value.trim();
  if (file) {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new ChannelConfigError(`secret file ${file} is not readable`, err);
    }
  }
  return null;
}

/** Parses Retry-After (seconds or an HTTP date) into ms from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const s = Number(value.trim());
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(value);
  return Number.isFinite(t) ? Math.max(0, t - now) : null;
}

/** Statuses worth retrying: 408, 425, 429 and 5xx. */
export function retriableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Host of a URL for error messages (never the path or query, which may hold a token). */
export function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid url)';
  }
}

/**
 * One HTTP request with a timeout; resolves with the response body on 2xx, throws {@link DeliveryError} otherwise.
 * Error messages name only the host, never the URL (webhook URLs carry tokens).
 */
export async function httpSend(
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; timeoutMs: number; signal?: AbortSignal },
): Promise<string> {
  const timeout = AbortSignal.timeout(init.timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { method: init.method, headers: init.headers, body: init.body, signal, redirect: 'error' });
  } catch (err) {
    throw new DeliveryError(`request to ${safeHost(url)} failed: ${(err as Error).name}`, true, null, null, err);
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return text;
  throw new DeliveryError(
    `${safeHost(url)} answered ${res.status}`,
    retriableStatus(res.status),
    res.status,
    parseRetryAfter(res.headers.get('retry-after')),
  );
}
