// Mastodon connector against the real recorded timeline served locally: mapping, Link pagination, min_id cursor,
// rate-limit headers, a disabled public timeline (401, empty) and truncated JSON.
import type { ConnectorItem } from '../../connectors/connector.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceUnavailableError } from '../../connectors/connector.ts';
import type { NormalizedPost } from '../../pipelines/types.ts';
import { HttpClient } from '../../connectors/http-client.ts';
import { createMastodonConnector, mapMastodonStatus, parseLinkHeader } from '../../connectors/mastodon.ts';
import { REAL_FIXTURES, fixture, replayRecord, startLocalServer } from './local-server.ts';
import type { LocalServer } from './local-server.ts';

type Rec = { response: { status: number; headers: Record<string, string>; body: Array<Record<string, unknown>> } };
const timeline = JSON.parse(fixture(REAL_FIXTURES, 'mastodon-timeline-tag.json')) as Rec;
const statuses = timeline.response.body;

let srv: LocalServer;
let http: HttpClient;
beforeEach(async () => {
  srv = await startLocalServer();
  http = new HttpClient({ allowedHosts: [srv.host], sleep: async () => undefined });
});
afterEach(async () => {
  await srv.close();
});

function source(extra: Record<string, unknown> = {}) {
  return {
    kind: 'mastodon' as const,
    name: 'test',
    instanceUrl: srv.origin,
    timeline: 'tag' as const,
    tag: 'rstats',
    limit: 5,
    maxPages: 3,
    enabled: true,
    local: false,
    minRateLimitRemaining: 5,
    ...extra,
  };
}

const posts = (items: ConnectorItem[]): NormalizedPost[] => items.flatMap((i) => (i.type === 'post' ? [i.post] : []));

describe('mapMastodonStatus', () => {
  it('maps the real statuses: uri as id, no HTML left, tags, account fields, ISO dates', () => {
    for (const s of statuses) {
      const r = mapMastodonStatus(s);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.post.id).toBe(s.uri);
      expect(r.post.text).not.toMatch(/<\/?[a-z][^>]*>/i);
      expect(r.post.text).not.toMatch(/&(amp|lt|gt|quot|#\d+);/);
      expect(new Date(r.post.createdAt).toISOString()).toBe(r.post.createdAt);
      const acc = s.account as Record<string, unknown>;
      expect(r.post.author).toMatchObject({
        id: acc.uri,
        followers: acc.followers_count,
        following: acc.following_count,
        posts: acc.statuses_count,
        bot: acc.bot,
        displayName: acc.display_name,
      });
      expect(r.post.hashtags).toEqual((s.tags as Array<{ name: string }>).map((t) => t.name));
    }
    const first = mapMastodonStatus(statuses[0]);
    expect(first.ok && first.post.links).toContain('https://www.simonpcouch.com/blog/2025-07-17-claude-code-2/');
    expect(first.ok && first.post.text).toContain('#rstats package documentation');
    const withCard = mapMastodonStatus(statuses[2]);
    expect(withCard.ok && withCard.post.links).toContain('https://github.com/cloudyr/aws.s3/pull/438');
  });

  it('turns a boost into a post with the original text and repostOf', () => {
    const original = statuses[0]!;
    const boost = {
      ...statuses[1],
      id: '999',
      uri: 'https://mastodon.social/users/x/statuses/999/activity',
      url: null,
      content: '',
      tags: [],
      reblog: original,
    };
    const r = mapMastodonStatus(boost);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.post.id).toBe(boost.uri);
    expect(r.post.repostOf).toBe(original.uri);
    expect(r.post.text).toContain('Claude Code');
    expect(r.post.hashtags).toEqual(['rstats']);
  });

  it('rejects statuses without uri, date or account, with a reason', () => {
    expect(mapMastodonStatus({ ...statuses[0], uri: undefined })).toEqual({ ok: false, reason: 'status has no uri' });
    expect(mapMastodonStatus({ ...statuses[0], created_at: 'yesterday' })).toMatchObject({ ok: false });
    expect(mapMastodonStatus({ ...statuses[0], account: null })).toMatchObject({ ok: false });
    expect(mapMastodonStatus('nope')).toMatchObject({ ok: false });
  });

  it('parses the recorded Link header', () => {
    const links = parseLinkHeader(timeline.response.headers.link!);
    expect(links.next).toContain('max_id=114869144089828147');
    expect(links.prev).toContain('min_id=114870142396314555');
  });
});

describe('Mastodon connector', () => {
  it('reads the recorded timeline and pages back through the Link header on a first read', async () => {
    const rewrite = (s: string): string => s.replaceAll('https://mastodon.social', srv.origin);
    srv.route('/api/v1/timelines/tag/rstats', (req, res, url) => {
      if (url.searchParams.get('max_id')) {
        // page 2: the two older statuses, and no further Link
        res
          .writeHead(200, { 'content-type': 'application/json', 'x-ratelimit-remaining': '290' })
          .end(JSON.stringify(statuses.slice(3)));
        return;
      }
      replayRecord({ response: { ...timeline.response, body: statuses.slice(0, 3) } }, rewrite)(req, res, url);
    });
    const c = createMastodonConnector(source(), { http });
    const r = await c.fetch({ cursor: null });
    expect(srv.requests.map((q) => q.path)).toHaveLength(2);
    expect(srv.requests[1]!.path).toContain('max_id=114869144089828147');
    expect(posts(r.items).map((p) => p.id)).toEqual(statuses.map((s) => s.uri));
    expect(r.nextCursor).toBe('114870142396314555');
    expect(r.failed).toEqual([]);
  });

  it('with a cursor asks min_id and follows rel="prev" to newer pages', async () => {
    let calls = 0;
    srv.route('/api/v1/timelines/tag/rstats', (_req, res, url) => {
      calls++;
      const min = url.searchParams.get('min_id');
      if (min === '100') {
        res
          .writeHead(200, { link: `<${srv.origin}/api/v1/timelines/tag/rstats?min_id=114869631572884594>; rel="prev"` })
          .end(JSON.stringify(statuses.slice(3)));
      } else if (min === '114869631572884594') {
        res
          .writeHead(200, { link: `<${srv.origin}/api/v1/timelines/tag/rstats?min_id=114870142396314555>; rel="prev"` })
          .end(JSON.stringify(statuses.slice(0, 2)));
      } else res.writeHead(200).end('[]');
    });
    const r = await createMastodonConnector(source(), { http }).fetch({ cursor: '100' });
    expect(srv.requests[0]!.path).toContain('min_id=100');
    expect(calls).toBe(3); // two pages with statuses, then an empty one ends paging
    expect(r.items).toHaveLength(4);
    expect(r.nextCursor).toBe('114870142396314555');
  });

  it('stops paging when X-RateLimit-Remaining is low and says when to come back', async () => {
    srv.route(
      '/api/v1/timelines/tag/rstats',
      replayRecord({
        response: {
          ...timeline.response,
          headers: {
            ...timeline.response.headers,
            'x-ratelimit-remaining': '2',
            link: `<${srv.origin}/api/v1/timelines/tag/rstats?max_id=1>; rel="next"`,
          },
        },
      }),
    );
    const r = await createMastodonConnector(source(), { http }).fetch({ cursor: null });
    expect(srv.requests).toHaveLength(1);
    expect(r.items).toHaveLength(5);
    expect(r.notBeforeMs).toBe(Date.parse('2025-07-17T20:05:00.290188Z'));
    expect(r.warnings?.join()).toMatch(/rate limit/);
  });

  it('reports an instance whose public timeline needs a login (401) clearly and as not retriable', async () => {
    srv.route('/api/v1/timelines/public', (_req, res) =>
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"error":"This method requires an authenticated user"}'),
    );
    const err = (await createMastodonConnector(source({ timeline: 'public', tag: undefined }), { http })
      .fetch({ cursor: null })
      .catch((e: unknown) => e)) as SourceUnavailableError;
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(err.retriable).toBe(false);
    expect(err.message).toMatch(/public timeline needs a login.*HTTP 401/);
  });

  it('warns when a first read of a timeline is empty', async () => {
    srv.route('/api/v1/timelines/public', (_req, res) => res.end('[]'));
    const r = await createMastodonConnector(source({ timeline: 'public', tag: undefined }), { http }).fetch({
      cursor: null,
    });
    expect(r.items).toEqual([]);
    expect(r.warnings?.join()).toMatch(/no statuses at all.*disabled/);
  });

  it('throws a retriable error on truncated JSON, and skips a malformed status', async () => {
    srv.route('/api/v1/timelines/tag/rstats', (_req, res) => res.end(JSON.stringify(statuses).slice(0, 500)));
    await expect(createMastodonConnector(source(), { http }).fetch({ cursor: null })).rejects.toMatchObject({
      name: 'ConnectorError',
      retriable: true,
    });
    srv.route('/api/v1/timelines/tag/rstats', (_req, res) =>
      res.end(JSON.stringify([statuses[0], { id: '5', content: '<p>x</p>' }])),
    );
    const r = await createMastodonConnector(source(), { http }).fetch({ cursor: null });
    expect(r.items).toHaveLength(1);
    expect(r.failed).toEqual([expect.objectContaining({ reason: 'status has no uri' })]);
  });
});
