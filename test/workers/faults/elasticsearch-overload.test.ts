// Fault test: Elasticsearch overloaded, at the transport level. A local HTTP server stands in for ES and answers
// `_bulk` with the real ES error shapes: whole-request 429 (es_rejected_execution_exception), then 503
// (cluster_block_exception, more in a row than the client's own retries), then 200 bulk responses where every
// odd-numbered post gets a per-item 429 for more rounds than the bulk helper's retries, then success. The index
// worker consumes from the real Kafka-protocol broker. Every post must be indexed exactly once, nothing may land in
// the dead letters, a post ES accepted is never sent again, and the stored clusters equal the last state sent.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage as HttpRequest, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ElasticsearchSignalStore } from '../../../workers/adapters/elasticsearch-signal-store.ts';
import { KafkaBus } from '../../../workers/adapters/kafka-bus.ts';
import { MemoryScheduler } from '../../../workers/adapters/memory-scheduler.ts';
import { loadConfig } from '../../../workers/config.ts';
import { IndexWorker } from '../../../workers/index-worker.ts';
import { createLogger } from '../../../workers/logger.ts';
import { clusterMessage, enrichedPostMessage } from '../../../workers/messages.ts';
import { createMetrics } from '../../../workers/metrics.ts';
import { cluster, enrichedPost } from '../fixtures.ts';
import { waitFor } from '../wait-for.ts';
import { kafkaBusConfig } from '../../support/kafka.ts';

const N = 3000;

/** The ES error body shape (as ES 8/9 sends it) for a whole-request failure. */
function esError(status: number, type: string, reason: string) {
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}

/** A stand-in for Elasticsearch that keeps documents per index and fails on a schedule of bulk request numbers. */
class FakeElasticsearch {
  readonly docs = new Map<string, Map<string, unknown>>();
  /** Successful creates per post id (must end at exactly 1 each). */
  readonly creates = new Map<string, number>();
  /** Post ids sent again after ES had accepted them (must stay 0: only refused items are retried). */
  resentAfterAccept = 0;
  bulkRequests = 0;
  readonly answered = { whole429: 0, whole503: 0, item429: 0, ok: 0 };
  private server: Server | null = null;

  constructor(private readonly plan: (n: number) => 'whole429' | 'whole503' | 'item429' | 'ok') {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  count(index: string): number {
    return this.docs.get(index)?.size ?? 0;
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: HttpRequest, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'POST' || !url.pathname.endsWith('/_bulk')) {
      this.send(res, 200, {});
      return;
    }
    const phase = this.plan(++this.bulkRequests);
    if (phase === 'whole429') {
      this.answered.whole429++;
      this.send(
        res,
        429,
        esError(
          429,
          'es_rejected_execution_exception',
          'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1, max_coordinating_and_primary_bytes=1]',
        ),
      );
      return;
    }
    if (phase === 'whole503') {
      this.answered.whole503++;
      this.send(res, 503, esError(503, 'cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/2/no master];'));
      return;
    }
    const lines = Buffer.concat(chunks)
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const items: unknown[] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i += 2) {
      const [op, meta] = Object.entries(lines[i]!)[0] as [string, { _index: string; _id: string }];
      const body = lines[i + 1] as Record<string, unknown>;
      const index = meta._index;
      const docs = this.docs.get(index) ?? new Map<string, unknown>();
      this.docs.set(index, docs);
      const odd = Number(/(\d+)$/.exec(meta._id)?.[1] ?? 0) % 2 === 1;
      if (phase === 'item429' && odd) {
        errors = true;
        this.answered.item429++;
        items.push({
          [op]: {
            _index: index,
            _id: meta._id,
            status: 429,
            error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of primary operation' },
          },
        });
        continue;
      }
      if (op === 'create') {
        if (docs.has(meta._id)) {
          this.resentAfterAccept++;
          errors = true;
          items.push({
            create: {
              _index: index,
              _id: meta._id,
              status: 409,
              error: {
                type: 'version_conflict_engine_exception',
                reason: `[${meta._id}]: version conflict, document already exists (current version [1])`,
              },
            },
          });
          continue;
        }
        docs.set(meta._id, body);
        this.creates.set(meta._id, (this.creates.get(meta._id) ?? 0) + 1);
        items.push({ create: { _index: index, _id: meta._id, _version: 1, result: 'created', status: 201 } });
      } else if (op === 'update') {
        docs.set(meta._id, (body as { doc: unknown }).doc);
        items.push({ update: { _index: index, _id: meta._id, _version: 1, result: 'updated', status: 200 } });
      } else {
        docs.set(meta._id, body);
        items.push({ [op]: { _index: index, _id: meta._id, _version: 1, result: 'created', status: 201 } });
      }
    }
    if (phase === 'ok') this.answered.ok++;
    this.send(res, 200, { took: 1, errors, items });
  }
}

describe('fault: Elasticsearch answers 429 and 503 for a while', () => {
  const stops: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  });

  it(
    'indexes every post exactly once, retrying only the refused items, with nothing dead-lettered',
    { timeout: 90_000 },
    async () => {
      const id = randomUUID().slice(0, 8);
      // Requests 1-2: whole 429; 3-10: whole 503 (the client retries 503 three times itself, so this outlasts one call);
      // 11-22: per-item 429 for odd posts (more rounds than the bulk helper's 3 retries); then healthy.
      const es = new FakeElasticsearch((n) =>
        n <= 2 ? 'whole429' : n <= 10 ? 'whole503' : n <= 22 ? 'item429' : 'ok',
      );
      const node = await es.start();
      stops.push(() => es.stop());
      const config = loadConfig({
        env: {},
        file: undefined,
        overrides: {
          bus: kafkaBusConfig(id, 'es'),
          store: { kind: 'elasticsearch', esUrl: node },
        },
      } as never);
      const logger = createLogger('silent');
      const bus = new KafkaBus({ brokers: config.bus.kafkaBrokers, clientId: `es-${id}`, retryBackoffMs: 100 });
      await bus.start();
      stops.push(() => bus.stop({ deadlineMs: 5000 }));

      // Posts, and 40 clusters each updated three times (the last state must win).
      const posts = Array.from({ length: N }, (_, i) =>
        enrichedPost(`es${id}-${i}`, `post ${i}`, Date.parse('2025-10-20T12:00:00Z') + i * 1000, `acct-${i % 97}`),
      );
      for (let i = 0; i < N; i += 500)
        await bus.publish(config.bus.topics.postsEnriched, posts.slice(i, i + 500).map(enrichedPostMessage));
      const lastState = new Map<string, string[]>();
      for (let round = 1; round <= 3; round++) {
        const msgs = Array.from({ length: 40 }, (_, c) => {
          const ids = posts.slice(c * 10, c * 10 + 3 + round).map((p) => p.id);
          lastState.set(`c${id}-${c}`, ids);
          return clusterMessage(cluster(`c${id}-${c}`, ids, '2025-10-20T13:00:00.000Z'), round * 1000);
        });
        await bus.publish(config.bus.topics.signals, msgs);
      }

      const store = new ElasticsearchSignalStore({ node, retentionDays: 30, bulkWaitMs: 50, retryBackoffMs: 50 });
      await store.start();
      stops.push(() => store.stop());
      const metrics = createMetrics();
      const worker = new IndexWorker({ config, bus, store, scheduler: new MemoryScheduler(), logger, metrics });
      await worker.start();
      stops.push(() => worker.stop());
      const postsIndex = store.names.posts;
      await waitFor(
        () => es.count(postsIndex) >= N && es.count(store.names.clusters) >= 40 && es.bulkRequests > 22,
        'every post and cluster in the fake Elasticsearch',
        75_000,
        100,
      ).catch(() => undefined);

      // In and out: N posts published, N created once each; no dead letter anywhere.
      expect(es.answered.whole429).toBe(2);
      expect(es.answered.whole503).toBe(8);
      expect(es.answered.item429).toBeGreaterThan(0);
      expect(es.count(postsIndex)).toBe(N);
      expect([...es.creates.values()].every((n) => n === 1)).toBe(true);
      expect(new Set(es.creates.keys())).toEqual(new Set(posts.map((p) => p.id)));
      expect(es.resentAfterAccept).toBe(0);
      expect(es.count(store.names.dlq)).toBe(0);
      expect((await metrics.dlq.get()).values.reduce((a, v) => a + v.value, 0)).toBe(0);
      const stored = new Map(
        [...(es.docs.get(store.names.clusters) ?? new Map()).entries()].map(([k, v]) => [
          k,
          (v as { posts: string[] }).posts,
        ]),
      );
      expect(stored).toEqual(lastState);
      // The refusals were seen and counted (metric), not silent.
      const errors = (await metrics.storeErrors.get()).values.reduce((a, v) => a + v.value, 0);
      expect(errors).toBeGreaterThan(0);
      process.stdout.write(
        `[faults/es] in: ${N} posts, 120 cluster updates (40 clusters); out: ${es.count(postsIndex)} posts, ${stored.size} clusters, 0 dead letters; bulk requests ${es.bulkRequests} (whole 429: ${es.answered.whole429}, whole 503: ${es.answered.whole503}, item 429s: ${es.answered.item429}), store errors counted ${errors}\n`,
      );
    },
  );
});
