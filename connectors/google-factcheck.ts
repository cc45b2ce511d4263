// Google Fact Check Tools API (`claims:search`), used only when an API key is configured. Each claim with its
// reviews becomes one normalized fact-check per review. The cursor is the newest review date seen; the API's
// `maxAgeDays` bounds the first read. The key goes in the query string as the API requires; the HTTP client
// redacts it from every error message.
import { z } from 'zod';
import type { NormalizedFactCheck } from '../pipelines/types.ts';
import { ConnectorError, SourceUnavailableError, excerpt, toIsoDate } from './connector.ts';
import type { Connector, ConnectorFailure, ConnectorItem, FetchOptions, FetchResult } from './connector.ts';
import { HttpError } from './http-client.ts';
import type { HttpClient } from './http-client.ts';

/** Config of the Google Fact Check Tools source. */
export const googleFactCheckSourceSchema = z
  .object({
    kind: z.literal('google-factcheck'),
    name: z.string().min(1).describe('Unique source name.'),
    enabled: z.boolean().default(true).describe('Poll this source (also needs an API key). Default true.'),
    apiUrl: z
      .string()
      .url()
      .default('https://factchecktools.googleapis.com')
      .describe('API base. Default https://factchecktools.googleapis.com.'),
    apiKey: z
      .string()
      .optional()
      .meta({ secret: true })
      .describe('API key (env MID_GOOGLE_FACTCHECK_KEY). Without one the source is skipped.'),
    query: z.string().optional().describe('Free-text query; the API needs a query or reviewPublisherSiteFilter.'),
    reviewPublisherSiteFilter: z.string().optional().describe('Only reviews by this site, e.g. "nieuwscheckers.nl".'),
    languageCode: z.string().default('nl').describe('BCP-47 language of the reviews. Default nl.'),
    maxAgeDays: z.number().int().positive().default(30).describe('How far back the first read goes. Default 30.'),
    pageSize: z.number().int().min(1).max(100).default(100).describe('Claims per page. Default 100.'),
    maxPages: z.number().int().min(1).default(5).describe('Pages per call. Default 5.'),
  })
  .refine((s) => !!s.query || !!s.reviewPublisherSiteFilter, {
    message: 'give query or reviewPublisherSiteFilter',
    path: ['query'],
  });

/** Validated Google Fact Check Tools source config. */
export type GoogleFactCheckSource = z.infer<typeof googleFactCheckSourceSchema>;

type Json = Record<string, unknown>;

/** Maps one `claims[]` entry of a claims:search response to fact-checks (one per review). Pure. */
export function mapGoogleClaim(
  claim: unknown,
  source: string,
): { factchecks: NormalizedFactCheck[]; failed: ConnectorFailure[] } {
  const factchecks: NormalizedFactCheck[] = [];
  const failed: ConnectorFailure[] = [];
  if (!claim || typeof claim !== 'object')
    return { factchecks, failed: [{ reason: 'claim is not an object', raw: excerpt(claim) }] };
  const c = claim as Json;
  const text = typeof c.text === 'string' ? c.text.trim() : '';
  const reviews = Array.isArray(c.claimReview) ? c.claimReview : [];
  if (!text) return { factchecks, failed: [{ reason: 'claim has no text', raw: excerpt(claim) }] };
  for (const r of reviews) {
    const rv = (r ?? {}) as Json;
    const url = typeof rv.url === 'string' ? rv.url : null;
    if (!url) {
      failed.push({ reason: 'claimReview has no url', raw: excerpt(r) });
      continue;
    }
    const pub = (rv.publisher ?? {}) as Json;
    factchecks.push({
      id: `factcheck:${url}`,
      source,
      claim: text,
      claimant: typeof c.claimant === 'string' && c.claimant ? c.claimant : null,
      rating: typeof rv.textualRating === 'string' ? rv.textualRating : null,
      publisher:
        (typeof pub.name === 'string' && pub.name) || (typeof pub.site === 'string' && pub.site) || new URL(url).host,
      reviewUrl: url,
      lang: typeof rv.languageCode === 'string' ? rv.languageCode : null,
      reviewedAt: toIsoDate(rv.reviewDate),
      claimDate: toIsoDate(c.claimDate),
      appearances: [],
    });
  }
  return { factchecks, failed };
}

/** Creates the Google Fact Check Tools connector. */
export function createGoogleFactCheckConnector(source: GoogleFactCheckSource, deps: { http: HttpClient }): Connector {
  const src = googleFactCheckSourceSchema.parse(source);
  return {
    kind: 'google-factcheck',
    name: src.name,
    async fetch({ cursor, signal }: FetchOptions): Promise<FetchResult> {
      if (!src.apiKey)
        return { items: [], nextCursor: cursor, failed: [], warnings: [`${src.name}: no API key configured; skipped`] };
      const since = cursor ? Date.parse(cursor) : null;
      if (since !== null && Number.isNaN(since))
        throw new ConnectorError('google-factcheck cursor is not a date', { retriable: false });
      const ageDays = since !== null ? Math.max(1, Math.ceil((Date.now() - since) / 86_400_000)) : src.maxAgeDays;
      const items: ConnectorItem[] = [];
      const failed: ConnectorFailure[] = [];
      let newest = since;
      let pageToken: string | null = null;
      for (let page = 0; page < src.maxPages; page++) {
        const q = new URLSearchParams({
          languageCode: src.languageCode,
          pageSize: String(src.pageSize),
          maxAgeDays: String(Math.min(ageDays, src.maxAgeDays)),
        });
        if (src.query) q.set('query', src.query);
        if (src.reviewPublisherSiteFilter) q.set('reviewPublisherSiteFilter', src.reviewPublisherSiteFilter);
        if (pageToken) q.set('pageToken', pageToken);
        q.set('key', src.apiKey);
        let json: Json;
        try {
          ({ json } = await deps.http.getJson<Json>(
            `${src.apiUrl.replace(/\/+$/, '')}/v1alpha1/claims:search?${q.toString()}`,
            {
              signal,
            },
          ));
        } catch (err) {
          if (err instanceof HttpError && (err.status === 400 || err.status === 403))
            throw new SourceUnavailableError(
              `${src.name}: the API refused the request (HTTP ${err.status}); check the key and its quota`,
              { cause: err },
            );
          throw err;
        }
        for (const claim of Array.isArray(json.claims) ? json.claims : []) {
          const m = mapGoogleClaim(claim, src.name);
          failed.push(...m.failed);
          for (const f of m.factchecks) {
            const t = f.reviewedAt ? Date.parse(f.reviewedAt) : null;
            if (t !== null && (newest === null || t > newest)) newest = t;
            items.push({ type: 'factcheck', factcheck: f });
          }
        }
        pageToken = typeof json.nextPageToken === 'string' && json.nextPageToken ? json.nextPageToken : null;
        if (!pageToken) break;
      }
      return { items, nextCursor: newest !== null ? new Date(newest).toISOString() : cursor, failed };
    },
  };
}
