// The message envelopes: what travels on posts.raw, factchecks.raw, posts.enriched, signals and dlq, as types (JSON
// with a schema version `v`). They sit below everything that uses them — the ports (the signal store stores dead
// letters), the adapters and the codec that encodes and decodes them (workers/messages.ts).
import type { Cluster, EnrichedPost, NormalizedFactCheck, NormalizedPost } from '../types.ts';

/** Version of every message value; bump on incompatible change and keep reading the previous one. */
export const MESSAGE_SCHEMA_VERSION = 1;

/** posts.raw: a normalized post, or a tombstone saying the source deleted it. Key: post id. */
export type RawPostMessage =
  { v: 1; kind: 'post'; post: NormalizedPost } | { v: 1; kind: 'tombstone'; id: string; source: string };

/** factchecks.raw: a normalized fact-check. Key: fact-check id. */
export interface FactCheckMessage {
  v: 1;
  kind: 'factcheck';
  factcheck: NormalizedFactCheck;
}

/** posts.enriched: an enriched (pseudonymised) post, or a tombstone passed on from posts.raw. Key: post id. */
export type EnrichedPostMessage =
  { v: 1; kind: 'enriched'; post: EnrichedPost } | { v: 1; kind: 'tombstone'; id: string; source: string };

/** signals: the current state of one cluster (last one wins). Key: cluster id, so updates of a cluster stay ordered. */
export interface ClusterMessage {
  v: 1;
  kind: 'cluster';
  cluster: Cluster;
  /** Event time (newest post observed, epoch ms) when the detector produced this state. */
  watermarkMs: number;
}

/** signals: cluster `id` was merged into cluster `into` and no longer exists. Key: `id` (after its updates). */
export interface ClusterMergedMessage {
  v: 1;
  kind: 'merged';
  id: string;
  into: string;
  watermarkMs: number;
}

/** dlq: a message that could not be processed, with the reason. Key: a redacted excerpt of the original key. */
export interface DeadLetterMessage {
  v: 1;
  kind: 'dead-letter';
  /** Short machine-readable reason, e.g. "invalid-json", "invalid-post", "enrich-failed", "index-rejected". */
  reason: string;
  /** Human detail (validator message, error message); never post text. */
  detail: string;
  /** Worker that gave up on it. */
  worker: string;
  /** Where it came from. */
  topic: string;
  partition: number | null;
  offset: string | null;
  key: string | null;
  /** A redacted excerpt of the original value (its shape, no handles, DIDs, account URLs or ids); replay from the source. */
  value: string;
  /** ISO date-time it was dead-lettered. */
  at: string;
}

/** Result of decoding: the message or the reason it was rejected. */
export type Decoded<T> = { ok: true; message: T } | { ok: false; reason: string; detail: string };
