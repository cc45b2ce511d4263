// The detect worker's checkpoints, written against the StateStore port: everything the detector holds (detector,
// event-time driver, ids seen within the window) is a function of the inputs applied by `applyCall`
// (detector-input.ts), so saving those inputs is saving the state:
//  - `appendLog` saves the inputs since the previous checkpoint as a log chunk `detector:log:<seq>` and sets
//    `detector:version` to seq. Its cost is proportional to what arrived since, not to the window;
//  - `compact` (when `snapshotDue`) writes a full snapshot (manifest `detector:base`, in parts of at most
//    detect.snapshotPartChars) covering the log so far and deletes those chunks; `writeSnapshot` does the writing for
//    snapshots serialised elsewhere (the replica thread);
//  - `load` reads the base and replays the chunks after it.
// Committing the bus offsets after a checkpoint is the detect worker's business; nothing here knows about the bus.
import type { CoordinationDetector } from '../pipelines/detect-coordination.ts';
import { fromJsonParts } from '../pipelines/json-parts.ts';
import type { Config } from './config.ts';
import { applyCall } from '../pipelines/detector-input.ts';
import type { BaseHead, DetectCall, DetectorHeld, LogChunk } from '../pipelines/detector-input.ts';
import { detectorInputOptions } from './detector-options.ts';
// The only use of the event-time driver outside detector-input.ts: the empty driver state of a fresh detector.
import { emptyEventTimeState } from '../pipelines/event-time-driver.ts';
import type { Logger } from './logger.ts';
import type { StateStore } from './ports/state-store.ts';
import { PermanentError } from '../pipelines/core/errors.ts';

/**
 * Key of the full snapshot's manifest: the log sequence number it covers and how many parts it has. The parts are
 * `detector:base:<seq>:<i>`: part 0 the driver and seen ids, parts 1.. the detector (JSON in parts, so a window
 * larger than one string can hold is saved too). A new snapshot's parts are written before its manifest.
 */
export const DETECTOR_BASE_KEY = 'detector:base';
/** Key prefix of the log chunks: `detector:log:<seq>`, one per checkpoint since the base. */
export const DETECTOR_LOG_PREFIX = 'detector:log:';
/** Key of the newest saved log sequence number (the state's version). */
export const DETECTOR_VERSION_KEY = 'detector:version';

interface BaseManifest {
  seq: number;
  parts: number;
}
/** A generous bound on the snapshot characters per post in the window (measured: 1,400-2,200). */
const SNAPSHOT_CHARS_PER_POST = 5000;
/** After a failed snapshot, the next attempt waits for this many more log chunks (the log is replayed meanwhile). */
export const SNAPSHOT_RETRY_CHUNKS = 10;

/** What `load` read (snapshot parts and chunks), as the snapshot replica needs it to build its own copy. */
export interface LoadedState {
  base: { seq: number; parts: string[] } | null;
  chunks: string[];
}

/** The detector in memory with its part of the saved state. */
export interface HeldState extends DetectorHeld {
  /** Newest log sequence number this state includes (= detector:version when saved). */
  version: number;
  /** Sequence number the saved base covers; chunks after it up to `version` are in the store. */
  baseSeq: number;
  /** Parts of the saved base (0: none). */
  baseParts: number;
  /** No snapshot before this sequence number (set after a failed one). */
  snapshotAfterSeq: number;
  /** Posts per chunk after the base (their sum decides when a snapshot is due). */
  chunkPosts: Map<number, number>;
  /** Inputs applied since the last checkpoint, not saved yet. */
  pending: DetectCall[];
  pendingPosts: number;
}

/** Kinds of pause the checkpoints impose on the detector. */
export type PauseKind = 'log' | 'snapshot' | 'load';

/** Dependencies of {@link DetectorCheckpoints}. */
export interface DetectorCheckpointsDeps {
  state: StateStore;
  config: Pick<Config, 'detect'>;
  logger: Logger;
  /** Creates a detector from a saved state (or an empty one). */
  createDetector: (config: Config['detect'], state?: unknown) => CoordinationDetector;
  /**
   * Confirms, right before a write that must not happen otherwise, that `held` is still the state of the lease
   * holder (and extends the lease). False makes the write throw.
   */
  stillHeld: (held: HeldState) => Promise<boolean>;
  /** Told how long the detector was held up by each save or load. */
  onPause?: (kind: PauseKind, ms: number) => void;
}

/** Result of {@link DetectorCheckpoints.load}. */
export interface Loaded {
  held: HeldState;
  /** What was read, for the replica (only when asked for). */
  read: LoadedState | null;
  /** Logged posts replayed after the base. */
  replayedPosts: number;
}

/** Raised when the saved state is incomplete (a part or chunk missing); not retriable without an operator. */
export class DetectorStateMissingError extends PermanentError {
  override name = 'DetectorStateMissingError';
}

/** Raised when a checkpoint write finds the lease gone; the next holder takes over from the saved state. */
export class LeaseLostError extends PermanentError {
  override name = 'LeaseLostError';
  constructor(message = 'detector lease lost', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Posts logged in the chunks after the saved base. */
export function loggedPosts(held: HeldState): number {
  let n = 0;
  for (const c of held.chunkPosts.values()) n += c;
  return n;
}

/** The detector's checkpoints in a StateStore. */
export class DetectorCheckpoints {
  constructor(private readonly deps: DetectorCheckpointsDeps) {}

  /**
   * Restores the saved state: the base, then the log chunks after it up to `detector:version` replayed in order.
   * With `keepRead`, also returns the texts read, for the snapshot replica.
   */
  async load(keepRead = false): Promise<Loaded> {
    const { state, config } = this.deps;
    const t0 = performance.now();
    const version = Number((await state.get(DETECTOR_VERSION_KEY)) ?? 0);
    const raw = version > 0 ? await state.get(DETECTOR_BASE_KEY) : null;
    const manifest = raw ? (JSON.parse(raw) as BaseManifest) : null;
    const part = async (i: number): Promise<string> => {
      const text = await state.get(`${DETECTOR_BASE_KEY}:${manifest!.seq}:${i}`);
      if (text === null)
        throw new DetectorStateMissingError(
          `detector snapshot ${manifest!.seq} part ${i} of ${manifest!.parts} is missing`,
        );
      return text;
    };
    let head: BaseHead | null = null;
    let detectorState: unknown;
    const read: LoadedState = { base: null, chunks: [] };
    if (manifest) {
      const headText = await part(0);
      head = JSON.parse(headText) as BaseHead;
      const parts: string[] = [];
      for (let i = 1; i < manifest.parts; i++) parts.push(await part(i));
      detectorState = fromJsonParts(parts);
      if (keepRead) read.base = { seq: manifest.seq, parts: [headText, ...parts] };
    }
    const held: HeldState = {
      detector: this.deps.createDetector(config.detect, detectorState),
      driver: head?.driver ?? emptyEventTimeState(),
      seen: head?.seen ?? {},
      version: manifest?.seq ?? 0,
      baseSeq: manifest?.seq ?? 0,
      baseParts: manifest?.parts ?? 0,
      snapshotAfterSeq: 0,
      chunkPosts: new Map(),
      pending: [],
      pendingPosts: 0,
    };
    for (let seq = held.version + 1; seq <= version; seq++) {
      const chunk = await state.get(`${DETECTOR_LOG_PREFIX}${seq}`);
      if (chunk === null)
        throw new DetectorStateMissingError(
          `detector log chunk ${seq} is missing (saved version ${version}, base ${held.baseSeq})`,
        );
      let posts = 0;
      for (const call of (JSON.parse(chunk) as LogChunk).calls) {
        applyCall(held, call, detectorInputOptions(config));
        posts += call.p.length;
      }
      held.chunkPosts.set(seq, posts);
      held.version = seq;
      if (keepRead) read.chunks.push(chunk);
    }
    const replayedPosts = loggedPosts(held);
    this.pause('load', t0);
    if (version > 0)
      this.deps.logger.info(
        { version, base: held.baseSeq, replayedPosts, ms: Math.round(performance.now() - t0) },
        'Detector state loaded.',
      );
    return { held, read: keepRead ? read : null, replayedPosts };
  }

  /**
   * Saves the inputs applied since the last checkpoint as the next log chunk and makes it the saved version.
   * Returns the chunk's text (for the replica), or null when there was nothing to save. Throws (saving nothing
   * new as the version) when the lease is gone or the store fails; the inputs are then kept for the next attempt.
   */
  async appendLog(held: HeldState): Promise<string | null> {
    if (held.pending.length === 0) return null;
    const { state } = this.deps;
    const t0 = performance.now();
    if (!(await this.deps.stillHeld(held))) throw new LeaseLostError();
    const seq = held.version + 1;
    const text = JSON.stringify({ seq, calls: held.pending } satisfies LogChunk);
    await state.set(`${DETECTOR_LOG_PREFIX}${seq}`, text);
    await state.set(DETECTOR_VERSION_KEY, String(seq));
    held.version = seq;
    held.chunkPosts.set(seq, held.pendingPosts);
    held.pending = [];
    held.pendingPosts = 0;
    this.pause('log', t0);
    return text;
  }

  /** Whether a full snapshot is due: detect.compactPosts logged posts or detect.compactChunks chunks since the base. */
  snapshotDue(held: HeldState): boolean {
    const { compactPosts, compactChunks } = this.deps.config.detect;
    return (
      (loggedPosts(held) >= compactPosts || held.version - held.baseSeq >= compactChunks) &&
      held.version >= held.snapshotAfterSeq
    );
  }

  /** Postpones the next snapshot attempt by SNAPSHOT_RETRY_CHUNKS chunks after `seq` (after a failed one). */
  snapshotFailed(held: HeldState, seq = held.version): void {
    held.snapshotAfterSeq = seq + SNAPSHOT_RETRY_CHUNKS;
  }

  /**
   * Writes a full snapshot covering the log up to `held.version` (parts first, then the manifest), then deletes the
   * previous snapshot's parts and the chunks it covers.
   */
  async compact(held: HeldState): Promise<void> {
    const { config } = this.deps;
    const t0 = performance.now();
    const seq = held.version;
    // Serialised before any await: nothing can change the detector in between. One JSON pass is twice as fast as
    // parts; it is used while the window (about as many posts as ids seen) is clearly small enough for one part.
    const head = JSON.stringify({ seen: held.seen, driver: held.driver } satisfies BaseHead);
    const small = Object.keys(held.seen).length * SNAPSHOT_CHARS_PER_POST < config.detect.snapshotPartChars;
    const parts = [
      head,
      ...(small
        ? [`[[[],0,${held.detector.exportStateJson()}]]`]
        : held.detector.exportStateParts(config.detect.snapshotPartChars)),
    ];
    await this.writeSnapshot(held, seq, parts);
    this.pause('snapshot', t0);
  }

  /** Saves snapshot parts as of chunk `seq` (parts first, then the manifest), then drops what it replaces. */
  async writeSnapshot(held: HeldState, seq: number, parts: string[]): Promise<void> {
    const { state } = this.deps;
    for (let i = 0; i < parts.length; i++) await state.set(`${DETECTOR_BASE_KEY}:${seq}:${i}`, parts[i]!);
    if (!(await this.deps.stillHeld(held)))
      throw new LeaseLostError('detector lease lost before the snapshot was saved');
    await state.set(DETECTOR_BASE_KEY, JSON.stringify({ seq, parts: parts.length } satisfies BaseManifest));
    const [oldSeq, oldParts] = [held.baseSeq, held.baseParts];
    held.baseSeq = seq;
    held.baseParts = parts.length;
    for (const s of [...held.chunkPosts.keys()]) if (s <= seq) held.chunkPosts.delete(s);
    for (let i = 0; i < oldParts; i++) await state.del(`${DETECTOR_BASE_KEY}:${oldSeq}:${i}`);
    for (let s = oldSeq + 1; s <= seq; s++) await state.del(`${DETECTOR_LOG_PREFIX}${s}`);
  }

  private pause(kind: PauseKind, t0: number): void {
    this.deps.onPause?.(kind, performance.now() - t0);
  }
}
