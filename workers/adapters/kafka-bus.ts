// The Kafka bus (kafkajs): one producer with acks from all in-sync replicas, consumer groups that commit a batch's
// offsets explicitly and only after the handler resolved (at least once). Topics are auto-created by the broker on
// first use (no admin.createTopics: the test broker lacks it; production topics are declared in infra/kafka-topics.md).
// No idempotent producer either (the test broker lacks InitProducerId): duplicates from producer retries are
// absorbed by idempotent writes downstream.
import { Kafka, logLevel as kafkaLogLevel, CompressionTypes } from 'kafkajs';
import type { Admin, Consumer, EachBatchPayload, ISocketFactory, LogEntry, Producer } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { Bus, IncomingMessage, OutgoingMessage, SubscribeOptions, Subscription } from '../ports/bus.ts';
import type { StopOptions } from '../../pipelines/core/lifecycle.ts';
import { DEFAULT_STOP_DEADLINE_MS, guardedStop } from '../../pipelines/core/lifecycle.ts';
import { PermanentError, RetriableError } from '../../pipelines/core/errors.ts';

/** Options of {@link KafkaBus}. */
export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  logger?: Logger;
  /** Back-off before a failed batch is handled again, in ms. Default 500. */
  retryBackoffMs?: number;
  /** Most messages per produce request. Default 2000. */
  maxPublishChunk?: number;
  /** Consumer session timeout: how long a dead member holds its partitions. Default 10000. */
  sessionTimeoutMs?: number;
  /**
   * Opens the TCP connections to the brokers (kafkajs' socketFactory). Default kafkajs' own (net / tls). The fault
   * tests pass one that can cut every connection, to stand for a broker outage (test/workers/faults/kafka-outage.test.ts).
   */
  socketFactory?: ISocketFactory;
}

/** Raised when the bus is used before start() or after stop(). */
export class BusNotRunningError extends PermanentError {
  override name = 'BusNotRunningError';
  constructor(cause?: unknown) {
    super('bus is not running', { cause });
  }
}

/** Raised when Kafka did not acknowledge a publish; retriable. */
export class PublishError extends RetriableError {
  override name = 'PublishError';
  constructor(
    readonly topic: string,
    cause?: unknown,
  ) {
    super(`publish to "${topic}" failed: ${(cause as Error)?.message ?? cause}`, { cause });
  }
}

function headersOf(
  h: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k] = (Array.isArray(v) ? v[0]! : v).toString();
  return out;
}

/** kafkajs implementation of the {@link Bus} port. */
export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private admin: Admin | null = null;
  private readonly consumers = new Set<Subscription>();
  private state: 'new' | 'running' | 'stopped' = 'new';

  constructor(private readonly options: KafkaBusOptions) {
    const log = options.logger;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: kafkaLogLevel.WARN,
      logCreator:
        () =>
        ({ namespace, level, log: entry }: LogEntry) => {
          if (!log) return;
          const { message, timestamp: _t, logger: _l, ...fields } = entry;
          const data = { kafka: namespace, ...fields };
          if (level <= kafkaLogLevel.ERROR)
            log.warn(data, `kafka: ${message}`); // kafkajs calls rebalances ERROR; we count real losses ourselves
          else log.debug(data, `kafka: ${message}`);
        },
      retry: { retries: 8, initialRetryTime: 100 },
      ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
    });
  }

  async start(): Promise<void> {
    if (this.state === 'running') return;
    this.producer = this.kafka.producer({ allowAutoTopicCreation: true, idempotent: false });
    await this.producer.connect();
    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.state = 'running';
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    const deadlineMs = options.deadlineMs ?? DEFAULT_STOP_DEADLINE_MS;
    const problems = await guardedStop(
      [
        ['stop consumers', () => Promise.all([...this.consumers].map((c) => c.stop()))],
        ['disconnect producer', () => this.producer?.disconnect()],
        ['disconnect admin', () => this.admin?.disconnect()],
      ],
      deadlineMs,
    );
    for (const p of problems) this.options.logger?.warn({ err: p.message }, 'Kafka bus stop step failed.');
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.state !== 'running' || !this.producer) throw new BusNotRunningError();
    const chunk = this.options.maxPublishChunk ?? 2000;
    try {
      for (let i = 0; i < messages.length; i += chunk) {
        await this.producer.send({
          topic,
          acks: -1,
          compression: CompressionTypes.None,
          messages: messages
            .slice(i, i + chunk)
            .map((m) => ({ key: m.key, value: m.value, headers: m.headers, partition: m.partition })),
        });
      }
    } catch (err) {
      throw new PublishError(topic, err);
    }
  }

  /** Makes sure the topics exist (auto-created by the broker on a metadata request) before a group subscribes. */
  private async ensureTopics(topics: string[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.admin!.fetchTopicMetadata({ topics });
        return;
      } catch (err) {
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 100 + attempt * 50));
      }
    }
  }

  async partitionCount(topic: string): Promise<number> {
    if (this.state !== 'running') throw new BusNotRunningError();
    await this.ensureTopics([topic]);
    const md = await this.admin!.fetchTopicMetadata({ topics: [topic] });
    return md.topics[0]?.partitions.length ?? 1;
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.state !== 'running') throw new BusNotRunningError();
    await this.ensureTopics(options.topics);
    const makeConsumer = (): Consumer =>
      this.kafka.consumer({
        groupId: options.groupId,
        allowAutoTopicCreation: true,
        maxWaitTimeInMs: 100,
        sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
        rebalanceTimeout: this.options.sessionTimeoutMs ?? 10_000,
        heartbeatInterval: 500,
        maxBytesPerPartition: 4 * 1024 * 1024,
      });
    let consumer = makeConsumer();
    /** Starts `c`: crash handler, connect, subscribe, run. */
    const run = async (c: Consumer): Promise<void> => {
      c.on(c.events.CRASH, ({ payload }) => {
        if (payload.restart || !running) return; // kafkajs restarts it itself, or we are stopping
        // kafkajs gives up on a consumer whose error it deems not retriable ("The coordinator is not aware of this
        // member" after a broker outage or a long pause, among others): it stays stopped, silently, with its
        // partitions unconsumed. A bus that is still wanted starts a new one.
        this.options.logger?.warn(
          { err: payload.error.message, groupId: options.groupId },
          'Kafka consumer crashed and kafkajs will not restart it; starting a new one.',
        );
        if (c === consumer) reviving ??= revive().finally(() => (reviving = null));
      });
      await c.connect();
      await c.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? true });
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch,
      });
    };
    let reviving: Promise<void> | null = null;
    const revive = async (): Promise<void> => {
      for (let attempt = 0; running; attempt++) {
        await new Promise((r) => setTimeout(r, Math.min(30_000, backoff * 2 ** attempt)));
        if (!running) return;
        const next = makeConsumer();
        try {
          await run(next);
          consumer = next;
          if (!running) await next.disconnect(); // stopped meanwhile
          return;
        } catch (err) {
          await next.disconnect().catch(() => undefined);
          this.options.logger?.warn(
            { err: (err as Error).message, groupId: options.groupId, attempt },
            'Could not start a new Kafka consumer; trying again.',
          );
        }
      }
    };
    let running = true;
    const manual = options.commit === 'manual';
    const handled = new Map<string, { topic: string; partition: number; offset: string }>();
    const backoff = this.options.retryBackoffMs ?? 500;
    const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
      // kafkajs's payload functions are closures, not methods: wrapping them keeps that explicit for the type checker.
      const { batch } = payload;
      const resolveOffset = (offset: string): void => payload.resolveOffset(offset);
      const heartbeat = (): Promise<void> => payload.heartbeat();
      const isRunning = (): boolean => payload.isRunning();
      const isStale = (): boolean => payload.isStale();
      const commitOffsetsIfNecessary: EachBatchPayload['commitOffsetsIfNecessary'] = (offsets) =>
        payload.commitOffsetsIfNecessary(offsets);
      if (batch.messages.length === 0) return;
      const messages: IncomingMessage[] = batch.messages.map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key ? m.key.toString() : null,
        value: m.value ? m.value.toString() : '',
        headers: headersOf(m.headers),
      }));
      // Long handlers (waiting for the detector lock, say) must not cost us our group membership.
      const beat = setInterval(() => {
        void heartbeat().catch(() => undefined);
      }, 1000);
      try {
        await handle(messages, isRunning, isStale, heartbeat, batch.topic, batch.partition);
      } finally {
        clearInterval(beat);
      }
      const last = batch.messages[batch.messages.length - 1]!.offset;
      resolveOffset(last);
      const next = { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() };
      if (manual) handled.set(`${batch.topic}|${batch.partition}`, next);
      // Committed through the batch's own commitOffsetsIfNecessary, not consumer.commitOffsets: the latter retries
      // "The coordinator is not aware of this member" (our session expired during an outage) for ~25 s although only
      // a rejoin can cure it, then crashes the consumer for good. Here the error reaches kafkajs' runner as it is, and
      // the runner rejoins at once; the batch, uncommitted, comes again (the writes downstream are idempotent).
      else
        await commitOffsetsIfNecessary({
          topics: [{ topic: next.topic, partitions: [{ partition: next.partition, offset: next.offset }] }],
        });
    };
    const handle = async (
      messages: IncomingMessage[],
      isRunning: () => boolean,
      isStale: () => boolean,
      heartbeat: () => Promise<void>,
      topic: string,
      partition: number,
    ): Promise<void> => {
      // A throwing handler gets the same batch again (after a back-off) until it succeeds or we stop;
      // stopping without success leaves the offsets uncommitted, so the batch comes again after restart.
      for (;;) {
        try {
          await options.eachBatch(messages);
          break;
        } catch (err) {
          if (!running || !isRunning() || isStale()) throw err;
          this.options.logger?.warn(
            { err: (err as Error).message, topic, partition },
            'Batch handler failed; retrying the batch.',
          );
          await new Promise((r) => setTimeout(r, backoff));
          await heartbeat().catch(() => undefined);
        }
      }
    };
    await run(consumer);
    let stopping: Promise<void> | null = null;
    const sub: Subscription = {
      commit: async () => {
        if (!manual || handled.size === 0) return;
        const offsets = [...handled.values()];
        handled.clear();
        await consumer.commitOffsets(offsets);
      },
      stop: () => {
        stopping ??= (async () => {
          running = false;
          await reviving;
          await consumer.disconnect();
          this.consumers.delete(sub);
        })();
        return stopping;
      },
      lag: async () => {
        if (!this.admin) return 0;
        let lag = 0;
        for (const topic of options.topics) {
          const [ends, committed] = await Promise.all([
            this.admin.fetchTopicOffsets(topic),
            this.admin.fetchOffsets({ groupId: options.groupId, topics: [topic] }),
          ]);
          const done = new Map<number, bigint>();
          for (const t of committed) for (const p of t.partitions) done.set(p.partition, BigInt(p.offset));
          for (const p of ends) {
            const c = done.get(p.partition) ?? -1n;
            const start = c < 0n ? BigInt(p.low) : c;
            const d = BigInt(p.high) - start;
            if (d > 0n) lag += Number(d);
          }
        }
        return lag;
      },
    };
    this.consumers.add(sub);
    return sub;
  }
}
