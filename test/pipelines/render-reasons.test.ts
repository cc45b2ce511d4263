// The reasons renderer: fixed evidence of every kind in English (the reasons' wording, character for character) and in
// Dutch (Dutch number, duration and date formats), and the evidence valid against its JSON Schema.
import { describe, expect, it } from 'vitest';
import { renderReason, renderReasons } from '../../pipelines/render-reasons.ts';
import type { ClusterEvidence } from '../../pipelines/types.ts';
import { validClusterEvidence } from '../support/contracts.ts';

const network: ClusterEvidence = {
  kind: 'network',
  counts: { accounts: 12, pairs: 66 },
  sharedItems: { min: 3, median: 3, max: 3 },
  expectedPerPairMax: 0.0021345,
  p: { value: 1.234e-40, log10: -39.9087 },
};
const text: ClusterEvidence = {
  kind: 'coaction',
  via: 'text',
  counts: { accounts: 12, items: 3, pairs: 180 },
  times: { spreadSeconds: 241.4 },
  languages: [],
};
const link: ClusterEvidence = {
  kind: 'coaction',
  via: 'link',
  counts: { accounts: 1250, items: 1, pairs: 2400 },
  times: { spreadSeconds: 29.6 },
  languages: [],
};
const xlang: ClusterEvidence = {
  kind: 'coaction',
  via: 'cross_language',
  counts: { accounts: 9, items: 2, pairs: 14 },
  times: { spreadSeconds: 540 },
  languages: ['de', 'en', 'nl'],
};
const repost: ClusterEvidence = {
  kind: 'coaction',
  via: 'repost',
  counts: { accounts: 5, items: 1, pairs: 10 },
  times: { spreadSeconds: 9000 },
  languages: [],
};
const burst: ClusterEvidence = {
  kind: 'burst',
  item: { type: 'link', value: 'https://stemfraude-nederland.info/bewijs-utrecht' },
  counts: { posts: 28, accounts: 28 },
  times: { first: '2023-11-22T09:30:00.449Z', last: '2023-11-22T09:40:56.478Z', windowSeconds: 1800 },
  expectedPosts: 0.5,
  p: { value: 7.540857787298899e-39, log10: -38.1226 },
  cohort: {
    accounts: 28,
    share: 1,
    youngAccountDays: 30,
    noHistoryPosts: 5,
    p: { value: 2.8344285774520195e-30, log10: -29.5475 },
  },
  coShare: { accounts: 24, pairs: 31, withinSeconds: 30 },
};
const tagBurst: ClusterEvidence = {
  kind: 'burst',
  item: { type: 'hashtag', value: 'stemfraude' },
  counts: { posts: 1500, accounts: 1200 },
  times: { first: '2023-11-22T21:05:00.000Z', last: '2023-11-22T22:59:59.000Z', windowSeconds: 1800 },
  expectedPosts: 12.25,
  p: { value: 0.0123, log10: -1.91 },
  cohort: { accounts: 900, share: 0.75, youngAccountDays: 30, noHistoryPosts: 5, p: { value: 0.25, log10: -0.6 } },
  coShare: null,
};
const more: ClusterEvidence = {
  kind: 'more_bursts',
  items: [
    { type: 'text', value: 'g1' },
    { type: 'hashtag', value: 'b' },
    { type: 'text', value: 'g2' },
    { type: 'link', value: 'https://a.example/x' },
  ],
};
const age: ClusterEvidence = {
  kind: 'account_age',
  counts: { accounts: 28, young: 28, noHistory: 1 },
  shares: { young: 1, noHistory: 1 / 28 },
  youngAccountDays: 30,
  noHistoryPosts: 5,
};
const noHistory: ClusterEvidence = {
  kind: 'account_age',
  counts: { accounts: 10, young: 0, noHistory: 4 },
  shares: { young: 0, noHistory: 0.4 },
  youngAccountDays: 30,
  noHistoryPosts: 5,
};
const created: ClusterEvidence = {
  kind: 'creation_cluster',
  counts: { accounts: 28, createdTogether: 28 },
  times: { first: '2023-11-06T02:33:20.062Z', last: '2023-11-08T17:26:24.852Z' },
  withinDays: 3,
};
const together: ClusterEvidence = { kind: 'acted_together', counts: { accounts: 4 } };
const all = [network, text, link, xlang, repost, burst, tagBurst, more, age, noHistory, created, together];

describe('renderReasons', () => {
  it("renders every kind of evidence in English with the reasons' wording", () => {
    expect(renderReasons(all, 'en')).toEqual([
      '12 accounts acted together repeatedly: 66 account pairs each shared 3-3 distinct items (median 3), where chance predicts at most 0.0021 per pair (p = 1.2e-40)',
      '12 accounts posted near-identical text (3 distinct messages), copies at most 4 minutes apart',
      '1250 accounts shared the same 1 link(s) within 30 seconds of each other (2400 pairwise co-shares)',
      '9 accounts posted the same 2 link(s) in 3 languages (de, en, nl) within 9 minutes',
      '5 accounts reposted the same 1 post(s) within 2.5 hours of each other',
      'Link https://stemfraude-nederland.info/bewijs-utrecht: 28 posts between 09:30 UTC and 09:40 UTC, where its own earlier rate predicts 0.5 in 30 minutes (p = 7.5e-39); 28 of the 28 accounts posting it are younger than 30 days or have at most 5 posts (p = 2.8e-30 against all accounts active in the window); 24 of them posted it within 30 seconds of another (31 pairs)',
      '#stemfraude: 1500 posts between 21:05 UTC and 22:59 UTC, where its own earlier rate predicts 12.3 in 30 minutes (p = 0.012); 900 of the 1200 accounts posting it are younger than 30 days or have at most 5 posts (p = 0.250 against all accounts active in the window)',
      '4 more items burst among the same accounts: #b, a near-identical message, https://a.example/x',
      '28 of the 28 accounts were created less than 30 days before posting; 1 had at most 5 posts in total',
      '4 of the 10 accounts had at most 5 posts in total',
      '28 of the 28 accounts were created within 3 days of each other (2023-11-06 to 2023-11-08)',
      '4 accounts acted together',
    ]);
  });

  it('renders every kind of evidence in Dutch, with Dutch numbers, durations and dates', () => {
    expect(renderReasons(all, 'nl')).toEqual([
      '12 accounts handelden herhaaldelijk samen: 66 paren van accounts deelden elk 3 verschillende items (mediaan 3), terwijl toeval hooguit 0,0021 per paar verwacht (p = 1,2 × 10⁻⁴⁰)',
      '12 accounts plaatsten binnen 4 minuten bijna dezelfde tekst (3 verschillende berichten)',
      '1.250 accounts deelden dezelfde link binnen 30 seconden na elkaar (2.400 keer door twee accounts samen gedeeld)',
      '9 accounts plaatsten dezelfde 2 links binnen 9 minuten in 3 talen (Duits, Engels, Nederlands)',
      '5 accounts deelden hetzelfde bericht opnieuw, binnen 2,5 uur na elkaar',
      'Link https://stemfraude-nederland.info/bewijs-utrecht: 28 berichten tussen 09:30 UTC en 09:40 UTC, terwijl het eigen eerdere tempo 0,5 voorspelt in 30 minuten (p = 7,5 × 10⁻³⁹); 28 van de 28 accounts die het plaatsten zijn jonger dan 30 dagen of hebben hooguit 5 berichten (p = 2,8 × 10⁻³⁰ ten opzichte van alle accounts die in het venster actief waren); 24 daarvan plaatsten het binnen 30 seconden na een ander (31 paren)',
      '#stemfraude: 1.500 berichten tussen 21:05 UTC en 22:59 UTC, terwijl het eigen eerdere tempo 12,3 voorspelt in 30 minuten (p = 0,012); 900 van de 1.200 accounts die het plaatsten zijn jonger dan 30 dagen of hebben hooguit 5 berichten (p = 0,250 ten opzichte van alle accounts die in het venster actief waren)',
      'Nog 4 items kwamen plotseling veel voor bij dezelfde accounts: #b, een bijna identiek bericht, https://a.example/x',
      '28 van de 28 accounts waren minder dan 30 dagen oud toen ze berichten plaatsten; 1 had in totaal hooguit 5 berichten',
      '4 van de 10 accounts hadden in totaal hooguit 5 berichten',
      '28 van de 28 accounts zijn binnen 3 dagen na elkaar aangemaakt (6 november 2023 tot en met 8 november 2023)',
      '4 accounts handelden samen',
    ]);
  });

  it('writes clock times in a given time zone with its name, winter and summer', () => {
    // 22 November 2023 09:30 UTC is 10:30 winter time in Amsterdam.
    expect(renderReason(burst, 'nl', { timeZone: 'Europe/Amsterdam' })).toContain('tussen 10:30 CET en 10:40 CET');
    expect(renderReason(burst, 'en', { timeZone: 'Europe/Amsterdam' })).toContain('between 10:30 CET and 10:40 CET');
    const summer = {
      ...burst,
      times: { first: '2025-06-20T09:30:00.000Z', last: '2025-06-20T09:40:00.000Z', windowSeconds: 1800 },
    } as ClusterEvidence;
    expect(renderReason(summer, 'nl', { timeZone: 'Europe/Amsterdam' })).toContain('tussen 11:30 CEST en 11:40 CEST');
    // Without a zone: UTC, as the stored English reasons say.
    expect(renderReason(summer, 'en')).toContain('between 09:30 UTC and 09:40 UTC');
  });

  it('uses singular forms and ranges only where they differ in Dutch, and whole seconds below two minutes', () => {
    expect(renderReason({ ...network, sharedItems: { min: 4, median: 5, max: 5 } } as ClusterEvidence, 'nl')).toContain(
      'deelden elk 4 tot 5 verschillende items (mediaan 5)',
    );
    expect(
      renderReason(
        {
          kind: 'coaction',
          via: 'text',
          counts: { accounts: 2, items: 1, pairs: 1 },
          times: { spreadSeconds: 1.2 },
          languages: [],
        },
        'nl',
      ),
    ).toBe('2 accounts plaatsten binnen 1 seconde bijna dezelfde tekst (1 bericht)');
    expect(
      renderReason(
        {
          kind: 'coaction',
          via: 'text',
          counts: { accounts: 2, items: 1, pairs: 1 },
          times: { spreadSeconds: 119.4 },
          languages: [],
        },
        'en',
      ),
    ).toBe('2 accounts posted near-identical text (1 distinct messages), copies at most 119 seconds apart');
  });

  it('takes evidence that follows the cluster-evidence schema', () => {
    expect(validClusterEvidence(all.slice(0, 8)), JSON.stringify(validClusterEvidence.errors)).toBe(true);
    // At most 8 records, and no unknown fields.
    expect(validClusterEvidence(all)).toBe(false);
    expect(validClusterEvidence([{ ...together, extra: 1 }])).toBe(false);
  });
});
