// Drives the coordination detector in event time so that the clusters do not depend on how messages were batched,
// how partitions interleaved, how many enrich workers shared the work, which detect worker ran — or whether the posts
// came through the streaming workers or `mid analyze`: both use this driver, with the same options, so this file is
// the one rule for when the detector advances. Posts wait in a buffer until the watermark passes them; the watermark
// is the lowest of the newest post time seen in each partition (each partition is in time order when sources publish
// in time order: enriched posts keep the partition of their raw message; a file is one partition), and posts strictly
// before it are released (a partition may still bring another post at its newest millisecond). Released posts are
// observed in (createdAt, id) order, and the detector is advanced at fixed event-time boundaries (every tickMs) —
// only at a boundary every earlier post has been released, and only when something was observed since the last
// advance — and, with minPostsPerAdvance, only when that many posts were observed since, or maxTickMs of event time
// passed. So the sequence of observe/advance calls is a function of the posts alone. Posts older than what was
// already released (late) are observed at once: tolerated by the detector, but the one place where arrival order
// matters. When nothing is pending anywhere (`flushAll`: the stream is idle, or the file has ended), every buffered
// post is released and the detector advanced at the next boundary; `awaitsFlush` says whether that would change
// anything, which is when an idle stream must be flushed to match the end of a file. The state is plain JSON and is
// saved with the detector's.
import { z } from 'zod';
import type { CoordinationDetector, DetectorPost } from './detect-coordination.ts';
import type { Cluster } from './types.ts';

/** When the driver advances the detector (the same options for the detect worker and `mid analyze`). */
export const eventTimeOptionsSchema = z.object({
  tickMs: z
    .number()
    .int()
    .min(10)
    .default(1000)
    .describe(
      'Event-time interval between detector advances, ms: advances happen only at multiples of it. Default 1000.',
    ),
  minPostsPerAdvance: z
    .number()
    .int()
    .min(1)
    .default(200)
    .describe(
      'Advance at a boundary only when this many posts were observed since the last advance, or maxTickMs of event time passed; keeps the number of (costly) advances proportional to the data when a sparse stream is replayed faster than real time. Default 200.',
    ),
  maxTickMs: z
    .number()
    .int()
    .min(10)
    .default(10_000)
    .describe('Longest event-time gap between advances while posts are observed, ms (at least tickMs). Default 10000.'),
});

/** The validated driver options. */
export type EventTimeOptions = z.infer<typeof eventTimeOptionsSchema>;

/** The driver's part of the shared detector state. */
export interface EventTimeState {
  /** Newest createdAtMs seen per partition of posts.enriched. */
  partitionMax: Record<string, number>;
  /** Posts waiting for the watermark. */
  buffer: DetectorPost[];
  /** Everything at or before this time has been released. */
  releasedUpTo: number;
  /** The next advance boundary (multiple of tickMs), null before the first post. */
  nextBoundary: number | null;
  /** Whether anything was observed since the last advance. */
  observedSince: boolean;
  /** Posts observed since the last advance (absent in states saved before it existed: 0). */
  observedCount?: number;
  /** Event time of the last advance, null (or absent) before the first. */
  lastAdvanceMs?: number | null;
}

/** Earliest representable time: "nothing released yet" (JSON has no -Infinity). */
export const NOTHING_RELEASED = -8.64e15;

/** A fresh driver state. */
export function emptyEventTimeState(): EventTimeState {
  return {
    partitionMax: {},
    buffer: [],
    releasedUpTo: NOTHING_RELEASED,
    nextBoundary: null,
    observedSince: false,
    observedCount: 0,
    lastAdvanceMs: null,
  };
}

/**
 * Whether a flush (`flushAll`) would still change something: posts wait for the watermark, or posts were observed
 * since the last advance (released by the watermark, or late) and have not been evaluated yet. An idle stream must be
 * flushed exactly when this holds, so that its last posts are evaluated as at the end of a file.
 */
export function awaitsFlush(state: EventTimeState): boolean {
  return state.buffer.length > 0 || state.observedSince;
}

/** Input of one {@link driveDetector} call. */
export interface DriveInput {
  /** New posts with the partition they came from. */
  posts: Array<{ post: DetectorPost; partition: number }>;
  /** Number of partitions of posts.enriched (all must have progressed for the watermark to move). */
  partitions: number;
  /** Release everything buffered (nothing is pending anywhere). */
  flushAll?: boolean;
}

/** Result of one call. */
export interface DriveResult {
  /** Clusters created or changed, last state per id. */
  changed: Cluster[];
  /** Clusters merged into another during this call (absorbed id -> surviving id); they are not in `changed`. */
  merged: Array<{ id: string; into: string }>;
  /** Posts that arrived after their time had been released. */
  late: number;
  /** The watermark after this call (NOTHING_RELEASED before every partition has been seen). */
  watermarkMs: number;
}

/**
 * Feeds posts to the detector in event time; mutates `state`. Pure apart from the detector it drives. `options` are
 * taken as given (validate them with {@link eventTimeOptionsSchema}); maxTickMs below tickMs counts as tickMs.
 */
export function driveDetector(
  state: EventTimeState,
  detector: CoordinationDetector,
  input: DriveInput,
  options: EventTimeOptions,
): DriveResult {
  const changed = new Map<string, Cluster>();
  const merged = new Map<string, string>();
  let late = 0;
  const advance = (nowMs: number): void => {
    for (const c of detector.advance(nowMs)) changed.set(c.id, c);
    for (const m of detector.takeMerges?.() ?? []) {
      changed.delete(m.id);
      for (const [from, into] of merged) if (into === m.id) merged.set(from, m.into);
      merged.set(m.id, m.into);
    }
  };
  const tick = options.tickMs;
  const boundaryAfter = (t: number) => Math.floor(t / tick) * tick + tick;
  const minPosts = Math.max(1, options.minPostsPerAdvance);
  const maxTick = Math.max(tick, options.maxTickMs);
  const advanceTo = (limit: number) => {
    // Advance at every due boundary <= limit; boundaries that are not due are skipped in one step (nothing is
    // observed inside this loop, so the next due boundary is known).
    while (state.nextBoundary !== null && state.nextBoundary <= limit) {
      if (state.observedSince) {
        const last = state.lastAdvanceMs ?? null;
        if (last === null || (state.observedCount ?? 0) >= minPosts || state.nextBoundary - last >= maxTick) {
          advance(state.nextBoundary);
          state.observedSince = false;
          state.observedCount = 0;
          state.lastAdvanceMs = state.nextBoundary;
          state.nextBoundary += tick;
        } else {
          const dueByTime = Math.ceil((last + maxTick) / tick) * tick;
          state.nextBoundary = dueByTime <= limit ? dueByTime : boundaryAfter(limit);
        }
      } else {
        state.nextBoundary = boundaryAfter(limit);
      }
    }
  };
  const observed = () => {
    state.observedSince = true;
    state.observedCount = (state.observedCount ?? 0) + 1;
  };
  for (const { post, partition } of input.posts) {
    const k = String(partition);
    state.partitionMax[k] = Math.max(state.partitionMax[k] ?? NOTHING_RELEASED, post.createdAtMs);
    if (post.createdAtMs <= state.releasedUpTo) {
      late++;
      detector.observe(post);
      observed();
    } else {
      state.buffer.push(post);
    }
  }
  // Posts before `limit` are complete: every partition has reached the watermark, and a partition in time order can
  // still bring posts *at* its newest time (two posts in the same millisecond split between two batches), but none
  // before it. So the watermark's own millisecond is released only by a later post or a flush; releasing it early
  // made such a post late (observed out of (createdAt, id) order, possibly after an advance it belonged before), and
  // so made the clusters depend on where batches happened to split.
  let limit = Infinity;
  for (let p = 0; p < input.partitions; p++) limit = Math.min(limit, state.partitionMax[String(p)] ?? NOTHING_RELEASED);
  if (input.flushAll) for (const p of state.buffer) limit = Math.max(limit, p.createdAtMs + 1);
  if (limit - 1 > state.releasedUpTo && Number.isFinite(limit)) {
    const ready = state.buffer
      .filter((p) => p.createdAtMs < limit)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    state.buffer = state.buffer.filter((p) => p.createdAtMs >= limit);
    for (const p of ready) {
      if (state.nextBoundary === null) state.nextBoundary = boundaryAfter(p.createdAtMs);
      advanceTo(p.createdAtMs);
      detector.observe(p);
      observed();
    }
    // Every post before `limit` is released, so boundaries up to there are complete.
    advanceTo(limit);
    state.releasedUpTo = limit - 1;
  }
  // Nothing is pending anywhere: advance once more at the boundary after the last post, so the posts observed since
  // the last advance are evaluated now instead of when the next post arrives (the flush is part of the input).
  if (input.flushAll && state.observedSince && state.nextBoundary !== null) {
    advance(state.nextBoundary);
    state.observedSince = false;
    state.observedCount = 0;
    state.lastAdvanceMs = state.nextBoundary;
    state.nextBoundary += tick;
  }
  return {
    changed: [...changed.values()],
    merged: [...merged].map(([id, into]) => ({ id, into })),
    late,
    watermarkMs: state.releasedUpTo,
  };
}
