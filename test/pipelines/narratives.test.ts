// Narratives (pipelines/narratives.ts): clusters that push the same claim are grouped by a shared fact-check, link,
// near-duplicate text or hashtag set, across accounts, languages and time, with a machine-made label and volume.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import { createEnricher } from '../../pipelines/enrich.ts';
import { NarrativeIndex, type NarrativeIndexState } from '../../pipelines/narratives.ts';
import type { Cluster, NormalizedPost } from '../../pipelines/types.ts';
import { loadConfig } from '../../workers/config.ts';
import { generateCampaigns, TUNING_PARAMS } from '../eval/generate-campaigns.ts';
import { simpleEnrich } from '../eval/simple-enrich.ts';
import { validSignals } from '../support/contracts.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2024-03-14T08:00:00Z');
const cfg = { maxNarratives: 100, maxAgeMs: 48 * HOUR, maxClustersPerNarrative: 50 };

/** A reported cluster with the fields narratives read. */
function cluster(id: string, startMs: number, o: Partial<Cluster> = {}): Cluster {
  return {
    id,
    kinds: ['duplicate_text'],
    score: 0.9,
    pValue: 1e-9,
    posts: ['p1', 'p2', 'p3'],
    accounts: ['a', 'b', 'c'],
    start: new Date(startMs).toISOString(),
    end: new Date(startMs + HOUR).toISOString(),
    reasons: ['r'],
    sampleText: null,
    links: [],
    hashtags: [],
    languages: ['nl'],
    factchecks: [],
    ...o,
  };
}

const CLAIM =
  'Het is schandalig dat de stembussen in Utrecht zijn verzegeld door de gemeente zonder dat de kiezers het bewijs mochten zien';

describe('NarrativeIndex', () => {
  it('groups clusters sharing a link, a fact-check or near-duplicate text across languages and days; others stay apart', () => {
    const idx = new NarrativeIndex(cfg);
    const link = 'https://stemfraude.example/utrecht';
    const a = idx.observe({
      cluster: cluster('cl-a', T0, { links: [link], sampleText: CLAIM }),
      hours: { [T0 / HOUR]: 30 },
      posts: 30,
      nowMs: T0,
    });
    // A day later, other accounts, English, the same link.
    const b = idx.observe({
      cluster: cluster('cl-b', T0 + 24 * HOUR, { links: [link], languages: ['en'], accounts: ['x', 'y', 'z'] }),
      hours: { [T0 / HOUR + 24]: 12 },
      posts: 12,
      nowMs: T0 + 24 * HOUR,
    });
    // Two days later, a paraphrase-free copy of the claim with a prefix, no link.
    const c = idx.observe({
      cluster: cluster('cl-c', T0 + 40 * HOUR, { sampleText: `Deel dit! ${CLAIM}` }),
      hours: { [T0 / HOUR + 40]: 5 },
      posts: 5,
      nowMs: T0 + 40 * HOUR,
    });
    const other = idx.observe({
      cluster: cluster('cl-d', T0, {
        sampleText: 'Goedemorgen allemaal, de koffie van de gemeente staat klaar en de zon schijnt weer in het dorp',
        hashtags: ['koffie'],
      }),
      hours: { [T0 / HOUR]: 4 },
      posts: 4,
      nowMs: T0,
    });
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(other).not.toBe(a);
    const n = idx.list().find((x) => x.id === a)!;
    expect(n.clusters).toEqual(['cl-a', 'cl-b', 'cl-c']);
    expect(n.languages).toEqual(['en', 'nl']);
    expect(n.labelMachineMade).toBe(true);
    // Equally frequent terms of the claim; "gemeente", which the other narrative uses too, weighs less.
    expect(n.label).toBe('bewijs · kiezers · mochten');
    expect(n.terms).not.toContain('door'); // a stop word
    expect(n.volume.hourly.map((h) => h.posts)).toEqual([30, 12, 5]);
    expect(n.volume.daily).toEqual([
      { day: '2024-03-14', posts: 30 },
      { day: '2024-03-15', posts: 12 },
      { day: '2024-03-16', posts: 5 },
    ]);
    expect(n.posts).toBe(47);
    expect(n.shared).toContain(`link:${link}`);
    expect(validSignals({ clusters: [], narratives: idx.list() }), JSON.stringify(validSignals.errors)).toBe(true);
  });

  it('keeps the older id when two narratives meet, and survives a JSON round trip', () => {
    const idx = new NarrativeIndex(cfg);
    const first = idx.observe({
      cluster: cluster('cl-1', T0, { links: ['https://a.example/1'] }),
      hours: {},
      posts: 3,
      nowMs: T0,
    });
    const second = idx.observe({
      cluster: cluster('cl-2', T0, { hashtags: ['stopdetelling'] }),
      hours: {},
      posts: 3,
      nowMs: T0,
    });
    expect(second).not.toBe(first);
    const restored = NarrativeIndex.from(cfg, JSON.parse(JSON.stringify(idx.toJSON())) as NarrativeIndexState);
    const bridge = restored.observe({
      cluster: cluster('cl-3', T0 + HOUR, { links: ['https://a.example/1'], hashtags: ['stopdetelling'] }),
      hours: {},
      posts: 3,
      nowMs: T0 + HOUR,
    });
    expect(bridge).toBe(first);
    expect(restored.list().map((n) => [n.id, n.clusters])).toEqual([[first, ['cl-1', 'cl-2', 'cl-3']]]);
    expect(restored.narrativeOf('cl-2')).toBe(first);
  });

  it('forgets narratives past the age limit and beyond the cap', () => {
    const idx = new NarrativeIndex({ ...cfg, maxNarratives: 2 });
    for (let i = 0; i < 4; i++)
      idx.observe({
        cluster: cluster(`cl-${i}`, T0 + i * HOUR, { links: [`https://x.example/${i}`] }),
        hours: {},
        posts: 3,
        nowMs: T0 + i * HOUR,
      });
    idx.prune(T0 + 3 * HOUR);
    expect(idx.list().flatMap((n) => n.clusters)).toEqual(['cl-2', 'cl-3']);
    idx.prune(T0 + 3 * HOUR + cfg.maxAgeMs - 30 * 60_000);
    expect(idx.list().flatMap((n) => n.clusters)).toEqual(['cl-3']);
    expect(idx.narrativeOf('cl-0')).toBeUndefined();
  });
});

describe('narratives in the detector output', () => {
  it('on generator output: one narrative per campaign, except the two multilingual pushes of the same sentence', () => {
    const g = generateCampaigns(11, {
      ...TUNING_PARAMS,
      hours: 3,
      backgroundAccounts: 800,
      backgroundPostsPerMinute: 8,
      viralSharers: 120,
      debatePosts: 150,
    });
    const det = createCoordinationDetector({});
    let latest = -Infinity;
    g.posts.forEach((p, i) => {
      const e = simpleEnrich(p);
      det.observe(e);
      latest = Math.max(latest, e.createdAtMs);
      if ((i + 1) % 1000 === 0) det.advance(latest);
    });
    det.advance(latest);
    const clusters = det.clusters();
    const narratives = det.narratives!();
    expect(clusters.length).toBeGreaterThanOrEqual(4);
    const campaignsOf = (n: { clusters: string[] }): string[] =>
      [
        ...new Set(
          n.clusters.flatMap((id) =>
            clusters.find((c) => c.id === id)!.accounts.map((a) => g.campaignOf.get(a) ?? 'organic'),
          ),
        ),
      ].sort();
    for (const c of clusters) expect(narratives.find((n) => n.id === c.narrativeId)?.clusters).toContain(c.id);
    const groups = narratives.map(campaignsOf);
    for (const grp of groups)
      if (grp.length > 1)
        expect(
          grp.every((x) => x.startsWith('multilingual#')),
          grp.join(','),
        ).toBe(true);
    expect(groups).toContainEqual(['multilingual#0', 'multilingual#1']);
    for (const n of narratives) expect(n.label.length).toBeGreaterThan(0);
    expect(validSignals({ clusters, narratives }), JSON.stringify(validSignals.errors)).toBe(true);
  });

  it('on the bundled sample: the planted campaign is one narrative labelled by its own terms', () => {
    const enrich = createEnricher({
      enrichment: loadConfig({ env: {} }).enrich,
      pseudonymKey: null,
      limits: { postBudgetMs: 3_600_000 },
    });
    const posts = readFileSync('connectors/data/sample-posts.jsonl', 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => enrich(JSON.parse(l) as NormalizedPost))
      .sort((a, b) => a.createdAtMs - b.createdAtMs);
    const det = createCoordinationDetector({});
    posts.forEach((e, i) => {
      det.observe(e);
      if ((i + 1) % 200 === 0) det.advance(e.createdAtMs);
    });
    det.advance(posts[posts.length - 1]!.createdAtMs);
    const [c, ...more] = det.clusters();
    expect(more).toHaveLength(0);
    const narratives = det.narratives!();
    expect(narratives.map((n) => n.clusters)).toEqual([[c!.id]]);
    expect(c!.narrativeId).toBe(narratives[0]!.id);
    expect(narratives[0]!.terms).toContain('#stemfraude');
    expect(narratives[0]!.volume.hourly.reduce((s, h) => s + h.posts, 0)).toBe(c!.posts.length);
  });
});
