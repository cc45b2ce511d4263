// End-to-end benchmark through the Kafka-protocol broker (kcat mock cluster) and Redis, started here unless
// MID_KAFKA_BROKERS / MID_REDIS_URL are set:
//  1. throughput: 10,000 posts published to posts.raw, consumed by an enrich worker (enrichment, event-time
//     detection, checkpoints to Redis) and an index worker (SQLite); posts/s from first publish until every post is
//     indexed and the enrich group has committed everything. Run twice: with the real coordination detector, and
//     with a no-op detector, which shows the ceiling of the streaming plumbing itself.
//  2. latency: background posts at 500 posts/s with createdAt = now, plus a coordinated post every 500 ms; time from
//     publishing a coordinated post to the first cluster update on `signals` that contains it.
// Prints numbers; never fails on speed.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, teardown } from '../global-setup.ts';
import { createEnricher } from '../../pipelines/enrich.ts';
import type { CoordinationDetector } from '../../pipelines/detect-coordination.ts';
import type { NormalizedPost } from '../../pipelines/types.ts';
import { KafkaBus } from '../../workers/adapters/kafka-bus.ts';
import { MemoryScheduler } from '../../workers/adapters/memory-scheduler.ts';
import { RedisStateStore } from '../../workers/adapters/redis-state-store.ts';
import { SqliteSignalStore } from '../../workers/adapters/sqlite-signal-store.ts';
import { loadConfig } from '../../workers/config.ts';
import { EnrichWorker } from '../../workers/enrich-worker.ts';
import { IndexWorker } from '../../workers/index-worker.ts';
import { createLogger } from '../../workers/logger.ts';
import { decodeCluster, rawPostMessage } from '../../workers/messages.ts';
import { createMetrics } from '../../workers/metrics.ts';
import { normalizedPosts } from '../workers/fixtures.ts';

const logger = createLogger('silent');
const KEY = 'bench-pseudonym-key-0123456789';

function configFor(id: string, extra: Record<string, unknown> = {}) {
  return loadConfig({ env: {}, overrides: {
    bus: { kind: 'kafka', kafkaBrokers: process.env.MID_KAFKA_BROKERS!.split(','), groupPrefix: `b${id}`, sessionTimeoutMs: 6000,
      topics: { postsRaw: `raw-${id}`, factchecksRaw: `fc-${id}`, postsEnriched: `enr-${id}`, signals: `sig-${id}`, dlq: `dlq-${id}` }, ...extra },
    scheduler: { redisUrl: process.env.MID_REDIS_URL!, keyPrefix: `bench${id}` },
  } });
}

async function pipeline(id: string, noopDetector: boolean, extra: Record<string, unknown> = {}) {
  const config = configFor(id, extra);
  const bus = new KafkaBus({ brokers: config.bus.kafkaBrokers, clientId: 'bench', logger, sessionTimeoutMs: 6000 });
  const state = new RedisStateStore({ url: config.scheduler.redisUrl, prefix: `bench${id}:` });
  const store = new SqliteSignalStore({ file: join(mkdtempSync(join(tmpdir(), 'mid-bench-')), 'signals.db') });
  const metrics = createMetrics();
  const noop = (): CoordinationDetector => ({ observe() {}, advance: () => [], clusters: () => [], accounts: () => [], exportState: () => ({}), observeFactCheck() {} });
  const enrich = new EnrichWorker({ config, bus, state, logger, metrics, enrich: createEnricher({ enrichment: config.enrichment, pseudonymKey: KEY }), ...(noopDetector ? { createDetector: noop } : {}) });
  const index = new IndexWorker({ config, bus, store, scheduler: new MemoryScheduler(), logger, metrics });
  await store.start(); await state.start(); await bus.start();
  return {
    config, bus, store, enrich, index,
    async start() { await index.start(); await enrich.start(); },
    async stop() { await enrich.stop(); await index.stop(); await bus.stop(); await state.stop(); await store.stop(); },
  };
}

async function until(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) { if (await cond()) return true; await new Promise((r) => setTimeout(r, 100)); }
  return false;
}

async function throughput(noopDetector: boolean, n: number): Promise<void> {
  const id = randomUUID().slice(0, 8);
  const p = await pipeline(id, noopDetector);
  const posts = normalizedPosts(n, { spanMs: 10 * 60_000, campaignEvery: 40, prefix: `t${id}-` });
  // Create the topics and join the groups first, so the measurement starts with warm consumers.
  await p.bus.publish(p.config.bus.topics.postsRaw, []);
  await p.start();
  await new Promise((r) => setTimeout(r, 4000));
  const t0 = Date.now();
  for (let i = 0; i < posts.length; i += 2000) await p.bus.publish(p.config.bus.topics.postsRaw, posts.slice(i, i + 2000).map(rawPostMessage));
  const published = Date.now() - t0;
  const indexed = await until(async () => (await p.store.counts()).posts >= n, 110_000);
  const tIndexed = Date.now() - t0;
  const ok = indexed && await until(async () => (await p.enrich.lag()) === 0, 30_000);
  const total = Date.now() - t0;
  const c = await p.store.counts();
  process.stdout.write(`throughput (${noopDetector ? 'no-op detector' : 'coordination detector'}): ${n} posts published in ${published} ms; `
    + `${ok ? '' : 'NOT FINISHED: '}all ${c.posts} enriched+detected+indexed after ${tIndexed} ms = ${Math.round((c.posts / tIndexed) * 1000)} posts/s end to end; `
    + `${c.clusters} clusters; enrich offsets committed (checkpoint) after ${total} ms\n`);
  await p.stop();
}

async function latency(): Promise<void> {
  const id = randomUUID().slice(0, 8);
  const p = await pipeline(id, false);
  await p.bus.publish(p.config.bus.topics.postsRaw, []);
  await p.bus.publish(p.config.bus.topics.signals, []);
  const sent = new Map<string, number>();
  const seen: number[] = [];
  const sub = await p.bus.subscribe({ topics: [p.config.bus.topics.signals], groupId: `lat-${id}`, fromBeginning: false, eachBatch: async (b) => {
    const now = Date.now();
    for (const m of b) {
      const d = decodeCluster(m.value);
      if (!d.ok) continue;
      for (const postId of d.message.cluster.posts) {
        const t = sent.get(postId);
        if (t !== undefined) { seen.push(now - t); sent.delete(postId); }
      }
    }
  } });
  await p.start();
  await new Promise((r) => setTimeout(r, 4000));
  const durationMs = 40_000;
  const rate = 500;
  const t0 = Date.now();
  let i = 0;
  let campaign = 0;
  const inflight = new Set<Promise<void>>();
  const words = ['stikstof', 'woningmarkt', 'zorg', 'onderwijs', 'klimaat', 'migratie', 'belasting', 'pensioen'];
  while (Date.now() - t0 < durationMs) {
    const tickStart = Date.now();
    const batch: NormalizedPost[] = [];
    for (let k = 0; k < rate / 10; k++, i++) {
      const now = new Date().toISOString();
      const coordinated = k === 0 && i % (rate / 2) < rate / 10;
      const author = coordinated ? `camp-${campaign % 12}` : `user-${i % 5000}`;
      batch.push({
        id: `l${id}-${i}`, source: 'mastodon', createdAt: now, lang: 'nl', url: null,
        text: coordinated ? 'De uitslag wordt gemanipuleerd, deel dit voordat het verwijderd wordt! https://bewijs.example/stembus'
          : `Bericht ${i} over ${words[i % words.length]} en ${words[(i * 3) % words.length]} nummer ${i * 7919 % 10007}`,
        author: { id: author, handle: author, createdAt: coordinated ? new Date(Date.now() - 3 * 86_400_000).toISOString() : '2019-01-01T00:00:00Z', followers: 5, following: 40, posts: 10 },
        links: coordinated ? ['https://bewijs.example/stembus'] : [], hashtags: coordinated ? ['stembus'] : [],
      });
      if (coordinated) campaign++;
    }
    const publishedAt = Date.now();
    for (const post of batch) if (post.author.id.startsWith('camp-')) sent.set(post.id, publishedAt);
    // Not awaited: the producer keeps the rate while earlier sends are acknowledged.
    const sending = p.bus.publish(p.config.bus.topics.postsRaw, batch.map(rawPostMessage));
    inflight.add(sending);
    void sending.finally(() => inflight.delete(sending));
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tickStart))));
  }
  await Promise.all(inflight);
  await new Promise((r) => setTimeout(r, 5000));
  await sub.stop();
  const actualRate = Math.round((i / (Date.now() - 5000 - t0)) * 1000);
  seen.sort((a, b) => a - b);
  const q = (f: number) => seen[Math.min(seen.length - 1, Math.floor(f * seen.length))];
  process.stdout.write(`latency at ~${actualRate} posts/s: ${campaign} coordinated posts, ${seen.length} seen in a cluster update; `
    + (seen.length ? `publish -> cluster update p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${seen[seen.length - 1]} ms\n` : 'no cluster update contained them\n'));
  await p.stop();
}

const ownServices = !process.env.MID_KAFKA_BROKERS || !process.env.MID_REDIS_URL;
if (ownServices) await setup();
try {
  await throughput(true, 10_000);
  await throughput(false, 10_000);
  await latency();
} finally {
  if (ownServices) await teardown();
}
