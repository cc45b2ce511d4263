// The enrich worker on the in-process bus: poison messages go to dlq with their reason while the stream goes on,
// a redelivered batch changes nothing, and two workers sharing one state store find the same clusters as one.
import { describe, expect, it } from 'vitest';
import { createEnricher } from '../../pipelines/enrich.ts';
import { MemoryBus } from '../../workers/adapters/memory-bus.ts';
import { MemoryStateStore } from '../../workers/adapters/memory-state-store.ts';
import { loadConfig } from '../../workers/config.ts';
import { EnrichWorker } from '../../workers/enrich-worker.ts';
import { createLogger } from '../../workers/logger.ts';
import { decodeCluster, decodeDeadLetter, decodeEnrichedPost, rawPostMessage } from '../../workers/messages.ts';
import type { IncomingMessage } from '../../workers/ports/bus.ts';
import { createMetrics } from '../../workers/metrics.ts';
import { normalizedPosts } from './fixtures.ts';
import { waitFor } from './wait-for.ts';

const config = loadConfig({ env: {}, overrides: { bus: { checkpointMs: 200, leaseHandoverMs: 200, idleFlushMs: 200 } } });
const logger = createLogger('silent');
const KEY = 'test-key-0123456789abcdef';

function worker(bus: MemoryBus, state: MemoryStateStore) {
  return new EnrichWorker({ config, bus, state, logger, metrics: createMetrics(), enrich: createEnricher({ enrichment: config.enrichment, pseudonymKey: KEY }) });
}

function collect(bus: MemoryBus, topic: string) {
  const got: IncomingMessage[] = [];
  return { got, sub: bus.subscribe({ topics: [topic], groupId: `collect-${topic}`, eachBatch: async (b) => { got.push(...b); } }) };
}

describe('EnrichWorker', () => {
  it('sends poison messages to dlq with the reason and goes on with the stream', async () => {
    const bus = new MemoryBus();
    await bus.start();
    const w = worker(bus, new MemoryStateStore());
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
    const reasons = dlq.got.map((m) => decodeDeadLetter(m.value)).map((d) => (d.ok ? [d.message.key, d.message.reason, d.message.worker] : null));
    expect(reasons.sort()).toEqual([['bad', 'invalid-post', 'enrich'], ['junk', 'invalid-json', 'enrich'], ['nov', 'unknown-schema-version', 'enrich']]);
    const letter = decodeDeadLetter(dlq.got.find((m) => m.key === 'junk')!.value);
    expect(letter.ok && letter.message.value).toBe('{not json');
    // Authors are pseudonymised downstream of enrichment.
    const posts = enriched.got.map((m) => decodeEnrichedPost(m.value)).map((d) => (d.ok && d.message.kind === 'enriched' ? d.message.post : null));
    expect(posts.map((p) => p!.id).sort()).toEqual([a!.id, b!.id].sort());
    for (const p of posts) {
      expect(p!.author.id).not.toBe(a!.author.id);
      expect(p!.author.id).not.toBe(b!.author.id);
      expect(JSON.stringify(p)).not.toContain('@example.social');
    }
    await w.stop();
    await w.stop();
    await bus.stop();
  });

  it('observes a redelivered batch once: replaying it publishes no new cluster change', async () => {
    const bus = new MemoryBus();
    await bus.start();
    const w = worker(bus, new MemoryStateStore());
    const signals = collect(bus, 'signals');
    await signals.sub;
    const posts = normalizedPosts(600, { spanMs: 20 * 60_000, campaignEvery: 10 });
    const batch: IncomingMessage[] = posts.map((p, i) => ({ topic: 'posts.raw', partition: 0, offset: String(i), headers: {}, ...rawPostMessage(p) }));
    await w.handleBatch(batch);
    await waitFor(() => signals.got.length > 0, 'a cluster');
    await new Promise((r) => setTimeout(r, 50));
    const before = signals.got.length;
    await w.handleBatch(batch);
    await new Promise((r) => setTimeout(r, 50));
    expect(signals.got.length).toBe(before);
    await bus.stop();
  });

  it('gives the same clusters with two workers sharing the state store as with one', async () => {
    const posts = normalizedPosts(1200, { spanMs: 40 * 60_000, campaignEvery: 12 });
    const run = async (workers: number) => {
      const bus = new MemoryBus({ partitions: 4, maxBatch: 100 });
      await bus.start();
      const state = new MemoryStateStore();
      const signals = collect(bus, 'signals');
      await signals.sub;
      const ws = Array.from({ length: workers }, () => worker(bus, state));
      for (const w of ws) await w.start();
      for (let i = 0; i < posts.length; i += 100) await bus.publish('posts.raw', posts.slice(i, i + 100).map(rawPostMessage));
      await waitFor(async () => (await Promise.all(ws.map((w) => w.lag()))).every((l) => l === 0), 'all consumed');
      await new Promise((r) => setTimeout(r, 100));
      for (const w of ws) await w.stop();
      await bus.stop();
      const last = new Map<string, string[]>();
      for (const m of signals.got) { const d = decodeCluster(m.value); if (d.ok) last.set(d.message.cluster.id, [...d.message.cluster.posts].sort()); }
      return last;
    };
    const one = await run(1);
    const two = await run(2);
    expect(one.size).toBeGreaterThan(0);
    const campaign = posts.filter((_, i) => i % 12 === 0).map((p) => p.id);
    expect([...one.values()].some((ps) => campaign.filter((id) => ps.includes(id)).length >= 10)).toBe(true);
    expect(new Map([...two.entries()].sort())).toEqual(new Map([...one.entries()].sort()));
  });
});
