// The `bus` section of the configuration: which bus adapter (workers/adapters/memory-bus.ts or kafka-bus.ts), its
// connection, the topic names and the consumer groups. The detect worker's tuning is in `detect`
// (workers/detect-worker-config.ts).
import { z } from 'zod';

/** `bus.topics`: the topic names. */
export const topicsConfigSchema = z.object({
  postsRaw: z.string().default('posts.raw').describe('Normalized posts from connectors. Default posts.raw.'),
  factchecksRaw: z.string().default('factchecks.raw').describe('Normalized fact-checks. Default factchecks.raw.'),
  postsEnriched: z.string().default('posts.enriched').describe('Enriched posts. Default posts.enriched.'),
  signals: z.string().default('signals').describe('Cluster updates. Default signals.'),
  dlq: z.string().default('dlq').describe('Dead letters with their reason. Default dlq.'),
  triage: z.string().default('triage.events').describe('Triage status changes (app → alerts). Default triage.events.'),
});

/** The `bus` section. */
export const busConfigSchema = z.object({
  kind: z.enum(['memory', 'kafka']).default('memory').describe('Message bus adapter (env MID_BUS). Default memory.'),
  kafkaBrokers: z
    .array(z.string().min(1))
    .default([])
    .describe('Kafka bootstrap servers host:port (env MID_KAFKA_BROKERS, comma separated). Default none.'),
  clientId: z.string().default('mid-monitor').describe('Kafka client id. Default mid-monitor.'),
  topics: topicsConfigSchema
    .prefault({})
    .describe('Topic names. Default posts.raw, factchecks.raw, posts.enriched, signals, dlq.'),
  groupPrefix: z.string().default('mid').describe('Consumer groups are named <groupPrefix>-<worker>. Default mid.'),
  sessionTimeoutMs: z
    .number()
    .int()
    .min(1000)
    .default(10_000)
    .describe('Kafka consumer session timeout: how long a dead worker holds its partitions. Default 10000.'),
  memoryPartitions: z
    .number()
    .int()
    .min(1)
    .default(4)
    .describe('Partitions per topic of the in-process bus. Default 4.'),
});

/** The validated `bus` section. */
export type BusConfig = z.infer<typeof busConfigSchema>;
