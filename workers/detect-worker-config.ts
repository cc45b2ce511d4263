// The detect worker's settings in the `detect` section of the configuration (next to the detector's own,
// pipelines/detect-config.ts): how often the event-time driver advances the detector (`tickMs`,
// `minPostsPerAdvance`, `maxTickMs`, the driver's options one to one), checkpoints, compaction, snapshots, the
// detector lease and the idle flush. See docs/streaming.md.
import { z } from 'zod';

/** The detect worker's part of the `detect` section. */
export const detectWorkerConfigSchema = z.object({
  tickMs: z
    .number()
    .int()
    .min(10)
    .default(1000)
    .describe('Event-time interval between detector advances (see docs/streaming.md). Default 1000.'),
  minPostsPerAdvance: z
    .number()
    .int()
    .min(1)
    .default(200)
    .describe(
      'The detector is advanced at a tickMs boundary only when this many posts were observed since the last advance, or maxTickMs passed. Default 200.',
    ),
  maxTickMs: z
    .number()
    .int()
    .min(10)
    .default(10_000)
    .describe('Longest event-time gap between detector advances while posts arrive, ms. Default 10000.'),
  checkpointMs: z
    .number()
    .int()
    .min(100)
    .default(30_000)
    .describe(
      "How often the detect worker holding the detector lease saves the detector's new input since the last checkpoint and commits offsets (it keeps the lease). Default 30000.",
    ),
  checkpointPosts: z
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe('The detect worker also checkpoints after this many posts fed to the detector. Default 100000.'),
  compactPosts: z
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe(
      'Checkpoints save only the detector input since the last one; once this many posts were logged since the last full snapshot, the detect worker writes a new full snapshot (a pause that grows with the window) and drops the log. Bounds how much a taking-over worker replays. Default 100000.',
    ),
  compactChunks: z
    .number()
    .int()
    .min(1)
    .default(200)
    .describe('A full snapshot is also written after this many logged checkpoints (a slow stream). Default 200.'),
  snapshotPartChars: z
    .number()
    .int()
    .min(1000)
    .default(32 * 1024 * 1024)
    .describe(
      'A full detector snapshot is saved as JSON parts of at most about this many characters each (one string cannot hold a large window). Default 33554432.',
    ),
  snapshotInThread: z
    .boolean()
    .default(false)
    .describe(
      "Serialise full detector snapshots in a worker thread holding a replica of the detector (fed the same log), so detection never pauses for a snapshot; costs a second detector's CPU and memory. For large windows. Default false.",
    ),
  leaseTtlMs: z
    .number()
    .int()
    .min(1000)
    .default(20_000)
    .describe(
      'The detector lease expires this long after its last extension (the holder extends it every quarter); a standby detect worker takes over after a holder died within this time. Default 20000.',
    ),
  idleFlushMs: z
    .number()
    .int()
    .min(100)
    .default(2000)
    .describe('How often the detect worker checks for an idle stream and releases every buffered post. Default 2000.'),
});

/** The validated detect worker settings. */
export type DetectWorkerConfig = z.infer<typeof detectWorkerConfigSchema>;
