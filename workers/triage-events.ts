// Triage events: the analysts' status changes, carried from the triage side (the triage application and the
// triage worker's auto-reopen) to the alerts worker on the bus topic `bus.topics.triage` (Kafka in cluster mode,
// in-process embedded), keyed by cluster id so one cluster's changes stay in order. The alerts worker keeps the
// latest status per cluster in its own store: closed clusters are not alerted again, and a close sends the
// "resolved" notice. Why a topic and not the index's `triage.*` fields: it works with either signal store (the
// Elasticsearch write-back is optional and SQLite has none), it pushes (no polling delay, no query per cluster),
// and the consumer group's committed offset makes it at-least-once across restarts.
import { z } from 'zod';
import type { Logger } from './logger.ts';
import type { Bus, OutgoingMessage } from './ports/bus.ts';
import type { TriageState, TriageStore } from './ports/triage-store.ts';

/** The value of one triage event (JSON, schema version `v`). Key: the cluster id. */
export const triageEventSchema = z.object({
  v: z.literal(1),
  kind: z.literal('triage-status'),
  clusterId: z.string().min(1),
  status: z.string().min(1),
  closeReason: z.string().nullable(),
  /** Epoch ms of the change; the consumer keeps the newest. */
  atMs: z.number(),
});

/** One triage event. */
export type TriageEvent = z.infer<typeof triageEventSchema>;

/** The message for a triage state. */
export function triageEventMessage(state: TriageState, atMs: number): OutgoingMessage {
  const event: TriageEvent = {
    v: 1,
    kind: 'triage-status',
    clusterId: state.clusterId,
    status: state.status,
    closeReason: state.closeReason,
    atMs: state.updatedAtMs ?? atMs,
  };
  return { key: state.clusterId, value: JSON.stringify(event) };
}

/** Decodes a triage event; null when the value is not one (counted and skipped by the consumer). */
export function decodeTriageEvent(value: string): TriageEvent | null {
  try {
    const r = triageEventSchema.safeParse(JSON.parse(value));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** Options of {@link publishTriageEvents}. */
export interface PublishTriageEventsOptions {
  bus: Bus;
  topic: string;
  logger: Logger;
  now?: () => number;
}

/**
 * The triage store, publishing an event after every committed status change: `updateState` (every analyst action
 * of the app and API, and the channel buttons) and the reopenings of `ingestClusters`. A Proxy because the port has
 * thirty methods and only two matter here; forwarding them by hand would break each time the port grows.
 * Published after the store's commit: a failed publish is logged (the change stands; the next change of that
 * cluster carries its full status again).
 */
export function publishTriageEvents(store: TriageStore, options: PublishTriageEventsOptions): TriageStore {
  const log = options.logger.child({ component: 'triage-events' });
  const now = options.now ?? Date.now;
  const publish = async (states: TriageState[]): Promise<void> => {
    if (states.length === 0) return;
    try {
      await options.bus.publish(
        options.topic,
        states.map((s) => triageEventMessage(s, now())),
      );
    } catch (err) {
      log.error(
        { err: (err as Error).message, count: states.length },
        'Triage events not published; the alerts worker misses these changes.',
      );
    }
  };
  const updateState: TriageStore['updateState'] = async (clusterId, patch, audit) => {
    const r = await store.updateState(clusterId, patch, audit);
    if (r.before.status !== r.after.status || r.before.closeReason !== r.after.closeReason) await publish([r.after]);
    return r;
  };
  const ingestClusters: TriageStore['ingestClusters'] = async (items, opts) => {
    const reopened = await store.ingestClusters(items, opts);
    const states: TriageState[] = [];
    for (const r of reopened) {
      const row = await store.getCluster(r.clusterId);
      if (row) states.push(row.state);
    }
    await publish(states);
    return reopened;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'updateState') return updateState;
      if (prop === 'ingestClusters') return ingestClusters;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
