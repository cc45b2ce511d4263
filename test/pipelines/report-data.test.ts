// Report data on a fixed fixture: exact figures for every section, the anonymisation rules and the local-day folding.
import { describe, expect, it } from 'vitest';
import type { PeriodAggregates, ReportClusterInput, TriageOutcome } from '../../pipelines/report-data.ts';
import {
  buildReportData,
  daysOf,
  groupCampaigns,
  localDay,
  previousPeriod,
  scrubText,
} from '../../pipelines/report-data.ts';

const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `p:${p}${String(i + 1).padStart(23, '0')}`);

function cluster(
  over: Partial<ReportClusterInput> & Pick<ReportClusterInput, 'id' | 'start' | 'end' | 'accounts'>,
): ReportClusterInput {
  return {
    kinds: ['duplicate_text'],
    score: 0.5,
    posts: over.accounts.length,
    reasons: [],
    sampleText: null,
    sampleTextAccounts: 0,
    youngAccounts: 0,
    accountsWithAge: over.accounts.length,
    platforms: ['mastodon'],
    languages: ['nl'],
    hashtags: [],
    links: [],
    factchecks: [],
    ...over,
  };
}

const A = cluster({
  id: 'A',
  start: '2023-11-21T09:00:00Z',
  end: '2023-11-21T09:30:00Z',
  accounts: ids('a', 12),
  kinds: ['duplicate_text', 'hashtag_push'],
  score: 0.8,
  hashtags: ['stemfraude'],
  links: ['https://www.stemfraude.example/x?utm=1'],
  sampleText: 'Kijk @jan@social.example https://social.example/@x/1 #stemfraude',
  sampleTextAccounts: 12,
  youngAccounts: 6,
  reasons: ['#stemfraude pushed by p:0123456789abcdef01234567 and @piet'],
  factchecks: [
    {
      url: 'https://nieuwscheckers.nl/fc/1',
      publisher: 'Nieuwscheckers',
      rating: 'Onwaar',
      claim: 'Stembussen gemanipuleerd',
    },
  ],
});
const B = cluster({
  id: 'B',
  start: '2023-11-22T08:00:00Z',
  end: '2023-11-22T08:20:00Z',
  accounts: [...ids('a', 10), ...ids('b', 1)],
  score: 0.6,
  kinds: ['co_link'],
  hashtags: ['stemfraude'],
  links: ['https://stemfraude.example/y'],
  youngAccounts: 5,
  sampleText: 'x',
  sampleTextAccounts: 11,
});
const C = cluster({
  id: 'C',
  start: '2023-11-22T13:00:00Z',
  end: '2023-11-22T14:00:00Z',
  accounts: ids('c', 5),
  score: 0.9,
  hashtags: ['debat'],
  platforms: ['bluesky', 'mastodon'],
  youngAccounts: 4,
  sampleText: 'Iedereen @kijkt naar het debat',
  sampleTextAccounts: 5,
});
const current: PeriodAggregates = {
  from: '2023-11-20T23:00:00.000Z',
  to: '2023-11-22T23:00:00.000Z',
  postHours: [
    { hourMs: Date.parse('2023-11-21T10:00:00Z'), platform: 'mastodon', lang: 'nl', posts: 100 },
    // 23:00 UTC on the 21st is 00:00 on the 22nd in Amsterdam.
    { hourMs: Date.parse('2023-11-21T23:00:00Z'), platform: 'bluesky', lang: 'en', posts: 40 },
    { hourMs: Date.parse('2023-11-22T12:00:00Z'), platform: 'mastodon', lang: 'nl', posts: 60 },
  ],
  clusters: [A, B, C],
};
const previous: PeriodAggregates = {
  ...previousPeriod(current.from, current.to),
  postHours: [{ hourMs: Date.parse('2023-11-19T10:00:00Z'), platform: 'mastodon', lang: 'nl', posts: 50 }],
  clusters: [
    cluster({
      id: 'P1',
      start: '2023-11-19T10:00:00Z',
      end: '2023-11-19T11:00:00Z',
      accounts: ids('d', 3),
      hashtags: ['debat'],
    }),
    cluster({
      id: 'P2',
      start: '2023-11-20T10:00:00Z',
      end: '2023-11-20T11:00:00Z',
      accounts: ids('e', 3),
      hashtags: ['debat'],
    }),
    cluster({
      id: 'P3',
      start: '2023-11-20T12:00:00Z',
      end: '2023-11-20T13:00:00Z',
      accounts: ids('f', 3),
      hashtags: ['oud'],
    }),
  ],
};
const triage = new Map<string, TriageOutcome>([
  ['A', { status: 'confirmed', closeReason: 'coordinated', reviewed: true }],
  ['C', { status: 'dismissed', closeReason: 'organic', reviewed: true }],
]);
const meta = {
  periodName: 'TK2023',
  generatedAt: '2023-11-23T06:00:00.000Z',
  thresholds: { minClusterAccounts: 5 },
  configHash: 'abc123',
  softwareVersion: '0.1.0',
  store: 'sqlite',
};

describe('buildReportData', () => {
  const r = buildReportData(current, previous, triage, meta);

  it('folds UTC hours into Amsterdam days and counts volume by platform and language', () => {
    expect(r.volume.days).toEqual(['2023-11-21', '2023-11-22']);
    expect(r.volume.platforms).toEqual([
      { name: 'mastodon', posts: 160 },
      { name: 'bluesky', posts: 40 },
    ]);
    expect(r.volume.postsByDayPlatform).toEqual([
      { day: '2023-11-21', mastodon: 100, bluesky: 0 },
      { day: '2023-11-22', mastodon: 60, bluesky: 40 },
    ]);
    expect(r.volume.postsByDayLanguage).toEqual([
      { day: '2023-11-21', nl: 100, en: 0 },
      { day: '2023-11-22', nl: 60, en: 40 },
    ]);
    expect(r.volume.signalsByDayKind).toEqual([
      { day: '2023-11-21', duplicate_text: 1, co_link: 0, hashtag_push: 1 },
      { day: '2023-11-22', duplicate_text: 1, co_link: 1, hashtag_push: 0 },
    ]);
  });

  it('groups the recurring cluster into one campaign with two episodes and ranks by size', () => {
    expect(r.campaigns.map((c) => [c.rank, c.members, c.posts, c.episodes.length])).toEqual([
      [1, 13, 23, 2],
      [2, 5, 5, 1],
    ]);
    const [ab, c] = r.campaigns;
    expect(ab!.youngAccountShare).toBeCloseTo(11 / 23, 12);
    expect(ab!.domains).toEqual(['stemfraude.example']);
    expect(ab!.kinds).toEqual(['co_link', 'duplicate_text', 'hashtag_push']);
    expect(ab!.triage).toEqual({ status: 'confirmed', closeReason: 'coordinated', reviewed: true });
    expect(ab!.sampleText).toBe('Kijk [social.example] #stemfraude');
    expect(ab!.reasons).toEqual(['#stemfraude pushed by [account] and']);
    expect(c!.sampleText).toBeNull(); // 5 accounts < 10
    expect(c!.platforms).toEqual(['bluesky', 'mastodon']);
  });

  it('lists narratives with their trend against the previous period', () => {
    expect(r.narratives.map((n) => [n.kind, n.value, n.clusters, n.accounts, n.previousClusters, n.trend])).toEqual([
      ['hashtag', '#stemfraude', 2, 13, 0, 'new'],
      ['domain', 'stemfraude.example', 2, 13, 0, 'new'],
      ['claim', 'Stembussen gemanipuleerd', 1, 12, 0, 'new'],
      ['hashtag', '#debat', 1, 5, 2, 'down'],
      ['hashtag', '#oud', 0, 0, 1, 'down'],
    ]);
  });

  it('counts fact-checks, triage and period over period', () => {
    expect(r.factchecks).toEqual([
      {
        publisher: 'Nieuwscheckers',
        claim: 'Stembussen gemanipuleerd',
        rating: 'Onwaar',
        url: 'https://nieuwscheckers.nl/fc/1',
        clusters: 1,
      },
    ]);
    expect(r.triage).toEqual({
      clusters: 3,
      reviewed: 2,
      escalated: 0,
      confirmed: 1,
      dismissed: 1,
      open: 1,
      closeReasons: [
        { reason: 'coordinated', clusters: 1 },
        { reason: 'organic', clusters: 1 },
      ],
    });
    expect(r.periodOverPeriod).toEqual({
      current: {
        posts: 200,
        clusters: 3,
        campaigns: 2,
        accountsInClusters: 18,
        postsInClusters: 28,
        factchecksLinked: 1,
      },
      previous: {
        posts: 50,
        clusters: 3,
        campaigns: 3,
        accountsInClusters: 9,
        postsInClusters: 9,
        factchecksLinked: 0,
      },
    });
  });

  it('numbers key judgements, each with its figures', () => {
    expect(r.keyJudgements).toEqual([
      { n: 1, key: 'clusters_flagged', figures: { clusters: 3, campaigns: 2, accounts: 18, previousClusters: 3 } },
      {
        n: 2,
        key: 'top_narrative',
        figures: {
          value: '#stemfraude',
          clusters: 2,
          accounts: 13,
          firstDay: '2023-11-21',
          lastDay: '2023-11-22',
          confirmed: 1,
        },
      },
      { n: 3, key: 'young_accounts', figures: { campaigns: 1, total: 2 } },
      { n: 4, key: 'cross_platform', figures: { campaigns: 1, total: 2 } },
      { n: 5, key: 'factchecked', figures: { clusters: 1, factchecks: 1, publishers: 'Nieuwscheckers' } },
      { n: 6, key: 'triage', figures: { reviewed: 2, clusters: 3, confirmed: 1, dismissed: 1 } },
    ]);
  });

  it('contains no pseudonym anywhere in the serialised report', () => {
    expect(JSON.stringify(r)).not.toMatch(/p:[0-9a-f]{8}/);
  });

  it('is the same for the same input', () => {
    expect(buildReportData(current, previous, triage, meta)).toEqual(r);
  });
});

describe('helpers', () => {
  it('counts 23- and 25-hour days once each across DST', () => {
    expect(daysOf('2023-10-28T22:00:00Z', '2023-10-30T23:00:00Z')).toEqual(['2023-10-29', '2023-10-30']);
    expect(localDay(Date.parse('2023-10-29T22:59:59Z'))).toBe('2023-10-29');
    expect(localDay(Date.parse('2023-10-29T23:00:00Z'))).toBe('2023-10-30');
  });
  it('previousPeriod has equal length', () => {
    expect(previousPeriod('2023-10-23T00:00:00Z', '2023-10-25T00:00:00Z')).toEqual({
      from: '2023-10-21T00:00:00.000Z',
      to: '2023-10-23T00:00:00.000Z',
    });
  });
  it('scrubText removes mentions and reduces links to domains', () => {
    expect(scrubText('Zie @anna en @bob@mastodon.nl: https://t.me/s/kanaal/12 en info@example.org')).toBe(
      'Zie en : [t.me] en info@example.org',
    );
  });
  it('does not group clusters on the same day', () => {
    expect(groupCampaigns([A, { ...A, id: 'A2' }]).length).toBe(2);
  });
});

describe('periodBounds', () => {
  it('uses local midnights on both sides of the October DST change', async () => {
    const { periodBounds } = await import('../../pipelines/report-data.ts');
    expect(periodBounds('2023-10-23', '2023-11-29')).toEqual({
      from: '2023-10-22T22:00:00.000Z',
      to: '2023-11-29T23:00:00.000Z',
    });
    expect(periodBounds('2024-03-31', '2024-03-31')).toEqual({
      from: '2024-03-30T23:00:00.000Z',
      to: '2024-03-31T22:00:00.000Z',
    });
  });
});
