// Enrichment on worker threads for `mid analyze`: batches of input lines go round-robin to `enrich.poolThreads`
// threads (workers/enrich-pool-thread.ts), each of which validates, enriches and serialises its lines, while the main
// thread runs the detector. Each batch resolves to its results in line order and the caller consumes batches in the
// order it submitted them, so the output never depends on which thread was faster; the caller bounds how many batches
// are in flight, so memory stays flat however long the input. `enrichLines` is the one function that turns lines into
// results, in a thread or (poolThreads 0) in the main thread, which is what makes both give byte-identical output.
import { availableParallelism } from 'node:os';
import { Worker as Thread } from 'node:worker_threads';
import type { EnrichConfig } from '../pipelines/enrich-config.ts';
import type { EnrichLimits } from '../pipelines/enrich.ts';
import { detectorPost } from '../pipelines/detect-coordination.ts';
import type { DetectorPost } from '../pipelines/detect-coordination.ts';
import type { EnrichedPost, NormalizedPost } from '../pipelines/types.ts';
import { PermanentError } from '../pipelines/core/errors.ts';
import { parsePostLine } from './validate-post.ts';

/** One input line: its 1-based line number and its text. */
export type InputLine = [lineNumber: number, raw: string];

/** What became of one line: the enriched post (as its output line and the detector's view of it), or why not. */
export type LineResult = { ok: true; json: string; post: DetectorPost } | { ok: false; reason: string };

/** What a thread is started with: the enricher's options, as plain data. */
export interface EnrichThreadOptions {
  enrichment: EnrichConfig;
  pseudonymKey: string | null;
  limits: Partial<EnrichLimits>;
  /** The run's processing clock, epoch ms (future-dated posts are judged against it). */
  nowMs: number;
}

/** A batch sent to a thread. */
export interface EnrichPoolRequest {
  id: number;
  lines: InputLine[];
}

/** A thread's answer: the batch's results in line order, or the error that failed it. */
export type EnrichPoolReply = { id: number; results: LineResult[] } | { id: number; error: string };

/** A thread of the pool failed or exited; the run cannot go on without the batches it held. */
export class EnrichPoolError extends PermanentError {
  override name = 'EnrichPoolError';
}

/** Validates, enriches and serialises each line (a bad line is a result with its reason, never an exception). */
export function enrichLines(enrich: (post: NormalizedPost) => EnrichedPost, lines: InputLine[]): LineResult[] {
  const out: LineResult[] = [];
  for (const [, raw] of lines) {
    const parsed = parsePostLine(raw);
    if (!parsed.ok) {
      out.push({ ok: false, reason: parsed.reason });
      continue;
    }
    let post: EnrichedPost;
    try {
      post = enrich(parsed.post);
    } catch (err) {
      out.push({ ok: false, reason: (err as Error).message });
      continue;
    }
    out.push({ ok: true, json: JSON.stringify(post), post: detectorPost(post) });
  }
  return out;
}

/** Threads for `enrich.poolThreads`: the configured number, or (null) 1 on a machine with two or more cores, else 0. */
export function resolvePoolThreads(configured: number | null | undefined): number {
  if (configured !== null && configured !== undefined) return configured;
  // One thread, not one per spare core: the detector on the main thread is the bottleneck (enrichment is a fraction
  // of the run), one thread overlaps all of enrichment with it, and each thread holds its own enricher (~300 MiB of
  // peak memory measured on the dense bench). A single core gains nothing from a thread.
  return availableParallelism() >= 2 ? 1 : 0;
}

/** A fixed set of enrichment threads. */
export class EnrichPool {
  private threads: Thread[] = [];
  private next = 0;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (r: LineResult[]) => void; reject: (e: Error) => void }>();
  private failed: EnrichPoolError | null = null;

  constructor(
    private readonly size: number,
    private readonly options: EnrichThreadOptions,
  ) {}

  /** Starts the threads (they load the enricher while the caller reads its first lines). */
  start(): void {
    if (this.threads.length > 0) return;
    for (let i = 0; i < Math.max(1, this.size); i++) {
      const thread = new Thread(new URL('./bin/enrich-pool.mjs', import.meta.url), { workerData: this.options });
      thread.on('message', (m: EnrichPoolReply) => {
        const w = this.waiting.get(m.id);
        if (!w) return;
        this.waiting.delete(m.id);
        if ('error' in m) w.reject(new EnrichPoolError(`enrichment thread failed: ${m.error}`));
        else w.resolve(m.results);
      });
      thread.on('error', (err) => this.fail(new EnrichPoolError('enrichment thread failed', { cause: err })));
      thread.on('exit', (code) => {
        if (this.threads.includes(thread)) this.fail(new EnrichPoolError(`enrichment thread exited (${code})`));
      });
      this.threads.push(thread);
    }
  }

  private fail(err: EnrichPoolError): void {
    this.failed ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  /** Enriches a batch on the next thread; resolves to its results in line order. */
  enrich(lines: InputLine[]): Promise<LineResult[]> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.threads.length === 0) return Promise.reject(new EnrichPoolError('enrichment pool is not started'));
    const id = this.seq++;
    const thread = this.threads[this.next]!;
    this.next = (this.next + 1) % this.threads.length;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      thread.postMessage({ id, lines } satisfies EnrichPoolRequest);
    });
  }

  /** Terminates the threads; batches still in flight are rejected. Safe twice and before start. */
  async stop(options: { deadlineMs?: number } = {}): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    this.fail(new EnrichPoolError('enrichment pool stopped'));
    // Nothing is worth draining: a stopped run writes no more output. The deadline bounds the wait for exit.
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, options.deadlineMs ?? 5_000).unref());
    await Promise.race([Promise.all(threads.map((t) => t.terminate())).then(() => undefined), deadline]);
  }
}
