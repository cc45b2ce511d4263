// The enrich worker on the in-process bus: poison messages go to dlq with their reason while the stream goes on,
// authors are pseudonymised, and every enriched post keeps the partition number of its raw message (which the detect
// worker's watermark relies on).
import { pseudonymizePostId } from '../../pipelines/pseudonymize.ts';
import { describe, expect, it } from 'vitest';
import { createEnricher } from '../../pipelines/enrich.ts';
import { MemoryBus } from '../../workers/adapters/memory-bus.ts';
import { loadConfig } from '../../workers/config.ts';
import { EnrichWorker } from '../../workers/enrich-worker.ts';
import { createLogger } from '../../workers/logger.ts';
import { decodeDeadLetter, decodeEnrichedPost, rawPostMessage } from '../../workers/messages.ts';
import type { IncomingMessage } from '../../workers/ports/bus.ts';
import { createMetrics } from '../../workers/metrics.ts';
import { normalizedPosts } from './fixtures.ts';
import { waitFor } from './wait-for.ts';

const config = loadConfig({ env: {} });
const logger = createLogger('silent');
const KEY = 'test-key-0123456789abcdef';

function worker(bus: MemoryBus) {
  return new EnrichWorker({
    config,
    bus,
    logger,
    metrics: createMetrics(),
    enrich: createEnricher({ enrichment: config.enrich, pseudonymKey: KEY }),
  });
}

function collect(bus: MemoryBus, topic: string) {
  const got: IncomingMessage[] = [];
  return {
    got,
    sub: bus.subscribe({
      topics: [topic],
      groupId: `collect-${topic}`,
      eachBatch: async (b) => {
        got.push(...b);
      },
    }),
  };
}

describe('EnrichWorker', () => {
  it('sends poison messages to dlq with the reason and goes on with the stream', async () => {
    const bus = new MemoryBus();
    await bus.start();
    const w = worker(bus);
    const dlq = collect(bus, 'dlq');
    const enriched = collect(bus, 'posts.enriched');
    await Promise.all([dlq.sub, enriched.sub]);
    await w.start();
    const [a, b] = normalizedPosts(2);
    await bus.publish('posts.raw', [
      rawPostMessage(a!),
      { key: 'junk', value: '{not json' },
      { key: 'nov', value: JSON.stringify({ v: 99, kind: 'post', post: a }) },
      { key: 'bad', value: JSON.stringify({ v: 1, kind: 'post', post: { id: 'bad', text: 1 } }) },
      rawPostMessage(b!),
    ]);
    await waitFor(() => enriched.got.length === 2 && dlq.got.length === 3, 'outputs');
    const reasons = dlq.got
      .map((m) => decodeDeadLetter(m.value))
      .map((d) => (d.ok ? [d.message.key, d.message.reason, d.message.worker] : null));
    expect(reasons.sort()).toEqual([
      ['bad', 'invalid-post', 'enrich'],
      ['junk', 'invalid-json', 'enrich'],
      ['nov', 'unknown-schema-version', 'enrich'],
    ]);
    const letter = decodeDeadLetter(dlq.got.find((m) => m.key === 'junk')!.value);
    expect(letter.ok && letter.message.value).toBe('{not json');
    // Authors are pseudonymised downstream of enrichment.
    const posts = enriched.got
      .map((m) => decodeEnrichedPost(m.value))
      .map((d) => (d.ok && d.message.kind === 'enriched' ? d.message.post : null));
    // Post ids too: a status URI names its author.
    expect(posts.map((p) => p!.id).sort()).toEqual(
      [pseudonymizePostId(a!.id, KEY), pseudonymizePostId(b!.id, KEY)].sort(),
    );
    for (const p of posts) {
      expect(p!.author.id).not.toBe(a!.author.id);
      expect(p!.author.id).not.toBe(b!.author.id);
      expect(JSON.stringify(p)).not.toContain('@example.social');
    }
    await w.stop();
    await w.stop();
    await bus.stop();
  });

  it('publishes each enriched post to the partition number of its raw message', async () => {
    const bus = new MemoryBus({ partitions: 4 });
    await bus.start();
    const raw = collect(bus, 'posts.raw');
    const enriched = collect(bus, 'posts.enriched');
    await Promise.all([raw.sub, enriched.sub]);
    const w = worker(bus);
    await w.start();
    await bus.publish('posts.raw', normalizedPosts(200).map(rawPostMessage));
    await waitFor(() => enriched.got.length === 200 && raw.got.length === 200, 'all enriched');
    const rawPartition = new Map(raw.got.map((m) => [pseudonymizePostId(m.key!, KEY), m.partition]));
    expect(new Set(raw.got.map((m) => m.partition)).size).toBe(4);
    for (const m of enriched.got) expect(m.partition).toBe(rawPartition.get(m.key!));
    await w.stop();
    await bus.stop();
  });
});
