// `mid analyze --input FILE --out DIR`: a batch run over a JSONL file of normalized posts.
// Streams the file line by line (bounded memory), enriches each valid post, feeds the coordination detector, and
// writes DIR/enriched.jsonl (one line per valid post), DIR/signals.json (flagged clusters and account summaries)
// and DIR/rejected.jsonl (line number, reason, redacted excerpt). Bad lines never stop the run. The detector is fed exactly as
// the detect worker feeds it (pipelines/detector-input.ts, with the same options): the file is one partition, and its
// end is a flush. So a file in time order gives the clusters the streaming workers give for the same posts.
// Enrichment runs on worker threads (`enrich.poolThreads`, workers/enrich-pool.ts) while this thread runs the detector;
// batches are consumed in input order, so the output is byte-identical to enriching in this thread.
// A first pass reads the file's post times: a post dated far after the file's own times is rejected as future-dated
// (see fileTimeLimit), as is one dated after the run's start, so one post cannot blind the detector for the rest.
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync, statSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createEnricher, describeSkew } from '../../pipelines/enrich.ts';
import type { EnrichLimits } from '../../pipelines/enrich.ts';
import { redactDetail, redactExcerpt } from '../../pipelines/redact.ts';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import type { DetectorPost } from '../../pipelines/detect-coordination.ts';
import { applyCall, unseenPosts } from '../../pipelines/detector-input.ts';
import type { DetectorHeld } from '../../pipelines/detector-input.ts';
import { emptyEventTimeState } from '../../pipelines/event-time-driver.ts';
import type { SignalsFile } from '../../pipelines/types.ts';
import type { Config } from '../config.ts';
import { detectorInputOptions } from '../detector-options.ts';
import { EnrichPool, enrichLines, resolvePoolThreads } from '../enrich-pool.ts';
import type { InputLine, LineResult } from '../enrich-pool.ts';
import { resolvePseudonymKey } from '../pseudonym-key.ts';
import { CONFIG_EXIT_CODE, loadCommandConfig } from './load-config.ts';

export const summary = 'Enrich a JSONL file of normalized posts and write enriched.jsonl, signals.json, rejected.jsonl';

const USAGE = 'usage: mid analyze --input FILE --out DIR [--config FILE]';

/** How many rejected lines are echoed on stderr before the rest only go to rejected.jsonl. */
const MAX_REJECTIONS_ECHOED = 20;
/**
 * Posts handed to the detector input per call. Any size gives the same clusters for a file in time order (the driver
 * decides when to advance); posts with the same time within a call are observed in id order, as in the workers.
 */
const POSTS_PER_CALL = 500;
/** Input lines per enrichment batch (one message to a thread and back). */
const LINES_PER_BATCH = 256;
/** Batches in flight per enrichment thread: enough to keep the threads busy while the detector runs, and bounded. */
const BATCHES_PER_THREAD = 4;
/** Seconds between progress lines on stderr. */
const PROGRESS_INTERVAL_MS = 2_000;
/**
 * The file's reference time is this quantile of its post times: one post (or up to 1% of them) dated far ahead of
 * the rest cannot move it, however the file is ordered.
 */
export const FILE_TIME_QUANTILE = 0.99;
/**
 * Files with fewer post times are judged by the run's clock only: below 100 posts one post is over 1% of the file,
 * and a small file joining recordings made at different times lost its newest post (the leak test's seven real
 * Mastodon and Bluesky payloads: one was refused).
 */
export const FILE_TIME_MIN_POSTS = 100;

/**
 * How late a post of one file may be dated: `referenceMs` is the file's 99th-percentile post time, `limitMs` that plus
 * the tolerance, which is the larger of `hardening.enrichment.maxFutureSkewMs` and the file's robust span (1st to
 * 99th percentile). The span is part of it because an export's real last 1% can lie hours after its 99th percentile
 * (the last 1% of a 10-day export spans about 2.4 hours); a post dated more than a whole span after the body of the
 * file is no part of it. A post after `limitMs` is rejected as future-dated, whatever its place in the file.
 */
export interface FileTimeLimit {
  referenceMs: number;
  toleranceMs: number;
  limitMs: number;
  /** Posts whose times were read. */
  posts: number;
}

/**
 * Reads the file once for its post times (lines that are not JSON objects with a parsable createdAt are skipped
 * here and rejected in the main pass) and computes its {@link FileTimeLimit}; null for a file with fewer than
 * {@link FILE_TIME_MIN_POSTS} post times.
 * A function of the file's content alone, so the same file is judged the same way on every run.
 */
export async function fileTimeLimit(input: string, maxFutureSkewMs: number): Promise<FileTimeLimit | null> {
  const times: number[] = [];
  const stream = createReadStream(input, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const raw of lines) {
      if (raw.trim() === '') continue;
      let createdAt: unknown;
      try {
        createdAt = (JSON.parse(raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw) as { createdAt?: unknown })
          ?.createdAt;
      } catch {
        continue;
      }
      const t = typeof createdAt === 'string' ? Date.parse(createdAt) : Number.NaN;
      if (Number.isFinite(t)) times.push(t);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  if (times.length < FILE_TIME_MIN_POSTS) return null;
  const sorted = Float64Array.from(times).sort();
  const at = (q: number): number => sorted[Math.floor(q * (sorted.length - 1))]!;
  const referenceMs = at(FILE_TIME_QUANTILE);
  const toleranceMs = Math.max(maxFutureSkewMs, referenceMs - at(1 - FILE_TIME_QUANTILE));
  return { referenceMs, toleranceMs, limitMs: referenceMs + toleranceMs, posts: sorted.length };
}

/** Counts of one analyze run. */
export interface AnalyzeResult {
  lines: number;
  posts: number;
  rejected: number;
  clusters: number;
}

/** Options of {@link analyzeFile}. */
export interface AnalyzeOptions {
  input: string;
  outDir: string;
  config: Config;
  /** Called with a progress line now and then; default: none. */
  onProgress?: (line: string) => void;
  /**
   * The processing clock of the run, epoch ms: posts dated more than `hardening.enrichment.maxFutureSkewMs` after it
   * are rejected as future-dated. Default: the time the run starts.
   */
  nowMs?: number;
  /**
   * Also judge "future" against the file's own times ({@link fileTimeLimit}); default true. Off only for callers
   * whose input is not a file that can be read twice.
   */
  fileTimeCheck?: boolean;
  /** Called for each rejected line; default: none. */
  onReject?: (lineNumber: number, reason: string) => void;
}

async function write(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

async function close(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** Runs the analysis; resolves to the counts. Throws only for unreadable input or unwritable output. */
export async function analyzeFile(options: AnalyzeOptions): Promise<AnalyzeResult> {
  const { config, outDir } = options;
  const runStartMs = options.nowMs ?? Date.now();
  // Two clocks judge "future": the run's start (in the enricher, as the worker clock does when streaming) and the
  // file's own times (here), so an old export cannot carry one post dated years after the rest either: it would move
  // the detector's event time past every later post of the file and blind it.
  const { maxFutureSkewMs } = config.hardening.enrichment;
  const fileLimit = options.fileTimeCheck === false ? null : await fileTimeLimit(options.input, maxFutureSkewMs);
  const threadOptions = {
    // One clock for the whole run, so whether a post is future-dated does not depend on how fast the file is read.
    nowMs: runStartMs,
    enrichment: config.enrich,
    pseudonymKey: resolvePseudonymKey(config),
    limits: config.hardening.enrichment as Partial<EnrichLimits>,
  };
  const threads = resolvePoolThreads(config.enrich.poolThreads);
  const pool = threads > 0 ? new EnrichPool(threads, threadOptions) : null;
  const enrich = pool ? null : createEnricher({ ...threadOptions, now: () => runStartMs });
  const enrichBatch = (batch: InputLine[]): Promise<LineResult[]> =>
    pool ? pool.enrich(batch) : Promise.resolve(enrichLines(enrich!, batch));
  const maxInFlight = threads * BATCHES_PER_THREAD;
  const held: DetectorHeld = {
    detector: createCoordinationDetector(config.detect),
    driver: emptyEventTimeState(),
    seen: {},
  };
  const inputOptions = detectorInputOptions(config);
  let pending: Array<[number, DetectorPost]> = [];
  const feed = (flushAll: boolean): void => {
    applyCall(held, { p: unseenPosts(held, pending), f: [], all: flushAll, n: 1 }, inputOptions);
    pending = [];
  };
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  // Outputs hold posts (personal data): owner only.
  const enriched = createWriteStream(join(outDir, 'enriched.jsonl'), { mode: 0o600 });
  const rejected = createWriteStream(join(outDir, 'rejected.jsonl'), { mode: 0o600 });
  const input = createReadStream(options.input, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });

  const result: AnalyzeResult = { lines: 0, posts: 0, rejected: 0, clusters: 0 };
  const started = Date.now();
  const progress = options.onProgress
    ? setInterval(() => {
        const seconds = (Date.now() - started) / 1000;
        options.onProgress!(
          `analyze: ${result.lines} lines, ${result.posts} posts, ${result.rejected} rejected, ${Math.round(result.lines / seconds)} lines/s`,
        );
      }, PROGRESS_INTERVAL_MS)
    : undefined;
  progress?.unref();

  const reject = async (lineNumber: number, reason: string, raw: string): Promise<void> => {
    result.rejected++;
    options.onReject?.(lineNumber, reason);
    // A redacted excerpt, not the line: the input names accounts, and rejected.jsonl is downstream of enrichment.
    await write(
      rejected,
      `${JSON.stringify({ line: lineNumber, reason: redactDetail(reason), excerpt: redactExcerpt(raw) })}\n`,
    );
  };

  // Batches in input order; each is handled only after every earlier one, whichever thread finishes first.
  const inFlight: Array<{ lines: InputLine[]; results: Promise<LineResult[]> }> = [];
  // A batch whose promise is not yet awaited must not count as an unhandled rejection if a thread fails.
  const submit = (batch: InputLine[]): void => {
    const results = enrichBatch(batch);
    results.catch(() => undefined);
    inFlight.push({ lines: batch, results });
  };
  const handleOldest = async (): Promise<void> => {
    const { lines: batch, results } = inFlight.shift()!;
    const done = await results;
    for (let i = 0; i < batch.length; i++) {
      const [lineNumber, raw] = batch[i]!;
      const r = done[i]!;
      if (!r.ok) {
        await reject(lineNumber, r.reason, raw);
        continue;
      }
      const createdAtMs = r.post.createdAtMs;
      if (fileLimit && createdAtMs > fileLimit.limitMs) {
        await reject(
          lineNumber,
          `future-dated: createdAt ${new Date(createdAtMs).toISOString()} is ${describeSkew(createdAtMs - fileLimit.referenceMs)} after the file's ${FILE_TIME_QUANTILE * 100}th-percentile post time ${new Date(fileLimit.referenceMs).toISOString()} (tolerance ${describeSkew(fileLimit.toleranceMs)})`,
          raw,
        );
        continue;
      }
      result.posts++;
      await write(enriched, `${r.json}\n`);
      pending.push([0, r.post]);
      if (pending.length >= POSTS_PER_CALL) feed(false);
    }
  };

  try {
    pool?.start();
    let batch: InputLine[] = [];
    for await (const raw of lines) {
      result.lines++;
      if (raw.trim() === '') continue; // blank lines (e.g. a trailing newline) are not posts
      batch.push([result.lines, raw]);
      if (batch.length < LINES_PER_BATCH) continue;
      submit(batch);
      batch = [];
      while (inFlight.length > maxInFlight) await handleOldest();
    }
    if (batch.length > 0) submit(batch);
    while (inFlight.length > 0) await handleOldest();
  } finally {
    await pool?.stop({ deadlineMs: 5_000 });
    if (progress) clearInterval(progress);
    lines.close();
    input.destroy();
    await Promise.all([close(enriched), close(rejected)]);
  }

  // The end of the file: nothing more is pending, so every buffered post is released and evaluated.
  feed(true);
  const signals: SignalsFile = {
    generatedAt: new Date().toISOString(),
    clusters: held.detector.clusters(),
    accounts: held.detector.accounts(),
    narratives: held.detector.narratives?.() ?? [],
  };
  result.clusters = signals.clusters.length;
  const target = join(outDir, 'signals.json');
  await writeFile(`${target}.tmp`, `${JSON.stringify(signals, null, 2)}\n`, { mode: 0o600 });
  await rename(`${target}.tmp`, target);
  return result;
}

/** CLI entry of `mid analyze`. */
export async function run(args: string[]): Promise<number> {
  let values: { input?: string; out?: string; config?: string };
  try {
    ({ values } = parseArgs({
      args,
      options: { input: { type: 'string' }, out: { type: 'string' }, config: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`mid analyze: ${(err as Error).message} (${USAGE})\n`);
    return 2;
  }
  if (!values.input || !values.out) {
    process.stderr.write(`mid analyze: --input and --out are required (${USAGE})\n`);
    return 2;
  }
  const config = loadCommandConfig('analyze', { file: values.config });
  if (!config) return CONFIG_EXIT_CODE;
  try {
    if (!statSync(values.input).isFile()) throw new Error('not a regular file');
  } catch (err) {
    process.stderr.write(`mid analyze: cannot read ${values.input}: ${(err as Error).message}\n`);
    return 1;
  }
  let echoed = 0;
  const interactive = process.stderr.isTTY;
  try {
    const result = await analyzeFile({
      input: values.input,
      outDir: values.out,
      config,
      onProgress: (line) => process.stderr.write(interactive ? `\r${line}` : `${line}\n`),
      onReject: (lineNumber, reason) => {
        echoed++;
        if (echoed <= MAX_REJECTIONS_ECHOED)
          process.stderr.write(`${interactive ? '\r' : ''}line ${lineNumber}: ${reason}\n`);
        else if (echoed === MAX_REJECTIONS_ECHOED + 1)
          process.stderr.write(`(further rejected lines only in ${join(values.out!, 'rejected.jsonl')})\n`);
      },
    });
    process.stderr.write(
      `${interactive ? '\r' : ''}analyze: ${result.posts} posts enriched, ${result.rejected} lines rejected, ${result.clusters} clusters flagged -> ${values.out}\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`mid analyze: ${(err as Error).message}\n`);
    return 1;
  }
}
