// The message bus port: topics of keyed JSON messages, consumer groups, at-least-once delivery.
// Adapters: workers/adapters/memory-bus.ts (in-process, embedded mode) and workers/adapters/kafka-bus.ts (kafkajs).
// Contract (test/workers/adapters/bus.contract.ts): publish resolves only once the messages are acknowledged;
// messages with the same key keep their order; every consumer group sees every message; a batch handler's offsets
// are committed only after it resolves, so a handler that throws (or a process that dies) gets the batch again.
import type { Lifecycle } from '../../pipelines/core/lifecycle.ts';

/** A message to publish. */
export interface OutgoingMessage {
  /** Partitioning key: messages with the same key stay in order. Null spreads messages over partitions. */
  key: string | null;
  /** The serialized value (JSON text for our topics). */
  value: string;
  /** Optional string headers. */
  headers?: Record<string, string>;
  /** Partition to write to, instead of the key's (the enrich worker keeps a post in its raw partition number while its key is pseudonymised). */
  partition?: number;
}

/** A consumed message. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  /** Offset within the partition, as a decimal string (Kafka offsets exceed 2^53 in theory). */
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** Options of {@link Bus.subscribe}. */
export interface SubscribeOptions {
  /** Topics to consume. */
  topics: string[];
  /** Consumer group: each group gets every message once (at least once), shared among its members. */
  groupId: string;
  /** Start at the earliest offset when the group has no committed offset. Default true. */
  fromBeginning?: boolean;
  /**
   * When offsets are committed: 'after-batch' (default) as soon as a batch handler resolved; 'manual' only when
   * {@link Subscription.commit} is called (for consumers that checkpoint their own state first). Either way, what
   * was not committed is delivered again after a restart or a rebalance.
   */
  commit?: 'after-batch' | 'manual';
  /**
   * Handles one batch (messages of one topic-partition, in order). Offsets are committed after it resolves;
   * when it throws, the batch is delivered again after a back-off.
   */
  eachBatch(messages: IncomingMessage[]): Promise<void>;
}

/** A running subscription. */
export interface Subscription {
  /** Stops fetching, waits for the batch in hand, commits, leaves the group. Safe twice. */
  stop(): Promise<void>;
  /** Commits the offsets of every batch whose handler resolved (manual mode; a no-op otherwise). */
  commit(): Promise<void>;
  /** Messages published but not yet committed for this group, summed over partitions (consumer lag). */
  lag(): Promise<number>;
}

/** The message bus port. */
export interface Bus extends Lifecycle {
  /** Which adapter this is, for logs and metrics. */
  readonly kind: 'memory' | 'kafka';
  /** Publishes to one topic; resolves when the bus acknowledged every message (Kafka: acks from all in-sync replicas). */
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  /** Number of partitions of a topic (creating it with the broker's default when it does not exist yet). */
  partitionCount(topic: string): Promise<number>;
  /** Joins a consumer group and starts delivering batches. */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
}
