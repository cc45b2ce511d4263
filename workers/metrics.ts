// Prometheus metrics of one worker process (prom-client): what was processed, rejected, dead-lettered and what the
// store refused, plus consumer lag per worker. Labels come from small fixed sets (worker and topic names, reasons),
// never from ids or handles. One registry per process, exposed at /metrics by workers/http-server.ts.
import client from 'prom-client';
import { deadLetterMessage } from './messages.ts';
import type { IncomingMessage, OutgoingMessage } from './ports/bus.ts';

/** The metrics of a worker process. */
export interface WorkerMetrics {
  readonly registry: client.Registry;
  /** Messages or items handled, by worker and outcome. */
  processed: client.Counter<'worker' | 'outcome'>;
  /** Items refused (invalid, not enrichable), by worker and reason. */
  rejected: client.Counter<'worker' | 'reason'>;
  /** Messages sent to the dead-letter topic, by worker and reason. */
  dlq: client.Counter<'worker' | 'reason'>;
  /** Documents the signal store refused in bulk writes. */
  bulkFailures: client.Counter<'store'>;
  /**
   * Store writes that failed as a whole (store down, overloaded, disk full), by store and whether the failure is
   * retriable; the batch is then left uncommitted and delivered again.
   */
  storeErrors: client.Counter<'store' | 'retriable'>;
  /** Messages not yet committed by a worker's consumer group. */
  lag: client.Gauge<'worker'>;
  /** Connector runs, by source and outcome. */
  sourceRuns: client.Counter<'source' | 'outcome'>;
  /** Time to handle one batch. */
  batchSeconds: client.Histogram<'worker'>;
  /** Time the detect worker spent saving or loading detector state, by kind: log (a checkpoint), snapshot, load. */
  detectorStateSeconds: client.Histogram<'kind'>;
}

/** Creates a fresh registry with the worker metrics and Node's default process metrics. */
export function createMetrics(): WorkerMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'mid_' });
  const r = [registry];
  return {
    registry,
    processed: new client.Counter({
      name: 'mid_processed_total',
      help: 'Messages or items handled.',
      labelNames: ['worker', 'outcome'],
      registers: r,
    }),
    rejected: new client.Counter({
      name: 'mid_rejected_total',
      help: 'Items refused as invalid.',
      labelNames: ['worker', 'reason'],
      registers: r,
    }),
    dlq: new client.Counter({
      name: 'mid_dlq_total',
      help: 'Messages sent to the dead-letter topic.',
      labelNames: ['worker', 'reason'],
      registers: r,
    }),
    bulkFailures: new client.Counter({
      name: 'mid_store_bulk_failures_total',
      help: 'Documents the signal store refused.',
      labelNames: ['store'],
      registers: r,
    }),
    storeErrors: new client.Counter({
      name: 'mid_store_write_errors_total',
      help: 'Store writes that failed as a whole; the batch is delivered again.',
      labelNames: ['store', 'retriable'],
      registers: r,
    }),
    lag: new client.Gauge({
      name: 'mid_consumer_lag_messages',
      help: 'Messages not yet committed by the consumer group.',
      labelNames: ['worker'],
      registers: r,
    }),
    sourceRuns: new client.Counter({
      name: 'mid_source_runs_total',
      help: 'Connector runs.',
      labelNames: ['source', 'outcome'],
      registers: r,
    }),
    batchSeconds: new client.Histogram({
      name: 'mid_batch_duration_seconds',
      help: 'Time to handle one batch.',
      labelNames: ['worker'],
      buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    }),
    detectorStateSeconds: new client.Histogram({
      name: 'mid_detector_state_seconds',
      help: 'Time spent saving (log chunk, full snapshot) or loading detector state.',
      labelNames: ['kind'],
      buckets: [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: r,
    }),
  };
}

/**
 * Collects a batch's dead letters for `worker`, counting each as rejected and dead-lettered: `reject(m, reason,
 * detail)` adds one, `letters` is what to publish to dlq.
 */
export function deadLetterCollector(
  worker: string,
  metrics: WorkerMetrics,
): { letters: OutgoingMessage[]; reject: (m: IncomingMessage, reason: string, detail: string) => void } {
  const letters: OutgoingMessage[] = [];
  return {
    letters,
    reject(m, reason, detail) {
      letters.push(deadLetterMessage(m, worker, reason, detail));
      metrics.rejected.inc({ worker, reason });
      metrics.dlq.inc({ worker, reason });
    },
  };
}
