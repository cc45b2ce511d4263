// One advance rule: the same posts give identical clusters through `mid analyze` (the batch command, one partition,
// flushed at the end of the file) and through the streaming path (the enrich and detect workers over the in-process
// bus with 4 partitions, flushed when the stream is idle), because both feed the detector through the same detector
// input and event-time driver with the same options. Checked on the bundled sample, on a ring whose stream ends with
// one millisecond in every partition, and on evaluation seed 1.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEnricher } from '../../pipelines/enrich.ts';
import { awaitsFlush } from '../../pipelines/event-time-driver.ts';
import type { EventTimeState } from '../../pipelines/event-time-driver.ts';
import type { Cluster, NormalizedPost, SignalsFile } from '../../pipelines/types.ts';
import { keyPartition } from '../../workers/adapters/key-partition.ts';
import { MemoryBus } from '../../workers/adapters/memory-bus.ts';
import { MemoryStateStore } from '../../workers/adapters/memory-state-store.ts';
import { analyzeFile } from '../../workers/commands/analyze.ts';
import { loadConfig } from '../../workers/config.ts';
import type { Config } from '../../workers/config.ts';
import { DetectWorker } from '../../workers/detect-worker.ts';
import { EnrichWorker } from '../../workers/enrich-worker.ts';
import { createLogger } from '../../workers/logger.ts';
import { decodeSignal, rawPostMessage } from '../../workers/messages.ts';
import { createMetrics } from '../../workers/metrics.ts';
import { generateCampaigns, TUNING_PARAMS } from '../eval/generate-campaigns.ts';
import { prng } from '../support/prng.ts';
import { waitFor } from './wait-for.ts';

const logger = createLogger('silent');
const KEY = 'parity-key-0123456789abcdef';
const SAMPLE = join(import.meta.dirname, '../../connectors/data/sample-posts.jsonl');
// A long idle flush: the only flush of the stream is the one after the last post, like the end of the file.
const config = loadConfig({
  env: { MID_PSEUDONYM_KEY: KEY },
  overrides: { detect: { idleFlushMs: 1500, checkpointMs: 1000 } },
});

async function batch(file: string, cfg: Config = config): Promise<Cluster[]> {
  const outDir = mkdtempSync(join(tmpdir(), 'mid-parity-'));
  await analyzeFile({ input: file, outDir, config: cfg });
  return (JSON.parse(readFileSync(join(outDir, 'signals.json'), 'utf8')) as SignalsFile).clusters;
}

/** The last published state of every cluster not merged into another, sorted by id. */
async function stream(
  posts: NormalizedPost[],
  cfg: Config = config,
): Promise<{ clusters: Cluster[]; detected: number }> {
  const config = cfg;
  const bus = new MemoryBus({ partitions: 4, maxBatch: 200 });
  await bus.start();
  const last = new Map<string, Cluster>();
  await bus.subscribe({
    topics: ['signals'],
    groupId: 'parity-signals',
    eachBatch: async (b) => {
      for (const m of b) {
        const d = decodeSignal(m.value);
        if (!d.ok) continue;
        if (d.message.kind === 'merged') last.delete(d.message.id);
        else last.set(d.message.cluster.id, d.message.cluster);
      }
    },
  });
  const enrich = createEnricher({ enrichment: config.enrich, pseudonymKey: KEY });
  const detect = new DetectWorker({ config, bus, state: new MemoryStateStore(), logger, metrics: createMetrics() });
  const enricher = new EnrichWorker({ config, bus, logger, metrics: createMetrics(), enrich });
  // Everything is enriched before detection starts, so the only idle flush is the one after the last post (under
  // load, a pause of the enrich worker mid-stream would otherwise be a flush, which is part of the input).
  await enricher.start();
  await bus.publish('posts.raw', posts.map(rawPostMessage));
  await waitFor(async () => (await enricher.lag()) === 0, 'all posts enriched', 1_200_000, 100);
  await detect.start();
  // Consumed, and the idle flush released what the watermark still held.
  await waitFor(
    async () => detect.detectedPosts === posts.length && (await enricher.lag()) === 0 && (await detect.lag()) === 0,
    'all posts detected',
    1_200_000,
    100,
  );
  await waitFor(() => !awaitsIdleFlush(detect), 'the idle flush', 30_000, 100);
  await new Promise((r) => setTimeout(r, 300)); // the signals subscriber gets the flush's updates
  await enricher.stop();
  await detect.stop();
  await bus.stop();
  return { clusters: [...last.keys()].sort().map((id) => last.get(id)!), detected: detect.detectedPosts };
}

/** Whether the detect worker's event-time driver still holds posts back or has posts not yet evaluated (what the idle
 * flush releases and evaluates). */
function awaitsIdleFlush(w: DetectWorker): boolean {
  // The held state is private to the worker; a test may look.
  const held = (w as unknown as { held: { driver: EventTimeState } | null }).held;
  return held !== null && awaitsFlush(held.driver);
}

/**
 * A ring of 8 accounts each sharing 4 links within 30 s of each other (one link every 5 minutes) among 288 organic
 * posts of 150 accounts over 25 minutes; the last 16 posts share the last millisecond. In (createdAt, id) order.
 */
function ringWithSharedEnd(): NormalizedPost[] {
  const r = prng(11);
  const t0 = Date.parse('2025-10-20T08:00:00Z');
  const words = [
    'kabinet',
    'stikstof',
    'woningmarkt',
    'zorg',
    'klimaat',
    'boeren',
    'debat',
    'peiling',
    'trein',
    'regen',
  ];
  const make = (id: string, account: string, ms: number, text: string, links: string[]): NormalizedPost => ({
    id,
    source: 'mastodon',
    url: `https://example.social/@${account}/${id}`,
    text,
    createdAt: new Date(Math.round(ms)).toISOString(),
    lang: 'nl',
    author: {
      id: account,
      handle: `${account}@example.social`,
      displayName: account,
      createdAt: '2019-01-01T00:00:00Z',
      followers: 10,
      following: 50,
      posts: 200,
      bot: false,
    },
    links,
    hashtags: [],
  });
  const posts: NormalizedPost[] = [];
  for (let l = 0; l < 4; l++)
    for (let a = 0; a < 8; a++) {
      const link = `https://onthuld.example/a/${l}`;
      posts.push(
        make(`ring-${l}-${a}`, `ring-${a}`, t0 + 60_000 + l * 300_000 + r() * 30_000, `Lees dit ${link}`, [link]),
      );
    }
  for (let i = 0; i < 288; i++) {
    const text = Array.from({ length: 8 }, () => words[Math.floor(r() * words.length)]).join(' ');
    posts.push(make(`org-${i}`, `org-${Math.floor(r() * 150)}`, t0 + r() * 1_500_000, `${text} ${i}`, []));
  }
  sortedByTime(posts);
  const end = posts[posts.length - 1]!.createdAt;
  for (const p of posts.slice(-16)) p.createdAt = end;
  return sortedByTime(posts);
}

/** Posts in (createdAt, id) order, as sources publish them. */
function sortedByTime(posts: NormalizedPost[]): NormalizedPost[] {
  return posts.sort(
    (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** Writes posts to a fresh JSONL file for `mid analyze`. */
function writePosts(posts: NormalizedPost[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mid-parity-')), 'posts.jsonl');
  writeFileSync(file, `${posts.map((p) => JSON.stringify(p)).join('\n')}\n`);
  return file;
}

function readPosts(file: string): NormalizedPost[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as NormalizedPost);
}

describe('mid analyze and the streaming workers', () => {
  it('flag identical clusters on the bundled sample', { timeout: 120_000 }, async () => {
    const posts = readPosts(SAMPLE);
    const [b, s] = [await batch(SAMPLE), await stream(posts)];
    expect(s.detected).toBe(posts.length);
    expect(b).toHaveLength(1);
    expect(JSON.stringify(s.clusters)).toBe(JSON.stringify(b));
  });

  it('flag identical clusters when every partition ends at the same millisecond', { timeout: 120_000 }, async () => {
    // The cause of the seed-1 difference, in 300 posts. Seed 1 ends with 48 posts at 14:00:00.000 spread over the 4
    // partitions. The watermark used to reach that last millisecond and release everything, so the detect worker's
    // buffer was empty, its idle flush was skipped, and the posts observed since the last advance were never
    // evaluated: the stream's clusters kept the null-model counts (expected co-actions, p-values) of the advance
    // before, while `mid analyze` evaluates them at the end of its file. Here: a ring of 8 accounts sharing 4 links,
    // 288 organic posts, the last 16 of them at one millisecond; a null model without a floor on the posts, so the
    // last posts change the ring's counts.
    const posts = ringWithSharedEnd();
    expect(new Set(posts.slice(-16).map((p) => keyPartition(p.id, 4))).size).toBe(4);
    const cfg = loadConfig({
      env: { MID_PSEUDONYM_KEY: KEY },
      overrides: { detect: { idleFlushMs: 1500, checkpointMs: 1000, nullMinPosts: 1 } },
    });
    const [b, s] = [await batch(writePosts(posts), cfg), await stream(posts, cfg)];
    expect(s.detected).toBe(posts.length);
    expect(b.some((c) => (c.evidence ?? []).some((e) => e.kind === 'network'))).toBe(true);
    expect(JSON.stringify(s.clusters)).toBe(JSON.stringify(b));
  });

  // In the normal suite: its 22,637 posts take ~110 s through both paths on a quiet machine (920 s at load ~22, so
  // the timeout is generous). It used to differ
  // in the score and p-value of 5 of its 9 clusters: its last 48 posts share one millisecond over the 4 partitions,
  // and the stream never evaluated the posts after its last advance (the test above reproduces that in 300 posts and
  // runs in the normal suite).
  it('flag identical clusters on evaluation seed 1', { timeout: 1_800_000 }, async () => {
    // The generator's posts are not quite in time order (470 inversions in seed 1), and posts that arrive after their
    // time was released are observed as they come, so a file out of order and 4 partitions may differ: the claim is
    // for posts in time order, as sources publish them.
    const posts = sortedByTime(generateCampaigns(1, TUNING_PARAMS).posts);
    const [b, s] = [await batch(writePosts(posts)), await stream(posts)];
    expect(s.detected).toBe(posts.length);
    expect(b.length).toBeGreaterThanOrEqual(5); // campaigns of all five styles are flagged
    expect(JSON.stringify(s.clusters)).toBe(JSON.stringify(b));
  });
});
