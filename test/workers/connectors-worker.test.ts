// The connectors worker with a scripted connector: cursors kept in the state store, duplicates suppressed,
// items published keyed by id to the right topics, failing sources backing off.
import { describe, expect, it } from 'vitest';
import type { Connector, FetchResult } from '../../connectors/connector.ts';
import { MemoryBus } from '../../workers/adapters/memory-bus.ts';
import { MemoryScheduler } from '../../workers/adapters/memory-scheduler.ts';
import { MemoryStateStore } from '../../workers/adapters/memory-state-store.ts';
import { loadConfig } from '../../workers/config.ts';
import { ConnectorsWorker } from '../../workers/connectors-worker.ts';
import { createLogger } from '../../workers/logger.ts';
import { createMetrics } from '../../workers/metrics.ts';
import type { IncomingMessage } from '../../workers/ports/bus.ts';
import { normalizedPosts } from './fixtures.ts';
import { waitFor } from './wait-for.ts';

const config = loadConfig({ env: {} });

function scripted(answers: Array<FetchResult | Error>, cursors: Array<string | null>): Connector {
  return {
    kind: 'test',
    name: 'src',
    async fetch({ cursor }) {
      cursors.push(cursor);
      const a = answers.shift();
      if (!a) return { items: [], nextCursor: cursor, failed: [] };
      if (a instanceof Error) throw a;
      return a;
    },
  };
}

describe('ConnectorsWorker', () => {
  it('publishes new items keyed by id, keeps the cursor, suppresses duplicates, backs off after a failure', async () => {
    const bus = new MemoryBus();
    await bus.start();
    const got: IncomingMessage[] = [];
    await bus.subscribe({
      topics: ['posts.raw', 'factchecks.raw'],
      groupId: 't',
      eachBatch: async (b) => {
        got.push(...b);
      },
    });
    const [a, b, c] = normalizedPosts(3);
    const cursors: Array<string | null> = [];
    const fc = {
      id: 'fc1',
      source: 'x',
      claim: 'c',
      claimant: null,
      rating: 'false',
      publisher: 'P',
      reviewUrl: 'https://p.example/1',
      lang: 'nl',
      reviewedAt: null,
      claimDate: null,
      appearances: [],
    };
    const connector = scripted(
      [
        {
          items: [
            { type: 'post', post: a! },
            { type: 'post', post: b! },
            { type: 'factcheck', factcheck: fc },
          ],
          nextCursor: 'c1',
          failed: [],
        },
        {
          items: [
            { type: 'post', post: b! },
            { type: 'post', post: c! },
            { type: 'tombstone', id: a!.id, source: 'mastodon' },
          ],
          nextCursor: 'c2',
          failed: [],
        },
        new Error('request to https://api.example/x?key=SECRET123 failed'),
      ],
      cursors,
    );
    let now = 1_000_000;
    const w = new ConnectorsWorker({
      config,
      bus,
      state: new MemoryStateStore(),
      scheduler: new MemoryScheduler(),
      logger: createLogger('silent'),
      metrics: createMetrics(),
      connectors: [connector],
      now: () => now,
    });
    const signal = new AbortController().signal;
    await w.runSource(connector, signal);
    await w.runSource(connector, signal);
    await waitFor(() => got.length >= 5, '5 messages');
    expect(cursors).toEqual([null, 'c1']);
    const posts = got
      .filter((m) => m.topic === 'posts.raw')
      .map((m) => [m.key, (JSON.parse(m.value) as { kind: string }).kind]);
    expect(posts.sort()).toEqual(
      [
        [a!.id, 'post'],
        [a!.id, 'tombstone'],
        [b!.id, 'post'],
        [c!.id, 'post'],
      ].sort(),
    );
    expect(got.filter((m) => m.topic === 'factchecks.raw').map((m) => m.key)).toEqual(['fc1']);
    // Third run fails: the cursor stays, and the next run within the back-off does not call the source.
    await w.runSource(connector, signal);
    now += 1000;
    await w.runSource(connector, signal);
    expect(cursors).toEqual([null, 'c1', 'c2']);
    now += 2 * config.scheduler.defaultPollIntervalMs;
    await w.runSource(connector, signal);
    expect(cursors).toEqual([null, 'c1', 'c2', 'c2']);
    await bus.stop();
  });
});
