// Triage status in cluster mode: the triage side (a real SQLite triage store behind publishTriageEvents, as the
// runtime wires it for the triage app and worker) publishes status changes on the Kafka-protocol broker; the alerts
// worker, a separate consumer on the same broker, keeps them and does not alert on a cluster analysts closed.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '../../../workers/adapters/kafka-bus.ts';
import { MemoryAlertStore } from '../../../workers/adapters/memory-alert-store.ts';
import { MemoryScheduler } from '../../../workers/adapters/memory-scheduler.ts';
import { MemoryStateStore } from '../../../workers/adapters/memory-state-store.ts';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { AlertsWorker } from '../../../workers/alerts-worker.ts';
import { loadConfig } from '../../../workers/config.ts';
import { createLogger } from '../../../workers/logger.ts';
import { clusterMessage } from '../../../workers/messages.ts';
import { createMetrics } from '../../../workers/metrics.ts';
import { decodeTriageEvent, publishTriageEvents } from '../../../workers/triage-events.ts';
import { waitFor } from '../wait-for.ts';
import { alertCluster, Receiver } from './harness.ts';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

describe('triage events on Kafka', () => {
  it(
    'a cluster closed in triage is not alerted by the alerts worker in another consumer',
    { timeout: 180_000 },
    async () => {
      const id = randomUUID().slice(0, 8);
      const brokers = process.env.MID_KAFKA_BROKERS!.split(',');
      const topics = { signals: `sig-${id}`, triage: `tri-${id}`, dlq: `dlq-${id}` };
      const rx = await new Receiver().start();
      cleanup.push(() => rx.stop());
      const logger = createLogger('silent');
      const config = loadConfig({
        env: { HOOK: `${rx.url}/hook` },
        overrides: {
          bus: { kind: 'kafka', kafkaBrokers: brokers, groupPrefix: `t${id}`, sessionTimeoutMs: 6000, topics },
          alerts: {
            store: 'memory',
            routes: [{ name: 'desk', groupWaitMs: 0, groupIntervalMs: 0, channel: { format: 'json', urlEnv: 'HOOK' } }],
          },
        },
      });

      // The triage side: its own bus client, as the triage worker process has.
      const triageBus = new KafkaBus({ brokers, clientId: `triage-${id}`, logger });
      await triageBus.start();
      cleanup.push(() => triageBus.stop());
      const sqlite = new SqliteTriageStore({ file: join(mkdtempSync(join(tmpdir(), 'mid-triage-ev-')), 'triage.db') });
      await sqlite.start();
      cleanup.push(() => sqlite.stop());
      const triage = publishTriageEvents(sqlite, { bus: triageBus, topic: topics.triage, logger });
      const closed = alertCluster({ id: 'cl-closed' });
      await triage.ingestClusters([{ cluster: closed, watermarkMs: 1, platforms: [] }], {
        nowMs: Date.now(),
        reopenGrowthShare: 0.5,
      });
      await triage.updateState(
        'cl-closed',
        { status: 'closed', closeReason: 'organic_coordination' },
        { actor: 'ana', action: 'status', atMs: Date.now() },
      );

      // The alerts side: another bus client and process-local state, no access to the triage store.
      const bus = new KafkaBus({ brokers, clientId: `alerts-${id}`, logger });
      await bus.start();
      cleanup.push(() => bus.stop());
      const alertStore = new MemoryAlertStore();
      const worker = new AlertsWorker({
        config,
        bus,
        scheduler: new MemoryScheduler(),
        state: new MemoryStateStore(),
        logger,
        metrics: createMetrics(),
        alertStore,
        signalStore: null,
      });
      await worker.start();
      cleanup.push(() => worker.stop());
      await waitFor(
        async () => (await alertStore.get('triage', 'cl-closed')) !== null,
        'the triage event',
        90_000,
        100,
      );

      await triageBus.publish(topics.signals, [
        clusterMessage(closed, 2),
        clusterMessage(alertCluster({ id: 'cl-open' }), 3),
      ]);
      const keys = () => rx.requests.map((r) => String(r.headers['x-mid-idempotency-key']));
      await waitFor(
        async () => {
          await worker.deliverDue();
          return keys().includes('cl-open:desk:v1');
        },
        'the alert of the open cluster',
        90_000,
        200,
      );
      expect(keys()).toEqual(['cl-open:desk:v1']);
    },
  );

  it('publishes only status changes, and reopenings', async () => {
    const published: string[] = [];
    const bus = {
      publish: async (_t: string, ms: Array<{ value: string }>) => void published.push(...ms.map((m) => m.value)),
    };
    const sqlite = new SqliteTriageStore({ file: join(mkdtempSync(join(tmpdir(), 'mid-triage-ev-')), 'triage.db') });
    await sqlite.start();
    try {
      const triage = publishTriageEvents(sqlite, { bus: bus as never, topic: 't', logger: createLogger('silent') });
      const c = alertCluster({ id: 'cl-r' });
      await triage.ingestClusters([{ cluster: c, watermarkMs: 1, platforms: [] }], {
        nowMs: 1,
        reopenGrowthShare: 0.5,
      });
      await triage.updateState('cl-r', { assignee: 'ana' }, { actor: 'ana', action: 'assign', atMs: 2 });
      expect(published).toHaveLength(0);
      await triage.updateState(
        'cl-r',
        { status: 'closed', closeReason: 'duplicate' },
        { actor: 'ana', action: 'status', atMs: 3 },
      );
      expect(published.map((v) => decodeTriageEvent(v))).toEqual([
        { v: 1, kind: 'triage-status', clusterId: 'cl-r', status: 'closed', closeReason: 'duplicate', atMs: 3 },
      ]);
      const grown = alertCluster({
        id: 'cl-r',
        posts: Array.from({ length: 20 }, (_, i) => `post-${i}`),
        accounts: Array.from({ length: 20 }, (_, i) => `p:${i}`),
      });
      const reopened = await triage.ingestClusters([{ cluster: grown, watermarkMs: 5, platforms: [] }], {
        nowMs: 5,
        reopenGrowthShare: 0.5,
      });
      expect(reopened).toHaveLength(1);
      expect(published).toHaveLength(2);
      expect(decodeTriageEvent(published[1]!)?.status).not.toBe('closed');
      expect(decodeTriageEvent('{"v":1,"kind":"other"}')).toBeNull();
    } finally {
      await sqlite.stop();
    }
  });
});
