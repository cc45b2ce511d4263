// Sample data for the triage tests: the bundled sample (connectors/data/sample-posts.jsonl) run through
// `mid analyze` into a signal store and the triage read model, plus decoy clusters built from its ordinary posts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster, EnrichedPost, SignalsFile } from '../../../pipelines/types.ts';

/** Posts and clusters of the analysed sample. */
export interface SampleData {
  posts: EnrichedPost[];
  campaign: Cluster;
  decoys: Cluster[];
}

/** Runs `mid analyze` on the bundled sample (about 30 s on a busy machine). */
export function analyzeSample(): SampleData {
  const dir = mkdtempSync(join(tmpdir(), 'mid-triage-sample-'));
  const out = join(dir, 'out');
  const env: NodeJS.ProcessEnv = { ...process.env, MID_DATA_DIR: join(dir, 'data'), MID_LOG_LEVEL: 'warn' };
  for (const k of ['MID_CONFIG', 'MID_PSEUDONYM_KEY']) delete env[k];
  const r = spawnSync(
    process.execPath,
    ['workers/bin/mid.mjs', 'analyze', '--input', 'connectors/data/sample-posts.jsonl', '--out', out],
    { env, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`mid analyze failed: ${r.stderr}`);
  const posts = readFileSync(join(out, 'enriched.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EnrichedPost);
  const signals = JSON.parse(readFileSync(join(out, 'signals.json'), 'utf8')) as SignalsFile;
  const campaign = [...signals.clusters].sort((a, b) => b.posts.length - a.posts.length)[0]!;
  const inCampaign = new Set(campaign.posts);
  const others = posts.filter((p) => !inCampaign.has(p.id));
  // Decoys: small "bursts" of unrelated posts, so that list filters and bulk actions have something else to act on.
  const decoys = [0, 1, 2].map((i): Cluster => {
    const ps = others.slice(i * 12, i * 12 + 6);
    return {
      id: `decoy-${i + 1}`,
      kinds: ['burst'],
      score: 0.3 + i * 0.1,
      pValue: 0.01,
      posts: ps.map((p) => p.id),
      accounts: [...new Set(ps.map((p) => p.author.id))],
      start: ps[0]!.createdAt,
      end: ps[ps.length - 1]!.createdAt,
      reasons: [`${ps.length} posts in a short burst (test decoy)`],
      sampleText: ps[0]!.text,
      links: [],
      hashtags: [],
      languages: [...new Set(ps.map((p) => p.lang))],
      factchecks: [],
    };
  });
  return { posts, campaign, decoys };
}
