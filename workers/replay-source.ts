// A source that replays a JSONL file of normalized posts (the bundled sample in embedded mode, or a backfill), a page
// per run. Times are shifted once so that the newest post in the file lands at the moment the replay began: the
// sample then looks like the last few hours, and retention does not purge it at once. The shift is kept in the cursor,
// so a restart continues with the same times (and the store, idempotent by id, sees the same posts).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Connector, ConnectorItem, FetchResult } from '../connectors/connector.ts';
import type { NormalizedPost } from '../pipelines/types.ts';

/** The `replay` section of the configuration. */
export const replayConfigSchema = z.object({
  file: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A JSONL file of normalized posts replayed as a source named "replay". Default none (mid start: the bundled sample).',
    ),
  postsPerRun: z.number().int().min(1).default(400).describe('Posts the replay source emits per run. Default 400.'),
  everyMs: z.number().int().min(100).default(2_000).describe('Interval of the replay source, ms. Default 2000.'),
});

/** The validated `replay` section. */
export type ReplayConfig = z.infer<typeof replayConfigSchema>;

interface ReplayCursor {
  line: number;
  shiftMs: number;
}

function shift(iso: string | null | undefined, ms: number): string | null | undefined {
  if (!iso) return iso;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t + ms).toISOString() : iso;
}

/** Creates the replay source for `file`, emitting `perRun` posts per fetch; `now` gives the shift on the first run. */
export function createReplaySource(
  file: string,
  perRun: number,
  now: () => number = Date.now,
  name = 'replay',
): Connector {
  let lines: string[] | null = null;
  const load = () =>
    (lines ??= readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== ''));
  return {
    kind: 'replay',
    name,
    async fetch({ cursor }): Promise<FetchResult> {
      const all = load();
      let c: ReplayCursor;
      if (cursor) c = JSON.parse(cursor) as ReplayCursor;
      else {
        let max = 0;
        for (const l of all) {
          try {
            max = Math.max(max, Date.parse((JSON.parse(l) as NormalizedPost).createdAt) || 0);
          } catch {
            /* counted below */
          }
        }
        c = { line: 0, shiftMs: max > 0 ? Math.max(0, now() - max) : 0 };
      }
      const items: ConnectorItem[] = [];
      const failed: FetchResult['failed'] = [];
      const end = Math.min(all.length, c.line + perRun);
      for (let i = c.line; i < end; i++) {
        try {
          const p = JSON.parse(all[i]!) as NormalizedPost;
          items.push({
            type: 'post',
            post: {
              ...p,
              createdAt: shift(p.createdAt, c.shiftMs) as string,
              author: { ...p.author, createdAt: shift(p.author?.createdAt, c.shiftMs) },
            },
          });
        } catch (err) {
          failed.push({ reason: `line ${i + 1}: ${(err as Error).message}` });
        }
      }
      return { items, failed, nextCursor: JSON.stringify({ line: end, shiftMs: c.shiftMs } satisfies ReplayCursor) };
    },
  };
}
