// Mastodon connector: public and hashtag timelines of configured instances (`/api/v1/timelines/public`,
// `/api/v1/timelines/tag/:tag`), read anonymously. The cursor is the highest status id seen; with a cursor we page
// forward with `min_id` (following `Link: rel="prev"`), without one we read the newest page and page back with
// `rel="next"` up to `maxPages`. `X-RateLimit-Remaining` stops paging early. Statuses map to normalized posts with
// the ActivityPub `uri` as stable id; boosts become posts whose text is the original's and `repostOf` its uri.
import { z } from 'zod';
import type { NormalizedPost } from '../pipelines/types.ts';
import { ConnectorError, SourceUnavailableError, excerpt, toIsoDate } from './connector.ts';
import type { Connector, ConnectorFailure, ConnectorItem, FetchOptions, FetchResult } from './connector.ts';
import { HttpError } from './http-client.ts';
import type { HttpClient, HttpResponse } from './http-client.ts';
import { htmlToText } from './html-text.ts';

/** Config of one Mastodon timeline source. */
export const mastodonSourceSchema = z
  .object({
    kind: z.literal('mastodon'),
    name: z.string().min(1).describe('Unique source name, e.g. "mastodon.social#tk2025".'),
    enabled: z.boolean().default(true).describe('Poll this source. Default true.'),
    instanceUrl: z.string().url().describe('Base URL of the instance, e.g. https://mastodon.social.'),
    timeline: z.enum(['public', 'tag']).default('public').describe('Which timeline. Default public.'),
    tag: z
      .string()
      .regex(/^[^#\s/]+$/, 'hashtag without #')
      .optional()
      .describe('Hashtag (without #) when timeline is "tag".'),
    local: z.boolean().default(false).describe('Only posts of the instance itself. Default false (federated).'),
    limit: z.number().int().min(1).max(40).default(40).describe('Statuses per page (Mastodon caps at 40). Default 40.'),
    maxPages: z.number().int().min(1).default(3).describe('Pages read per fetch call. Default 3.'),
    minRateLimitRemaining: z
      .number()
      .int()
      .min(0)
      .default(5)
      .describe('Stop paging when X-RateLimit-Remaining falls to this. Default 5.'),
  })
  .refine((s) => s.timeline !== 'tag' || !!s.tag, { message: 'tag is required when timeline is "tag"', path: ['tag'] });

/** Validated Mastodon source config. */
export type MastodonSource = z.infer<typeof mastodonSourceSchema>;

type Json = Record<string, unknown>;

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}
function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}

/** Result of mapping one status: a post, or the reason it could not be read. */
export type MapResult = { ok: true; post: NormalizedPost } | { ok: false; reason: string };

function mapAccount(a: unknown): NormalizedPost['author'] | null {
  if (!a || typeof a !== 'object') return null;
  const acc = a as Json;
  const id = str(acc.uri) ?? str(acc.url) ?? (str(acc.id) ? str(acc.acct) : null);
  if (!id) return null;
  return {
    id,
    handle: str(acc.acct) ?? str(acc.username),
    displayName: typeof acc.display_name === 'string' ? acc.display_name : null,
    createdAt: toIsoDate(acc.created_at),
    followers: count(acc.followers_count),
    following: count(acc.following_count),
    posts: count(acc.statuses_count),
    bot: typeof acc.bot === 'boolean' ? acc.bot : null,
  };
}

/** Maps one Mastodon status (API v1 entity) to a normalized post. Pure. */
export function mapMastodonStatus(status: unknown): MapResult {
  if (!status || typeof status !== 'object' || Array.isArray(status))
    return { ok: false, reason: 'status is not an object' };
  const s = status as Json;
  const id = str(s.uri);
  if (!id) return { ok: false, reason: 'status has no uri' };
  const createdAt = toIsoDate(s.created_at);
  if (!createdAt) return { ok: false, reason: 'status has no valid created_at' };
  const author = mapAccount(s.account);
  if (!author) return { ok: false, reason: 'status has no account' };
  // A boost carries no content of its own: the text, links and tags are the original's.
  const reblog = s.reblog && typeof s.reblog === 'object' ? (s.reblog as Json) : null;
  const body = reblog ?? s;
  const { text: contentText, links } = htmlToText(typeof body.content === 'string' ? body.content : '');
  const spoiler =
    typeof body.spoiler_text === 'string' && body.spoiler_text.trim() ? `${body.spoiler_text.trim()}\n\n` : '';
  const card = body.card && typeof body.card === 'object' ? str((body.card as Json).url) : null;
  if (card && !links.includes(card)) links.push(card);
  const hashtags = Array.isArray(body.tags)
    ? [
        ...new Set(
          body.tags
            .map((t) => (t && typeof t === 'object' ? str((t as Json).name) : null))
            .filter((t): t is string => !!t),
        ),
      ]
    : [];
  return {
    ok: true,
    post: {
      id,
      source: 'mastodon',
      url: str(s.url) ?? (reblog ? null : id),
      text: spoiler + contentText,
      createdAt,
      lang: str(body.language),
      author,
      links,
      hashtags,
      replyTo: null, // only local ids are given (in_reply_to_id); they are not stable across instances
      repostOf: reblog ? str(reblog.uri) : null,
      quoteOf:
        body.quote && typeof body.quote === 'object'
          ? (str(((body.quote as Json).quoted_status as Json | undefined)?.uri) ?? null)
          : null,
    },
  };
}

/** Pulls the statuses array out of a recorded payload: a bare array or a `{ response: { body } }` record. */
export function statusesFromPayload(payload: unknown): unknown[] | null {
  if (Array.isArray(payload)) return payload as unknown[];
  if (payload && typeof payload === 'object') {
    const p = payload as Json;
    const resp = p.response as Json | undefined;
    if (resp && Array.isArray(resp.body)) return resp.body as unknown[];
    if (resp && resp.body && typeof resp.body === 'object') return [resp.body]; // a single-status record
    if (typeof p.uri === 'string' && 'content' in p) return [p];
  }
  return null;
}

/** Parses a `Link` header into rel → URL. */
export function parseLinkHeader(value: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!value) return out;
  for (const part of value.split(/,(?=\s*<)/)) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (m) out[m[2]!] = m[1]!;
  }
  return out;
}

function maxId(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  try {
    return BigInt(a) >= BigInt(b) ? a : b;
  } catch {
    return a >= b ? a : b;
  }
}

/** Builds the first URL of a fetch. */
export function mastodonTimelineUrl(src: MastodonSource, cursor: string | null): string {
  const base = src.instanceUrl.replace(/\/+$/, '');
  const path =
    src.timeline === 'tag' ? `/api/v1/timelines/tag/${encodeURIComponent(src.tag!)}` : '/api/v1/timelines/public';
  const q = new URLSearchParams({ limit: String(src.limit) });
  if (src.local) q.set('local', 'true');
  if (cursor) q.set('min_id', cursor);
  return `${base}${path}?${q.toString()}`;
}

/** Creates the Mastodon connector for one source. */
export function createMastodonConnector(source: MastodonSource, deps: { http: HttpClient }): Connector {
  const src = mastodonSourceSchema.parse(source);
  const where = `${new URL(src.instanceUrl).host} ${src.timeline === 'tag' ? `#${src.tag}` : 'public'} timeline`;
  return {
    kind: 'mastodon',
    name: src.name,
    async fetch({ cursor, signal }: FetchOptions): Promise<FetchResult> {
      const items: ConnectorItem[] = [];
      const failed: ConnectorFailure[] = [];
      const warnings: string[] = [];
      const seen = new Set<string>();
      let next: string | null = cursor;
      let url: string | null = mastodonTimelineUrl(src, cursor);
      let notBeforeMs: number | undefined;
      let statuses = 0;
      for (let page = 0; url && page < src.maxPages; page++) {
        let response: HttpResponse;
        try {
          response = await deps.http.get(url, { signal, headers: { accept: 'application/json' } });
        } catch (err) {
          if (err instanceof HttpError && (err.status === 401 || err.status === 403 || err.status === 422)) {
            throw new SourceUnavailableError(
              `${where} needs a login on this instance (HTTP ${err.status}): it has disabled anonymous access; remove the source or choose another timeline`,
              { cause: err },
            );
          }
          if (page > 0 && !(err instanceof HttpError && err.name === 'HttpAbortError')) {
            warnings.push(`${where}: stopped after ${page} page(s): ${(err as Error).message}`);
            break; // keep what we have; the cursor covers only what was read
          }
          throw err;
        }
        let body: unknown;
        try {
          body = JSON.parse(response.body);
        } catch (cause) {
          if (page === 0)
            throw new ConnectorError(`${where}: response is not valid JSON (${(cause as Error).message})`, {
              cause,
              retriable: true,
            });
          warnings.push(`${where}: page ${page + 1} is not valid JSON; stopped paging`);
          break;
        }
        if (!Array.isArray(body)) {
          if (page === 0)
            throw new ConnectorError(`${where}: expected an array of statuses, got ${typeof body}`, {
              retriable: false,
            });
          break;
        }
        statuses += body.length;
        for (const raw of body) {
          const localId = raw && typeof raw === 'object' ? str((raw as Json).id) : null;
          const r = mapMastodonStatus(raw);
          if (!r.ok) {
            failed.push({ reason: r.reason, raw: excerpt(raw) });
            continue;
          }
          next = maxId(next, localId); // cursor is the instance-local id, what min_id expects
          if (seen.has(r.post.id)) continue;
          seen.add(r.post.id);
          items.push({ type: 'post', post: r.post });
        }
        const remaining = Number(response.headers.get('x-ratelimit-remaining'));
        const reset = Date.parse(response.headers.get('x-ratelimit-reset') ?? '');
        if (
          Number.isFinite(remaining) &&
          response.headers.get('x-ratelimit-remaining') !== null &&
          remaining <= src.minRateLimitRemaining
        ) {
          if (!Number.isNaN(reset)) notBeforeMs = reset;
          warnings.push(`${where}: rate limit nearly used up (${remaining} left); stopped paging`);
          break;
        }
        if (body.length === 0) break;
        const links = parseLinkHeader(response.headers.get('link'));
        url = (cursor ? links.prev : links.next) ?? null; // forward from the cursor, backward on a first read
      }
      if (cursor === null && statuses === 0 && failed.length === 0) {
        warnings.push(`${where} returned no statuses at all: the instance may have disabled or emptied this timeline`);
      }
      const result: FetchResult = { items, nextCursor: next, failed, warnings };
      if (notBeforeMs !== undefined) result.notBeforeMs = notBeforeMs;
      return result;
    },
  };
}
