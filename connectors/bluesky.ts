// Bluesky connector: the Jetstream WebSocket (`/subscribe?wantedCollections=app.bsky.feed.post`), read in bounded
// batches. Each fetch connects from the cursor (unix microseconds) minus a few seconds of rewind, collects events
// until a size or time budget, closes, and returns the highest `time_us` as the next cursor. Events seen recently
// are remembered so the rewind does not produce duplicates; if the socket drops mid-batch the fetch reconnects
// (with backoff, a few times) from the last event it saw. Post creates become posts, post deletes tombstones;
// authors are enriched from the public `app.bsky.actor.getProfiles` in batches of 25, through a TTL cache.
import { setTimeout as delay } from 'node:timers/promises';
import WebSocket from 'ws';
import { z } from 'zod';
import type { NormalizedAuthor, NormalizedPost } from '../pipelines/types.ts';
import { backoffDelayMs } from './backoff.ts';
import { ConnectorError, excerpt, toIsoDate } from './connector.ts';
import type { Connector, ConnectorFailure, ConnectorItem, FetchOptions, FetchResult } from './connector.ts';
import type { HttpClient } from './http-client.ts';

/** Config of the Bluesky Jetstream source. */
export const blueskySourceSchema = z.object({
  kind: z.literal('bluesky'),
  name: z.string().min(1).describe('Unique source name, e.g. "bluesky".'),
  enabled: z.boolean().default(true).describe('Poll this source. Default true.'),
  jetstreamUrl: z
    .string()
    .default('wss://jetstream2.us-east.bsky.network/subscribe')
    .describe('Jetstream subscribe endpoint. Default wss://jetstream2.us-east.bsky.network/subscribe.'),
  rewindSeconds: z.number().min(0).default(5).describe('Seconds replayed before the cursor on reconnect. Default 5.'),
  maxEvents: z.number().int().positive().default(2000).describe('Events read per fetch call. Default 2000.'),
  maxDurationMs: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('Longest a fetch call stays connected. Default 10000.'),
  connectTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('Time allowed to open the socket. Default 10000.'),
  maxReconnects: z.number().int().min(0).default(3).describe('Reconnects within one fetch after a drop. Default 3.'),
  reconnectBaseDelayMs: z
    .number()
    .int()
    .min(0)
    .default(500)
    .describe('First reconnect delay, doubled each time, jittered. Default 500.'),
  langs: z
    .array(z.string())
    .default([])
    .describe('Keep only posts whose declared langs include one of these (e.g. ["nl"]); empty keeps all. Default [].'),
  profiles: z
    .object({
      enabled: z.boolean().default(true).describe('Look up author profiles. Default true.'),
      apiUrl: z
        .string()
        .url()
        .default('https://public.api.bsky.app')
        .describe('AppView for getProfiles. Default https://public.api.bsky.app.'),
      batchSize: z
        .number()
        .int()
        .min(1)
        .max(25)
        .default(25)
        .describe('Actors per getProfiles call (API max 25). Default 25.'),
      cacheTtlMs: z
        .number()
        .int()
        .min(0)
        .default(6 * 3600_000)
        .describe('How long a profile is reused. Default 6 h.'),
      cacheMaxEntries: z.number().int().positive().default(50_000).describe('Profile cache size. Default 50000.'),
    })
    .prefault({}),
});

/** Validated Bluesky source config. */
export type BlueskySource = z.infer<typeof blueskySourceSchema>;

type Json = Record<string, unknown>;

/** What one Jetstream event turns into. */
export type JetstreamMapResult =
  | { kind: 'post'; post: NormalizedPost; timeUs: number | null }
  | { kind: 'tombstone'; id: string; timeUs: number | null }
  | { kind: 'skip'; what: string; timeUs: number | null }
  | { kind: 'error'; reason: string; timeUs: number | null };

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** The public web link of a post. */
export function bskyPostUrl(did: string, rkey: string): string {
  return `https://bsky.app/profile/${did}/post/${rkey}`;
}

function embedRefs(embed: unknown): { quoteOf: string | null; links: string[] } {
  const links: string[] = [];
  let quoteOf: string | null = null;
  if (!embed || typeof embed !== 'object') return { quoteOf, links };
  const e = embed as Json;
  const type = str(e.$type) ?? '';
  if (type === 'app.bsky.embed.external') {
    const uri = str((e.external as Json | undefined)?.uri);
    if (uri) links.push(uri);
  } else if (type === 'app.bsky.embed.record') {
    quoteOf = str((e.record as Json | undefined)?.uri);
  } else if (type === 'app.bsky.embed.recordWithMedia') {
    quoteOf = str(((e.record as Json | undefined)?.record as Json | undefined)?.uri);
    const media = embedRefs(e.media);
    links.push(...media.links);
  }
  return { quoteOf, links };
}

/** Maps one Jetstream event (v1 JSON) to a post, a tombstone or a skip. Pure. */
export function mapJetstreamEvent(event: unknown): JetstreamMapResult {
  if (!event || typeof event !== 'object' || Array.isArray(event))
    return { kind: 'error', reason: 'event is not an object', timeUs: null };
  const ev = event as Json;
  const timeUs = typeof ev.time_us === 'number' && Number.isFinite(ev.time_us) ? ev.time_us : null;
  const did = str(ev.did);
  if (!did) return { kind: 'error', reason: 'event has no did', timeUs };
  if (ev.kind !== 'commit') return { kind: 'skip', what: str(ev.kind) ?? 'unknown', timeUs };
  const c = ev.commit as Json | undefined;
  if (!c || typeof c !== 'object') return { kind: 'error', reason: 'commit event without commit', timeUs };
  const collection = str(c.collection) ?? 'unknown';
  const rkey = str(c.rkey);
  const op = str(c.operation);
  if (collection !== 'app.bsky.feed.post')
    return { kind: 'skip', what: collection.replace(/^app\.bsky\./, ''), timeUs };
  if (!rkey) return { kind: 'error', reason: 'post commit without rkey', timeUs };
  const id = `at://${did}/app.bsky.feed.post/${rkey}`;
  if (op === 'delete') return { kind: 'tombstone', id, timeUs };
  if (op !== 'create' && op !== 'update') return { kind: 'skip', what: `post ${op ?? 'unknown'}`, timeUs };
  const r = c.record as Json | undefined;
  if (!r || typeof r !== 'object') return { kind: 'error', reason: 'post commit without record', timeUs };
  if (typeof r.text !== 'string') return { kind: 'error', reason: 'post record without text', timeUs };
  const createdAt =
    toIsoDate(r.createdAt) ?? (timeUs !== null ? new Date(Math.floor(timeUs / 1000)).toISOString() : null);
  if (!createdAt) return { kind: 'error', reason: 'post record without a valid createdAt', timeUs };
  const links: string[] = [];
  const hashtags: string[] = [];
  if (Array.isArray(r.facets)) {
    for (const facet of r.facets) {
      const features = facet && typeof facet === 'object' ? (facet as Json).features : null;
      if (!Array.isArray(features)) continue;
      for (const f of features) {
        if (!f || typeof f !== 'object') continue;
        const ft = f as Json;
        if (ft.$type === 'app.bsky.richtext.facet#link' && str(ft.uri) && !links.includes(ft.uri as string))
          links.push(ft.uri as string);
        if (ft.$type === 'app.bsky.richtext.facet#tag' && str(ft.tag))
          hashtags.push((ft.tag as string).replace(/^#/, ''));
      }
    }
  }
  if (Array.isArray(r.tags)) for (const t of r.tags) if (str(t)) hashtags.push((t as string).replace(/^#/, ''));
  const { quoteOf, links: embedLinks } = embedRefs(r.embed);
  for (const l of embedLinks) if (!links.includes(l)) links.push(l);
  const reply = r.reply as Json | undefined;
  const replyTo = reply && typeof reply === 'object' ? str((reply.parent as Json | undefined)?.uri) : null;
  const langs = Array.isArray(r.langs) ? r.langs.filter((l): l is string => typeof l === 'string') : [];
  return {
    kind: 'post',
    timeUs,
    post: {
      id,
      source: 'bluesky',
      url: bskyPostUrl(did, rkey),
      text: r.text,
      createdAt,
      lang: langs[0] ?? null,
      author: { id: did },
      links,
      hashtags: [...new Set(hashtags)],
      replyTo,
      repostOf: null,
      quoteOf,
    },
  };
}

/** A profile as getProfiles describes it, reduced to author fields. */
export function mapBskyProfile(p: unknown): NormalizedAuthor | null {
  if (!p || typeof p !== 'object') return null;
  const o = p as Json;
  const did = str(o.did);
  if (!did) return null;
  const n = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);
  const labels = Array.isArray(o.labels) ? o.labels : [];
  const bot = labels.some((l) => l && typeof l === 'object' && (l as Json).val === 'bot') ? true : null;
  return {
    id: did,
    handle: str(o.handle),
    displayName: typeof o.displayName === 'string' ? o.displayName : null,
    createdAt: toIsoDate(o.createdAt),
    followers: n(o.followersCount),
    following: n(o.followsCount),
    posts: n(o.postsCount),
    bot,
  };
}

/** A small TTL + size-bounded cache of profiles (Map keeps insertion order, so the oldest entry goes first). */
export class ProfileCache {
  private readonly map = new Map<string, { at: number; author: NormalizedAuthor | null }>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}
  /** Cached author (null = known to have no profile), or undefined when unknown or expired. */
  get(did: string): NormalizedAuthor | null | undefined {
    const e = this.map.get(did);
    if (!e) return undefined;
    if (this.now() - e.at > this.ttlMs) {
      this.map.delete(did);
      return undefined;
    }
    return e.author;
  }
  set(did: string, author: NormalizedAuthor | null): void {
    this.map.delete(did);
    this.map.set(did, { at: this.now(), author });
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }
  get size(): number {
    return this.map.size;
  }
}

/** Dependencies of the Bluesky connector. */
export interface BlueskyDeps {
  http: HttpClient;
  /** Opens a WebSocket; default `new WebSocket(url, { headers })` from the ws package. */
  openSocket?: (url: string, headers: Record<string, string>) => WebSocket;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

/** Builds the subscribe URL for a cursor (already rewound). */
export function jetstreamUrl(base: string, cursorUs: number | null): string {
  const u = new URL(base);
  u.searchParams.set('wantedCollections', 'app.bsky.feed.post');
  if (cursorUs !== null) u.searchParams.set('cursor', String(Math.max(0, Math.floor(cursorUs))));
  return u.toString();
}

/** Remembers the keys of recent events so a rewind replays nothing twice. */
class RecentKeys {
  private readonly set = new Set<string>();
  constructor(private readonly max: number) {}
  /** Adds `key`; false when it was already there. */
  add(key: string): boolean {
    if (this.set.has(key)) return false;
    this.set.add(key);
    if (this.set.size > this.max) this.set.delete(this.set.values().next().value!);
    return true;
  }
}

/** Creates the Bluesky Jetstream connector. */
export function createBlueskyConnector(source: BlueskySource, deps: BlueskyDeps): Connector {
  const src = blueskySourceSchema.parse(source);
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const random = deps.random ?? Math.random;
  const openSocket = deps.openSocket ?? ((url, headers) => new WebSocket(url, { headers }));
  const profiles = new ProfileCache(src.profiles.cacheTtlMs, src.profiles.cacheMaxEntries, now);
  const recent = new RecentKeys(Math.max(10_000, src.maxEvents * 4));
  const wantLang = (post: NormalizedPost): boolean =>
    src.langs.length === 0 ||
    (post.lang != null && src.langs.some((l) => post.lang!.toLowerCase().startsWith(l.toLowerCase())));

  /** Reads one connection's worth of events; resolves how it ended. */
  function readConnection(
    url: string,
    budgetEndsAt: number,
    maxEvents: number,
    onEvent: (data: string) => void,
    signal?: AbortSignal,
  ): Promise<{ ended: 'budget' | 'closed'; error?: Error; received: number }> {
    return new Promise((resolve) => {
      let received = 0;
      let settled = false;
      let opened = false;
      const ws = openSocket(url, { 'user-agent': deps.http.userAgent });
      const finish = (ended: 'budget' | 'closed', error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(budgetTimer);
        clearTimeout(connectTimer);
        signal?.removeEventListener('abort', onAbort);
        ws.removeAllListeners('message');
        ws.on('error', () => undefined); // errors after we are done are of no interest
        try {
          if (ended === 'budget') ws.close(1000);
          else ws.terminate();
        } catch {
          /* already closed */
        }
        resolve(error ? { ended, error, received } : { ended, received });
      };
      const onAbort = (): void => finish('closed', new ConnectorError('fetch aborted', { retriable: false }));
      signal?.addEventListener('abort', onAbort, { once: true });
      const budgetTimer = setTimeout(() => finish('budget'), Math.max(0, budgetEndsAt - now()));
      const connectTimer = setTimeout(() => {
        if (!opened)
          finish(
            'closed',
            new ConnectorError(`Jetstream did not open within ${src.connectTimeoutMs} ms`, { retriable: true }),
          );
      }, src.connectTimeoutMs);
      ws.on('open', () => {
        opened = true;
      });
      ws.on('message', (data: WebSocket.RawData) => {
        received++;
        onEvent((data as Buffer).toString('utf8')); // ws's default binaryType ('nodebuffer') gives one Buffer a message
        if (received >= maxEvents) finish('budget');
      });
      ws.on('error', (err: Error) =>
        finish('closed', new ConnectorError(`Jetstream socket error: ${err.message}`, { cause: err, retriable: true })),
      );
      ws.on('close', (code: number) =>
        finish(
          'closed',
          code === 1000
            ? undefined
            : new ConnectorError(`Jetstream closed the connection (code ${code})`, { retriable: true }),
        ),
      );
      ws.on('unexpected-response', (_req: unknown, res: { statusCode?: number }) =>
        finish(
          'closed',
          new ConnectorError(`Jetstream refused the connection (HTTP ${res.statusCode ?? '?'})`, {
            retriable: (res.statusCode ?? 500) >= 500 || res.statusCode === 429,
          }),
        ),
      );
    });
  }

  async function attachProfiles(
    posts: NormalizedPost[],
    signal: AbortSignal | undefined,
    warnings: string[],
  ): Promise<void> {
    if (!src.profiles.enabled || posts.length === 0) return;
    const missing = [...new Set(posts.map((p) => p.author.id))].filter((did) => profiles.get(did) === undefined);
    const base = src.profiles.apiUrl.replace(/\/+$/, '');
    let failures = 0;
    for (let i = 0; i < missing.length; i += src.profiles.batchSize) {
      const batch = missing.slice(i, i + src.profiles.batchSize);
      const q = new URLSearchParams();
      for (const did of batch) q.append('actors', did);
      try {
        const { json } = await deps.http.getJson<{ profiles?: unknown[] }>(
          `${base}/xrpc/app.bsky.actor.getProfiles?${q.toString()}`,
          { signal },
        );
        const found = new Map<string, NormalizedAuthor>();
        for (const p of Array.isArray(json.profiles) ? json.profiles : []) {
          const a = mapBskyProfile(p);
          if (a) found.set(a.id, a);
        }
        for (const did of batch) profiles.set(did, found.get(did) ?? null); // unknown/deleted accounts: cache the miss
      } catch (err) {
        if (signal?.aborted) throw err;
        failures++;
      }
    }
    if (failures > 0)
      warnings.push(`bluesky: ${failures} profile batch(es) could not be fetched; those posts carry the did only`);
    for (const p of posts) {
      const a = profiles.get(p.author.id);
      if (a) p.author = { ...a };
    }
  }

  return {
    kind: 'bluesky',
    name: src.name,
    async fetch({ cursor, signal }: FetchOptions): Promise<FetchResult> {
      let cursorUs: number | null = null;
      if (cursor !== null) {
        cursorUs = Number(cursor);
        if (!Number.isFinite(cursorUs) || cursorUs < 0)
          throw new ConnectorError(`bluesky cursor "${excerpt(cursor, 40)}" is not a time in microseconds`, {
            retriable: false,
          });
      }
      deps.http.assertAllowed(src.jetstreamUrl);
      const items: ConnectorItem[] = [];
      const posts: NormalizedPost[] = [];
      const failed: ConnectorFailure[] = [];
      const warnings: string[] = [];
      const skipped: Record<string, number> = {};
      let maxTimeUs = cursorUs;
      let total = 0;
      const budgetEndsAt = now() + src.maxDurationMs;
      const onEvent = (data: string): void => {
        let ev: unknown;
        try {
          ev = JSON.parse(data);
        } catch (e) {
          failed.push({ reason: `event is not valid JSON: ${(e as Error).message}`, raw: excerpt(data) });
          return;
        }
        const m = mapJetstreamEvent(ev);
        if (m.timeUs !== null && (maxTimeUs === null || m.timeUs > maxTimeUs)) maxTimeUs = m.timeUs;
        const e = ev as Json;
        const key = `${String(e.did)}|${String(e.time_us)}|${String((e.commit as Json | undefined)?.rkey)}|${String((e.commit as Json | undefined)?.operation)}`;
        if (m.kind !== 'error' && !recent.add(key)) {
          skipped.replayed = (skipped.replayed ?? 0) + 1;
          return;
        }
        if (m.kind === 'post') {
          if (!wantLang(m.post)) {
            skipped.language = (skipped.language ?? 0) + 1;
            return;
          }
          posts.push(m.post);
          items.push({ type: 'post', post: m.post });
        } else if (m.kind === 'tombstone') items.push({ type: 'tombstone', id: m.id, source: 'bluesky' });
        else if (m.kind === 'skip') skipped[m.what] = (skipped[m.what] ?? 0) + 1;
        else failed.push({ reason: m.reason, raw: excerpt(data) });
      };
      let reconnects = 0;
      for (;;) {
        const from = maxTimeUs === null ? null : maxTimeUs - src.rewindSeconds * 1_000_000;
        const r = await readConnection(
          jetstreamUrl(src.jetstreamUrl, from),
          budgetEndsAt,
          src.maxEvents - total,
          onEvent,
          signal,
        );
        total += r.received;
        if (signal?.aborted) throw r.error ?? new ConnectorError('fetch aborted', { retriable: false });
        if (r.ended === 'budget' || total >= src.maxEvents || now() >= budgetEndsAt) break;
        // The socket dropped before the budget was used: resume from the last event seen, with backoff.
        if (reconnects >= src.maxReconnects) {
          if (total === 0)
            throw (
              r.error ??
              new ConnectorError('Jetstream closed the connection without sending events', { retriable: true })
            );
          warnings.push(
            `bluesky: connection dropped ${reconnects + 1} time(s); returning ${total} event(s) read so far`,
          );
          break;
        }
        const wait = backoffDelayMs(reconnects, { baseMs: src.reconnectBaseDelayMs, random });
        reconnects++;
        await sleep(Math.min(wait, Math.max(0, budgetEndsAt - now())), signal);
      }
      await attachProfiles(posts, signal, warnings);
      return { items, nextCursor: maxTimeUs === null ? cursor : String(maxTimeUs), failed, warnings, skipped };
    },
  };
}
