// Generic JSON webhook, signed: the receiver checks `X-Mid-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." +
// body)>` with the `X-Mid-Timestamp` (Unix seconds) it came with, rejects old timestamps (replay), and dedupes by
// `X-Mid-Idempotency-Key` (the same key in the body): a repeat after a restart carries the same key.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertMessage } from '../../pipelines/alert-message.ts';
import { httpSend } from './notifier.ts';
import type { DeliveryRequest, DeliveryResult, Notifier } from './notifier.ts';

/** The body sent: the message plus the keys a receiver needs to dedupe and thread. */
export interface JsonAlertBody {
  type: 'mid.alert';
  schemaVersion: 1;
  idempotencyKey: string;
  route: string;
  /** 1 = first alert, higher = follow-up. */
  version: number;
  /** Idempotency key of the cluster's first alert on this route (the thread), or null for the first itself. */
  threadKey: string | null;
  message: AlertMessage;
}

/** The JSON body for a request. */
export function jsonPayload(r: DeliveryRequest): JsonAlertBody {
  return {
    type: 'mid.alert',
    schemaVersion: 1,
    idempotencyKey: r.idempotencyKey,
    route: r.route,
    version: r.version,
    threadKey: r.thread,
    message: r.message,
  };
}

/** The signature header value for a timestamp (Unix seconds) and body. */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Receiver side: true when the signature matches and the timestamp is within `toleranceSeconds` of `nowSeconds`. */
export function verifySignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const want = Buffer.from(signBody(secret, timestamp, body));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Options of {@link JsonWebhookNotifier}. */
export interface JsonWebhookNotifierOptions {
  url: string;
  /** HMAC secret; null sends unsigned (only for receivers on a trusted network). */
  secret: string | null;
  timeoutMs: number;
  /** Clock for the timestamp (tests). Default Date.now. */
  now?: () => number;
}

/** Signed JSON webhook. */
export class JsonWebhookNotifier implements Notifier {
  readonly format = 'json' as const;
  readonly threads = true;
  constructor(private readonly o: JsonWebhookNotifierOptions) {}

  async send(r: DeliveryRequest, signal?: AbortSignal): Promise<DeliveryResult> {
    const body = JSON.stringify(jsonPayload(r));
    const ts = String(Math.floor((this.o.now ?? Date.now)() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-mid-timestamp': ts,
      'x-mid-idempotency-key': r.idempotencyKey,
    };
    if (this.o.secret) headers['x-mid-signature'] = signBody(this.o.secret, ts, body);
    await httpSend(this.o.url, { method: 'POST', headers, body, timeoutMs: this.o.timeoutMs, signal });
    return { threadRef: r.thread ?? r.idempotencyKey };
  }
}
