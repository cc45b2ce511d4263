// Campaigns over time (pipelines/cluster-records.ts through the detector): a cluster of mostly the same accounts that
// comes back after its first episode left the window is the same campaign, with both episodes listed.
import { describe, expect, it } from 'vitest';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import type { Cluster, EnrichedPost } from '../../pipelines/types.ts';
import { T0, babble, background, byTime, post } from './detection-fixtures.ts';
import { prng } from '../support/prng.ts';
import { validSignals } from '../support/contracts.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

/** `n` accounts named `prefix-i` each post 3 messages (copied with small edits within minutes) from `startMs`. */
function network(prefix: string, n: number, startMs: number, seed: number): EnrichedPost[] {
  const r = prng(seed);
  const out: EnrichedPost[] = [];
  for (let m = 0; m < 3; m++) {
    const msg = `De ${['telling', 'stempassen', 'briefstemmen'][m]} ${babble(r, 14)}`;
    for (let i = 0; i < n; i++) {
      const text = i % 3 === 0 ? `🔥 ${msg}!!` : i % 3 === 1 ? msg.toUpperCase() : `Deel dit: ${msg}`;
      out.push(
        post({
          id: `${prefix}-${seed}-${m}-${i}`,
          account: `${prefix}-${i}`,
          tMs: startMs + m * HOUR + r() * 8 * MIN,
          text,
        }),
      );
    }
  }
  return out;
}

const bg = background(5, 6000, 900, 32);

/** Runs the detector over `posts`, advancing every 500 posts; optionally restarts from a JSON snapshot at `restartAt`. */
function run(posts: EnrichedPost[], config = {}, restartAt?: number): { clusters: Cluster[]; state: unknown } {
  let det = createCoordinationDetector(config);
  let latest = -Infinity;
  posts.forEach((p, i) => {
    if (i === restartAt) det = createCoordinationDetector(config, JSON.parse(det.exportStateJson()));
    det.observe(p);
    latest = Math.max(latest, p.createdAtMs);
    if ((i + 1) % 500 === 0) det.advance(latest);
  });
  det.advance(latest);
  return { clusters: det.clusters(), state: det.exportState() };
}

describe('campaigns over time', () => {
  const twice = byTime([...bg, ...network('ring', 12, T0 + 1 * HOUR, 1), ...network('ring', 12, T0 + 26 * HOUR, 2)]);

  it('gives a campaign active twice, a day apart, with the same accounts one campaignId and two episodes', () => {
    const { clusters } = run(twice);
    expect(clusters).toHaveLength(2);
    const [first, second] = [...clusters].sort((x, y) => (x.start < y.start ? -1 : 1));
    expect(first!.id).not.toBe(second!.id);
    expect(first!.campaignId).toBeDefined();
    expect(second!.campaignId).toBe(first!.campaignId);
    expect(first!.episodes!.map((e) => e.clusterId)).toEqual([first!.id]);
    expect(second!.episodes!.map((e) => e.clusterId)).toEqual([first!.id, second!.id]);
    const [e1, e2] = second!.episodes!;
    expect([e1!.start, e1!.end, e1!.posts, e1!.accounts]).toEqual([first!.start, first!.end, first!.posts.length, 12]);
    expect([e2!.start, e2!.posts]).toEqual([second!.start, second!.posts.length]);
    expect(Date.parse(e2!.start) - Date.parse(e1!.end)).toBeGreaterThan(20 * HOUR);
    expect(e1!.summary).toMatch(/12 accounts acted together/);
    expect(
      validSignals({ generatedAt: new Date(T0).toISOString(), clusters }),
      JSON.stringify(validSignals.errors),
    ).toBe(true);
  });

  it('gives two different rings, a day apart, two campaigns', () => {
    const input = byTime([...bg, ...network('ring', 12, T0 + 1 * HOUR, 1), ...network('other', 12, T0 + 26 * HOUR, 2)]);
    const { clusters } = run(input);
    expect(clusters).toHaveLength(2);
    expect(new Set(clusters.map((c) => c.campaignId)).size).toBe(2);
    for (const c of clusters) expect(c.episodes).toHaveLength(1);
  });

  it('joins a campaign with mostly (not all) the same accounts', () => {
    const later = network('ring', 12, T0 + 26 * HOUR, 2).map((p) =>
      // 4 of the 12 accounts are replaced by new ones.
      Number(p.author.id.split('-')[1]) < 4 ? { ...p, author: { ...p.author, id: `${p.author.id}-new` } } : p,
    );
    const { clusters } = run(byTime([...bg, ...network('ring', 12, T0 + 1 * HOUR, 1), ...later]));
    expect(clusters).toHaveLength(2);
    expect(clusters[0]!.campaignId).toBe(clusters[1]!.campaignId);
  });

  it('keeps the campaign across a restore between the episodes (the state round-trips through JSON)', () => {
    const cut = twice.findIndex((p) => p.createdAtMs > T0 + 14 * HOUR);
    const whole = run(twice);
    const restarted = run(twice, {}, cut);
    expect(JSON.stringify(restarted.clusters)).toBe(JSON.stringify(whole.clusters));
    expect((restarted.state as { campaigns: unknown[] }).campaigns.length).toBeGreaterThan(0);
  });

  it('forgets campaigns past the age limit or beyond the cap (bounded memory)', () => {
    for (const config of [{ campaignMaxAgeHours: 12 }, { maxCampaigns: 0 }]) {
      const { clusters, state } = run(twice, config);
      expect(clusters).toHaveLength(2);
      expect(new Set(clusters.map((c) => c.campaignId)).size, JSON.stringify(config)).toBe(2);
      expect((state as { campaigns: unknown[] }).campaigns.length).toBeLessThanOrEqual(1);
    }
  });
});
