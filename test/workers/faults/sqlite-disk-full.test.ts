// Fault test: the disk fills up while the index worker writes the SQLite store. The store lives on a small tmpfs of
// its own (mount -t tmpfs; the test is skipped, saying why, where mounting is not permitted). Posts come from the real
// Kafka-protocol broker; after the first part is indexed a filler file takes every free byte, more posts arrive, and
// SQLite answers SQLITE_FULL. The worker must stay up, count and log the error, commit no offsets meanwhile (its lag
// stays), and once the filler is deleted index everything: every post exactly once, nothing dead-lettered.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '../../../workers/adapters/kafka-bus.ts';
import { MemoryScheduler } from '../../../workers/adapters/memory-scheduler.ts';
import { SqliteSignalStore } from '../../../workers/adapters/sqlite-signal-store.ts';
import { loadConfig } from '../../../workers/config.ts';
import { IndexWorker } from '../../../workers/index-worker.ts';
import { enrichedPostMessage } from '../../../workers/messages.ts';
import { createMetrics } from '../../../workers/metrics.ts';
import { enrichedPost } from '../fixtures.ts';
import { waitFor } from '../wait-for.ts';
import { kafkaBusConfig } from '../../support/kafka.ts';

const FIRST = 600;
const N = 2400;
const dir = mkdtempSync(join(tmpdir(), 'mid-diskfull-'));
let mountError: string | null = null;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', dir], { stdio: 'pipe' });
} catch (err) {
  mountError = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim();
  process.stdout.write(
    `[faults/disk-full] SKIPPED: cannot mount a tmpfs at ${dir} (${mountError}); run as root or with CAP_SYS_ADMIN.\n`,
  );
}

/** Writes zeros until the file system is full; returns the bytes taken. */
function fillDisk(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024);
  let n = 0;
  try {
    for (;;) n += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return n;
}

describe('fault: disk full while writing the SQLite store', () => {
  const stops: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    if (!mountError) execFileSync('umount', [dir]);
    rmdirSync(dir);
  });

  it.skipIf(mountError !== null)(
    'stops committing, reports the error, resumes after space is freed, every post once',
    { timeout: 90_000 },
    async () => {
      const id = randomUUID().slice(0, 8);
      const config = loadConfig({
        env: {},
        overrides: {
          bus: kafkaBusConfig(id, 'df'),
          store: { kind: 'sqlite', sqliteFile: join(dir, 'signals.db') },
        },
      });
      const bus = new KafkaBus({ brokers: config.bus.kafkaBrokers, clientId: `df-${id}`, retryBackoffMs: 100 });
      await bus.start();
      stops.push(() => bus.stop({ deadlineMs: 5000 }));
      const store = new SqliteSignalStore({ file: join(dir, 'signals.db') });
      await store.start();
      stops.push(() => store.stop());
      const metrics = createMetrics();
      const lines: string[] = [];
      const logger = pino(
        { level: 'warn' },
        {
          write: (l: string) => {
            lines.push(l);
          },
        },
      );
      const worker = new IndexWorker({ config, bus, store, scheduler: new MemoryScheduler(), logger, metrics });
      await worker.start();
      stops.push(() => worker.stop());

      // ~1 KB of text per post so that the second part cannot fit once the filler took the free space.
      const filler = 'woningmarkt stikstof verkiezingen '.repeat(30);
      const posts = Array.from({ length: N }, (_, i) =>
        enrichedPost(`df${id}-${i}`, `${i} ${filler}`, Date.parse('2025-10-20T12:00:00Z') + i * 1000, `acct-${i % 97}`),
      );
      const topic = config.bus.topics.postsEnriched;
      await bus.publish(topic, posts.slice(0, FIRST).map(enrichedPostMessage));
      await waitFor(async () => (await store.counts()).posts >= FIRST, 'the first part indexed', 30_000, 100);

      const fillFile = join(dir, 'filler.bin');
      const taken = fillDisk(fillFile);
      for (let i = FIRST; i < N; i += 300) await bus.publish(topic, posts.slice(i, i + 300).map(enrichedPostMessage));
      const errors = async () => (await metrics.storeErrors.get()).values.reduce((a, v) => a + v.value, 0);
      await waitFor(async () => (await errors()) >= 3, 'the store errors to be counted', 30_000, 100);
      // While full: the worker is up, has not committed what it could not write, and indexed only what fit.
      const whileFull = (await store.counts()).posts;
      expect(worker.ready()).toBe(true);
      expect(whileFull).toBeLessThan(N);
      expect(await worker.lag()).toBeGreaterThanOrEqual(N - whileFull);
      const errorLines = lines.filter((l) => l.includes('Signal store write failed'));
      expect(errorLines.length).toBeGreaterThanOrEqual(1);
      expect(errorLines.length).toBeLessThan(await errors()); // once per streak of failures, not once per retry
      expect(errorLines[0]).toMatch(/full/i);

      rmSync(fillFile);
      await waitFor(
        async () => (await store.counts()).posts >= N,
        'every post indexed after space was freed',
        45_000,
        100,
      ).catch(() => undefined);
      const counts = await store.counts();
      expect(counts.posts).toBe(N);
      expect(counts.dlq).toBe(0);
      expect(new Set(await store.getPosts(posts.map((p) => p.id)).then((ps) => ps.map((p) => p.id)))).toEqual(
        new Set(posts.map((p) => p.id)),
      );
      expect(await store.searchPosts(`${N - 1}`, 5)).toContain(`df${id}-${N - 1}`); // the full-text index has the late posts too
      await waitFor(async () => (await worker.lag()) === 0, 'every offset committed', 15_000, 100);
      expect(lines.some((l) => l.includes('Signal store writes again'))).toBe(false); // info, below the warn level used here
      process.stdout.write(
        `[faults/disk-full] in: ${N} posts (${FIRST} before the disk filled); filler took ${taken} bytes; while full: ${whileFull} indexed, ${await errors()} failed batch writes counted, ${errorLines.length} error log line(s); out after freeing: ${counts.posts} posts, ${counts.dlq} dead letters, lag 0\n`,
      );
    },
  );
});
