// Exponential backoff with jitter: the one formula every retry loop uses (the HTTP client's retries, the Bluesky
// reconnects, the connectors worker's pause after a failing source run). Pure: the random source is passed in, so
// tests choose it. It lives in connectors/ because workers/ may import connectors/ but not the other way round.

/**
 * How {@link backoffDelayMs} spreads a delay `d`: `'full'` draws uniformly from [0, d] (spreads a crowd of retries
 * the most); `{ spread: s }` draws uniformly from [d × (1 − s), d × (1 + s)] (keeps the order of magnitude).
 */
export type Jitter = 'full' | { spread: number };

/** Options of {@link backoffDelayMs}. */
export interface BackoffOptions {
  /** Delay before jitter of attempt 0, ms; it doubles with each attempt. */
  baseMs: number;
  /** Cap on the delay before jitter, ms. Default Infinity. */
  maxMs?: number;
  /** Uniform random number in [0, 1), e.g. Math.random. */
  random: () => number;
  /** How the delay is spread. Default `'full'`. */
  jitter?: Jitter;
}

/**
 * The wait before retry number `attempt` (0 for the first retry): min(maxMs, baseMs × 2^attempt), jittered, rounded
 * to whole milliseconds.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const { baseMs, maxMs = Infinity, random, jitter = 'full' } = options;
  const delay = Math.min(maxMs, baseMs * 2 ** attempt);
  const factor = jitter === 'full' ? random() : 1 - jitter.spread + random() * 2 * jitter.spread;
  return Math.round(delay * factor);
}
