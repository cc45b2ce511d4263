// The snapshot replica: a copy of the detector in a worker thread, fed the same log chunks the detect worker saves,
// so a full snapshot can be serialised there while the detect worker goes on detecting (detect.snapshotInThread).
// It costs a second detector's CPU and memory; in exchange the detect worker never pauses for a snapshot.
// Messages in: `load` (the snapshot parts and chunks the detect worker loaded), `chunk` (a chunk just saved),
// `snapshot` (serialise the state as of chunk `seq`). Messages out: `snapshot` (seq and parts) or `error`.
import { parentPort, workerData } from 'node:worker_threads';
import { createCoordinationDetector } from '../pipelines/detect-coordination.ts';
import { fromJsonParts } from '../pipelines/json-parts.ts';
import type { Config } from './config.ts';
import { applyCall } from '../pipelines/detector-input.ts';
import type { BaseHead, DetectorHeld, LogChunk } from '../pipelines/detector-input.ts';
import { emptyEventTimeState } from '../pipelines/event-time-driver.ts';
import { detectorInputOptions } from './detector-options.ts';

/** A message to the replica. */
export type ReplicaRequest =
  | { kind: 'load'; base: { seq: number; parts: string[] } | null; chunks: string[] }
  | { kind: 'chunk'; text: string }
  | { kind: 'snapshot'; seq: number; partChars: number };
/** A message from the replica. */
export type ReplicaReply = { kind: 'snapshot'; seq: number; parts: string[] } | { kind: 'error'; message: string };

const config = workerData as Pick<Config, 'detect'>;
const options = detectorInputOptions(config);
let held: DetectorHeld | null = null;
let version = 0;

function apply(text: string): void {
  const chunk = JSON.parse(text) as LogChunk;
  if (chunk.seq !== version + 1) throw new Error(`replica at chunk ${version} was given chunk ${chunk.seq}`);
  for (const call of chunk.calls) applyCall(held!, call, options);
  version = chunk.seq;
}

parentPort!.on('message', (m: ReplicaRequest) => {
  try {
    if (m.kind === 'load') {
      const head = m.base ? (JSON.parse(m.base.parts[0]!) as BaseHead) : null;
      held = {
        detector: createCoordinationDetector(config.detect, m.base ? fromJsonParts(m.base.parts.slice(1)) : undefined),
        driver: head?.driver ?? emptyEventTimeState(),
        seen: head?.seen ?? {},
      };
      version = m.base?.seq ?? 0;
      for (const text of m.chunks) apply(text);
    } else if (m.kind === 'chunk') {
      apply(m.text);
    } else {
      if (!held || version !== m.seq) throw new Error(`replica at chunk ${version} cannot snapshot chunk ${m.seq}`);
      const parts = [
        JSON.stringify({ seen: held.seen, driver: held.driver } satisfies BaseHead),
        ...held.detector.exportStateParts(m.partChars),
      ];
      parentPort!.postMessage({ kind: 'snapshot', seq: m.seq, parts } satisfies ReplicaReply);
    }
  } catch (err) {
    held = null;
    parentPort!.postMessage({ kind: 'error', message: (err as Error).message } satisfies ReplicaReply);
  }
});
