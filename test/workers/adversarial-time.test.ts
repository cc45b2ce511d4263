// Adversarial time on both paths: a post dated 2099 among the bundled sample (which holds one campaign) must not move
// the detector's event time past the real posts. `mid analyze` rejects it as future-dated (rejected.jsonl) and the
// streaming workers send it to dlq with the reason `future-dated`; either way the campaign is flagged exactly as
// without it. A post dated 2001 in the middle of the file (older than the window) does not reopen the window either.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEnricher } from '../../pipelines/enrich.ts';
import type { Cluster, NormalizedPost, SignalsFile } from '../../pipelines/types.ts';
import { MemoryBus } from '../../workers/adapters/memory-bus.ts';
import { MemoryStateStore } from '../../workers/adapters/memory-state-store.ts';
import { analyzeFile } from '../../workers/commands/analyze.ts';
import { loadConfig } from '../../workers/config.ts';
import type { Config } from '../../workers/config.ts';
import { DetectWorker } from '../../workers/detect-worker.ts';
import { EnrichWorker } from '../../workers/enrich-worker.ts';
import { createLogger } from '../../workers/logger.ts';
import { decodeDeadLetter, decodeSignal, rawPostMessage } from '../../workers/messages.ts';
import { createMetrics } from '../../workers/metrics.ts';
import { waitFor } from './wait-for.ts';

const logger = createLogger('silent');
const KEY = 'time-key-0123456789abcdef';
const SAMPLE = join(import.meta.dirname, '../../connectors/data/sample-posts.jsonl');
/** The processing clock of both paths: after every post of the sample (November 2023), long before 2099. */
const NOW = Date.parse('2026-12-01T00:00:00Z');
const config = loadConfig({
  env: { MID_PSEUDONYM_KEY: KEY },
  overrides: { detect: { idleFlushMs: 1500, checkpointMs: 1000 } },
});
/** The same configuration with the future check switched off in effect: what the attack does without it. */
const unchecked = loadConfig({
  env: { MID_PSEUDONYM_KEY: KEY },
  overrides: { hardening: { enrichment: { maxFutureSkewMs: 1e15 } } },
});

const sample = readFileSync(SAMPLE, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as NormalizedPost);
const campaignPost = sample.find((p) => p.text.startsWith('Kijk dit! De stembussen in Utrecht'))!;

/** A copy of a campaign post by a new account at `createdAt`: if it reached the detector it would join the campaign. */
function hostile(n: number, createdAt: string): NormalizedPost {
  return {
    ...campaignPost,
    id: `sample:post/hostile-${n}`,
    url: `https://social.example/@hostile${n}/${n}`,
    createdAt,
    author: { ...campaignPost.author, id: `sample:user/hostile-${n}`, handle: `hostile${n}` },
  };
}

/**
 * The sample with a 2099 post first (where it does most harm: without the check, every real post after it is late)
 * and a 2001 post in its middle.
 */
const attacked = [
  hostile(1, '2099-01-01T00:00:00.000Z'),
  ...sample.slice(0, 1000),
  hostile(2, '2001-01-01T00:00:00.000Z'),
  ...sample.slice(1000),
];

function writeJsonl(posts: NormalizedPost[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mid-time-')), 'posts.jsonl');
  writeFileSync(file, `${posts.map((p) => JSON.stringify(p)).join('\n')}\n`);
  return file;
}

async function batch(file: string, cfg: Config) {
  const outDir = mkdtempSync(join(tmpdir(), 'mid-time-out-'));
  const result = await analyzeFile({ input: file, outDir, config: cfg, nowMs: NOW });
  const signals = JSON.parse(readFileSync(join(outDir, 'signals.json'), 'utf8')) as SignalsFile;
  const rejected = readFileSync(join(outDir, 'rejected.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { line: number; reason: string });
  return { result, clusters: signals.clusters, rejected };
}

/** The enrich and detect workers over the in-process bus; the last state of every cluster and the dead letters. */
async function stream(posts: NormalizedPost[]) {
  const bus = new MemoryBus({ partitions: 4, maxBatch: 200 });
  await bus.start();
  const last = new Map<string, Cluster>();
  const reasons: string[] = [];
  await bus.subscribe({
    topics: ['signals'],
    groupId: 'time-signals',
    eachBatch: async (b) => {
      for (const m of b) {
        const d = decodeSignal(m.value);
        if (!d.ok) continue;
        if (d.message.kind === 'merged') last.delete(d.message.id);
        else last.set(d.message.cluster.id, d.message.cluster);
      }
    },
  });
  await bus.subscribe({
    topics: ['dlq'],
    groupId: 'time-dlq',
    eachBatch: async (b) => {
      for (const m of b) {
        const d = decodeDeadLetter(m.value);
        if (d.ok) reasons.push(d.message.reason);
      }
    },
  });
  const enrich = createEnricher({
    enrichment: config.enrich,
    pseudonymKey: KEY,
    limits: config.hardening.enrichment,
    now: () => NOW,
  });
  const detect = new DetectWorker({ config, bus, state: new MemoryStateStore(), logger, metrics: createMetrics() });
  const enricher = new EnrichWorker({ config, bus, logger, metrics: createMetrics(), enrich });
  await enricher.start();
  await bus.publish('posts.raw', posts.map(rawPostMessage));
  await waitFor(async () => (await enricher.lag()) === 0, 'all posts enriched', 600_000, 100);
  await detect.start();
  const held = () => (detect as unknown as { held: { driver: { buffer: unknown[] } } | null }).held;
  await waitFor(
    async () => (await detect.lag()) === 0 && held() !== null && held()!.driver.buffer.length === 0,
    'all posts detected and flushed',
    600_000,
    100,
  );
  await new Promise((r) => setTimeout(r, 300)); // the subscribers get the flush's updates
  const detected = detect.detectedPosts;
  await enricher.stop();
  await detect.stop();
  await bus.stop();
  return { clusters: [...last.keys()].sort().map((id) => last.get(id)!), reasons, detected };
}

describe('a post dated 2099', () => {
  it(
    'is rejected as future-dated by mid analyze and the campaign is flagged as without it',
    { timeout: 300_000 },
    async () => {
      const clean = await batch(SAMPLE, config);
      expect(clean.clusters).toHaveLength(1);
      const hit = await batch(writeJsonl(attacked), config);
      expect(hit.rejected).toEqual([
        // vitest types asymmetric matchers as `any`; `as unknown` keeps that any out of the typed literal.
        {
          line: 1,
          reason: expect.stringMatching(/^future-dated: /) as unknown,
          excerpt: expect.any(String) as unknown,
        },
      ]);
      expect(hit.result.posts).toBe(sample.length + 1); // the 2001 post is enriched; the detector ignores it
      expect(JSON.stringify(hit.clusters)).toBe(JSON.stringify(clean.clusters));
      // Without the check the one post blinds the detector: the attack is real.
      const blind = await batch(writeJsonl(attacked), unchecked);
      expect(blind.rejected).toEqual([]);
      expect(JSON.stringify(blind.clusters)).not.toBe(JSON.stringify(clean.clusters));
    },
  );

  it(
    'goes to dlq as future-dated in streaming and the campaign is flagged as by mid analyze',
    { timeout: 600_000 },
    async () => {
      const clean = await batch(SAMPLE, config);
      const s = await stream(attacked);
      expect(s.reasons).toEqual(['future-dated']);
      expect(s.detected).toBe(sample.length + 1);
      expect(JSON.stringify(s.clusters)).toBe(JSON.stringify(clean.clusters));
    },
  );
});

// The run's clock alone does not catch this one: an old export (the sample is from November 2023) with one post dated
// two years after the rest is still in the past when the run starts. `mid analyze` judges it against the file's own
// times too (its 99th-percentile post time plus the larger of the skew and the file's span).
describe('a post dated two years after the rest of an old export', () => {
  const lastMs = Math.max(...sample.map((p) => Date.parse(p.createdAt)));
  const later = new Date(lastMs + 2 * 365 * 86_400_000).toISOString();
  const first = [hostile(3, later), ...sample];
  const middle = [...sample.slice(0, 1000), hostile(3, later), ...sample.slice(1000)];

  it(
    'is rejected as future-dated by mid analyze, wherever it stands, and the campaign is flagged as without it',
    { timeout: 300_000 },
    async () => {
      expect(Date.parse(later)).toBeLessThan(NOW); // not future by the run's clock
      const clean = await batch(SAMPLE, config);
      expect(clean.rejected).toEqual([]); // the real tail of the file is within the tolerance
      expect(clean.clusters).toHaveLength(1);
      for (const [posts, line] of [
        [first, 1],
        [middle, 1001],
      ] as const) {
        const hit = await batch(writeJsonl(posts), config);
        expect(hit.rejected).toEqual([
          {
            line,
            reason: expect.stringMatching(
              /^future-dated: createdAt \S+ is [\d.]+ (?:s|days) after the file's 99th-percentile/,
            ) as unknown,
            excerpt: expect.any(String) as unknown,
          },
        ]);
        expect(hit.result.posts).toBe(sample.length);
        expect(JSON.stringify(hit.clusters)).toBe(JSON.stringify(clean.clusters));
      }
      // Without the check the one post, first in the file, blinds the detector: the attack is real.
      const blind = await batch(writeJsonl(first), unchecked);
      expect(blind.rejected).toEqual([]);
      expect(JSON.stringify(blind.clusters)).not.toBe(JSON.stringify(clean.clusters));
    },
  );
});
