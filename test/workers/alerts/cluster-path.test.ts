// The cluster path: `mid worker alerts` as its own process on the Kafka-protocol broker (signals) with BullMQ jobs
// and the alert state in Redis. One message per new cluster, one follow-up when it doubles, nothing for repeats,
// nothing twice across a SIGKILL and restart of the worker, and one "ended" notice per alerted cluster once the
// signals' event time passes the detector window.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '../../../workers/adapters/kafka-bus.ts';
import { createLogger } from '../../../workers/logger.ts';
import { clusterMessage } from '../../../workers/messages.ts';
import { alertCluster, Receiver } from './harness.ts';
import { waitFor } from '../wait-for.ts';
import { kafkaBrokers, runTopics } from '../../support/kafka.ts';

const children: ChildProcess[] = [];
const receivers: Receiver[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const r of receivers) await r.stop();
});

function midWorker(env: Record<string, string>): ChildProcess {
  const c = spawn(process.execPath, ['workers/bin/mid.mjs', 'worker', 'alerts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  c.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  c.once('exit', (code) => {
    if (code) process.stderr.write(`mid worker alerts exited ${code}: ${err}\n`);
  });
  children.push(c);
  return c;
}

describe('alerts on Kafka + BullMQ + Redis', () => {
  it('one message per cluster version across duplicates and a restart', { timeout: 240_000 }, async () => {
    const id = randomUUID().slice(0, 8);
    const rx = await new Receiver().start();
    receivers.push(rx);
    const dir = mkdtempSync(join(tmpdir(), 'mid-alerts-cluster-'));
    const configFile = join(dir, 'config.json');
    const brokers = kafkaBrokers();
    const topics = runTopics(id);
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir: dir,
        http: { port: 0 },
        log: { level: 'warn' },
        bus: { kind: 'kafka', kafkaBrokers: brokers, groupPrefix: `a${id}`, sessionTimeoutMs: 6000, topics },
        scheduler: { kind: 'bullmq' },
        redis: { url: process.env.MID_REDIS_URL!, keyPrefix: `al${id}` },
        alerts: {
          deliverEveryMs: 500,
          routes: [
            {
              name: 'desk',
              groupWaitMs: 0,
              groupIntervalMs: 0,
              channel: { format: 'json', urlEnv: 'HOOK', secretEnv: 'HOOK_SECRET' },
            },
          ],
        },
      }),
    );
    const env = {
      MID_CONFIG: configFile,
      HOOK: `${rx.url}/hook`,
      HOOK_SECRET: 'cluster-secret',
      MID_LOG_LEVEL: 'warn',
    };
    const bus = new KafkaBus({ brokers, clientId: `alerts-test-${id}`, logger: createLogger('silent') });
    await bus.start();
    const keys = () => rx.requests.map((r) => String(r.headers['x-mid-idempotency-key']));
    try {
      await bus.publish(topics.signals, [clusterMessage(alertCluster(), 1)]);
      let worker = midWorker(env);
      await waitFor(() => keys().includes('cl-1:desk:v1'), 'the first alert', 120_000, 100);
      const grown = alertCluster({
        posts: Array.from({ length: 12 }, (_, i) => `post-${i}`),
        accounts: Array.from({ length: 12 }, (_, i) => `p:${i}`),
      });
      await bus.publish(topics.signals, [clusterMessage(alertCluster(), 2), clusterMessage(grown, 3)]);
      await waitFor(() => keys().includes('cl-1:desk:v2'), 'the follow-up', 60_000, 100);
      expect(rx.json(1)).toMatchObject({ threadKey: 'cl-1:desk:v1', version: 2 });
      // Kill once the follow-up is acknowledged (gone from the outbox): a kill between the receiver's 2xx and that
      // acknowledgement sends it again with the same idempotency key, by design (restart.test.ts covers that window);
      // here the claim is that the signals that come again after the restart send nothing new.
      const redis = new Redis(process.env.MID_REDIS_URL!);
      try {
        expect(await redis.exists(`al${id}:alerts:thread`)).toBe(1); // the keys below are the worker's
        await waitFor(
          async () => (await redis.hlen(`al${id}:alerts:outbox`)) === 0,
          'the acknowledgement',
          60_000,
          100,
        );
      } finally {
        redis.disconnect();
      }
      worker.kill('SIGKILL');
      await new Promise((r) => worker.once('exit', r));
      // Restart: the uncommitted signals come again, the same states arrive again, then a new cluster as a marker.
      worker = midWorker(env);
      await bus.publish(topics.signals, [
        clusterMessage(grown, 4),
        clusterMessage(alertCluster({ id: 'cl-marker' }), 5),
      ]);
      await waitFor(() => keys().includes('cl-marker:desk:v1'), 'the marker alert', 120_000, 100);
      expect(
        keys()
          .filter((k) => k.startsWith('cl-1:'))
          .sort(),
      ).toEqual(['cl-1:desk:v1', 'cl-1:desk:v2']);
      // Event time passes the detector window (6 h) after their last posts: both alerted clusters ended, one notice
      // each in their thread (the detector publishes nothing when it retires a cluster; the watermark tells).
      const later = Date.parse(alertCluster().end) + 7 * 3_600_000;
      await bus.publish(topics.signals, [
        clusterMessage(alertCluster({ id: 'cl-late', end: new Date(later).toISOString() }), later),
      ]);
      await waitFor(
        () => keys().includes('cl-1:desk:resolved') && keys().includes('cl-marker:desk:resolved'),
        'the ended notices',
        60_000,
        100,
      );
      const ended = rx.requests.find((r) => r.headers['x-mid-idempotency-key'] === 'cl-1:desk:resolved')!;
      expect(JSON.parse(ended.body)).toMatchObject({ threadKey: 'cl-1:desk:v1', message: { kind: 'resolved' } });
      expect((JSON.parse(ended.body) as { message: { title: string } }).message.title).toMatch(/^Voorbij: /);
      expect(
        keys()
          .filter((k) => k.endsWith(':resolved'))
          .sort(),
      ).toEqual(['cl-1:desk:resolved', 'cl-marker:desk:resolved']);
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    } finally {
      await bus.stop();
    }
  });
});
