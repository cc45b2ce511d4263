// Prometheus metrics of one worker process (prom-client): what was processed, rejected, dead-lettered and what the
// store refused, plus consumer lag per worker. Labels come from small fixed sets (worker and topic names, reasons),
// never from ids or handles. One registry per process, exposed at /metrics by workers/http-server.ts. Every metric is
// declared here (the alerts worker's too), so names and label sets can be read in one place.
import client from 'prom-client';
import { SUPPRESS_REASONS } from '../pipelines/alert-rules.ts';
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

/** Makers of counters, gauges and histograms that all register on `registry` (the shape every metric here shares). */
function metricsOn(registry: client.Registry) {
  const registers = [registry];
  return {
    counter: <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new client.Counter<L>({ name, help, labelNames, registers }),
    gauge: <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new client.Gauge<L>({ name, help, labelNames, registers }),
    histogram: <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
      new client.Histogram<L>({ name, help, labelNames, buckets, registers }),
  };
}

/** Creates a fresh registry with the worker metrics and Node's default process metrics. */
export function createMetrics(): WorkerMetrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'mid_' });
  const { counter, gauge, histogram } = metricsOn(registry);
  return {
    registry,
    processed: counter('mid_processed_total', 'Messages or items handled.', ['worker', 'outcome']),
    rejected: counter('mid_rejected_total', 'Items refused as invalid.', ['worker', 'reason']),
    dlq: counter('mid_dlq_total', 'Messages sent to the dead-letter topic.', ['worker', 'reason']),
    bulkFailures: counter('mid_store_bulk_failures_total', 'Documents the signal store refused.', ['store']),
    storeErrors: counter(
      'mid_store_write_errors_total',
      'Store writes that failed as a whole; the batch is delivered again.',
      ['store', 'retriable'],
    ),
    lag: gauge('mid_consumer_lag_messages', 'Messages not yet committed by the consumer group.', ['worker']),
    sourceRuns: counter('mid_source_runs_total', 'Connector runs.', ['source', 'outcome']),
    batchSeconds: histogram(
      'mid_batch_duration_seconds',
      'Time to handle one batch.',
      ['worker'],
      [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
    detectorStateSeconds: histogram(
      'mid_detector_state_seconds',
      'Time spent saving (log chunk, full snapshot) or loading detector state.',
      ['kind'],
      [0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    ),
  };
}

/** Metrics of the alerts worker. */
export interface AlertMetrics {
  /** Alert messages delivered (2xx), by channel format and kind. */
  sent: client.Counter<'channel' | 'kind'>;
  /** Alerts not sent, by reason (every reason starts at 0). */
  suppressed: client.Counter<'reason'>;
  /** Failed delivery attempts, retried or given up (dead_letter). */
  failed: client.Counter<'channel' | 'outcome'>;
  /** From when an alert was due to its 2xx. */
  latency: client.Histogram<'channel'>;
}

const alertMetricsByRegistry = new WeakMap<client.Registry, AlertMetrics>();

/** The alert metrics on a registry (created once per registry: several alerts workers may share a process). */
export function alertMetrics(registry: client.Registry): AlertMetrics {
  let m = alertMetricsByRegistry.get(registry);
  if (m) return m;
  const { counter, histogram } = metricsOn(registry);
  m = {
    sent: counter('mid_alerts_sent_total', 'Alert messages delivered (2xx), by channel format and kind.', [
      'channel',
      'kind',
    ]),
    suppressed: counter('mid_alerts_suppressed_total', 'Alerts not sent, by reason.', ['reason']),
    failed: counter('mid_alerts_failed_total', 'Failed delivery attempts: retried, or given up (dead_letter).', [
      'channel',
      'outcome',
    ]),
    latency: histogram(
      'mid_alert_delivery_seconds',
      'From when an alert was due to its 2xx.',
      ['channel'],
      [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
    ),
  };
  for (const reason of SUPPRESS_REASONS) m.suppressed.inc({ reason }, 0);
  alertMetricsByRegistry.set(registry, m);
  return m;
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
