// Bluesky Jetstream connector against a local WebSocket server (ws) and a local getProfiles endpoint: the real
// recorded events, a disconnect mid-batch with resume and no loss or duplicates, a cursor resume with rewind,
// deletes as tombstones, profile batches and their cache.
import type { ConnectorItem } from '../../connectors/connector.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { NormalizedPost } from '../../pipelines/types.ts';
import { createBlueskyConnector, mapJetstreamEvent } from '../../connectors/bluesky.ts';
import { HttpClient } from '../../connectors/http-client.ts';
import { REAL_FIXTURES, fixture, startLocalServer } from './local-server.ts';
import type { LocalServer } from './local-server.ts';

const realEvents = fixture(REAL_FIXTURES, 'bluesky-jetstream-events.jsonl').split('\n').filter(Boolean);

const T0 = 1_761_638_400_000_000; // 2025-10-28T08:00:00Z in microseconds
function postEvent(i: number, did = `did:plc:user${i % 3}`): Record<string, unknown> {
  return {
    did,
    time_us: T0 + i * 1_000_000,
    kind: 'commit',
    commit: {
      rev: `r${i}`,
      operation: 'create',
      collection: 'app.bsky.feed.post',
      rkey: `rk${i}`,
      cid: `c${i}`,
      record: {
        $type: 'app.bsky.feed.post',
        text: `bericht ${i} #tk2025`,
        createdAt: new Date((T0 + i * 1_000_000) / 1000).toISOString(),
        langs: ['nl'],
        facets: [
          {
            index: { byteStart: 11, byteEnd: 18 },
            features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'tk2025' }],
          },
        ],
      },
    },
  };
}

interface Jet {
  wss: WebSocketServer;
  url: string;
  events: Array<Record<string, unknown>>;
  connections: string[];
  dropAfter: number[];
}

async function startJetstream(): Promise<Jet> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const jet: Jet = { wss, url: '', events: [], connections: [], dropAfter: [] };
  const addr = wss.address() as { port: number };
  jet.url = `ws://127.0.0.1:${addr.port}/subscribe`;
  wss.on('connection', (ws: WebSocket, req) => {
    const u = new URL(req.url ?? '/', 'http://x');
    jet.connections.push(u.search);
    const cursor = u.searchParams.get('cursor');
    const from = jet.events.filter((e) => cursor === null || (e.time_us as number) >= Number(cursor));
    const limit = jet.dropAfter.shift(); // drop the connection after this many events (simulated network loss)
    from.slice(0, limit ?? from.length).forEach((e) => ws.send(JSON.stringify(e)));
    if (limit !== undefined) setTimeout(() => ws.terminate(), 5);
  });
  return jet;
}

let jet: Jet;
let api: LocalServer;
let profileRequests: string[][];
beforeEach(async () => {
  jet = await startJetstream();
  api = await startLocalServer();
  profileRequests = [];
  api.route('/xrpc/app.bsky.actor.getProfiles', (_req, res, url) => {
    const actors = url.searchParams.getAll('actors');
    profileRequests.push(actors);
    const profiles = actors
      .filter((d) => d !== 'did:plc:user2')
      .map((did) => ({
        did,
        handle: `${did.slice(8)}.bsky.social`,
        displayName: 'Naam',
        createdAt: '2025-10-01T00:00:00.000Z',
        followersCount: 3,
        followsCount: 400,
        postsCount: 12,
      }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ profiles }));
  });
});
afterEach(async () => {
  for (const c of jet.wss.clients) c.terminate();
  await new Promise<void>((r) => jet.wss.close(() => r()));
  await api.close();
});

function connector(extra: Record<string, unknown> = {}) {
  const http = new HttpClient({ allowedHosts: [new URL(jet.url).host, api.host], sleep: async () => undefined });
  return createBlueskyConnector(
    {
      kind: 'bluesky',
      name: 'bluesky',
      jetstreamUrl: jet.url,
      maxDurationMs: 400,
      reconnectBaseDelayMs: 1,
      ...extra,
      profiles: { apiUrl: api.origin, ...(extra.profiles as object | undefined) },
    } as Parameters<typeof createBlueskyConnector>[0],
    { http, sleep: async () => undefined },
  );
}

const postsOf = (items: ConnectorItem[]): NormalizedPost[] => items.flatMap((i) => (i.type === 'post' ? [i.post] : []));

describe('mapJetstreamEvent', () => {
  it('maps the recorded events: one post with its reply, everything else skipped, nothing rejected', () => {
    const results = realEvents.map((l) => mapJetstreamEvent(JSON.parse(l)));
    const posts = results.filter((r) => r.kind === 'post');
    expect(posts).toHaveLength(1);
    const p = (posts[0] as { post: NormalizedPost }).post;
    expect(p.id).toBe('at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/3mmoojp4cd223');
    expect(p.replyTo).toBe('at://did:plc:j76trmiofvaxxpvx2vnb2vwf/app.bsky.feed.post/3mmojbrjwbs26');
    expect(p.createdAt).toBe('2026-05-25T14:23:28.757Z');
    expect(p.lang).toBe('en');
    expect(results.filter((r) => r.kind === 'error')).toEqual([]);
    expect(results.filter((r) => r.kind === 'skip').map((r) => (r as { what: string }).what)).toEqual(
      expect.arrayContaining(['feed.like', 'feed.repost', 'graph.follow', 'identity', 'account']),
    );
  });

  it('maps facets, quotes and post deletes', () => {
    const quote = mapJetstreamEvent({
      did: 'did:plc:a',
      time_us: 1,
      kind: 'commit',
      commit: {
        operation: 'create',
        collection: 'app.bsky.feed.post',
        rkey: 'k',
        record: {
          text: 'zie dit',
          createdAt: '2025-10-28T10:00:00Z',
          tags: ['extra'],
          facets: [{ features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://nos.nl/x' }] }],
          embed: {
            $type: 'app.bsky.embed.recordWithMedia',
            record: { record: { uri: 'at://did:plc:b/app.bsky.feed.post/q' } },
            media: { $type: 'app.bsky.embed.external', external: { uri: 'https://ad.nl/y' } },
          },
        },
      },
    });
    expect(quote.kind).toBe('post');
    const p = (quote as { post: NormalizedPost }).post;
    expect(p.links).toEqual(['https://nos.nl/x', 'https://ad.nl/y']);
    expect(p.hashtags).toEqual(['extra']);
    expect(p.quoteOf).toBe('at://did:plc:b/app.bsky.feed.post/q');
    expect(
      mapJetstreamEvent({
        did: 'did:plc:a',
        time_us: 2,
        kind: 'commit',
        commit: { operation: 'delete', collection: 'app.bsky.feed.post', rkey: 'k' },
      }),
    ).toEqual({ kind: 'tombstone', id: 'at://did:plc:a/app.bsky.feed.post/k', timeUs: 2 });
    expect(
      mapJetstreamEvent({
        did: 'did:plc:a',
        kind: 'commit',
        commit: { operation: 'create', collection: 'app.bsky.feed.post', rkey: 'k', record: { createdAt: 'x' } },
      }).kind,
    ).toBe('error');
    expect(mapJetstreamEvent(42).kind).toBe('error');
  });
});

describe('Bluesky connector', () => {
  it('reads the recorded events from the socket and returns the highest time_us as cursor', async () => {
    jet.events = realEvents.map((l) => JSON.parse(l) as Record<string, unknown>);
    const r = await connector({ profiles: { enabled: false } }).fetch({ cursor: null });
    expect(postsOf(r.items)).toHaveLength(1);
    expect(r.nextCursor).toBe(String(Math.max(...jet.events.map((e) => e.time_us as number))));
    expect(r.skipped?.['feed.like']).toBe(1);
    expect(jet.connections[0]).toContain('wantedCollections=app.bsky.feed.post');
  });

  it('survives a disconnect mid-batch: resumes with rewind, no loss, no duplicates', async () => {
    jet.events = Array.from({ length: 30 }, (_, i) => postEvent(i));
    jet.dropAfter = [12];
    const c = connector();
    const r = await c.fetch({ cursor: null });
    expect(jet.connections).toHaveLength(2);
    const resumeCursor = Number(new URL(`http://x/${jet.connections[1]}`).searchParams.get('cursor'));
    expect(resumeCursor).toBe(T0 + 11 * 1_000_000 - 5_000_000); // last seen minus 5 s rewind
    const ids = postsOf(r.items).map((p) => p.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(r.skipped?.replayed).toBe(6); // events 6..11 sent again by the rewind
    expect(r.nextCursor).toBe(String(T0 + 29 * 1_000_000));

    // Next call from the cursor: the rewind replays the last 5 s, only the new events come out.
    jet.events.push(...Array.from({ length: 5 }, (_, i) => postEvent(30 + i)));
    const r2 = await c.fetch({ cursor: r.nextCursor });
    expect(postsOf(r2.items).map((p) => p.id)).toEqual(
      Array.from({ length: 5 }, (_, i) => `at://did:plc:user${(30 + i) % 3}/app.bsky.feed.post/rk${30 + i}`),
    );
    expect(r2.nextCursor).toBe(String(T0 + 34 * 1_000_000));
  });

  it('turns post deletes into tombstones', async () => {
    jet.events = [
      postEvent(1),
      {
        did: 'did:plc:user1',
        time_us: T0 + 2_000_000,
        kind: 'commit',
        commit: { operation: 'delete', collection: 'app.bsky.feed.post', rkey: 'rk1' },
      },
    ];
    const r = await connector({ profiles: { enabled: false } }).fetch({ cursor: null });
    expect(r.items).toContainEqual({
      type: 'tombstone',
      id: 'at://did:plc:user1/app.bsky.feed.post/rk1',
      source: 'bluesky',
    });
  });

  it('fetches profiles in batches of at most 25 and caches them, including misses', async () => {
    jet.events = Array.from({ length: 40 }, (_, i) => postEvent(i, `did:plc:acct${i}`));
    jet.events.push(postEvent(40, 'did:plc:user2'));
    const c = connector();
    const r = await c.fetch({ cursor: null });
    expect(profileRequests.map((b) => b.length)).toEqual([25, 16]);
    const p = postsOf(r.items).find((x) => x.author.id === 'did:plc:acct3')!;
    expect(p.author).toMatchObject({
      handle: 'acct3.bsky.social',
      followers: 3,
      following: 400,
      posts: 12,
      createdAt: '2025-10-01T00:00:00.000Z',
    });
    expect(postsOf(r.items).find((x) => x.author.id === 'did:plc:user2')!.author).toEqual({ id: 'did:plc:user2' });
    jet.events = [postEvent(50, 'did:plc:acct3'), postEvent(51, 'did:plc:user2')];
    await c.fetch({ cursor: null });
    expect(profileRequests).toHaveLength(2); // both came from the cache
  });

  it('keeps only the configured declared languages', async () => {
    const en = postEvent(2);
    ((en.commit as Record<string, unknown>).record as Record<string, unknown>).langs = ['en'];
    jet.events = [postEvent(1), en];
    const r = await connector({ langs: ['nl'], profiles: { enabled: false } }).fetch({ cursor: null });
    expect(postsOf(r.items)).toHaveLength(1);
    expect(r.skipped?.language).toBe(1);
  });

  it('fails with a retriable error when the socket cannot be opened, and refuses unconfigured hosts', async () => {
    const open = new HttpClient({ allowedHosts: ['127.0.0.1:1'] });
    const dead = createBlueskyConnector(
      {
        kind: 'bluesky',
        name: 'b',
        jetstreamUrl: 'ws://127.0.0.1:1/subscribe',
        maxReconnects: 1,
        reconnectBaseDelayMs: 1,
        profiles: { enabled: false },
      } as Parameters<typeof createBlueskyConnector>[0],
      { http: open },
    );
    await expect(dead.fetch({ cursor: null })).rejects.toMatchObject({ name: 'ConnectorError', retriable: true });
    const http = new HttpClient({ allowedHosts: [api.host] });
    const c = createBlueskyConnector(
      { kind: 'bluesky', name: 'b', jetstreamUrl: jet.url } as Parameters<typeof createBlueskyConnector>[0],
      { http },
    );
    await expect(c.fetch({ cursor: null })).rejects.toMatchObject({ name: 'HostNotAllowedError' });
    expect(jet.connections).toHaveLength(0);
  });
});
