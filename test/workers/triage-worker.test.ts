// The triage worker on the in-process bus: cluster updates from the signals topic reach the triage read model, a
// closed cluster that grows is reopened with the reason, a merge keeps the absorbed cluster's history on the
// survivor, and an empty read model is filled from the signal store on start.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../workers/adapters/memory-bus.ts';
import { SqliteSignalStore } from '../../workers/adapters/sqlite-signal-store.ts';
import { SqliteTriageStore } from '../../workers/adapters/sqlite-triage-store.ts';
import { loadConfig } from '../../workers/config.ts';
import { createLogger } from '../../workers/logger.ts';
import { clusterMergedMessage, clusterMessage } from '../../workers/messages.ts';
import { createMetrics } from '../../workers/metrics.ts';
import { TriageWorker } from '../../workers/triage-worker.ts';
import { cluster, enrichedPost } from './fixtures.ts';
import { waitFor } from './wait-for.ts';

describe('TriageWorker', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });

  async function setup(prefill: Array<ReturnType<typeof cluster>> = []) {
    const config = loadConfig({ env: {}, overrides: { triage: { reopenGrowthShare: 0.5 } } });
    const logger = createLogger('silent');
    const bus = new MemoryBus({ partitions: 2 });
    const signals = new SqliteSignalStore({ file: ':memory:' });
    const triage = new SqliteTriageStore({ file: ':memory:' });
    await signals.start();
    await triage.start();
    await bus.start();
    await signals.writePosts(
      ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => ({
        ...enrichedPost(id, `post ${id}`),
        source: id === 'g' ? 'telegram' : 'mastodon',
      })),
    );
    await signals.upsertClusters(prefill.map((c) => ({ cluster: c, watermarkMs: 1 })));
    const worker = new TriageWorker({ config, bus, signals, triage, logger, metrics: createMetrics(), now: () => 42 });
    await worker.start();
    stops.push(async () => {
      await worker.stop();
      await worker.stop();
      await bus.stop();
      await triage.stop();
      await signals.stop();
    });
    return { bus, triage, topic: config.bus.topics.signals };
  }

  it('fills an empty read model from the signal store on start', async () => {
    const { triage } = await setup([cluster('old', ['a', 'b'], '2025-10-20T12:00:00.000Z')]);
    expect((await triage.getCluster('old'))?.platforms).toEqual(['mastodon']);
  });

  it('follows cluster updates, reopens a grown closed cluster and records merges', async () => {
    const { bus, triage, topic } = await setup();
    await bus.publish(topic, [
      clusterMessage(cluster('k1', ['a', 'b'], '2025-10-20T12:00:00.000Z'), 10),
      clusterMessage(cluster('k2', ['c', 'g'], '2025-10-20T12:00:00.000Z'), 10),
    ]);
    await waitFor(async () => (await triage.queryClusters({})).total === 2, 'two clusters', 10_000, 20);
    expect((await triage.getCluster('k2'))!.platforms).toEqual(['mastodon', 'telegram']);
    await triage.updateState(
      'k1',
      { status: 'closed', closeReason: 'insufficient_evidence' },
      { actor: 'ann', action: 'status', atMs: 50 },
    );
    await triage.addNote('k2', 'ann', 'seen on telegram first', 51);
    await bus.publish(topic, [clusterMessage(cluster('k1', ['a', 'b', 'd'], '2025-10-20T12:05:00.000Z'), 20)]);
    await waitFor(async () => (await triage.getCluster('k1'))!.state.status === 'triage', 'reopen', 10_000, 20);
    expect((await triage.getCluster('k1'))!.state.reopenReason).toMatch(/2 to 3 posts/);
    await bus.publish(topic, [clusterMergedMessage('k2', 'k1', 30)]);
    await waitFor(async () => (await triage.getCluster('k2')) === null, 'merge', 10_000, 20);
    expect((await triage.listNotes('k1')).map((n) => n.markdown)).toEqual(['seen on telegram first']);
    expect((await triage.getCluster('k1'))!.state.mergedFrom).toEqual(['k2']);
  });
});
