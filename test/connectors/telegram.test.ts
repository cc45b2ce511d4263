// Telegram t.me/s connector: the page parser on a recorded-format page (text not the quoted reply, views, forwards,
// missing parts) and ?before= pagination from a cursor against a local server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NormalizedPost } from '../../pipelines/types.ts';
import { HttpClient } from '../../connectors/http-client.ts';
import { createTelegramConnector, parseTelegramCount, parseTelegramPage } from '../../connectors/telegram.ts';
import { OWN_FIXTURES, fixture, startLocalServer } from './local-server.ts';
import type { LocalServer } from './local-server.ts';

const page = fixture(OWN_FIXTURES, 'telegram-channel.html');

describe('parseTelegramPage', () => {
  it('reads messages: id, text without the quoted reply, links, hashtags, views, forwards, dates', () => {
    const p = parseTelegramPage(page);
    expect(p.channel).toBe('voorbeeldkanaal');
    expect(p.numbers).toEqual([101, 102, 103, 104]);
    expect(p.before).toBe(101);
    const [a, b, c] = p.posts as [NormalizedPost, NormalizedPost, NormalizedPost];
    expect(a.id).toBe('telegram:voorbeeldkanaal/101');
    expect(a.text).toBe('De stembussen gaan om 07:30 open.\nLees meer: kiesraad.nl/verkiezingen #TK2025 🗳');
    expect(a.links).toEqual(['https://www.kiesraad.nl/verkiezingen']);
    expect(a.hashtags).toEqual(['TK2025']);
    expect(a.views).toBe(6740);
    expect(a.createdAt).toBe('2025-10-28T18:02:11.000Z');
    expect(a.author).toMatchObject({ id: 'telegram:voorbeeldkanaal', handle: 'voorbeeldkanaal', followers: 12300 });
    expect(b.text).toBe('Doorgestuurd bericht met & teken en een link.');
    expect(b.text).not.toContain('GECITEERDE');
    expect(b.repostOf).toBe('telegram:anderkanaal/4455');
    expect(b.forwardedFrom).toBe('Ander Kanaal');
    expect(b.replyTo).toBe('telegram:voorbeeldkanaal/101');
    expect(b.views).toBe(905);
    expect(c.text).toBe(''); // photo only
    expect(c.views).toBe(1_200_000);
    expect(p.failed).toEqual([expect.objectContaining({ reason: 'message telegram:voorbeeldkanaal/104 has no date' })]);
  });

  it('parses counts and survives HTML that is not a channel page', () => {
    expect(parseTelegramCount('6.74K')).toBe(6740);
    expect(parseTelegramCount('12 345')).toBe(12345);
    expect(parseTelegramCount('abc')).toBeNull();
    const empty = parseTelegramPage(
      '<html><body><div class="tgme_widget_message" data-post="bad"></div><p>nothing</body>',
    );
    expect(empty.posts).toEqual([]);
    expect(empty.failed).toHaveLength(1);
  });
});

describe('Telegram connector', () => {
  let srv: LocalServer;
  beforeEach(async () => {
    srv = await startLocalServer();
  });
  afterEach(async () => {
    await srv.close();
  });

  it('pages back with ?before= until it reaches the cursor, and returns the newest number', async () => {
    const older = page
      .replaceAll('voorbeeldkanaal/10', 'voorbeeldkanaal/9')
      .replace('data-before="101"', 'data-before="91"');
    srv.route('/s/voorbeeldkanaal', (_req, res, url) =>
      res.end(url.searchParams.get('before') === '101' ? older : page),
    );
    const http = new HttpClient({ allowedHosts: [srv.host] });
    const c = createTelegramConnector(
      { kind: 'telegram', name: 't', channel: 'voorbeeldkanaal', baseUrl: srv.origin } as Parameters<
        typeof createTelegramConnector
      >[0],
      { http },
    );
    const r = await c.fetch({ cursor: '92' });
    expect(srv.requests.map((q) => q.path)).toEqual(['/s/voorbeeldkanaal', '/s/voorbeeldkanaal?before=101']);
    const ids = r.items.map((i) => (i as { post: NormalizedPost }).post.id);
    expect(ids).toEqual([
      'telegram:voorbeeldkanaal/101',
      'telegram:voorbeeldkanaal/102',
      'telegram:voorbeeldkanaal/103',
      'telegram:voorbeeldkanaal/93',
    ]);
    expect(r.nextCursor).toBe('104');
    expect(r.failed.length).toBe(2); // the undated message on each page

    const again = await c.fetch({ cursor: '104' });
    expect(again.items).toEqual([]);
    expect(again.nextCursor).toBe('104');
  });

  it('reports a page without a channel preview as not retriable', async () => {
    srv.route('/s/voorbeeldkanaal', (_req, res) => res.end('<html><body>Bekijk in Telegram</body></html>'));
    const c = createTelegramConnector(
      { kind: 'telegram', name: 't', channel: 'voorbeeldkanaal', baseUrl: srv.origin } as Parameters<
        typeof createTelegramConnector
      >[0],
      { http: new HttpClient({ allowedHosts: [srv.host] }) },
    );
    const err = await c.fetch({ cursor: null }).then(
      () => null,
      (e: unknown) => e as { retriable?: boolean; message?: string },
    );
    expect(err?.retriable).toBe(false);
    expect(err?.message).toMatch(/no channel preview/);
  });
});

describe('parseTelegramPage on hostile markup', () => {
  it('reads a page whose message nests 10,000 spans, keeping the other messages', () => {
    const deep = `${'<span>'.repeat(10_000)}heel diep${'</span>'.repeat(10_000)}`;
    const hostile = page.replace('De stembussen gaan om', `${deep} De stembussen gaan om`);
    const p = parseTelegramPage(hostile);
    expect(p.numbers).toEqual([101, 102, 103, 104]);
    expect(p.posts[0]!.text).toBe(
      'heel diep De stembussen gaan om 07:30 open.\nLees meer: kiesraad.nl/verkiezingen #TK2025 🗳',
    );
    expect(p.posts.length).toBe(parseTelegramPage(page).posts.length);
  });
});
