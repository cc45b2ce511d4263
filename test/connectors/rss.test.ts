// RSS 2.0 / Atom connector: parsing both formats, duplicate guids, conditional GET with ETag / 304, fact-check mode.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedFactCheck, NormalizedPost } from '../../pipelines/types.ts';
import { HttpClient } from '../../connectors/http-client.ts';
import { FeedParseError, createRssConnector, parseFeed } from '../../connectors/rss.ts';
import { OWN_FIXTURES, fixture, startLocalServer } from './local-server.ts';
import type { LocalServer } from './local-server.ts';

const rss = fixture(OWN_FIXTURES, 'feed-rss.xml');
const atom = fixture(OWN_FIXTURES, 'feed-atom.xml');

describe('parseFeed', () => {
  it('reads RSS 2.0 items with HTML description as text and RFC 822 dates as ISO', () => {
    const f = parseFeed(rss);
    expect(f.format).toBe('rss');
    expect(f.title).toBe('Voorbeeld Factcheckers');
    expect(f.lang).toBe('nl-NL');
    expect(f.entries).toHaveLength(4);
    expect(f.entries[0]).toMatchObject({
      guid: 'https://factcheck.example/?p=1001',
      link: 'https://factcheck.example/2025/10/potlood/',
      date: '2025-10-28T08:15:00.000Z',
      author: 'Redactie',
      links: ['https://www.kiesraad.nl/'],
    });
    expect(f.entries[0]!.text).toBe(
      'Op sociale media gaat het bericht rond dat een stem met potlood ongeldig is. Dat klopt niet, zegt de Kiesraad.',
    );
    expect(f.entries[1]!.text).toBe('Een video & de context.');
    expect(f.entries[3]!.date).toBeNull();
  });

  it('reads Atom entries: alternate link, published date, html and text content', () => {
    const f = parseFeed(atom);
    expect(f.format).toBe('atom');
    expect(f.lang).toBe('nl');
    expect(f.link).toBe('https://news.example/');
    expect(f.entries[0]).toMatchObject({
      guid: 'tag:news.example,2025:kabinet',
      title: 'Kabinet valt niet',
      link: 'https://news.example/2025/10/28/kabinet',
      date: '2025-10-28T10:30:00.000Z',
      author: 'Verslaggever',
      text: 'Het kabinet blijft zitten. Zie Rijksoverheid.',
    });
    expect(f.entries[1]).toMatchObject({ date: '2025-10-27T08:00:00.000Z', text: 'Platte tekst: 5 < 7' });
  });

  it('rejects documents that are not feeds', () => {
    expect(() => parseFeed('<html><body>hi</body></html>')).toThrow(FeedParseError);
    expect(() => parseFeed('')).toThrow(FeedParseError);
  });
});

describe('RSS connector', () => {
  let srv: LocalServer;
  beforeEach(async () => {
    srv = await startLocalServer();
  });
  afterEach(async () => {
    await srv.close();
  });

  function connector(extra: Record<string, unknown> = {}) {
    return createRssConnector(
      { kind: 'rss', name: 'vb', url: `${srv.origin}/feed/`, ...extra } as Parameters<typeof createRssConnector>[0],
      { http: new HttpClient({ allowedHosts: [srv.host] }) },
    );
  }

  it('emits posts once per guid, rejects undated items, and uses ETag for a 304 next time', async () => {
    srv.route('/feed/', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { etag: '"v1"', 'content-type': 'application/rss+xml' }).end(rss);
    });
    const c = connector();
    const r = await c.fetch({ cursor: null });
    const posts = r.items.map((i) => (i as { post: NormalizedPost }).post);
    expect(posts.map((p) => p.id)).toEqual(['https://factcheck.example/?p=1001', 'https://factcheck.example/?p=1000']);
    expect(posts[0]).toMatchObject({
      source: 'rss',
      url: 'https://factcheck.example/2025/10/potlood/',
      lang: 'nl-NL',
      author: { id: 'rss:factcheck.example' },
    });
    expect(posts[0]!.text.startsWith('Nee, stemmen met potlood is niet ongeldig\n\nOp sociale media')).toBe(true);
    expect(r.skipped).toEqual({ duplicate: 1 });
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]!.reason).toMatch(/no valid date/);

    const r2 = await c.fetch({ cursor: r.nextCursor });
    expect(srv.requests[1]!.headers['if-none-match']).toBe('"v1"');
    expect(r2.items).toEqual([]);
    expect(r2.nextCursor).toBe(r.nextCursor);
  });

  it('remembers guids across calls when the server ignores conditional GET', async () => {
    srv.route('/feed/', (_req, res) => res.end(rss));
    const c = connector();
    const r = await c.fetch({ cursor: null });
    const r2 = await c.fetch({ cursor: r.nextCursor });
    expect(r2.items).toEqual([]);
    expect(r2.skipped).toEqual({ duplicate: 3 });
  });

  it('emits fact-checks for fact-checker feeds', async () => {
    srv.route('/feed/', (_req, res) => res.end(rss));
    const r = await connector({ emit: 'factcheck', publisher: 'Voorbeeld' }).fetch({ cursor: null });
    const f = (r.items[0] as { factcheck: NormalizedFactCheck }).factcheck;
    expect(r.items[0]!.type).toBe('factcheck');
    expect(f).toMatchObject({
      id: 'factcheck:https://factcheck.example/2025/10/potlood/',
      claim: 'Nee, stemmen met potlood is niet ongeldig',
      publisher: 'Voorbeeld',
      reviewedAt: '2025-10-28T08:15:00.000Z',
      lang: 'nl-NL',
    });
  });

  it('fails clearly on a document that is not a feed', async () => {
    srv.route('/feed/', (_req, res) => res.end('<html>moved</html>'));
    await expect(connector().fetch({ cursor: null })).rejects.toMatchObject({
      name: 'ConnectorError',
      retriable: false,
    });
  });
});
