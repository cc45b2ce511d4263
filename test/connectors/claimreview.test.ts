// Fact-check connectors: ClaimReview JSON-LD in pages (plain and @graph with @id references, broken blocks), the
// feed-driven page connector with the host allow-list, the DataFeed read as a stream (also truncated), and the
// Google Fact Check Tools API against a local server.
import { Readable } from 'node:stream';
import type { ConnectorItem } from '../../connectors/connector.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedFactCheck } from '../../pipelines/types.ts';
import { createClaimReviewConnector, extractClaimReviews } from '../../connectors/claimreview.ts';
import { createDataFeedConnector, readDataFeed } from '../../connectors/factcheck-datafeed.ts';
import { createGoogleFactCheckConnector } from '../../connectors/google-factcheck.ts';
import { HttpClient } from '../../connectors/http-client.ts';
import { OWN_FIXTURES, fixture, startLocalServer } from './local-server.ts';
import type { LocalServer } from './local-server.ts';

const article = fixture(OWN_FIXTURES, 'claimreview-article.html');
const graph = fixture(OWN_FIXTURES, 'claimreview-graph.html');
const none = fixture(OWN_FIXTURES, 'claimreview-none.html');
const datafeed = fixture(OWN_FIXTURES, 'factcheck-datafeed.json');
const fcs = (items: ConnectorItem[]): NormalizedFactCheck[] =>
  items.flatMap((i) => (i.type === 'factcheck' ? [i.factcheck] : []));

describe('extractClaimReviews', () => {
  it('maps a plain ClaimReview: claim, claimant, rating text, publisher, dates, appearances', () => {
    const r = extractClaimReviews(article, { source: 's' });
    expect(r.failed).toEqual([]);
    expect(r.factchecks).toEqual([
      {
        id: 'factcheck:https://factcheck.example/2025/10/potlood/',
        source: 's',
        claim: 'Een stem die met potlood is uitgebracht, is ongeldig.',
        claimant: 'Facebookgebruiker',
        rating: 'Onwaar',
        publisher: 'Voorbeeld Factcheckers',
        reviewUrl: 'https://factcheck.example/2025/10/potlood/',
        lang: 'nl',
        reviewedAt: '2025-10-28T08:15:00.000Z',
        claimDate: '2025-10-26T00:00:00.000Z',
        appearances: ['https://www.facebook.com/voorbeeld/posts/1', 'https://x.com/voorbeeld/status/2'],
      },
    ]);
  });

  it('finds ClaimReviews in @graph, resolves @id authors, numbers reviews sharing a URL, reports broken ones', () => {
    const r = extractClaimReviews(graph, { source: 's' });
    expect(r.factchecks.map((f) => f.id)).toEqual([
      'factcheck:https://checks.example/factcheck/windmolens/',
      'factcheck:https://checks.example/factcheck/windmolens/#2',
    ]);
    expect(r.factchecks[0]).toMatchObject({
      claim: 'Windmolens kosten meer energie dan ze opwekken.',
      publisher: 'Voorbeeld Checks Vlaanderen',
      rating: 'Fout',
      lang: 'nl',
      claimant: 'Een blog',
      appearances: ['https://blog.example/windmolens'],
    });
    expect(r.factchecks[1]!.rating).toBe('3/5');
    expect(r.failed.map((f) => f.reason)).toEqual([
      'ClaimReview has no claimReviewed',
      expect.stringMatching(/^JSON-LD block is not valid JSON/),
    ]);
  });

  it('finds nothing in a page without ClaimReview', () => {
    expect(extractClaimReviews(none, { source: 's' })).toMatchObject({ factchecks: [], failed: [], blocks: 1 });
  });
});

describe('ClaimReview page connector', () => {
  let srv: LocalServer;
  beforeEach(async () => {
    srv = await startLocalServer();
  });
  afterEach(async () => {
    await srv.close();
  });

  it('reads article links from the feed, fetches only allow-listed hosts, and skips done articles next time', async () => {
    const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
      <item><title>a</title><link>${srv.origin}/a</link><guid>1</guid></item>
      <item><title>b</title><link>${srv.origin}/b</link><guid>2</guid></item>
      <item><title>c</title><link>https://elsewhere.example/c</link><guid>3</guid></item></channel></rss>`;
    srv.route('/feed', (_req, res) => res.end(feed));
    srv.route('/a', (_req, res) => res.end(article));
    srv.route('/b', (_req, res) => res.end(none));
    const c = createClaimReviewConnector(
      { kind: 'claimreview', name: 'vb', feedUrl: `${srv.origin}/feed` } as Parameters<
        typeof createClaimReviewConnector
      >[0],
      { http: new HttpClient({ allowedHosts: [srv.host] }) },
    );
    const r = await c.fetch({ cursor: null });
    expect(fcs(r.items).map((f) => f.claim)).toEqual(['Een stem die met potlood is uitgebracht, is ongeldig.']);
    expect(r.skipped).toEqual({ noClaimReview: 1 });
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]!.reason).toMatch(/not in the configuration/);
    expect(srv.requests.map((q) => q.path)).toEqual(['/feed', '/a', '/b']);
    const r2 = await c.fetch({ cursor: r.nextCursor });
    expect(r2.items).toEqual([]);
    expect(srv.requests.map((q) => q.path)).toEqual(['/feed', '/a', '/b', '/feed']);
  });
});

describe('DataFeed', () => {
  it('streams the feed: maps each ClaimReview, reports items without a claim', async () => {
    const got: NormalizedFactCheck[] = [];
    const reasons: string[] = [];
    // Tiny chunks: the parser must work across chunk boundaries.
    const chunks = datafeed.match(/[\s\S]{1,17}/g)!;
    const stats = await readDataFeed(Readable.from(chunks), {
      source: 'df',
      onReview: (f) => got.push(f),
      onFailure: (f) => reasons.push(f.reason),
    });
    expect(stats).toEqual({ elements: 3, reviews: 2, error: null });
    expect(got.map((f) => [f.claim, f.rating, f.lang])).toEqual([
      ['Een stem die met potlood is uitgebracht, is ongeldig.', 'Onwaar', 'nl'],
      ['Wind turbines use more energy than they make.', 'False', 'en'],
    ]);
    expect(reasons).toEqual(['ClaimReview has no claimReviewed', 'DataFeed element holds no ClaimReview']);
  });

  it('keeps what came before a truncation and reports the break', async () => {
    const got: NormalizedFactCheck[] = [];
    const cut = datafeed.slice(0, datafeed.indexOf('"Wind turbines'));
    const stats = await readDataFeed(Readable.from([cut]), {
      source: 'df',
      onReview: (f) => got.push(f),
      onFailure: () => undefined,
    });
    expect(got).toHaveLength(1);
    expect(stats.elements).toBe(1);
    expect(stats.error).toBeTruthy();
  });

  describe('connector', () => {
    let srv: LocalServer;
    beforeEach(async () => {
      srv = await startLocalServer();
    });
    afterEach(async () => {
      await srv.close();
    });

    it('filters by language and date cursor; a truncated download keeps the old cursor', async () => {
      let body = datafeed;
      srv.route('/data.json', (_req, res) => res.end(body));
      const c = createDataFeedConnector(
        { kind: 'factcheck-datafeed', name: 'df', url: `${srv.origin}/data.json`, langs: ['nl'] } as Parameters<
          typeof createDataFeedConnector
        >[0],
        { http: new HttpClient({ allowedHosts: [srv.host] }) },
      );
      const r = await c.fetch({ cursor: null });
      expect(fcs(r.items).map((f) => f.lang)).toEqual(['nl']);
      expect(r.skipped).toEqual({ language: 1 });
      expect(r.nextCursor).toBe('2025-10-28T00:00:00.000Z');
      const r2 = await c.fetch({ cursor: r.nextCursor });
      expect(r2.items).toHaveLength(1); // same day: kept, de-duplicated by id downstream
      expect(r2.skipped).toMatchObject({ old: 1 });
      body = datafeed.slice(0, datafeed.indexOf('"Wind turbines'));
      const r3 = await c.fetch({ cursor: '2025-01-01T00:00:00.000Z' });
      expect(r3.nextCursor).toBe('2025-01-01T00:00:00.000Z');
      expect(r3.warnings?.join()).toMatch(/broke off/);
    });
  });
});

describe('Google Fact Check Tools connector', () => {
  let srv: LocalServer;
  beforeEach(async () => {
    srv = await startLocalServer();
  });
  afterEach(async () => {
    await srv.close();
  });

  it('does nothing without a key; with one it pages through claims:search', async () => {
    srv.route('/v1alpha1/claims:search', (_req, res, url) => {
      const second = url.searchParams.get('pageToken') === 'p2';
      res.end(
        JSON.stringify(
          second
            ? {
                claims: [
                  {
                    text: 'B',
                    claimReview: [
                      {
                        url: 'https://f.example/b',
                        publisher: { site: 'f.example' },
                        reviewDate: '2025-10-02T00:00:00Z',
                      },
                    ],
                  },
                ],
              }
            : {
                claims: [
                  {
                    text: 'A',
                    claimant: 'X',
                    claimDate: '2025-09-30T00:00:00Z',
                    claimReview: [
                      {
                        url: 'https://f.example/a',
                        publisher: { name: 'F' },
                        textualRating: 'Onwaar',
                        languageCode: 'nl',
                        reviewDate: '2025-10-01T00:00:00Z',
                      },
                    ],
                  },
                  { claimReview: [] },
                ],
                nextPageToken: 'p2',
              },
        ),
      );
    });
    const http = new HttpClient({ allowedHosts: [srv.host] });
    const base = { kind: 'google-factcheck', name: 'g', apiUrl: srv.origin, query: 'verkiezingen' } as const;
    const off = await createGoogleFactCheckConnector(base as Parameters<typeof createGoogleFactCheckConnector>[0], {
      http,
    }).fetch({ cursor: null });
    expect(off.items).toEqual([]);
    expect(srv.requests).toHaveLength(0);
    const r = await createGoogleFactCheckConnector(
      { ...base, apiKey: 'SECRETKEY' } as Parameters<typeof createGoogleFactCheckConnector>[0],
      { http },
    ).fetch({ cursor: null });
    expect(fcs(r.items)).toEqual([
      expect.objectContaining({
        claim: 'A',
        claimant: 'X',
        rating: 'Onwaar',
        publisher: 'F',
        lang: 'nl',
        reviewUrl: 'https://f.example/a',
        claimDate: '2025-09-30T00:00:00.000Z',
      }),
      expect.objectContaining({ claim: 'B', publisher: 'f.example' }),
    ]);
    expect(r.failed).toEqual([expect.objectContaining({ reason: 'claim has no text' })]);
    expect(r.nextCursor).toBe('2025-10-02T00:00:00.000Z');
    expect(srv.requests[0]!.path).toContain('languageCode=nl');
  });
});

// Hostile input (issue 12). The timeouts only catch a regression to quadratic work; the linear code takes well
// under a second for these sizes, the old code took tens of seconds.
describe('ClaimReview and DataFeed parsing on hostile input', () => {
  it('numbers 8,000 reviews of one URL in linear time, ids unique and stable', { timeout: 10_000 }, () => {
    const review = {
      '@type': 'ClaimReview',
      claimReviewed: 'Bewering',
      url: 'https://factcheck.example/a',
      reviewRating: { alternateName: 'Onwaar' },
    };
    const html = `<script type="application/ld+json">${JSON.stringify(Array.from({ length: 8_000 }, () => review))}</script>`;
    const r = extractClaimReviews(html, { source: 's' });
    expect(r.factchecks).toHaveLength(8_000);
    expect(new Set(r.factchecks.map((f) => f.id)).size).toBe(8_000);
    expect(r.factchecks.slice(0, 3).map((f) => f.id)).toEqual([
      'factcheck:https://factcheck.example/a',
      'factcheck:https://factcheck.example/a#2',
      'factcheck:https://factcheck.example/a#3',
    ]);
  });

  it('streams a DataFeed with a 40,000-deep unused key in linear time', { timeout: 10_000 }, async () => {
    const deep = `${'{"k":'.repeat(40_000)}1${'}'.repeat(40_000)}`;
    const feed = datafeed.replace('{', `{"unused": ${deep}, `);
    const got: NormalizedFactCheck[] = [];
    const stats = await readDataFeed(Readable.from([feed]), {
      source: 'df',
      onReview: (f) => got.push(f),
      onFailure: () => undefined,
    });
    expect(stats).toEqual({ elements: 3, reviews: 2, error: null });
  });
});
