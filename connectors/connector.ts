// The contract every connector implements: one call, `fetch({ cursor, signal })`, that answers with normalized items,
// the cursor to pass next time and the items it could not read. Connectors hold no timers and store no cursors;
// workers schedule them, retry them and keep their cursors (see docs/connectors.md).
import type { NormalizedFactCheck, NormalizedPost } from '../pipelines/types.ts';
import { MidError } from '../pipelines/core/errors.ts';

/** One thing a connector produced: a post, a fact-check, or the deletion of an earlier post. */
export type ConnectorItem =
  | { type: 'post'; post: NormalizedPost }
  | { type: 'factcheck'; factcheck: NormalizedFactCheck }
  | { type: 'tombstone'; id: string; source: string };

/** An item the connector could not read; `raw` is a short excerpt of the input (never logged by connectors). */
export interface ConnectorFailure {
  reason: string;
  raw?: string;
}

/** Arguments of {@link Connector.fetch}. */
export interface FetchOptions {
  /** The `nextCursor` of the previous successful call, or null on the first call. */
  cursor: string | null;
  /** Aborts the call (worker shutdown). */
  signal?: AbortSignal;
}

/** Answer of {@link Connector.fetch}. */
export interface FetchResult {
  items: ConnectorItem[];
  /** Cursor to pass next time; null when the source has no notion of position (then the worker passes null again). */
  nextCursor: string | null;
  /** Items that could not be read, with the reason. The batch goes on without them. */
  failed: ConnectorFailure[];
  /** Things the operator should know that are not item failures (e.g. "public timeline is disabled"). */
  warnings?: string[];
  /** Counts of input events deliberately not turned into items (likes, follows, ...), by kind. */
  skipped?: Record<string, number>;
  /** When the source asked us to slow down: earliest time (epoch ms) the next call makes sense. */
  notBeforeMs?: number;
}

/** A configured source, ready to be polled. */
export interface Connector {
  /** Connector kind, e.g. "mastodon". */
  readonly kind: string;
  /** The configured source name (unique in the configuration). */
  readonly name: string;
  /** Fetches what is new since `cursor`. Throws a {@link ConnectorError} (or HttpError) when nothing could be read. */
  fetch(options: FetchOptions): Promise<FetchResult>;
}

/** Raised when a whole fetch fails; `retriable` says whether trying again later can help. */
export class ConnectorError extends MidError {
  override name = 'ConnectorError';
  readonly retriable: boolean;
  constructor(message: string, options: { cause?: unknown; retriable: boolean }) {
    super(message, { cause: options.cause });
    this.retriable = options.retriable;
  }
}

/** Raised when a source cannot be read as configured (e.g. an instance whose public timeline needs a login). */
export class SourceUnavailableError extends ConnectorError {
  override name = 'SourceUnavailableError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause, retriable: false });
  }
}

/** Cuts an input excerpt to a size fit for a dead-letter record. */
export function excerpt(raw: unknown, max = 500): string {
  let s: string;
  try {
    s = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
  } catch {
    s = String(raw);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Converts a date string to ISO 8601 UTC, or null when it is not a date. */
export function toIsoDate(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  if (typeof value === 'string' && value.trim() === '') return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
