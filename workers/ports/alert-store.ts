// The alert state store port: small JSON documents in namespaces (per-cluster route state and threads, the
// delivery outbox, sent keys, silences, rate counters, digest buffers, the dead-letter list), an index of when a
// document is due (the outbox), and atomic multi-document writes — the alerts worker records its decision and the
// deliveries it implies in one `apply`, which is what makes a restart neither lose nor repeat an alert.
// Adapters: workers/adapters/memory-alert-store.ts, sqlite-alert-store.ts (embedded), redis-alert-store.ts (cluster).
// Contract: test/workers/adapters/alert-store.contract.ts.
import type { Lifecycle } from '../../pipelines/core/lifecycle.ts';

/** One write of {@link AlertStore.apply}. */
export type AlertStoreOp =
  /** Puts a document; with dueMs it is (also) in the namespace's due index, without it leaves that index. */
  { op: 'put'; ns: string; key: string; doc: unknown; dueMs?: number } | { op: 'del'; ns: string; key: string };

/** A document with its key. */
export interface AlertStoreEntry<T> {
  key: string;
  doc: T;
}

/** The alert state store port. */
export interface AlertStore extends Lifecycle {
  readonly kind: 'memory' | 'sqlite' | 'redis';
  /** The document, or null. */
  get<T>(ns: string, key: string): Promise<T | null>;
  /** Every document of a namespace (small namespaces only: silences, routes). */
  list<T>(ns: string): Promise<Array<AlertStoreEntry<T>>>;
  /** Documents whose dueMs ≤ nowMs, earliest first, at most limit. */
  due<T>(ns: string, nowMs: number, limit: number): Promise<Array<AlertStoreEntry<T> & { dueMs: number }>>;
  /** Applies every op, all or none. */
  apply(ops: AlertStoreOp[]): Promise<void>;
}
