// The detect worker's side of the snapshot replica (detect.snapshotInThread): starts the worker thread
// (workers/detector-replica.ts through workers/bin/detector-replica.mjs), feeds it the state loaded and every log
// chunk saved, and asks it for one snapshot at a time. The snapshot it sends back is handed to `onSnapshot` to be
// saved. If the thread fails or exits it is dropped, and the detect worker takes snapshots itself again.
import { Worker as Thread } from 'node:worker_threads';
import type { Config } from './config.ts';
import type { LoadedState } from './detector-checkpoints.ts';
import type { ReplicaReply, ReplicaRequest } from './detector-replica.ts';
import type { Logger } from './logger.ts';

/** Dependencies of {@link DetectorReplica}. */
export interface DetectorReplicaDeps {
  config: Pick<Config, 'detect'>;
  logger: Logger;
  /** Receives a snapshot serialised by the replica, as of log chunk `seq`. */
  onSnapshot: (seq: number, parts: string[]) => void;
}

/** A running snapshot replica. */
export class DetectorReplica {
  private thread: Thread | null = null;
  /** The chunk the replica is serialising a snapshot of, if any. */
  private snapshotSeq: number | null = null;

  constructor(private readonly deps: DetectorReplicaDeps) {}

  /** Whether the thread is running (false after it failed: snapshots are then taken in the detect worker). */
  running(): boolean {
    return this.thread !== null;
  }

  /** Starts the thread from the state the detect worker loaded. */
  start(loaded: LoadedState): void {
    const { config } = this.deps;
    const thread = new Thread(new URL('./bin/detector-replica.mjs', import.meta.url), {
      workerData: { detect: config.detect },
    });
    this.thread = thread;
    this.snapshotSeq = null;
    const drop = (why: string) => {
      if (this.thread !== thread) return;
      this.deps.logger.warn({ err: why }, 'Snapshot replica stopped; snapshots are taken in the detect worker again.');
      this.thread = null;
      this.snapshotSeq = null;
      void thread.terminate();
    };
    thread.on('message', (m: ReplicaReply) => {
      if (m.kind === 'error') {
        drop(m.message);
        return;
      }
      this.snapshotSeq = null;
      if (this.thread !== thread) return;
      this.deps.onSnapshot(m.seq, m.parts);
    });
    thread.on('error', (err) => drop(err.message));
    thread.on('exit', (code) => drop(`exit ${code}`));
    thread.unref();
    thread.postMessage({ kind: 'load', base: loaded.base, chunks: loaded.chunks } satisfies ReplicaRequest);
  }

  /** Feeds a log chunk just saved. */
  chunk(text: string): void {
    this.thread?.postMessage({ kind: 'chunk', text } satisfies ReplicaRequest);
  }

  /** Asks for a snapshot as of chunk `seq`, unless one is being serialised already. */
  requestSnapshot(seq: number): void {
    if (!this.thread || this.snapshotSeq !== null) return;
    this.snapshotSeq = seq;
    this.thread.postMessage({
      kind: 'snapshot',
      seq,
      partChars: this.deps.config.detect.snapshotPartChars,
    } satisfies ReplicaRequest);
  }

  /** Terminates the thread (safe when not running). */
  stop(): void {
    const thread = this.thread;
    this.thread = null;
    this.snapshotSeq = null;
    void thread?.terminate();
  }
}
