// Test harness for the alerts worker: a real node:http receiver that records requests and answers from a script,
// and an alerts worker on the in-process adapters with an injected clock.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { z } from 'zod';
import { MemoryAlertStore } from '../../../workers/adapters/memory-alert-store.ts';
import { MemoryBus } from '../../../workers/adapters/memory-bus.ts';
import { MemoryScheduler } from '../../../workers/adapters/memory-scheduler.ts';
import { MemoryStateStore } from '../../../workers/adapters/memory-state-store.ts';
import { AlertsWorker } from '../../../workers/alerts-worker.ts';
import type { AlertsWorkerDeps } from '../../../workers/alerts-worker.ts';
import { loadConfig } from '../../../workers/config.ts';
import { createLogger } from '../../../workers/logger.ts';
import { clusterMergedMessage, clusterMessage } from '../../../workers/messages.ts';
import { createMetrics } from '../../../workers/metrics.ts';
import type { IncomingMessage } from '../../../workers/ports/bus.ts';
import type { Cluster } from '../../../pipelines/types.ts';

// The payloads as the tests read them: only the fields they look into, extra fields pass (the tests compare those).
// Fields typed unknown are optional: zod 4 requires an unknown() key to be present, and the tests assert on them anyway.
/** The signed JSON webhook body. */
export const webhookBody = z.looseObject({
  message: z.looseObject({
    kind: z.string(),
    title: z.string(),
    reasons: z.array(z.unknown()),
    sample: z.unknown().optional(),
    links: z.array(z.unknown()),
    triageUrl: z.unknown().optional(),
    changes: z.array(z.string()),
  }),
});
/** A Slack (or Mattermost) incoming-webhook payload with Block Kit blocks. */
export const slackBody = z.looseObject({
  blocks: z.array(
    z.looseObject({
      type: z.string(),
      text: z.looseObject({ text: z.string() }).optional(),
      fields: z.array(z.unknown()).optional(),
      elements: z.array(z.looseObject({ text: z.unknown() })).optional(),
    }),
  ),
});
/** A Teams Workflows message with Adaptive Card attachments. */
export const teamsBody = z.looseObject({
  attachments: z.array(
    z.looseObject({
      contentType: z.string(),
      contentUrl: z.unknown().optional(),
      content: z.looseObject({
        body: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
        actions: z.unknown().optional(),
      }),
    }),
  ),
});
/** A Matrix `m.room.message` event content, with the edit's new content. */
export const matrixBody = z.looseObject({
  body: z.string(),
  'm.relates_to': z.unknown().optional(),
  'm.new_content': z.looseObject({ body: z.string() }).optional(),
});

/** A recorded request. */
export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A scripted answer. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A local receiver: answers from `script` in order (then `fallback`), records every request. */
export class Receiver {
  readonly requests: Recorded[] = [];
  script: Answer[] = [];
  fallback: (r: Recorded) => Answer = () => ({ status: 200, body: 'ok' });
  onRequest: ((r: Recorded) => void) | null = null;
  private server: Server | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rec: Recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(rec);
        this.onRequest?.(rec);
        const a = this.script.shift() ?? this.fallback(rec);
        if (a.status === 0) return; // hang: never answer
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body ?? '{}');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    const addr = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** Request `i`'s body as a JSON object, or checked against `schema` where a test reads deeper than one level. */
  json(i: number): Record<string, unknown>;
  json<T>(i: number, schema: z.ZodType<T>): T;
  json(i: number, schema: z.ZodType = z.record(z.string(), z.unknown())): unknown {
    return schema.parse(JSON.parse(this.requests[i]!.body));
  }
}

/** A cluster for alert tests. */
export function alertCluster(over: Partial<Cluster> = {}): Cluster {
  const n = 6;
  return {
    id: 'cl-1',
    kinds: ['duplicate_text', 'co_link'],
    score: 0.93,
    pValue: 1e-12,
    posts: Array.from({ length: n }, (_, i) => `post-${i}`),
    accounts: Array.from({ length: n }, (_, i) => `p:${'ab12'.repeat(6).slice(0, 20)}${i}`),
    start: '2026-03-01T09:30:00.000Z',
    end: '2026-03-01T09:41:00.000Z',
    reasons: [
      '6 accounts posted the same text within 11 minutes',
      'Link https://stemfraude.example/bewijs shared by 6 accounts within 30 s',
      'third reason',
    ],
    sampleText:
      '@jan_b kijk dit! @x@mastodon.social De stembussen zijn gemanipuleerd https://stemfraude.example/bewijs #stemfraude',
    links: ['https://stemfraude.example/bewijs', 'https://social.example/@someone/123'],
    hashtags: ['stemfraude'],
    languages: ['nl'],
    factchecks: [],
    ...over,
  };
}

/** A signals message for a cluster. */
export function signal(c: Cluster, offset = 0): IncomingMessage {
  const m = clusterMessage(c, Date.parse(c.end));
  return { topic: 'signals', partition: 0, offset: String(offset), key: m.key, value: m.value, headers: {} };
}

/** A merged signal. */
export function merged(id: string, into: string, offset = 0): IncomingMessage {
  const m = clusterMergedMessage(id, into, 0);
  return { topic: 'signals', partition: 0, offset: String(offset), key: m.key, value: m.value, headers: {} };
}

/** A worker with in-process adapters, a settable clock and random() = 0 (deterministic back-off). */
export function testWorker(
  alerts: Record<string, unknown>,
  env: NodeJS.ProcessEnv = {},
  over: Partial<AlertsWorkerDeps> = {},
): { worker: AlertsWorker; clock: { now: number }; deps: AlertsWorkerDeps } {
  const config = loadConfig({ env, overrides: { alerts: { store: 'memory', ...alerts } } });
  const clock = { now: Date.parse('2026-03-01T12:00:00Z') };
  const deps: AlertsWorkerDeps = {
    config,
    bus: new MemoryBus({ partitions: 1 }),
    scheduler: new MemoryScheduler(),
    state: new MemoryStateStore(),
    logger: createLogger('silent'),
    metrics: createMetrics(),
    alertStore: new MemoryAlertStore(),
    signalStore: null,
    now: () => clock.now,
    random: () => 0,
    ...over,
  };
  return { worker: new AlertsWorker(deps), clock, deps };
}
