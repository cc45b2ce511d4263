// The detector's checkpoints on the memory state store: a log chunk per checkpoint, a full snapshot in parts that
// replaces the chunks it covers, a load that replays them to the very state that was saved, and no write once the
// lease is gone.
import { describe, expect, it } from 'vitest';
import { createCoordinationDetector, detectorPost } from '../../pipelines/detect-coordination.ts';
import { createEnricher } from '../../pipelines/enrich.ts';
import { MemoryStateStore } from '../../workers/adapters/memory-state-store.ts';
import { loadConfig } from '../../workers/config.ts';
import {
  DETECTOR_BASE_KEY,
  DETECTOR_LOG_PREFIX,
  DETECTOR_VERSION_KEY,
  DetectorCheckpoints,
  DetectorStateMissingError,
  LeaseLostError,
  SNAPSHOT_RETRY_CHUNKS,
  loggedPosts,
} from '../../workers/detector-checkpoints.ts';
import type { HeldState, PauseKind } from '../../workers/detector-checkpoints.ts';
import { applyCall } from '../../pipelines/detector-input.ts';
import type { DetectCall } from '../../pipelines/detector-input.ts';
import { detectorInputOptions } from '../../workers/detector-options.ts';
import { createLogger } from '../../workers/logger.ts';
import { normalizedPosts } from './fixtures.ts';

const config = loadConfig({
  env: {},
  overrides: { detect: { compactChunks: 3, compactPosts: 1_000_000, snapshotPartChars: 20_000 } },
});
const enrich = createEnricher({ enrichment: config.enrich, pseudonymKey: 'test-key-0123456789abcdef' });
const posts = normalizedPosts(600, { spanMs: 20 * 60_000, campaignEvery: 10 })
  .map(enrich)
  .map(detectorPost);

function setup(options: { held?: () => boolean } = {}) {
  const state = new MemoryStateStore();
  const pauses: PauseKind[] = [];
  const checkpoints = new DetectorCheckpoints({
    state,
    config,
    logger: createLogger('silent'),
    createDetector: (c, s) => createCoordinationDetector(c, s),
    stillHeld: async () => options.held?.() ?? true,
    onPause: (kind) => pauses.push(kind),
  });
  return { state, checkpoints, pauses };
}

/** Applies posts [from, to) as one input, as the detect worker does, and keeps it pending. */
function feed(held: HeldState, from: number, to: number): void {
  const call: DetectCall = { p: posts.slice(from, to).map((p) => [0, p]), f: [], all: false, n: 1 };
  applyCall(held, call, detectorInputOptions(config));
  held.pending.push(call);
  held.pendingPosts += call.p.length;
}

/** Everything that decides what the detector does next. */
const snapshotOf = (held: HeldState) => ({
  detector: held.detector.exportStateJson(),
  driver: held.driver,
  seen: held.seen,
  version: held.version,
});

describe('DetectorCheckpoints', () => {
  it('starts empty when nothing was saved', async () => {
    const { checkpoints } = setup();
    const { held, read, replayedPosts } = await checkpoints.load(true);
    expect([held.version, held.baseSeq, held.baseParts, replayedPosts]).toEqual([0, 0, 0, 0]);
    expect(read).toEqual({ base: null, chunks: [] });
    expect(await checkpoints.appendLog(held)).toBeNull();
  });

  it('saves a log chunk per checkpoint and replays the chunks to the same state', async () => {
    const { state, checkpoints, pauses } = setup();
    const { held } = await checkpoints.load();
    feed(held, 0, 100);
    feed(held, 100, 200);
    const text = await checkpoints.appendLog(held);
    expect(JSON.parse(text!)).toMatchObject({ seq: 1, calls: [{ n: 1 }, { n: 1 }] });
    expect(await state.get(`${DETECTOR_LOG_PREFIX}1`)).toBe(text);
    expect(await state.get(DETECTOR_VERSION_KEY)).toBe('1');
    expect([held.pending.length, held.pendingPosts, loggedPosts(held)]).toEqual([0, 0, 200]);
    feed(held, 200, 300);
    await checkpoints.appendLog(held);
    const again = await checkpoints.load(true);
    expect(snapshotOf(again.held)).toEqual(snapshotOf(held));
    expect(again.replayedPosts).toBe(300);
    expect(again.read!.chunks).toHaveLength(2);
    expect(await state.get(DETECTOR_BASE_KEY)).toBeNull();
    expect(pauses).toEqual(['load', 'log', 'log', 'load']);
  });

  it('compacts into a snapshot in parts that replaces the chunks it covers; load = base + later chunks', async () => {
    const { state, checkpoints } = setup();
    const { held } = await checkpoints.load();
    for (let i = 0; i < 3; i++) {
      expect(checkpoints.snapshotDue(held)).toBe(false);
      feed(held, i * 100, (i + 1) * 100);
      await checkpoints.appendLog(held);
    }
    expect(checkpoints.snapshotDue(held)).toBe(true);
    await checkpoints.compact(held);
    expect(checkpoints.snapshotDue(held)).toBe(false);
    const manifest = JSON.parse((await state.get(DETECTOR_BASE_KEY))!) as { seq: number; parts: number };
    expect(manifest.seq).toBe(3);
    expect(manifest.parts).toBeGreaterThan(2);
    for (let s = 1; s <= 3; s++) expect(await state.get(`${DETECTOR_LOG_PREFIX}${s}`)).toBeNull();
    expect(loggedPosts(held)).toBe(0);
    // Three more chunks and a second snapshot: the first snapshot's parts are deleted.
    for (let i = 3; i < 6; i++) {
      feed(held, i * 100, (i + 1) * 100);
      await checkpoints.appendLog(held);
    }
    await checkpoints.compact(held);
    for (let i = 0; i < manifest.parts; i++) expect(await state.get(`${DETECTOR_BASE_KEY}:3:${i}`)).toBeNull();
    // One chunk after the base: the load reads the base and replays that chunk.
    feed(held, 590, 600);
    await checkpoints.appendLog(held);
    const again = await checkpoints.load(true);
    expect([again.held.baseSeq, again.held.version, again.replayedPosts]).toEqual([6, 7, 10]);
    expect(again.read!.base!.seq).toBe(6);
    expect(again.read!.chunks).toHaveLength(1);
    expect(snapshotOf(again.held)).toEqual(snapshotOf(held));
  });

  it('writes nothing once the lease is gone, and keeps the inputs for the next attempt', async () => {
    let holding = true;
    const { state, checkpoints } = setup({ held: () => holding });
    const { held } = await checkpoints.load();
    feed(held, 0, 100);
    holding = false;
    await expect(checkpoints.appendLog(held)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await state.get(DETECTOR_VERSION_KEY)).toBeNull();
    expect(await state.get(`${DETECTOR_LOG_PREFIX}1`)).toBeNull();
    expect(held.pendingPosts).toBe(100);
    holding = true;
    await checkpoints.appendLog(held);
    holding = false;
    await expect(checkpoints.compact(held)).rejects.toBeInstanceOf(LeaseLostError);
    // The parts may be there, but without the manifest they are not the base; the log still is.
    expect(await state.get(DETECTOR_BASE_KEY)).toBeNull();
    expect(await state.get(`${DETECTOR_LOG_PREFIX}1`)).not.toBeNull();
  });

  it('postpones the next snapshot after a failed one', async () => {
    const { checkpoints } = setup();
    const { held } = await checkpoints.load();
    for (let i = 0; i < 3; i++) {
      feed(held, i * 10, (i + 1) * 10);
      await checkpoints.appendLog(held);
    }
    checkpoints.snapshotFailed(held);
    expect(held.snapshotAfterSeq).toBe(3 + SNAPSHOT_RETRY_CHUNKS);
    expect(checkpoints.snapshotDue(held)).toBe(false);
  });

  it('refuses to load a state with a chunk or snapshot part missing', async () => {
    const { state, checkpoints } = setup();
    const { held } = await checkpoints.load();
    for (let i = 0; i < 4; i++) {
      feed(held, i * 100, (i + 1) * 100);
      await checkpoints.appendLog(held);
    }
    await state.del(`${DETECTOR_LOG_PREFIX}2`);
    await expect(checkpoints.load()).rejects.toThrow(/log chunk 2 is missing/);
    await checkpoints.compact(held);
    await state.del(`${DETECTOR_BASE_KEY}:4:1`);
    await expect(checkpoints.load()).rejects.toBeInstanceOf(DetectorStateMissingError);
  });
});
