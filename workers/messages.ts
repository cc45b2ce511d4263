// Topics and messages: what travels on posts.raw, factchecks.raw, posts.enriched, signals and dlq, how each value
// is encoded (JSON with a schema version `v`) and which key it carries (see docs/streaming.md for why).
// Decoding never throws: a value that is not what its topic carries becomes a reason for the dead-letter topic.
// The message shapes themselves live in pipelines/core/envelopes.ts (ports and adapters need them without the codec).
import { jsonErrorMessage, redactDetail, redactExcerpt } from '../pipelines/redact.ts';
import type { Cluster, EnrichedPost, NormalizedFactCheck, NormalizedPost } from '../pipelines/types.ts';
import { MESSAGE_SCHEMA_VERSION } from '../pipelines/core/envelopes.ts';
import type {
  ClusterMergedMessage,
  ClusterMessage,
  DeadLetterMessage,
  Decoded,
  EnrichedPostMessage,
  FactCheckMessage,
  RawPostMessage,
} from '../pipelines/core/envelopes.ts';
import type { IncomingMessage, OutgoingMessage } from './ports/bus.ts';

/** Encodes a message for posts.raw. */
export function rawPostMessage(post: NormalizedPost): OutgoingMessage {
  return { key: post.id, value: JSON.stringify({ v: 1, kind: 'post', post } satisfies RawPostMessage) };
}

/** Encodes a tombstone for posts.raw. */
export function tombstoneMessage(id: string, source: string): OutgoingMessage {
  return { key: id, value: JSON.stringify({ v: 1, kind: 'tombstone', id, source } satisfies RawPostMessage) };
}

/** Encodes a message for factchecks.raw. */
export function factCheckMessage(factcheck: NormalizedFactCheck): OutgoingMessage {
  return {
    key: factcheck.id,
    value: JSON.stringify({ v: 1, kind: 'factcheck', factcheck } satisfies FactCheckMessage),
  };
}

/** Encodes a message for posts.enriched. */
export function enrichedPostMessage(post: EnrichedPost): OutgoingMessage {
  return { key: post.id, value: JSON.stringify({ v: 1, kind: 'enriched', post } satisfies EnrichedPostMessage) };
}

/** Encodes a tombstone for posts.enriched. */
export function enrichedTombstoneMessage(id: string, source: string): OutgoingMessage {
  return { key: id, value: JSON.stringify({ v: 1, kind: 'tombstone', id, source } satisfies EnrichedPostMessage) };
}

/** Encodes a message for signals. */
export function clusterMessage(cluster: Cluster, watermarkMs: number): OutgoingMessage {
  return {
    key: cluster.id,
    value: JSON.stringify({ v: 1, kind: 'cluster', cluster, watermarkMs } satisfies ClusterMessage),
  };
}

/** A signals message saying cluster `id` was merged into `into`. */
export function clusterMergedMessage(id: string, into: string, watermarkMs: number): OutgoingMessage {
  return {
    key: id,
    value: JSON.stringify({ v: 1, kind: 'merged', id, into, watermarkMs } satisfies ClusterMergedMessage),
  };
}

/** Encodes a dead letter for the message `m` that `worker` gave up on. */
export function deadLetterMessage(
  m: Pick<IncomingMessage, 'topic' | 'key' | 'value'> & Partial<Pick<IncomingMessage, 'partition' | 'offset'>>,
  worker: string,
  reason: string,
  detail: string,
  now = new Date(),
): OutgoingMessage {
  const value: DeadLetterMessage = {
    v: 1,
    kind: 'dead-letter',
    // Both may quote hostile input (an error message naming a field's value): redacted, not only cut.
    reason: redactDetail(reason, 80),
    detail: redactDetail(detail, 500),
    worker,
    topic: m.topic,
    partition: m.partition ?? null,
    offset: m.offset ?? null,
    key: m.key === null ? null : redactExcerpt(m.key, 120),
    value: redactExcerpt(m.value ?? ''),
    at: now.toISOString(),
  };
  // The raw message named accounts (handles, DIDs, status URIs): only a redacted excerpt travels on.
  return { key: value.key, value: JSON.stringify(value) };
}

function parse(value: string): Decoded<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    return { ok: false, reason: 'invalid-json', detail: jsonErrorMessage(err) }; // V8 quotes the input
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, reason: 'invalid-message', detail: 'not a JSON object' };
  const o = parsed as Record<string, unknown>;
  if (o.v !== MESSAGE_SCHEMA_VERSION)
    return { ok: false, reason: 'unknown-schema-version', detail: `v=${JSON.stringify(o.v)}` };
  return { ok: true, message: o };
}

/** Decodes a posts.raw value (the post itself is validated by the enrich worker). */
export function decodeRawPost(value: string): Decoded<RawPostMessage> {
  const d = parse(value);
  if (!d.ok) return d;
  const o = d.message;
  if (o.kind === 'post' && typeof o.post === 'object' && o.post !== null)
    return { ok: true, message: o as unknown as RawPostMessage };
  if (o.kind === 'tombstone' && typeof o.id === 'string' && typeof o.source === 'string')
    return { ok: true, message: o as unknown as RawPostMessage };
  return {
    ok: false,
    reason: 'invalid-message',
    detail: `posts.raw carries kind "post" or "tombstone", got ${JSON.stringify(o.kind)}`,
  };
}

/** Decodes a posts.enriched value. */
export function decodeEnrichedPost(value: string): Decoded<EnrichedPostMessage> {
  const d = parse(value);
  if (!d.ok) return d;
  const o = d.message;
  const post = o.post as Record<string, unknown> | undefined;
  if (o.kind === 'enriched' && post && typeof post.id === 'string' && typeof post.createdAtMs === 'number')
    return { ok: true, message: o as unknown as EnrichedPostMessage };
  if (o.kind === 'tombstone' && typeof o.id === 'string' && typeof o.source === 'string')
    return { ok: true, message: o as unknown as EnrichedPostMessage };
  return {
    ok: false,
    reason: 'invalid-message',
    detail: 'posts.enriched carries kind "enriched" with a post, or "tombstone"',
  };
}

/** Decodes a signals value. */
export function decodeCluster(value: string): Decoded<ClusterMessage> {
  const d = parse(value);
  if (!d.ok) return d;
  const o = d.message;
  const c = o.cluster as Record<string, unknown> | undefined;
  if (o.kind === 'cluster' && c && typeof c.id === 'string' && Array.isArray(c.posts))
    return { ok: true, message: o as unknown as ClusterMessage };
  return { ok: false, reason: 'invalid-message', detail: 'signals carries kind "cluster" with a cluster' };
}

/** Decodes a signals value: a cluster's state, or the news that a cluster was merged into another. */
export function decodeSignal(value: string): Decoded<ClusterMessage | ClusterMergedMessage> {
  const d = parse(value);
  if (!d.ok) return d;
  const o = d.message;
  if (o.kind === 'merged') {
    if (typeof o.id === 'string' && typeof o.into === 'string' && typeof o.watermarkMs === 'number')
      return { ok: true, message: o as unknown as ClusterMergedMessage };
    return { ok: false, reason: 'invalid-message', detail: 'a "merged" signal needs id, into and watermarkMs' };
  }
  return decodeCluster(value);
}

/** Decodes a dlq value. */
export function decodeDeadLetter(value: string): Decoded<DeadLetterMessage> {
  const d = parse(value);
  if (!d.ok) return d;
  const o = d.message;
  if (o.kind === 'dead-letter' && typeof o.reason === 'string')
    return { ok: true, message: o as unknown as DeadLetterMessage };
  return { ok: false, reason: 'invalid-message', detail: 'dlq carries kind "dead-letter"' };
}

/** Decodes a factchecks.raw value. */
export function decodeFactCheck(value: string): Decoded<FactCheckMessage> {
  const d = parse(value);
  if (!d.ok) return d;
  const o = d.message;
  if (o.kind === 'factcheck' && typeof o.factcheck === 'object' && o.factcheck !== null)
    return { ok: true, message: o as unknown as FactCheckMessage };
  return { ok: false, reason: 'invalid-message', detail: 'factchecks.raw carries kind "factcheck"' };
}
