// Google Fact Check Tools connector against a local server answering `claims:search` in the API's documented
// response shape (v1alpha1 FactCheckedClaimSearchResponse: claims[] with text, claimant, claimDate and
// claimReview[] of publisher {name, site}, url, title, reviewDate, textualRating, languageCode; nextPageToken),
// so the connector's real HTTP code runs: the query it sends, paging, the cursor, and the API's errors.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SourceUnavailableError } from '../../connectors/connector.ts';
import type { ConnectorItem } from '../../connectors/connector.ts';
import { createGoogleFactCheckConnector } from '../../connectors/google-factcheck.ts';
import type { GoogleFactCheckSource } from '../../connectors/google-factcheck.ts';
import { HttpClient, HttpError } from '../../connectors/http-client.ts';
import type { NormalizedFactCheck } from '../../pipelines/types.ts';
import { OWN_FIXTURES, fixture, startLocalServer } from './local-server.ts';
import type { LocalServer } from './local-server.ts';

const page1 = fixture(OWN_FIXTURES, 'google-factcheck-page1.json');
const page2 = fixture(OWN_FIXTURES, 'google-factcheck-page2.json');
const PATH = '/v1alpha1/claims:search';
const KEY = 'AIzaTestKey123';
/** The error body Google APIs send (google.rpc.Status in an `error` object). */
const apiError = (code: number, status: string, message: string) =>
  JSON.stringify({ error: { code, message, status } });

const factchecks = (items: ConnectorItem[]) => items.map((i) => (i as { factcheck: NormalizedFactCheck }).factcheck);

describe('Google Fact Check Tools connector', () => {
  let srv: LocalServer;
  beforeEach(async () => {
    srv = await startLocalServer();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await srv.close();
  });

  function connector(extra: Partial<GoogleFactCheckSource> = {}) {
    const http = new HttpClient({ allowedHosts: [srv.host], maxRetries: 1, sleep: async () => {} });
    return createGoogleFactCheckConnector(
      {
        kind: 'google-factcheck',
        name: 'google',
        apiUrl: srv.origin,
        apiKey: KEY,
        query: 'verkiezingen',
        ...extra,
      } as GoogleFactCheckSource,
      { http },
    );
  }
  /** Serves page 1, then page 2 when asked with page 1's token. */
  const twoPages = () =>
    srv.route(PATH, (_req, res, url) => {
      res
        .writeHead(200, { 'content-type': 'application/json; charset=UTF-8' })
        .end(url.searchParams.get('pageToken') === 'CAo' ? page2 : page1);
    });
  const queries = () => srv.requests.map((r) => new URL(r.path, 'http://x').searchParams);

  it('reads every page, one fact-check per review, and keeps the newest review date as the cursor', async () => {
    twoPages();
    const r = await connector({ pageSize: 2, languageCode: 'nl', maxAgeDays: 30 }).fetch({ cursor: null });
    const q = queries();
    expect(q).toHaveLength(2);
    expect(Object.fromEntries(q[0]!)).toEqual({
      languageCode: 'nl',
      pageSize: '2',
      maxAgeDays: '30',
      query: 'verkiezingen',
      key: KEY,
    });
    expect(q[1]!.get('pageToken')).toBe('CAo');
    const fcs = factchecks(r.items);
    expect(fcs.map((f) => f.reviewUrl)).toEqual([
      'https://nieuwscheckers.nl/potlood-stem-geldig/',
      'https://factcheckvlaanderen.be/potlood/',
      'https://factcheck.afp.com/doc.afp.com.ABC123',
    ]);
    expect(fcs[0]).toEqual({
      id: 'factcheck:https://nieuwscheckers.nl/potlood-stem-geldig/',
      source: 'google',
      claim: 'Wie met potlood stemt, brengt een ongeldige stem uit',
      claimant: 'Berichten op sociale media',
      rating: 'Onjuist',
      publisher: 'Nieuwscheckers',
      reviewUrl: 'https://nieuwscheckers.nl/potlood-stem-geldig/',
      lang: 'nl',
      reviewedAt: '2025-10-27T09:30:00.000Z',
      claimDate: '2025-10-26T00:00:00.000Z',
      appearances: [],
    });
    // A publisher without a name is known by its site; a claim without claimant or date has nulls.
    expect(fcs[1]!.publisher).toBe('factcheckvlaanderen.be');
    expect([fcs[2]!.claimant, fcs[2]!.claimDate]).toEqual([null, null]);
    // The claim without text and the review without url are reported, not dropped silently.
    expect(r.failed.map((f) => f.reason)).toEqual(['claim has no text', 'claimReview has no url']);
    expect(r.nextCursor).toBe('2025-10-29T12:00:00.000Z');
  });

  it('stops at maxPages even when the API offers more', async () => {
    srv.route(PATH, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(page1));
    const r = await connector({ maxPages: 3 }).fetch({ cursor: null });
    expect(srv.requests).toHaveLength(3);
    expect(factchecks(r.items)).toHaveLength(6);
  });

  it('asks only for the days since the cursor, and refuses a cursor that is not a date', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-10-30T12:00:00Z'));
    srv.route(PATH, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const r = await connector({ maxAgeDays: 30 }).fetch({ cursor: '2025-10-28T07:00:00.000Z' });
    expect(queries()[0]!.get('maxAgeDays')).toBe('3');
    // An empty answer (no claims at all: the API then sends {}) keeps the cursor.
    expect([r.items, r.failed, r.nextCursor]).toEqual([[], [], '2025-10-28T07:00:00.000Z']);
    await expect(connector().fetch({ cursor: 'gisteren' })).rejects.toMatchObject({
      name: 'ConnectorError',
      retriable: false,
    });
  });

  it('skips without a request when no API key is configured', async () => {
    twoPages();
    const r = await connector({ apiKey: undefined }).fetch({ cursor: 'c' });
    expect(srv.requests).toHaveLength(0);
    expect(r).toMatchObject({ items: [], nextCursor: 'c', warnings: ['google: no API key configured; skipped'] });
  });

  it.each([
    [400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.'],
    [403, 'PERMISSION_DENIED', 'Fact Check Tools API has not been used in project 123 before or it is disabled.'],
  ])('reports HTTP %i (%s) as an unavailable source, never showing the key', async (code, status, message) => {
    srv.route(PATH, (_req, res) =>
      res.writeHead(code, { 'content-type': 'application/json' }).end(apiError(code, status, message)),
    );
    const err = await connector()
      .fetch({ cursor: null })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(err).toMatchObject({
      retriable: false,
      message: `google: the API refused the request (HTTP ${code}); check the key and its quota`,
    });
    expect(
      JSON.stringify({
        m: (err as Error).message,
        cause: String((err as Error).cause),
        url: ((err as Error).cause as HttpError).url,
      }),
    ).not.toContain(KEY);
    expect(srv.requests).toHaveLength(1);
  });

  it("passes a quota or server error on as retriable (after the client's retries), and bad JSON as not", async () => {
    srv.route(PATH, (_req, res) =>
      res
        .writeHead(429, { 'content-type': 'application/json' })
        .end(apiError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded')),
    );
    const quota = await connector()
      .fetch({ cursor: null })
      .catch((e: unknown) => e);
    expect(quota).toBeInstanceOf(HttpError);
    expect(quota).toMatchObject({ status: 429, retriable: true });
    expect((quota as Error).message).not.toContain(KEY);
    expect(srv.requests).toHaveLength(2); // maxRetries: 1
    srv.route(PATH, (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('<html>captcha</html>'),
    );
    await expect(connector().fetch({ cursor: null })).rejects.toMatchObject({ name: 'HttpError', retriable: false });
  });
});
