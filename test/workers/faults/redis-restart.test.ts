// Fault test: Redis restarts while the connectors (replay source on the BullMQ scheduler, cursor and seen ids in
// Redis), enrich, detect (lease and checkpoints in Redis) and index workers run, in one process, on the real
// Kafka-protocol broker. The test starts a redis-server of its own (own port and dir) and, once part of the stream is
// indexed, kills it and starts it again on the same port:
//  - with persistence (AOF, fsync always) and SIGKILL: nothing may be lost or duplicated, and the clusters must equal
//    those of an uninterrupted in-process run over the same posts;
//  - without persistence and SIGTERM (Redis comes back empty): cursor, seen ids, detector lease and checkpoints are
//    gone. Every post must still be indexed exactly once (the store is idempotent by id) and the workers must carry
//    on; the clusters are compared and the outcome reported (see docs/streaming.md, Faults).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { isAccountPost, pseudonymizePostId } from '../../../pipelines/pseudonymize.ts';
import type { NormalizedPost } from '../../../pipelines/types.ts';
import { loadConfig } from '../../../workers/config.ts';
import { createLogger } from '../../../workers/logger.ts';
import { createReplaySource } from '../../../workers/replay-source.ts';
import { Runtime } from '../../../workers/runtime.ts';
import type { SqliteSignalStore } from '../../../workers/adapters/sqlite-signal-store.ts';
import { normalizedPosts } from '../fixtures.ts';
import { clusterPosts, referenceClusters } from '../../support/reference-clusters.ts';
import { waitFor, waitWhileProgressing } from '../wait-for.ts';
import { kafkaBusConfig } from '../../support/kafka.ts';

/**
 * Posts in the stream. 2,000, not 4,000: the detector's snapshots and loads grow with its window and block the one
 * event loop it shares with the lease and the Kafka heartbeats; at 4,000 on a loaded CI machine they reached 29 s
 * and 36 s (see the note above the describe). 2,000 posts still give a restart mid-stream, a base snapshot plus
 * log chunks to reload, and a 50-post campaign cluster that must come out whole.
 */
const N = 2000;
const KEY = 'faults-pseudonym-key-0123456789';
/**
 * A wait fails once nothing moved for this long (posts indexed or detected, clusters written). The waits run on the
 * event loop the workers block while they save detector state (up to 48 s measured at load average ~19), so the
 * stall must be longer than the longest such block or the wait mistakes the pause for a stall.
 */
const STALL_MS = 120_000;
/** The id a post is stored under: accounts' post ids are pseudonymised during enrichment, like the accounts. */
const storedId = (p: NormalizedPost): string => (isAccountPost(p.source) ? pseudonymizePostId(p.id, KEY) : p.id);
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
}

/** Starts redis-server on `port` with its data in `dir`; resolves once it accepts connections. */
function startRedis(port: number, dir: string, persist: boolean): Promise<ChildProcess> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    ...(persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out.slice(-300)}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited ${code}: ${out.slice(-300)}`));
    });
  });
}

function ended(c: ChildProcess): Promise<void> {
  return c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => c.once('exit', () => r()));
}

async function run(persist: boolean, signal: NodeJS.Signals) {
  const id = randomUUID().slice(0, 8);
  const dir = mkdtempSync(join(tmpdir(), 'mid-faults-redis-'));
  dirs.push(dir);
  const port = await freePort();
  let redis = await startRedis(port, dir, persist);
  const config = loadConfig({
    env: { MID_PSEUDONYM_KEY: KEY },
    overrides: {
      dataDir: dir,
      http: { port: 0 },
      log: { level: 'silent' },
      // leaseTtlMs at its default (20 s): with 5 s, a takeover's load and replay under a loaded CPU (5.8 s measured at
      // load average 25 on 2 cores) outlasted the lease, which was then lost again and again (14 times in one run).
      // A snapshot every 10 checkpoints (each second): a reload replays a base and log chunks. Every 2 made the
      // detector serialise its whole window every 2 s, which on a loaded machine was most of the run's CPU.
      detect: { tickMs: 5000, checkpointMs: 1000, compactChunks: 10 },
      bus: kafkaBusConfig(id, 'rr'), // sessionTimeoutMs at its default (10 s)
      scheduler: { kind: 'bullmq', seenTtlMs: 3_600_000 },
      redis: { url: `redis://127.0.0.1:${port}`, keyPrefix: `rr${id}` },
      stateStore: { kind: 'redis' },
      store: { kind: 'sqlite', sqliteFile: join(dir, 'signals.db') },
    },
  });
  const posts = normalizedPosts(N, { spanMs: 20 * 60_000, campaignEvery: 40, prefix: `r${id}-` });
  const input = join(dir, 'posts.jsonl');
  writeFileSync(input, `${posts.map((p) => JSON.stringify(p)).join('\n')}\n`);
  // A fixed clock for the replay's time shift, so that a replay that lost its cursor shifts the same way.
  const now = Date.now();
  const replay = createReplaySource(input, 250, () => now);
  const runtime = new Runtime({
    config: { ...config, scheduler: { ...config.scheduler, perSource: { replay: { everyMs: 300, jitterMs: 0 } } } },
    logger: createLogger(process.env.FAULTS_LOG ?? 'silent'),
    workers: ['connectors', 'enrich', 'detect', 'index'],
    http: false,
    connectors: [replay],
  });
  await runtime.start();
  const store = runtime.store as SqliteSignalStore;
  const metric = async (worker: string, outcome: string) =>
    (await runtime.metrics.processed.get()).values
      .filter((v) => v.labels.worker === worker && v.labels.outcome === outcome)
      .reduce((a, v) => a + v.value, 0);
  let outageMs: number;
  let atRestart: number;
  try {
    await waitWhileProgressing(
      async () => (await store.counts()).posts >= N / 4,
      async () => (await store.counts()).posts,
      'a quarter of the posts indexed',
      STALL_MS,
      50,
    );
    atRestart = (await store.counts()).posts;
    const t0 = Date.now();
    redis.kill(signal);
    await ended(redis);
    await new Promise((r) => setTimeout(r, 2000));
    redis = await startRedis(port, dir, persist);
    outageMs = Date.now() - t0;
    // However long the machine needs, as long as something moves: posts indexed, posts detected, clusters written.
    const detect = runtime.workers.find((w) => w.name === 'detect') as unknown as { detectedPosts: number };
    const progress = async () =>
      (await store.counts()).posts + detect.detectedPosts + (await metric('index', 'cluster'));
    await waitWhileProgressing(
      async () => (await store.counts()).posts >= N,
      progress,
      'every post indexed after the restart',
      STALL_MS,
    ).catch(() => undefined);
    const counts = await store.counts();
    const ids = (await store.getPosts(posts.map(storedId))).map((p) => p.id);

    // Reference: the same shifted posts through the same enrichment and event-time detection, in one process.
    const max = Math.max(...posts.map((p) => Date.parse(p.createdAt)));
    const shiftMs = Math.max(0, now - max);
    const shift = (iso: string | null | undefined) => (iso ? new Date(Date.parse(iso) + shiftMs).toISOString() : iso);
    const shifted: NormalizedPost[] = posts.map((p) => ({
      ...p,
      createdAt: shift(p.createdAt) as string,
      author: { ...p.author, createdAt: shift(p.author?.createdAt) },
    }));
    const want = referenceClusters(shifted, config, KEY);
    const stored = async () => clusterPosts((await store.listClusters({ limit: 10_000 })).map((c) => [c.id, c.posts]));
    const same = async () => JSON.stringify([...(await stored())]) === JSON.stringify([...want]);
    // With persistence the detector resumes from its checkpoint and must catch up exactly; without, it restarted
    // from nothing and is only reported, so it gets a short look.
    await (
      persist
        ? waitWhileProgressing(same, progress, 'the stored clusters to equal the reference', STALL_MS, 500)
        : waitFor(same, 'the stored clusters to equal the reference', 3_000, 500)
    ).catch(() => undefined);
    const clusters = await stored();
    const index = runtime.workers.find((w) => w.name === 'index')!;
    // kafkajs' admin sometimes fails a fetchTopicOffsets on a loaded machine (a missing metadata entry): ask again.
    const lagNow = async (): Promise<number> => {
      for (let i = 0; ; i++) {
        try {
          return await index.lag!();
        } catch (err) {
          if (i >= 10) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    };
    await waitFor(async () => (await lagNow()) === 0, 'the index worker to commit everything', 10_000, 200).catch(
      () => undefined,
    );
    // Messages on each topic (duplicates included), from the broker's offsets: what each stage handed on.
    const admin = new Kafka({ brokers: config.bus.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const onTopic = async (topic: string) =>
      (await admin.fetchTopicOffsets(topic)).reduce((a, p) => a + Number(p.high) - Number(p.low), 0);
    const stages = {
      rawMessages: await onTopic(config.bus.topics.postsRaw),
      enrichedMessages: await onTopic(config.bus.topics.postsEnriched),
      enrichOk: await metric('enrich', 'ok'),
      detectOk: await metric('detect', 'ok'),
      detectLate: await metric('detect', 'late'),
      detected: detect.detectedPosts,
      connectorsDuplicate: await metric('connectors', 'duplicate'),
    };
    await admin.disconnect();
    return {
      posts,
      counts,
      ids,
      ref: want,
      clusters,
      atRestart,
      outageMs,
      lag: await lagNow(),
      published: await metric('connectors', 'published'),
      indexed: await metric('index', 'indexed'),
      duplicates: await metric('index', 'duplicate'),
      stages,
    };
  } finally {
    await runtime.stop({ deadlineMs: 10_000 });
    redis.kill('SIGTERM');
    await ended(redis);
  }
}

// In CI (the MID_FAULT_REDIS gate is gone). Findings on the way: the 2,250 of 4,000 came from a connectors run that
// failed to read its cursor from the restarted Redis and backed the source off for 45-75 s (fixed: the state store's
// error fails that run only). The later slow detector (3,618 of 4,000 handled, 82 of 100 campaign posts when the
// 300 s timeout hit) was measured on 2026-12-02 with an event-loop monitor and timings of every detector step: no
// back-off or retry was waiting (Redis was back and used within 3 s) and no lease waited out its TTL; the event loop
// was blocked 2-28 s at a time by the detector's full snapshots, which this test asked for every 2 s
// (compactChunks 2), growing with the window to 9-29 s under load average ~13, and by a 36 s reload. A block longer
// than the Kafka session (6 s here then) cost group memberships and failed commits; one longer than the lease (20 s)
// cost the lease and a reload, which blocked again. CPU, made worse by the test's own settings; the product logs a
// warning when a state pause exceeds a quarter of the lease (detect.snapshotInThread is the cure for large windows).
// One product delay was found and fixed: the lease was given up at the first failed extension while Redis was down,
// and the lock restored from the AOF then had to expire (~16 s) before a reload; it is now kept while its last
// extension covers it. With these settings: 3 passes in 3 runs at load average 16-24 (2026-12-02).
describe('fault: Redis restarts while the workers run', () => {
  // One run per case, shared by its checks (each run takes one to four minutes on this machine).
  let aof: ReturnType<typeof run> | null = null;
  const aofRun = () =>
    (aof ??= run(true, 'SIGKILL').then((r) => {
      process.stdout.write(
        `[faults/redis aof+SIGKILL] in: ${N} posts; Redis down ${r.outageMs} ms at ${r.atRestart} indexed; connectors published ${r.published}; out: ${r.counts.posts} posts (${r.indexed} written, ${r.duplicates} duplicates absorbed), ${r.counts.dlq} dead letters, clusters ${r.clusters.size} stored / ${r.ref.size} reference, campaign posts in clusters ${[...r.clusters.values()].reduce((a, v) => a + v.length, 0)} stored / ${[...r.ref.values()].reduce((a, v) => a + v.length, 0)} reference, lag ${r.lag}; stages ${JSON.stringify(r.stages)}\n`,
      );
      return r;
    }));

  it(
    'with persistence (AOF) and SIGKILL: every post indexed exactly once, nothing dead-lettered, every offset committed',
    { timeout: 600_000 },
    async () => {
      const r = await aofRun();
      expect(r.atRestart).toBeLessThan(N);
      expect(r.counts.posts).toBe(N);
      expect(new Set(r.ids)).toEqual(new Set(r.posts.map(storedId)));
      expect(r.indexed).toBe(N);
      expect(r.counts.dlq).toBe(0);
      expect(r.lag).toBe(0);
    },
  );

  // Failed twice (50 and 63 of the 100 campaign posts in the stored cluster) before the BullMQ reconnect fix, with
  // leaseTtlMs 3 s and 10 s: the detect worker lost its lease again and again after the restart. Watch for flakiness.
  it(
    'with persistence (AOF) and SIGKILL: the same clusters as an uninterrupted run',
    { timeout: 600_000 },
    async () => {
      const r = await aofRun();
      expect(r.ref.size).toBeGreaterThan(0);
      expect(r.clusters).toEqual(r.ref);
    },
  );

  it(
    'without persistence (Redis comes back empty): every post still indexed exactly once, the workers carry on',
    { timeout: 600_000 },
    async () => {
      const r = await run(false, 'SIGTERM');
      const same = JSON.stringify([...r.clusters]) === JSON.stringify([...r.ref]);
      process.stdout.write(
        `[faults/redis empty+SIGTERM] in: ${N} posts; Redis down ${r.outageMs} ms at ${r.atRestart} indexed; connectors published ${r.published} (the cursor and seen ids were lost); out: ${r.counts.posts} posts (${r.indexed} written, ${r.duplicates} duplicates absorbed), ${r.counts.dlq} dead letters, clusters ${r.clusters.size} stored / ${r.ref.size} reference, equal: ${same}, lag ${r.lag}; stages ${JSON.stringify(r.stages)}\n`,
      );
      expect(r.atRestart).toBeLessThan(N);
      expect(r.counts.posts).toBe(N);
      expect(new Set(r.ids)).toEqual(new Set(r.posts.map(storedId)));
      expect(r.indexed).toBe(N);
      expect(r.counts.dlq).toBe(0);
      // The lag is reported, not asserted: the detector, restarted from nothing, is still emitting cluster updates.
    },
  );
});
