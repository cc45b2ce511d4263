// The detector's input as the detect worker logs it, and the one function that applies it. Everything the detect
// worker holds for detection (detector, event-time driver, ids seen within the window) is a function of the
// sequence of inputs applied here, which is what makes the log a checkpoint: the detect worker, a worker taking
// over, and the snapshot replica (workers/detector-replica.ts) all apply the same inputs through `applyCall`.
import type { CoordinationDetector, DetectorPost } from '../pipelines/detect-coordination.ts';
import type { NormalizedFactCheck } from '../pipelines/types.ts';
import type { Config } from './config.ts';
import { driveDetector } from './event-time-driver.ts';
import type { DriveResult, EventTimeState } from './event-time-driver.ts';

/** One input of the detector: new posts (with their partition of posts.enriched), fact-checks, or an idle flush. */
export interface DetectCall {
  /** Posts as [partition, post]. */
  p: Array<[number, DetectorPost]>;
  /** Fact-checks. */
  f: NormalizedFactCheck[];
  /** Release everything buffered (the stream was idle with nothing pending). */
  all: boolean;
  /** Partitions of posts.enriched when the call was made. */
  n: number;
}

/** A log chunk: the inputs applied between two checkpoints. */
export interface LogChunk { seq: number; calls: DetectCall[] }

/** Part 0 of a snapshot: the driver and the ids seen within the window. */
export interface BaseHead { seen: Record<string, number>; driver: EventTimeState }

/** What applying inputs changes. */
export interface DetectorHeld {
  detector: CoordinationDetector;
  driver: EventTimeState;
  seen: Record<string, number>;
}

/** Applies one input: the only place that changes a DetectorHeld, live and in replay. */
export function applyCall(held: DetectorHeld, call: DetectCall, config: Pick<Config, 'detect'>): DriveResult {
  for (const [, post] of call.p) held.seen[post.id] = post.createdAtMs;
  for (const fc of call.f) held.detector.observeFactCheck(fc);
  const before = held.driver.releasedUpTo;
  const r = driveDetector(held.driver, held.detector, {
    posts: call.p.map(([partition, post]) => ({ post, partition })), partitions: call.n, flushAll: call.all,
    tickMs: config.detect.tickMs, minPostsPerAdvance: config.detect.minPostsPerAdvance, maxTickMs: config.detect.maxTickMs,
  });
  // Forget ids older than the window, once per minute of event time (a function of the input, like the rest).
  if (Math.floor(r.watermarkMs / 60_000) !== Math.floor(before / 60_000)) {
    const horizon = r.watermarkMs - config.detect.windowSeconds * 1000;
    for (const [id, ms] of Object.entries(held.seen)) if (ms < horizon) delete held.seen[id];
  }
  return r;
}
