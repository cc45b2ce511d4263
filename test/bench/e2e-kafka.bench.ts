// End-to-end benchmark through the Kafka-protocol broker (kcat mock cluster) and Redis, started here unless
// MID_KAFKA_BROKERS / MID_REDIS_URL are set. Deployed as in cluster mode: an enrich worker (`mid worker enrich`) and
// an index worker (`mid worker index`, SQLite) in child processes, the detect worker in this process (so its
// counters can be read):
//  1. throughput: 20,000 posts published to posts.raw; posts/s from the first publish until every post is indexed
//     and has reached the detector, and the time until the detect group has committed everything (its idle flush and
//     checkpoint). Run twice: with the real coordination detector, and with a no-op detector.
//  2. latency: a publisher in a child process (this file with `publisher`) sends background posts at 500 posts/s
//     with createdAt = now, plus a coordinated post every 500 ms, and reports when it published each coordinated
//     post; time from publishing a coordinated post to the first cluster update on `signals` that contains it.
//     Also reported: the longest pause of the detector for a checkpoint (log chunk) and a full snapshot.
// Prints numbers; never fails on speed. `BENCH_LATENCY_SECONDS` (60) and `BENCH_COMPACT_POSTS` (the default
// detect.compactPosts) change the latency run; `BENCH_DETECT` (JSON) overrides detect settings; `BENCH_ONLY` runs one part.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, teardown } from '../global-setup.ts';
import type { CoordinationDetector } from '../../pipelines/detect-coordination.ts';
import type { NormalizedPost } from '../../pipelines/types.ts';
import { KafkaBus } from '../../workers/adapters/kafka-bus.ts';
import { RedisStateStore } from '../../workers/adapters/redis-state-store.ts';
import { loadConfig } from '../../workers/config.ts';
import { DetectWorker } from '../../workers/detect-worker.ts';
import { createLogger } from '../../workers/logger.ts';
import { decodeCluster, rawPostMessage } from '../../workers/messages.ts';
import { createMetrics } from '../../workers/metrics.ts';
import { normalizedPosts } from '../workers/fixtures.ts';
import { kafkaBusConfig } from '../support/kafka.ts';

const logger = createLogger('silent');
const KEY = 'bench-pseudonym-key-0123456789';
const children: ChildProcess[] = [];
/** Enrich worker processes (BENCH_ENRICH_WORKERS, default 1). */
const ENRICH_WORKERS = Number(process.env.BENCH_ENRICH_WORKERS ?? 1);

function fileConfigFor(id: string, dir: string, extra: Record<string, unknown> = {}) {
  return {
    dataDir: dir,
    http: { port: 0 },
    log: { level: 'warn' },
    bus: kafkaBusConfig(id, 'b', { sessionTimeoutMs: 6000 }),
    detect: { ...extra },
    scheduler: { kind: 'memory' },
    redis: { url: process.env.MID_REDIS_URL!, keyPrefix: `bench${id}` },
    stateStore: { kind: 'redis' },
    store: { kind: 'sqlite', sqliteFile: join(dir, 'signals.db') },
  };
}

function child(args: string[], configFile: string): ChildProcess {
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the worker processes.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const c = spawn(process.execPath, [...nodeArgs, 'workers/bin/mid.mjs', ...args], {
    env: { ...process.env, MID_CONFIG: configFile, MID_LOG_LEVEL: 'warn', MID_PSEUDONYM_KEY: KEY },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(c);
  return c;
}

async function stopChild(c: ChildProcess | null): Promise<void> {
  if (!c || c.exitCode !== null) return;
  const exited = new Promise((r) => {
    c.once('exit', r);
    setTimeout(r, 15_000);
  });
  c.kill('SIGTERM');
  await exited;
}

/** An enrich worker and an index worker (SQLite) in child processes, the detect worker in this process. */
async function pipeline(id: string, noopDetector: boolean, extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'mid-bench-'));
  // BENCH_DETECT: JSON merged into the detect section (e.g. {"snapshotInThread":true}).
  const fileConfig = fileConfigFor(id, dir, {
    ...extra,
    ...(process.env.BENCH_DETECT ? (JSON.parse(process.env.BENCH_DETECT) as Record<string, unknown>) : {}),
  });
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(fileConfig));
  const config = loadConfig({ file: configFile, env: {} });
  const bus = new KafkaBus({ brokers: config.bus.kafkaBrokers, clientId: 'bench', logger, sessionTimeoutMs: 6000 });
  const state = new RedisStateStore({ url: config.redis.url, prefix: `bench${id}:` });
  const metrics = createMetrics();
  const noop = (): CoordinationDetector => ({
    observe() {},
    advance: () => [],
    clusters: () => [],
    accounts: () => [],
    exportState: () => ({}),
    exportStateJson: () => '{}',
    exportStateParts: () => ['[[[],{}]]'],
    observeFactCheck() {},
  });
  const detect = new DetectWorker({
    config,
    bus,
    state,
    logger,
    metrics,
    ...(noopDetector ? { createDetector: noop } : {}),
  });
  await state.start();
  await bus.start();
  let index: ChildProcess | null = null;
  let enrich: ChildProcess[] = [];
  let db: Database.Database | null = null;
  return {
    config,
    bus,
    detect,
    async start() {
      for (const t of [config.bus.topics.postsEnriched, config.bus.topics.signals, config.bus.topics.dlq])
        await bus.publish(t, []);
      index = child(['worker', 'index'], configFile);
      enrich = Array.from({ length: ENRICH_WORKERS }, () => child(['worker', 'enrich'], configFile));
      await detect.start();
      await until(async () => {
        try {
          db ??= new Database(fileConfig.store.sqliteFile, { readonly: true, fileMustExist: true });
          return true;
        } catch {
          return false;
        }
      }, 30_000);
    },
    indexed(): number {
      try {
        return db ? (db.prepare('SELECT count(*) AS n FROM posts').get() as { n: number }).n : 0;
      } catch {
        return 0;
      }
    },
    clusters(): number {
      try {
        return db ? (db.prepare('SELECT count(*) AS n FROM clusters').get() as { n: number }).n : 0;
      } catch {
        return 0;
      }
    },
    async stop() {
      await Promise.all(enrich.map(stopChild));
      await detect.stop();
      await bus.stop();
      await state.stop();
      db?.close();
      await stopChild(index);
    },
  };
}

async function until(cond: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function throughput(noopDetector: boolean, n: number): Promise<void> {
  const id = randomUUID().slice(0, 8);
  const p = await pipeline(id, noopDetector);
  const posts = normalizedPosts(n, { spanMs: 20 * 60_000, campaignEvery: 40, prefix: `t${id}-` });
  const messages = posts.map(rawPostMessage);
  // Create the topics and join the groups first, so the measurement starts with warm consumers.
  await p.bus.publish(p.config.bus.topics.postsRaw, []);
  await p.start();
  await new Promise((r) => setTimeout(r, 4000));
  const t0 = Date.now();
  for (let i = 0; i < messages.length; i += 2000)
    await p.bus.publish(p.config.bus.topics.postsRaw, messages.slice(i, i + 2000));
  const published = Date.now() - t0;
  const indexed = await until(() => p.indexed() >= n && p.detect.detectedPosts >= n, 110_000);
  const tDone = Date.now() - t0;
  const ok = indexed && (await until(async () => (await p.detect.lag()) === 0, 60_000));
  const total = Date.now() - t0;
  const count = p.indexed();
  process.stdout.write(
    `throughput (${noopDetector ? 'no-op detector' : 'coordination detector'}): ${n} posts published in ${published} ms; ` +
      `${ok ? '' : 'NOT FINISHED: '}all ${count} enriched+indexed and ${p.detect.detectedPosts} handed to the detector after ${tDone} ms = ${Math.round((Math.min(count, p.detect.detectedPosts) / tDone) * 1000)} posts/s end to end; ` +
      `${p.clusters()} clusters; detect offsets committed (idle flush + checkpoint) after ${total} ms\n`,
  );
  await p.stop();
}

/** The latency publisher (child process): posts at `rate` per second for `durationMs`, a line per coordinated post. */
async function publisher(configFile: string, id: string, rate: number, durationMs: number): Promise<void> {
  const config = loadConfig({ file: configFile, env: {} });
  const bus = new KafkaBus({ brokers: config.bus.kafkaBrokers, clientId: 'bench-publisher', logger });
  await bus.start();
  const t0 = Date.now();
  let i = 0;
  let campaign = 0;
  const inflight = new Set<Promise<void>>();
  const words = ['stikstof', 'woningmarkt', 'zorg', 'onderwijs', 'klimaat', 'migratie', 'belasting', 'pensioen'];
  while (Date.now() - t0 < durationMs) {
    const tickStart = Date.now();
    // Catch up to the rate (a late tick sends more), so the rate is kept when ticks are delayed.
    const due = Math.floor(((tickStart - t0) / 1000) * rate) + rate / 10;
    const batch: NormalizedPost[] = [];
    const coordinatedIds: string[] = [];
    for (; i < due; i++) {
      const now = new Date().toISOString();
      const coordinated = i % (rate / 2) === 0;
      const author = coordinated ? `camp-${campaign % 12}` : `user-${i % 5000}`;
      batch.push({
        id: `l${id}-${i}`,
        source: 'mastodon',
        createdAt: now,
        lang: 'nl',
        url: null,
        text: coordinated
          ? 'De uitslag wordt gemanipuleerd, deel dit voordat het verwijderd wordt! https://bewijs.example/stembus'
          : `Bericht ${i} over ${words[i % words.length]} en ${words[(i * 3) % words.length]} nummer ${(i * 7919) % 10007}`,
        author: {
          id: author,
          handle: author,
          createdAt: coordinated ? new Date(Date.now() - 3 * 86_400_000).toISOString() : '2019-01-01T00:00:00Z',
          followers: 5,
          following: 40,
          posts: 10,
        },
        links: coordinated ? ['https://bewijs.example/stembus'] : [],
        hashtags: coordinated ? ['stembus'] : [],
      });
      if (coordinated) {
        campaign++;
        coordinatedIds.push(`l${id}-${i}`);
      }
    }
    const publishedAt = Date.now();
    for (const postId of coordinatedIds) process.stdout.write(`${postId} ${publishedAt}\n`);
    // Not awaited: the producer keeps the rate while earlier sends are acknowledged.
    const sending = bus.publish(config.bus.topics.postsRaw, batch.map(rawPostMessage));
    inflight.add(sending);
    void sending.finally(() => inflight.delete(sending));
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tickStart))));
  }
  await Promise.all(inflight);
  process.stdout.write(`done ${i} ${Date.now() - t0}\n`);
  await bus.stop();
}

async function latency(rate: number, durationMs: number, compactPosts: number | undefined): Promise<void> {
  const id = randomUUID().slice(0, 8);
  const p = await pipeline(id, false, compactPosts ? { compactPosts } : {});
  await p.bus.publish(p.config.bus.topics.postsRaw, []);
  await p.bus.publish(p.config.bus.topics.signals, []);
  const sent = new Map<string, number>();
  const seenAt = new Map<string, number>();
  let first: { at: number; posts: string[] } | null = null;
  const sub = await p.bus.subscribe({
    topics: [p.config.bus.topics.signals],
    groupId: `lat-${id}`,
    fromBeginning: false,
    eachBatch: async (b) => {
      const now = Date.now();
      for (const m of b) {
        const d = decodeCluster(m.value);
        if (!d.ok) continue;
        first ??= { at: now, posts: d.message.cluster.posts.slice() };
        for (const postId of d.message.cluster.posts) if (!seenAt.has(postId)) seenAt.set(postId, now);
      }
    },
  });
  // When the detect worker received each post (to split the latency into transport and detection).
  const arrivedAt = new Map<string, number>();
  const handle = p.detect.handleBatch.bind(p.detect);
  p.detect.handleBatch = async (batch) => {
    const now = Date.now();
    for (const m of batch) if (m.key && !arrivedAt.has(m.key)) arrivedAt.set(m.key, now);
    return handle(batch);
  };
  await p.start();
  await new Promise((r) => setTimeout(r, 4000));
  const configFile = join(p.config.dataDir, 'config.json');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, 'publisher', configFile, id, String(rate), String(durationMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  let done = '';
  for await (const line of createInterface({ input: child.stdout! })) {
    const [a, b, c] = line.split(' ');
    if (a === 'done') done = `${b} ${c}`;
    else sent.set(a!, Number(b));
  }
  await new Promise((r) => setTimeout(r, 8000));
  await sub.stop();
  const [count, ms] = done.split(' ').map(Number);
  const actualRate = Math.round((count! / ms!) * 1000);
  const stats = (xs: number[]) => {
    if (xs.length === 0) return 'none';
    xs.sort((a, b) => a - b);
    const q = (f: number) => xs[Math.min(xs.length - 1, Math.floor(f * xs.length))];
    return `${xs.length} posts, p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${xs[xs.length - 1]} ms`;
  };
  const all: number[] = [];
  const joining: number[] = [];
  const transport: number[] = [];
  const detection: number[] = [];
  const f = first as { at: number; posts: string[] } | null;
  for (const [postId, t] of sent) {
    const at = seenAt.get(postId);
    const arrived = arrivedAt.get(postId);
    if (at !== undefined) all.push(at - t);
    if (at !== undefined && f && t > f.at) joining.push(at - t);
    if (arrived !== undefined) transport.push(arrived - t);
    if (arrived !== undefined && at !== undefined) detection.push(at - arrived);
  }
  // The first cluster update: from publishing the newest coordinated post it contains to the update itself.
  const newestInFirst = f ? Math.max(...f.posts.map((x) => sent.get(x) ?? -Infinity)) : -Infinity;
  if (process.env.BENCH_DEBUG)
    for (const [postId, t] of sent)
      process.stdout.write(
        `  ${postId} +${t - Math.min(...sent.values())} ms: detect worker +${(arrivedAt.get(postId) ?? NaN) - t}, cluster update +${(seenAt.get(postId) ?? NaN) - t}\n`,
      );
  process.stdout.write(
    `latency at ${actualRate} posts/s (publisher in its own process, ${durationMs / 1000} s, ${sent.size} coordinated posts, one every 500 ms from 12 accounts):\n` +
      `  publish -> first cluster update containing the post, every coordinated post (${sent.size - all.length} never in one): ${stats(all)}\n` +
      `    (the campaign's first posts can be in a cluster only once enough accounts have posted: the build-up is part of this)\n` +
      `  first detection: publish of the newest post in the first cluster update -> that update: ${Number.isFinite(newestInFirst) ? `${f!.at - newestInFirst} ms` : 'no update'}\n` +
      `  posts published after the cluster first appeared -> update containing them: ${stats(joining)}\n` +
      `  of which publish -> detect worker receives it: ${stats(transport)}; received -> cluster update: ${stats(detection)}\n` +
      `  compactPosts ${p.config.detect.compactPosts}, snapshotInThread ${p.config.detect.snapshotInThread} (${p.detect.threadSnapshots} snapshots from the thread); longest detector pause for a checkpoint ${Math.round(p.detect.longestPauseMs.log)} ms, for a full snapshot ${Math.round(p.detect.longestPauseMs.snapshot)} ms\n`,
  );
  await p.stop();
}

if (process.argv[2] === 'publisher') {
  const [, , , configFile, id, rate, durationMs] = process.argv;
  await publisher(configFile!, id!, Number(rate), Number(durationMs));
} else {
  const ownServices = !process.env.MID_KAFKA_BROKERS || !process.env.MID_REDIS_URL;
  if (ownServices) await setup();
  try {
    const only = process.env.BENCH_ONLY; // 'throughput' or 'latency' runs one part
    if (only !== 'latency') {
      await throughput(true, 20_000);
      await throughput(false, 20_000);
    }
    if (only !== 'throughput')
      await latency(
        500,
        Number(process.env.BENCH_LATENCY_SECONDS ?? 60) * 1000,
        process.env.BENCH_COMPACT_POSTS ? Number(process.env.BENCH_COMPACT_POSTS) : undefined,
      );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (ownServices) await teardown();
  }
}
