// The index worker on the in-process bus and an in-memory SQLite store: a cluster merged into another (a "merged"
// signal after its updates) is removed from the store, so analysts do not see the same campaign twice.
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../workers/adapters/memory-bus.ts';
import { MemoryScheduler } from '../../workers/adapters/memory-scheduler.ts';
import { SqliteSignalStore } from '../../workers/adapters/sqlite-signal-store.ts';
import { loadConfig } from '../../workers/config.ts';
import { IndexWorker } from '../../workers/index-worker.ts';
import { createLogger } from '../../workers/logger.ts';
import { clusterMergedMessage, clusterMessage } from '../../workers/messages.ts';
import { createMetrics } from '../../workers/metrics.ts';
import { cluster } from './fixtures.ts';
import { waitFor } from './wait-for.ts';

describe('IndexWorker', () => {
  it('removes a cluster merged into another and keeps the one it was merged into', async () => {
    const config = loadConfig({ env: {} });
    const bus = new MemoryBus({ partitions: 2 });
    const store = new SqliteSignalStore({ file: ':memory:' });
    const scheduler = new MemoryScheduler();
    await Promise.all([bus.start(), store.start(), scheduler.start()]);
    // The clock is set just after the fixtures' dates, so the retention purge keeps them.
    const w = new IndexWorker({
      config,
      bus,
      store,
      scheduler,
      logger: createLogger('silent'),
      metrics: createMetrics(),
      now: () => Date.parse('2025-10-21T00:00:00Z'),
    });
    await w.start();
    await bus.publish('signals', [
      clusterMessage(cluster('keep', ['a', 'b'], '2025-10-20T12:00:00.000Z'), 100),
      clusterMessage(cluster('gone', ['c', 'd'], '2025-10-20T12:10:00.000Z'), 100),
    ]);
    await waitFor(async () => (await store.listClusters()).length === 2, 'both clusters stored');
    await bus.publish('signals', [
      clusterMessage(cluster('keep', ['a', 'b', 'c', 'd'], '2025-10-20T12:10:00.000Z'), 200),
      clusterMergedMessage('gone', 'keep', 200),
    ]);
    await waitFor(async () => (await store.listClusters()).length === 1, 'the merged cluster removed');
    const [kept] = await store.listClusters();
    expect(kept!.id).toBe('keep');
    expect(kept!.posts).toEqual(['a', 'b', 'c', 'd']);
    await w.stop();
    await Promise.all([scheduler.stop(), bus.stop(), store.stop()]);
  });
});
