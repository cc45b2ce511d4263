// The lifecycle every long-lived component shares: start(), then stop({ deadlineMs }) which is safe twice and
// before start. `guardedStop` runs a component's ordered stop steps (stop intake → drain → flush → close), each one
// guarded so a failing step does not skip the rest, and gives up waiting when the deadline passes.
// It lives in pipelines/core/ because connectors, pipelines and workers may all import from there; core/ holds
// shared vocabulary, not pipeline steps (guardedStop's deadline is its one use of the clock).
import { PermanentError } from './errors.ts';

/** Options of stop(). */
export interface StopOptions {
  /** How long stop may take before it abandons waiting (in-flight work is then left to at-least-once redelivery). Default 10000. */
  deadlineMs?: number;
}

/** A component with start() and stop(). */
export interface Lifecycle {
  /** Connects and begins work; resolves when ready. */
  start(): Promise<void>;
  /** Stops intake, drains, flushes, closes; safe twice and before start. */
  stop(options?: StopOptions): Promise<void>;
}

/** Default stop deadline in milliseconds. */
export const DEFAULT_STOP_DEADLINE_MS = 10_000;

/** Raised (and logged by callers) when a stop step failed or the deadline passed; stop() itself never throws. */
export class StopError extends PermanentError {
  override name = 'StopError';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

/** Runs stop steps in order, each guarded, within one overall deadline; returns the problems met (empty when clean). */
export async function guardedStop(
  steps: Array<[string, () => unknown]>, // a step may return a promise; it is awaited
  deadlineMs = DEFAULT_STOP_DEADLINE_MS,
): Promise<StopError[]> {
  const until = Date.now() + deadlineMs;
  const problems: StopError[] = [];
  for (const [what, step] of steps) {
    const left = until - Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(step),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new StopError(`${what}: deadline passed`)), Math.max(left, 1));
        }),
      ]);
    } catch (err) {
      problems.push(err instanceof StopError ? err : new StopError(`${what}: ${(err as Error)?.message ?? err}`, err));
    } finally {
      clearTimeout(timer);
    }
  }
  return problems;
}
