// The Kafka side of tests and benchmarks that run on a shared broker (vitest's global setup or the bench starts it
// and sets MID_KAFKA_BROKERS): a `bus` config section whose topics and consumer groups belong to one run, so runs that
// share the broker never read each other's messages.

/** The bootstrap servers in MID_KAFKA_BROKERS (comma separated); a clear error when no broker was started. */
export function kafkaBrokers(): string[] {
  const brokers = process.env.MID_KAFKA_BROKERS;
  if (!brokers) throw new Error('MID_KAFKA_BROKERS is not set (test/global-setup.ts or the bench starts the broker)');
  return brokers.split(',');
}

/** The topic names of one run: `raw-<id>`, `fc-<id>`, `enr-<id>`, `sig-<id>`, `dlq-<id>`. */
export function runTopics(id: string) {
  return {
    postsRaw: `raw-${id}`,
    factchecksRaw: `fc-${id}`,
    postsEnriched: `enr-${id}`,
    signals: `sig-${id}`,
    dlq: `dlq-${id}`,
  };
}

/**
 * A `bus` config section on the shared broker with the run's topics and consumer groups `<groupPrefix><id>-<worker>`.
 * `sessionTimeoutMs` (config default 10000) is left out unless given; the end-to-end and fault tests give 6000 so a
 * killed worker's partitions move sooner.
 */
export function kafkaBusConfig(id: string, groupPrefix: string, options: { sessionTimeoutMs?: number } = {}) {
  return {
    kind: 'kafka' as const,
    kafkaBrokers: kafkaBrokers(),
    groupPrefix: `${groupPrefix}${id}`,
    ...options,
    topics: runTopics(id),
  };
}
