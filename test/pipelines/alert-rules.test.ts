// Alert rules: watchlist matching (accents, case, hashtags vs words, domains), quiet hours across midnight and DST
// in Europe/Amsterdam, silences expiring, dedupe and follow-ups, inhibition, closed clusters, election periods.
import { describe, expect, it } from 'vitest';
import {
  buildDigest,
  containsWord,
  decideAlerts,
  digestItem,
  foldText,
  matches,
  quietPeriod,
  watchHits,
} from '../../pipelines/alert-rules.ts';
import type {
  AlertMatchers,
  AlertRoute,
  AlertSubject,
  DecideInput,
  RouteDecision,
  Silence,
  Watchlists,
} from '../../pipelines/alert-rules.ts';
import type { Cluster } from '../../pipelines/types.ts';

const noWatch: Watchlists = { narratives: [], keywords: [], hashtags: [], domains: [] };
const anyMatch: AlertMatchers = {
  clusterIds: [],
  minScore: 0,
  minAccounts: 0,
  minPosts: 0,
  kinds: [],
  languages: [],
  platforms: [],
  triageStatuses: [],
  watch: noWatch,
};

function cluster(over: Partial<Cluster> = {}): Cluster {
  return {
    id: 'c1',
    kinds: ['duplicate_text'],
    score: 0.9,
    pValue: 1e-9,
    posts: ['a', 'b', 'c', 'd'],
    accounts: ['p:1', 'p:2', 'p:3'],
    start: '2026-03-01T10:00:00Z',
    end: '2026-03-01T10:20:00Z',
    reasons: ['r1', 'r2', 'r3'],
    sampleText: 'x',
    links: [],
    hashtags: [],
    languages: ['nl'],
    factchecks: [],
    ...over,
  };
}
const subject = (c: Cluster, texts: string[] = [], extra: Partial<AlertSubject> = {}): AlertSubject => ({
  cluster: c,
  posts: texts.map((t) => ({
    text: t,
    hashtags: (t.match(/#(\S+)/g) ?? []).map((h) => h.slice(1)),
    links: [],
    source: 'mastodon:example',
  })),
  triageStatus: undefined,
  ...extra,
});
function route(over: Partial<AlertRoute> = {}): AlertRoute {
  return {
    name: 'desk',
    language: 'nl',
    match: anyMatch,
    groupWaitMs: 30_000,
    groupIntervalMs: 300_000,
    realert: { growthFactor: 2, onNewKind: true, onFactCheck: true },
    quietHours: null,
    digestEveryHours: null,
    maxAlertsPerHour: 20,
    ...over,
  };
}
function input(over: Partial<DecideInput>): DecideInput {
  return {
    subject: subject(cluster()),
    routes: [route()],
    states: {},
    rates: {},
    silences: [],
    absorbedInto: undefined,
    absorbedCount: 0,
    electionPeriods: [],
    now: Date.parse('2026-03-01T12:00:00Z'),
    ...over,
  };
}

describe('watchlists', () => {
  it('folds case and accents', () => {
    expect(foldText('Vaccín ÉÉN Stembus')).toBe('vaccin een stembus');
    expect(
      watchHits(subject(cluster(), ['Het VACCÍN is gevaarlijk']).posts, { ...noWatch, keywords: ['vaccin'] }),
    ).toEqual(['keyword:vaccin']);
  });
  it('matches whole words only, and a hashtag is not a word', () => {
    expect(containsWord(foldText('vaccinatie werkt'), 'vaccin')).toBe(false);
    expect(containsWord(foldText('#stembus vandaag'), 'stembus')).toBe(false);
    expect(containsWord(foldText('naar de stembus!'), 'stembus')).toBe(true);
    expect(containsWord(foldText('5G-masten'), '5g')).toBe(true);
  });
  it('hashtags match post hashtags only, words match text only', () => {
    const s = subject(cluster(), ['Ga stemmen #Stemfraude']);
    expect(watchHits(s.posts, { ...noWatch, hashtags: ['#stemfraude'] })).toEqual(['hashtag:stemfraude']);
    expect(watchHits(s.posts, { ...noWatch, keywords: ['stemfraude'] })).toEqual([]);
    const w = subject(cluster(), ['Dit is stemfraude']);
    expect(watchHits(w.posts, { ...noWatch, hashtags: ['stemfraude'] })).toEqual([]);
  });
  it('narratives mix words and #hashtags; domains include subdomains', () => {
    const s = {
      ...subject(cluster(), ['straling van de mast #5G']),
      posts: [{ text: 'straling #5G', hashtags: ['5G'], links: ['https://news.Example.org/a'], source: 'x' }],
    };
    expect(
      watchHits(s.posts, {
        ...noWatch,
        narratives: [{ name: '5G', terms: ['#5g'] }],
        domains: ['example.org', 'ample.org'],
      }),
    ).toEqual(['narrative:5G', 'domain:example.org']);
  });
  it('route matchers: all must hold; triage "new" means untriaged', () => {
    const s = subject(cluster({ kinds: ['co_link'], languages: ['en'] }), ['hello']);
    expect(
      matches(s, { kinds: ['co_link'], languages: ['EN'], platforms: ['mastodon'], triageStatuses: ['new'] }),
    ).toBe(true);
    expect(matches(s, { kinds: ['burst'] })).toBe(false);
    expect(matches(s, { platforms: ['telegram'] })).toBe(false);
    expect(matches(s, { minAccounts: 4 })).toBe(false);
    expect(matches({ ...s, triageStatus: 'acknowledged' }, { triageStatuses: ['new'] })).toBe(false);
    expect(matches(s, { watch: { ...noWatch, keywords: ['stembus'] } })).toBe(false);
  });
});

describe('quiet hours in Europe/Amsterdam', () => {
  const q = { from: '22:00', to: '07:00', timeZone: 'Europe/Amsterdam', digestAtEnd: true };
  it('across midnight in winter (UTC+1)', () => {
    expect(quietPeriod(Date.parse('2026-01-15T20:59:00Z'), q).quiet).toBe(false); // 21:59 local
    const r = quietPeriod(Date.parse('2026-01-15T21:00:00Z'), q); // 22:00 local
    expect(r).toEqual({ quiet: true, endsAtMs: Date.parse('2026-01-16T06:00:00Z') });
    expect(quietPeriod(Date.parse('2026-01-16T05:59:00Z'), q).quiet).toBe(true);
    expect(quietPeriod(Date.parse('2026-01-16T06:00:00Z'), q).quiet).toBe(false);
  });
  it('on the spring-forward night the period is one hour shorter', () => {
    // 2026-03-29 02:00 CET → 03:00 CEST. 23:00 local on the 28th = 22:00Z; 07:00 CEST on the 29th = 05:00Z.
    expect(quietPeriod(Date.parse('2026-03-28T22:00:00Z'), q).endsAtMs).toBe(Date.parse('2026-03-29T05:00:00Z'));
  });
  it('on the fall-back night the period is one hour longer', () => {
    // 2026-10-25 03:00 CEST → 02:00 CET. 23:00 CEST on the 24th = 21:00Z; 07:00 CET on the 25th = 06:00Z.
    expect(quietPeriod(Date.parse('2026-10-24T21:00:00Z'), q).endsAtMs).toBe(Date.parse('2026-10-25T06:00:00Z'));
  });
  it('an end inside the skipped hour ends right after the gap', () => {
    const gap = { ...q, from: '01:00', to: '02:30' };
    // 01:30 CET on 2026-03-29 = 00:30Z; 02:30 does not exist, 03:00 CEST = 01:00Z.
    expect(quietPeriod(Date.parse('2026-03-29T00:30:00Z'), gap).endsAtMs).toBe(Date.parse('2026-03-29T01:00:00Z'));
  });
  it('decisions during quiet hours are held for the digest', () => {
    const d = decideAlerts(input({ routes: [route({ quietHours: q })], now: Date.parse('2026-01-15T23:00:00Z') }));
    expect(d).toEqual([
      {
        route: 'desk',
        action: 'suppress',
        reason: 'quiet_hours',
        detail: 'until 2026-01-16T06:00:00.000Z',
        hold: true,
      },
    ]);
  });
});

describe('decisions', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  it('a new cluster is sent after the group wait, once; growth by the factor is a follow-up', () => {
    const [d] = decideAlerts(input({}));
    expect(d).toMatchObject({ action: 'send', kind: 'new', version: 1, notBeforeMs: now + 30_000 });
    const state = (d as Extract<RouteDecision, { action: 'send' }>).state;
    expect(decideAlerts(input({ states: { desk: state } }))[0]).toMatchObject({ action: 'suppress', reason: 'dedupe' });
    const bigger = cluster({ posts: Array.from({ length: 7 }, (_, i) => `p${i}`) });
    expect(decideAlerts(input({ subject: subject(bigger), states: { desk: state } }))[0]).toMatchObject({
      action: 'suppress',
      reason: 'dedupe',
    });
    const doubled = cluster({ posts: Array.from({ length: 8 }, (_, i) => `p${i}`) });
    expect(
      decideAlerts(input({ subject: subject(doubled), states: { desk: state }, now: now + 60_000 }))[0],
    ).toMatchObject({ action: 'send', kind: 'update', version: 2, changes: ['grew'], notBeforeMs: now + 300_000 });
  });
  it('a new kind or a fact-check is a follow-up; a closed cluster is not alerted again', () => {
    const [d] = decideAlerts(input({}));
    const state = (d as Extract<RouteDecision, { action: 'send' }>).state;
    expect(
      decideAlerts(
        input({ subject: subject(cluster({ kinds: ['duplicate_text', 'burst'] })), states: { desk: state } }),
      )[0],
    ).toMatchObject({ action: 'send', changes: ['new_kind'] });
    expect(
      decideAlerts(
        input({
          subject: subject(cluster({ factchecks: [{ url: 'https://fc.example/1', publisher: 'FC' }] })),
          states: { desk: state },
        }),
      )[0],
    ).toMatchObject({ action: 'send', changes: ['factcheck'] });
    expect(
      decideAlerts(
        input({
          subject: { ...subject(cluster({ kinds: ['burst'] })), triageStatus: 'dismissed' },
          states: { desk: state },
        }),
      )[0],
    ).toMatchObject({ action: 'suppress', reason: 'dedupe' });
  });
  it('an absorbed cluster is inhibited', () => {
    expect(decideAlerts(input({ absorbedInto: 'c0' }))[0]).toMatchObject({ action: 'suppress', reason: 'inhibition' });
  });
  it('silences apply until they expire, only to what they match', () => {
    const s: Silence = {
      id: 's1',
      matchers: { kinds: ['duplicate_text'] },
      routes: [],
      createdBy: 'ana',
      comment: 'known',
      startsAtMs: now - 1,
      expiresAtMs: now + 3_600_000,
    };
    expect(decideAlerts(input({ silences: [s] }))[0]).toMatchObject({
      action: 'suppress',
      reason: 'silence',
      detail: 'silence s1',
    });
    expect(decideAlerts(input({ silences: [s], now: now + 3_600_000 }))[0]).toMatchObject({ action: 'send' });
    expect(decideAlerts(input({ silences: [{ ...s, matchers: { kinds: ['burst'] } }] }))[0]).toMatchObject({
      action: 'send',
    });
  });
  it('the rate limit holds new alerts beyond the hourly budget', () => {
    expect(
      decideAlerts(
        input({ routes: [route({ maxAlertsPerHour: 2 })], rates: { desk: { windowStartMs: now - 1000, count: 2 } } }),
      )[0],
    ).toMatchObject({ action: 'suppress', reason: 'rate_limit', hold: true });
    expect(
      decideAlerts(
        input({
          routes: [route({ maxAlertsPerHour: 2 })],
          rates: { desk: { windowStartMs: now - 3_600_000, count: 2 } },
        }),
      )[0],
    ).toMatchObject({ action: 'send' });
  });
  it('an election period shortens the waits', () => {
    const periods = [
      { name: 'TK', from: '2026-03-01T06:00:00Z', to: '2026-03-01T21:00:00Z', groupWaitMs: 0, groupIntervalMs: 60_000 },
    ];
    expect(decideAlerts(input({ electionPeriods: periods }))[0]).toMatchObject({ notBeforeMs: now });
    expect(decideAlerts(input({ electionPeriods: periods, now: Date.parse('2026-03-02T12:00:00Z') }))[0]).toMatchObject(
      { notBeforeMs: Date.parse('2026-03-02T12:00:30Z') },
    );
  });
  it('digest mode and unmatched routes send nothing per cluster', () => {
    expect(
      decideAlerts(
        input({
          routes: [route({ digestEveryHours: 4 }), route({ name: 'en', match: { ...anyMatch, minScore: 0.95 } })],
        }),
      ),
    ).toEqual([
      { route: 'desk', action: 'digest' },
      { route: 'en', action: 'none' },
    ]);
  });
});

describe('digest', () => {
  it('top clusters by score, links by the number of clusters sharing them', () => {
    const t = 1000;
    const items = [
      digestItem(cluster({ id: 'a', score: 0.5, links: ['https://x.nl/1', 'https://y.nl/2'] }), t),
      digestItem(cluster({ id: 'b', score: 0.9, links: ['https://x.nl/1'] }), t + 1),
      digestItem(cluster({ id: 'a', score: 0.7, links: ['https://x.nl/1', 'https://y.nl/2'] }), t + 2),
      digestItem(cluster({ id: 'old', score: 1 }), t - 10),
    ];
    const d = buildDigest(items, t, t + 100, 1, 1);
    expect(d.clusterCount).toBe(2);
    expect(d.top.map((i) => [i.clusterId, i.score])).toEqual([['b', 0.9]]);
    expect(d.links).toEqual([{ url: 'https://x.nl/1', clusters: 2, accounts: 6 }]);
  });
});
