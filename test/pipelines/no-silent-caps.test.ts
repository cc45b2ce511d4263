// No silent caps in the detector's output (issue 11): a cluster whose post list hit maxClusterPosts says how many
// posts it has (postCount, truncated, a reason), and p-values below the double range are carried and said as log10.
import { describe, expect, it } from 'vitest';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import { renderReasons } from '../../pipelines/render-reasons.ts';
import type { ClusterEvidence, EnrichedPost } from '../../pipelines/types.ts';
import { T0, byTime, post } from './detection-fixtures.ts';
import { validClusterEvidence, validSignals } from '../support/contracts.ts';

const MIN = 60_000;

/** 20 accounts each sharing each of 12 links within a minute: 240 posts of one network. */
function network(): EnrichedPost[] {
  const out: EnrichedPost[] = [];
  for (let l = 0; l < 12; l++)
    for (let i = 0; i < 20; i++)
      out.push(
        post({
          id: `n-${String(l).padStart(2, '0')}-${String(i).padStart(2, '0')}`,
          account: `net-${i}`,
          tMs: T0 + l * 20 * MIN + i * 2000,
          text: `kijk ${l}`,
          links: [`https://onbekend.example/x/${l}`],
        }),
      );
  return out;
}

function run(maxClusterPosts: number) {
  const det = createCoordinationDetector({ maxClusterPosts });
  for (const p of byTime(network())) det.observe(p);
  det.advance(T0 + 6 * 3_600_000);
  return det.clusters();
}

describe('no silent caps', () => {
  it('counts the member posts beyond the list cap and says so in the reasons', () => {
    const [capped] = run(50);
    expect(capped!.posts).toHaveLength(50);
    expect(capped!.postCount).toBe(240);
    expect(capped!.truncated).toBe(true);
    expect(capped!.evidence!.at(-1)).toEqual({ kind: 'posts_listed', counts: { listed: 50, posts: 240 } });
    expect(capped!.reasons.at(-1)).toBe(
      '240 member posts in all; only the first 50 are listed (the post list is capped)',
    );
    expect(renderReasons(capped!.evidence!, 'nl').at(-1)).toBe(
      '240 berichten in totaal; alleen de eerste 50 staan in de lijst (de lijst heeft een maximum)',
    );
    expect(validClusterEvidence(capped!.evidence)).toBe(true);
    expect(validSignals({ generatedAt: new Date(T0).toISOString(), clusters: [capped] })).toBe(true);
    // Without the cap hit, nothing changes in the output.
    const [whole] = run(5000);
    expect(whole!.posts).toHaveLength(240);
    expect(whole!.postCount).toBeUndefined();
    expect(whole!.truncated).toBeUndefined();
    expect(whole!.evidence!.some((e) => e.kind === 'posts_listed')).toBe(false);
  });

  it('carries a p-value below 1e-300 as log10P and says it in English and Dutch', () => {
    const [c] = run(5000);
    // 190 pairs sharing 12 links each: far below the double range.
    expect(c!.pValue).toBe(1e-300);
    expect(c!.log10P).toBeLessThan(-300);
    const net = c!.evidence!.find((e) => e.kind === 'network')!;
    expect(net.kind === 'network' && net.p.log10).toBeLessThan(-300);
    const evidence: ClusterEvidence[] = [
      {
        kind: 'network',
        counts: { accounts: 20, pairs: 190 },
        sharedItems: { min: 12, median: 12, max: 12 },
        expectedPerPairMax: 0.01,
        p: { value: 1e-300, log10: -412.04 },
      },
    ];
    expect(renderReasons(evidence, 'en')[0]).toContain('(p = 9.1e-413)');
    expect(renderReasons(evidence, 'nl')[0]).toContain('(p = 9,1 × 10⁻⁴¹³)');
    // Above the floor the value itself is said, as before.
    evidence[0] = { ...evidence[0]!, p: { value: 7.46e-39, log10: Math.log10(7.46e-39) } } as ClusterEvidence;
    expect(renderReasons(evidence, 'en')[0]).toContain('(p = 7.5e-39)');
  });
});
