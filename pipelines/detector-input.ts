// The detector's input as the detect worker logs it, and the one function that applies it. Everything held for
// detection (detector, event-time driver, ids seen within the window) is a function of the sequence of inputs applied
// here, which is what makes the detect worker's log a checkpoint: the detect worker, a worker taking over, the
// snapshot replica (workers/detector-replica.ts) and `mid analyze` (a file is one partition, flushed at its end) all
// apply their inputs through `applyCall`, with the same options, so they advance the detector the same way.
import type { CoordinationDetector, DetectorPost } from './detect-coordination.ts';
import { driveDetector } from './event-time-driver.ts';
import type { DriveResult, EventTimeOptions, EventTimeState } from './event-time-driver.ts';
import type { NormalizedFactCheck } from './types.ts';
import { TimeHeap } from './time-heap.ts';

/** One input of the detector: new posts (with their partition of posts.enriched), fact-checks, or an idle flush. */
export interface DetectCall {
  /** Posts as [partition, post]. */
  p: Array<[number, DetectorPost]>;
  /** Fact-checks. */
  f: NormalizedFactCheck[];
  /** Release everything buffered (the stream was idle with nothing pending, or the input ended). */
  all: boolean;
  /** Partitions of posts.enriched when the call was made. */
  n: number;
}

/** A log chunk: the inputs applied between two checkpoints. */
export interface LogChunk {
  seq: number;
  calls: DetectCall[];
}

/** Part 0 of a snapshot: the driver and the ids seen within the window. */
export interface BaseHead {
  seen: Record<string, number>;
  driver: EventTimeState;
}

/** What applying inputs changes. */
export interface DetectorHeld {
  detector: CoordinationDetector;
  driver: EventTimeState;
  seen: Record<string, number>;
}

/** Options of {@link applyCall}: when the detector advances, and how long post ids are remembered. */
export interface DetectorInputOptions {
  /** The event-time driver's options (the one advance rule). */
  drive: EventTimeOptions;
  /** The detector's window (detection.windowSeconds): ids older than this are forgotten. */
  windowSeconds: number;
}

/**
 * The posts of `posts` whose id is neither in `held.seen` nor earlier in `posts`: what a call should carry, so a post
 * delivered twice is observed (and counted towards an advance) once.
 */
export function unseenPosts(
  held: Pick<DetectorHeld, 'seen'>,
  posts: Array<[number, DetectorPost]>,
): Array<[number, DetectorPost]> {
  const inCall = new Set<string>();
  return posts.filter(([, post]) => {
    if (held.seen[post.id] !== undefined || inCall.has(post.id)) return false;
    inCall.add(post.id);
    return true;
  });
}

/**
 * Per `seen` record, a min-heap of [time, id] of every assignment made to it, so forgetting old ids pops the expired
 * entries instead of scanning the whole window's ids once per minute (derived, not serialised: rebuilt from the
 * record the first time a restored `seen` is used).
 */
const seenHeaps = new WeakMap<Record<string, number>, TimeHeap>();

function seenHeap(seen: Record<string, number>): TimeHeap {
  let h = seenHeaps.get(seen);
  if (!h) {
    h = TimeHeap.from(
      Object.entries(seen)
        .map(([id, ms]): [number, string] => [ms, id])
        .sort((x, y) => x[0] - y[0]), // a sorted array is a valid min-heap
    );
    seenHeaps.set(seen, h);
  }
  return h;
}

/** Applies one input: the only place that changes a DetectorHeld, live and in replay. */
export function applyCall(held: DetectorHeld, call: DetectCall, options: DetectorInputOptions): DriveResult {
  const heap = seenHeap(held.seen);
  for (const [, post] of call.p) {
    held.seen[post.id] = post.createdAtMs;
    heap.push(post.createdAtMs, post.id);
  }
  for (const fc of call.f) held.detector.observeFactCheck(fc);
  const before = held.driver.releasedUpTo;
  const r = driveDetector(
    held.driver,
    held.detector,
    {
      posts: call.p.map(([partition, post]) => ({ post, partition })),
      partitions: call.n,
      flushAll: call.all,
    },
    options.drive,
  );
  // Forget ids older than the window, once per minute of event time (a function of the input, like the rest).
  if (Math.floor(r.watermarkMs / 60_000) !== Math.floor(before / 60_000)) {
    const horizon = r.watermarkMs - options.windowSeconds * 1000;
    // Every id whose time is below the horizon has an entry below it in the heap (each assignment pushed one); an
    // entry whose id was reassigned a later time leaves that id alone.
    while (heap.size > 0 && heap.peekTime() < horizon) {
      const id = heap.pop();
      const ms = held.seen[id];
      if (ms !== undefined && ms < horizon) delete held.seen[id];
    }
  }
  return r;
}
