// Fact-checks published as schema.org ClaimReview JSON-LD inside fact-checkers' article pages (also inside
// `@graph` wrappers, with `@id` references resolved). The connector reads a fact-checker's feed (RSS/Atom) for
// article links, or a fixed list of pages, fetches each new article on an allow-listed host and extracts its
// ClaimReviews. The mapping from a ClaimReview object to the normalized fact-check lives here and is shared with the
// DataFeed and Google Fact Check Tools connectors.
import * as DomUtils from 'domutils';
import { z } from 'zod';
import type { NormalizedFactCheck } from '../pipelines/types.ts';
import { ConnectorError, excerpt, toIsoDate } from './connector.ts';
import type { Connector, ConnectorFailure, ConnectorItem, FetchOptions, FetchResult } from './connector.ts';
import { parseHtml } from './html-text.ts';
import { HttpError } from './http-client.ts';
import type { HttpClient } from './http-client.ts';
import { parseFeed } from './rss.ts';

/** Config of a ClaimReview source: a fact-checker's feed and/or fixed article pages. */
export const claimReviewSourceSchema = z
  .object({
    kind: z.literal('claimreview'),
    name: z.string().min(1).describe('Unique source name, e.g. "factcheck-vlaanderen".'),
    enabled: z.boolean().default(true).describe('Poll this source. Default true.'),
    feedUrl: z.string().url().optional().describe('RSS/Atom feed whose item links are the fact-check articles.'),
    pageUrls: z.array(z.string().url()).default([]).describe('Article pages read once each. Default [].'),
    publisher: z
      .string()
      .optional()
      .describe('Publisher name when the ClaimReview names no author. Default: the page host.'),
    maxArticles: z.number().int().min(1).default(20).describe('Articles fetched per call. Default 20.'),
    rememberUrls: z
      .number()
      .int()
      .min(0)
      .default(2000)
      .describe('Article URLs kept in the cursor as done. Default 2000.'),
  })
  .refine((s) => !!s.feedUrl || s.pageUrls.length > 0, { message: 'give feedUrl or pageUrls', path: ['feedUrl'] });

/** Validated ClaimReview source config. */
export type ClaimReviewSource = z.infer<typeof claimReviewSourceSchema>;

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function types(o: Json): string[] {
  const t = o['@type'];
  const list = Array.isArray(t) ? t : [t];
  return list
    .filter((x): x is string => typeof x === 'string')
    .map((x) => x.replace(/^(https?:\/\/schema\.org\/|schema:)/, ''));
}

function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

function nameOf(v: unknown, refs: Map<string, Json>): string | null {
  const x = resolve(first(v), refs);
  if (typeof x === 'string') return x.trim() || null;
  if (isObj(x)) {
    for (const k of ['name', 'alternateName', 'legalName'])
      if (typeof x[k] === 'string' && (x[k] as string).trim()) return (x[k] as string).trim();
  }
  return null;
}

function resolve(v: unknown, refs: Map<string, Json>): unknown {
  if (isObj(v) && typeof v['@id'] === 'string' && Object.keys(v).length === 1) return refs.get(v['@id']) ?? v;
  return v;
}

function urlOf(v: unknown, refs: Map<string, Json>): string | null {
  const x = resolve(v, refs);
  if (typeof x === 'string') return /^https?:\/\//.test(x) ? x : null;
  if (isObj(x))
    return typeof x.url === 'string'
      ? x.url
      : typeof x['@id'] === 'string' && /^https?:/.test(x['@id'])
        ? x['@id']
        : null;
  return null;
}

/** A rating number as text: strings and finite numbers only (an object here is malformed markup, not a rating). */
function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() || null;
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
}

function langOf(v: unknown): string | null {
  const x = first(v);
  if (typeof x === 'string') return x || null;
  if (isObj(x))
    return typeof x.alternateName === 'string' ? x.alternateName : typeof x.name === 'string' ? x.name : null;
  return null;
}

/** Maps one ClaimReview object to a normalized fact-check; `refs` resolves `@id` references of a `@graph`. Pure. */
export function mapClaimReview(
  review: unknown,
  options: { source: string; pageUrl?: string | null; publisher?: string | null; refs?: Map<string, Json> },
): NormalizedFactCheck | { reason: string } {
  if (!isObj(review)) return { reason: 'ClaimReview is not an object' };
  const refs = options.refs ?? new Map<string, Json>();
  const item = resolve(first(review.itemReviewed), refs);
  const claimObj = isObj(item) ? item : null;
  const claim =
    (typeof review.claimReviewed === 'string' && review.claimReviewed.trim()) ||
    (claimObj && typeof claimObj.text === 'string' && claimObj.text.trim()) ||
    (claimObj && typeof claimObj.name === 'string' && claimObj.name.trim()) ||
    null;
  if (!claim) return { reason: 'ClaimReview has no claimReviewed' };
  const reviewUrl =
    (typeof review.url === 'string' && /^https?:\/\//.test(review.url) ? review.url : null) ?? options.pageUrl ?? null;
  if (!reviewUrl) return { reason: 'ClaimReview has no url' };
  const rating = resolve(first(review.reviewRating), refs);
  let ratingText: string | null = null;
  if (isObj(rating)) {
    ratingText =
      (typeof rating.alternateName === 'string' && rating.alternateName.trim()) ||
      (typeof rating.name === 'string' && rating.name.trim()) ||
      null;
    const value = scalarText(rating.ratingValue);
    if (!ratingText && value !== null) {
      const best = scalarText(rating.bestRating);
      ratingText = best !== null ? `${value}/${best}` : value;
    }
  }
  let publisher = nameOf(review.author, refs) ?? nameOf(review.publisher, refs) ?? options.publisher ?? null;
  if (!publisher) {
    try {
      publisher = new URL(reviewUrl).host;
    } catch {
      publisher = 'unknown';
    }
  }
  const appearances: string[] = [];
  if (claimObj) {
    for (const key of ['appearance', 'firstAppearance']) {
      const v = claimObj[key];
      for (const a of Array.isArray(v) ? v : v != null ? [v] : []) {
        const u = urlOf(a, refs);
        if (u && !appearances.includes(u)) appearances.push(u);
      }
    }
  }
  return {
    id: `factcheck:${reviewUrl}`,
    source: options.source,
    claim: claim.replace(/\s+/g, ' '),
    claimant: claimObj ? nameOf(claimObj.author, refs) : null,
    rating: ratingText,
    publisher,
    reviewUrl,
    lang: langOf(review.inLanguage) ?? (claimObj ? langOf(claimObj.inLanguage) : null),
    reviewedAt: toIsoDate(review.datePublished) ?? toIsoDate(review.dateCreated),
    claimDate: claimObj ? (toIsoDate(claimObj.datePublished) ?? toIsoDate(claimObj.dateCreated)) : null,
    appearances,
  };
}

/** Finds ClaimReview objects in parsed JSON-LD (arrays, `@graph`, nested properties) and the `@id` index. */
export function findClaimReviews(jsonld: unknown): { reviews: Json[]; refs: Map<string, Json> } {
  const reviews: Json[] = [];
  const refs = new Map<string, Json>();
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 20 || v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    const o = v as Json;
    if (typeof o['@id'] === 'string' && Object.keys(o).length > 1) refs.set(o['@id'], o);
    if (types(o).includes('ClaimReview')) reviews.push(o);
    for (const [k, x] of Object.entries(o)) if (k !== '@context') walk(x, depth + 1);
  };
  walk(jsonld, 0);
  return { reviews, refs };
}

/** Extracts and maps every ClaimReview in an HTML page. Unreadable JSON-LD blocks become failures. Pure. */
export function extractClaimReviews(
  html: string,
  options: { source: string; pageUrl?: string | null; publisher?: string | null },
): { factchecks: NormalizedFactCheck[]; failed: ConnectorFailure[]; blocks: number } {
  const doc = parseHtml(html, { decodeEntities: false });
  const scripts = DomUtils.findAll(
    (el) => el.name === 'script' && /ld\+json/i.test(el.attribs.type ?? ''),
    doc.children,
  );
  const factchecks: NormalizedFactCheck[] = [];
  const failed: ConnectorFailure[] = [];
  const ids = new Set<string>();
  // Next number to try per base id: many reviews of one URL are numbered in linear time (a scan from #2 each time
  // was quadratic: 42 s for one page).
  const nextNumber = new Map<string, number>();
  for (const s of scripts) {
    const raw = DomUtils.textContent(s).trim();
    if (!raw) continue;
    let json: unknown;
    try {
      json = JSON.parse(raw.replace(/^<!--|-->$/g, ''));
    } catch (e) {
      failed.push({ reason: `JSON-LD block is not valid JSON: ${(e as Error).message}`, raw: excerpt(raw, 200) });
      continue;
    }
    const { reviews, refs } = findClaimReviews(json);
    for (const r of reviews) {
      const m = mapClaimReview(r, { ...options, refs });
      if ('reason' in m) {
        failed.push({ reason: m.reason, raw: excerpt(r, 300) });
        continue;
      }
      // Several reviews on one page share its URL: number them so ids stay unique and stable.
      let id = m.id;
      if (ids.has(id)) {
        let i = nextNumber.get(m.id) ?? 2;
        while (ids.has(`${m.id}#${i}`)) i++;
        id = `${m.id}#${i}`;
        nextNumber.set(m.id, i + 1);
      }
      ids.add(id);
      factchecks.push({ ...m, id });
    }
  }
  return { factchecks, failed, blocks: scripts.length };
}

interface PagesCursor {
  seen: string[];
  pending?: string[];
  etag?: string;
  lastModified?: string;
}

/** Creates the ClaimReview connector (fact-checker feed or pages → ClaimReview fact-checks). */
export function createClaimReviewConnector(source: ClaimReviewSource, deps: { http: HttpClient }): Connector {
  const src = claimReviewSourceSchema.parse(source);
  return {
    kind: 'claimreview',
    name: src.name,
    async fetch({ cursor, signal }: FetchOptions): Promise<FetchResult> {
      let state: PagesCursor = { seen: [] };
      if (cursor) {
        try {
          state = JSON.parse(cursor) as PagesCursor;
        } catch {
          throw new ConnectorError(`claimreview cursor is not the JSON this connector writes`, { retriable: false });
        }
      }
      const done = new Set(state.seen ?? []);
      const failed: ConnectorFailure[] = [];
      const warnings: string[] = [];
      const skipped: Record<string, number> = {};
      const candidates: string[] = [...(state.pending ?? []), ...src.pageUrls];
      const next: PagesCursor = { seen: [] };
      if (src.feedUrl) {
        const headers: Record<string, string> = {};
        if (state.etag) headers['if-none-match'] = state.etag;
        if (state.lastModified) headers['if-modified-since'] = state.lastModified;
        const res = await deps.http.get(src.feedUrl, { signal, headers, acceptStatuses: [304] });
        if (res.status !== 304) {
          try {
            for (const e of parseFeed(res.body).entries) if (e.link) candidates.push(e.link);
          } catch (cause) {
            throw new ConnectorError(`${src.name}: feed unreadable: ${(cause as Error).message}`, {
              cause,
              retriable: false,
            });
          }
        }
        const etag = res.headers.get('etag') ?? state.etag;
        const lm = res.headers.get('last-modified') ?? state.lastModified;
        if (etag) next.etag = etag;
        if (lm) next.lastModified = lm;
      }
      const todo = [...new Set(candidates)].filter((u) => !done.has(u));
      const items: ConnectorItem[] = [];
      const fresh: string[] = [];
      for (const url of todo.slice(0, src.maxArticles)) {
        if (!deps.http.isAllowed(url)) {
          failed.push({ reason: `article host not in the configuration, not fetched: ${new URL(url).host}`, raw: url });
          fresh.push(url);
          continue;
        }
        try {
          const res = await deps.http.get(url, { signal, headers: { accept: 'text/html' } });
          const r = extractClaimReviews(res.body, { source: src.name, pageUrl: url, publisher: src.publisher ?? null });
          failed.push(...r.failed);
          if (r.factchecks.length === 0 && r.failed.length === 0)
            skipped.noClaimReview = (skipped.noClaimReview ?? 0) + 1;
          for (const f of r.factchecks) items.push({ type: 'factcheck', factcheck: f });
          fresh.push(url);
        } catch (err) {
          if (signal?.aborted) throw err;
          if (err instanceof HttpError && !err.retriable) {
            failed.push({ reason: err.message, raw: url });
            fresh.push(url);
          } else warnings.push(`${src.name}: article not read this time (${(err as Error).message}); will retry`);
        }
      }
      if (todo.length > src.maxArticles)
        warnings.push(`${src.name}: ${todo.length - src.maxArticles} article(s) left for the next call`);
      next.seen = [...fresh, ...(state.seen ?? [])].slice(0, src.rememberUrls);
      const pending = todo.slice(src.maxArticles, src.maxArticles + 1000); // survives a 304 on the next call
      if (pending.length) next.pending = pending;
      return { items, nextCursor: JSON.stringify(next), failed, warnings, skipped };
    },
  };
}
