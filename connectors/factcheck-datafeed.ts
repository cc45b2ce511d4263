// The ClaimReview data feed (schema.org DataFeed JSON, as published for Google's Fact Check Explorer and Data
// Commons). Files are large (hundreds of MB), so the `dataFeedElement` array is parsed as a stream with stream-json
// and each element mapped as it arrives. The cursor is the newest review date seen; later calls emit only reviews
// at or after it (ties are de-duplicated by id downstream).
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import StreamJson from 'stream-json';
import Pick from 'stream-json/filters/Pick.js';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import { z } from 'zod';
import type { NormalizedFactCheck } from '../pipelines/types.ts';
import { ConnectorError, excerpt } from './connector.ts';
import type { Connector, ConnectorFailure, ConnectorItem, FetchOptions, FetchResult } from './connector.ts';
import type { HttpClient } from './http-client.ts';
import { findClaimReviews, mapClaimReview } from './claimreview.ts';

/** Config of a DataFeed source. */
export const dataFeedSourceSchema = z.object({
  kind: z.literal('factcheck-datafeed'),
  name: z.string().min(1).describe('Unique source name.'),
  enabled: z.boolean().default(true).describe('Poll this source. Default true.'),
  url: z.string().url().describe('URL of the DataFeed JSON file.'),
  langs: z
    .array(z.string())
    .default([])
    .describe('Keep only reviews in these languages (e.g. ["nl"]); empty keeps all. Default [].'),
  maxItems: z
    .number()
    .int()
    .positive()
    .default(50_000)
    .describe('Fact-checks emitted per call at most. Default 50000.'),
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(2 * 1024 ** 3)
    .describe(
      'Largest DataFeed download read (it is streamed, never held whole); overrides the HTTP client cap. Default 2147483648 (2 GiB).',
    ),
});

/** Validated DataFeed source config. */
export type DataFeedSource = z.infer<typeof dataFeedSourceSchema>;

/** Counts from one pass over a DataFeed. */
export interface DataFeedStats {
  elements: number;
  reviews: number;
  /** Set when the stream broke off (truncated or invalid JSON) after `elements` elements. */
  error: string | null;
}

/**
 * Streams a DataFeed and calls `onReview` for each mapped fact-check and `onFailure` for each unreadable review.
 * Never rejects on bad input: a truncated or invalid file ends the pass with `error` set.
 */
export async function readDataFeed(
  input: Readable,
  options: { source: string; onReview: (f: NormalizedFactCheck) => void; onFailure: (f: ConnectorFailure) => void },
): Promise<DataFeedStats> {
  const stats: DataFeedStats = { elements: 0, reviews: 0, error: null };
  const fail = (err: unknown): void => {
    stats.error ??= (err as Error)?.message ?? String(err);
  };
  // Stages are piped by hand: on an error (truncated file) the next stage is ended rather than destroyed, so the
  // elements parsed before the break still come out. pipeline() would discard them.
  // A function filter on the top-level key: Pick's string filter joins the whole key path on every token, which is
  // quadratic in the depth of a deeply nested (even unused) key (63 s for one such file).
  const topLevel = (stack: readonly unknown[]): boolean => stack.length === 1 && stack[0] === 'dataFeedElement';
  const stages = [input, StreamJson.parser(), Pick.pick({ filter: topLevel }), StreamArray.streamArray()] as const;
  for (let i = 0; i < stages.length - 1; i++) {
    const from = stages[i]!;
    const to = stages[i + 1]! as NodeJS.WritableStream & NodeJS.ReadableStream;
    from.on('error', (err: unknown) => {
      fail(err);
      from.unpipe(to as NodeJS.WritableStream);
      to.end();
    });
    from.pipe(to as NodeJS.WritableStream);
  }
  const elements = stages[stages.length - 1]!;
  try {
    for await (const chunk of elements as AsyncIterable<{ key: number; value: unknown }>) {
      stats.elements++;
      const { reviews, refs } = findClaimReviews(chunk.value);
      if (reviews.length === 0) {
        options.onFailure({ reason: 'DataFeed element holds no ClaimReview', raw: excerpt(chunk.value, 300) });
        continue;
      }
      for (const r of reviews) {
        const m = mapClaimReview(r, { source: options.source, refs });
        if ('reason' in m) options.onFailure({ reason: m.reason, raw: excerpt(r, 300) });
        else {
          stats.reviews++;
          options.onReview(m);
        }
      }
    }
  } catch (err) {
    fail(err);
  }
  if (!stats.error && stats.elements === 0) stats.error = 'no dataFeedElement array found';
  return stats;
}

/** Creates the DataFeed connector. */
export function createDataFeedConnector(source: DataFeedSource, deps: { http: HttpClient }): Connector {
  const src = dataFeedSourceSchema.parse(source);
  const wantLang = (f: NormalizedFactCheck): boolean =>
    src.langs.length === 0 ||
    (f.lang != null && src.langs.some((l) => f.lang!.toLowerCase().startsWith(l.toLowerCase())));
  return {
    kind: 'factcheck-datafeed',
    name: src.name,
    async fetch({ cursor, signal }: FetchOptions): Promise<FetchResult> {
      const since = cursor ? Date.parse(cursor) : null;
      if (cursor && Number.isNaN(since))
        throw new ConnectorError(`datafeed cursor "${excerpt(cursor, 40)}" is not a date`, { retriable: false });
      const items: ConnectorItem[] = [];
      const failed: ConnectorFailure[] = [];
      const skipped: Record<string, number> = {};
      let newest = since;
      const stats = await deps.http.stream(
        src.url,
        (body) => {
          const node = Readable.fromWeb(body as unknown as WebReadableStream<Uint8Array>);
          return readDataFeed(node, {
            source: src.name,
            onFailure: (f) => failed.push(f),
            onReview: (f) => {
              const t = f.reviewedAt ? Date.parse(f.reviewedAt) : null;
              if (t !== null && (newest === null || t > newest)) newest = t;
              if (since !== null && (t === null || t < since)) {
                skipped.old = (skipped.old ?? 0) + 1;
                return;
              }
              if (!wantLang(f)) {
                skipped.language = (skipped.language ?? 0) + 1;
                return;
              }
              if (items.length >= src.maxItems) {
                skipped.overLimit = (skipped.overLimit ?? 0) + 1;
                return;
              }
              items.push({ type: 'factcheck', factcheck: f });
            },
          });
        },
        { signal, maxResponseBytes: src.maxResponseBytes },
      );
      const warnings: string[] = [];
      if (stats.error) {
        if (stats.elements === 0)
          throw new ConnectorError(`${src.name}: DataFeed unreadable: ${stats.error}`, { retriable: true });
        warnings.push(`${src.name}: DataFeed broke off after ${stats.elements} element(s): ${stats.error}`);
      }
      // A broken-off file keeps the old cursor so the next call reads the missing part again.
      const nextCursor = stats.error ? cursor : newest !== null ? new Date(newest).toISOString() : cursor;
      return { items, nextCursor, failed, warnings, skipped };
    },
  };
}
