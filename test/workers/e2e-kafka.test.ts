// End to end through the Kafka-protocol broker and Redis: `mid publish` puts 20,000 posts on posts.raw, the enrich
// and detect workers run as a child process (`mid worker enrich detect`) that is SIGKILLed halfway and started
// again (the detector resumes from its saved snapshot and log once the dead holder's lease expired), an index worker
// writes to SQLite. Every post must be indexed exactly once, and the clusters must equal those of an uninterrupted
// in-process run over the same posts. A poison message on the way lands in dlq with its reason.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { isAccountPost, pseudonymizePostId } from '../../pipelines/pseudonymize.ts';
import { loadConfig } from '../../workers/config.ts';
import { createLogger } from '../../workers/logger.ts';
import { Runtime } from '../../workers/runtime.ts';
import { clusterPosts, referenceClusters } from '../support/reference-clusters.ts';
import { normalizedPosts } from './fixtures.ts';
import { waitFor } from './wait-for.ts';
import { kafkaBusConfig } from '../support/kafka.ts';

const N = 20_000;
const KEY = 'e2e-pseudonym-key-0123456789';
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function mid(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['workers/bin/mid.mjs', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  child.once('exit', (code, sig) => {
    if (code && code !== 0) process.stderr.write(`mid ${args.join(' ')} exited ${code ?? sig}: ${err}\n`);
  });
  return child;
}

function exited(c: ChildProcess): Promise<number | null> {
  return c.exitCode !== null ? Promise.resolve(c.exitCode) : new Promise((r) => c.once('exit', (code) => r(code)));
}

describe('end to end through Kafka', () => {
  it(
    'indexes 20,000 posts exactly once across a SIGKILL of the enrich and detect workers, with the same clusters',
    { timeout: 600_000 },
    async () => {
      const id = randomUUID().slice(0, 8);
      const dir = mkdtempSync(join(tmpdir(), 'mid-e2e-'));
      const configFile = join(dir, 'config.json');
      const dbFile = join(dir, 'signals.db');
      const fileConfig = {
        dataDir: dir,
        http: { port: 0 },
        log: { level: 'warn' },
        bus: kafkaBusConfig(id, 'g', { sessionTimeoutMs: 6000 }),
        detect: { tickMs: 5000, checkpointMs: 5000, compactChunks: 2, leaseTtlMs: 5000 },
        scheduler: { kind: 'memory' },
        redis: { url: process.env.MID_REDIS_URL!, keyPrefix: `e2e${id}` },
        stateStore: { kind: 'redis' },
        store: { kind: 'sqlite', sqliteFile: dbFile },
      };
      writeFileSync(configFile, JSON.stringify(fileConfig));
      const env = { MID_CONFIG: configFile, MID_PSEUDONYM_KEY: KEY, MID_LOG_LEVEL: 'warn' };
      const config = loadConfig({ file: configFile, env: { MID_PSEUDONYM_KEY: KEY } });

      // 20,000 posts over 20 minutes with a planted campaign, and one poison line in the middle.
      const posts = normalizedPosts(N, { spanMs: 20 * 60_000, campaignEvery: 40, prefix: `e${id}-` });
      const lines = posts.map((p) => JSON.stringify(p));
      lines.splice(N / 2, 0, JSON.stringify({ id: `poison-${id}`, text: 42 }));
      const input = join(dir, 'posts.jsonl');
      writeFileSync(input, `${lines.join('\n')}\n`);
      expect(await exited(mid(['publish', '--input', input], env))).toBe(0);

      const index = new Runtime({ config, logger: createLogger('silent'), workers: ['index'], http: false });
      await index.start();
      const db = new Database(dbFile, { readonly: true });
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      try {
        let enrich = mid(['worker', 'enrich', 'detect'], env);
        await waitFor(() => count('SELECT count(*) AS n FROM posts') >= N / 2, 'half the posts indexed', 300_000, 100);
        enrich.kill('SIGKILL');
        await exited(enrich);
        const atKill = count('SELECT count(*) AS n FROM posts');
        expect(atKill).toBeLessThan(N);
        enrich = mid(['worker', 'enrich', 'detect'], env);
        await waitFor(() => count('SELECT count(*) AS n FROM posts') >= N, 'all posts indexed', 400_000, 200);
        await waitFor(() => count('SELECT count(*) AS n FROM dlq') >= 1, 'the poison message in dlq', 60_000, 200);

        // Reference: the same posts through the same enrichment and event-time detection, in one process, no crash.
        const ref = referenceClusters(posts, config, KEY);
        expect(ref.size).toBeGreaterThan(0);
        const stored = () =>
          clusterPosts(
            (db.prepare('SELECT id, doc FROM clusters').all() as Array<{ id: string; doc: string }>).map((row) => [
              row.id,
              (JSON.parse(row.doc) as { posts: string[] }).posts,
            ]),
          );
        await waitFor(
          () => JSON.stringify([...stored()]) === JSON.stringify([...ref]),
          'the stored clusters to equal the reference',
          120_000,
          500,
        ).catch(() => undefined);
        expect(stored()).toEqual(ref);

        // Exactly once: every id present once (the primary key makes duplicates impossible, so check the set).
        const ids = (db.prepare('SELECT id FROM posts').all() as Array<{ id: string }>).map((x) => x.id);
        expect(ids.length).toBe(N);
        // Post ids of accounts' posts are pseudonymised during enrichment, like the accounts.
        expect(new Set(ids)).toEqual(
          new Set(posts.map((p) => (isAccountPost(p.source) ? pseudonymizePostId(p.id, KEY) : p.id))),
        );
        const letter = db.prepare('SELECT reason, key, worker FROM dlq').get() as {
          reason: string;
          key: string;
          worker: string;
        };
        expect(letter).toEqual({ reason: 'invalid-post', key: `poison-${id}`, worker: 'enrich' });
        // Pseudonymised at the store boundary: no raw author id or handle in any stored post.
        expect(
          count(
            'SELECT count(*) AS n FROM posts WHERE doc LIKE \'%@example.social%\' OR doc LIKE \'%"id":"user-%\' OR doc LIKE \'%"id":"camp-%\'',
          ),
        ).toBe(0);

        enrich.kill('SIGTERM');
        expect(await exited(enrich)).toBe(0);
      } finally {
        db.close();
        await index.stop({ deadlineMs: 10_000 });
      }
    },
  );
});
