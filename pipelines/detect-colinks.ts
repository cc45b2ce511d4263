// Co-link sharing: the same canonical link (or the same reposted post) posted by different accounts within the
// coordination interval, counted pairwise on actual time differences (no fixed bins, so a burst is never split in
// two). The interval is configurable, or estimated from the data in the spirit of CooRnet: for every link that
// reaches `estimateShares` shares, the time from its first to its `estimateShares`-th share is sampled; the
// interval is the `estimateQuantile` quantile of the recent samples (the quickly shared links), clamped to bounds.
import type { CoactionGraph, EvidenceKind } from './coaction-graph.ts';
import type { DetectionWindow } from './detection-window.ts';

/** Settings of the co-link interval. */
export interface CoLinkIntervalConfig {
  /** Fixed interval in seconds, or null to estimate it from the data. */
  intervalSeconds: number | null;
  /** Interval used until enough samples exist, seconds. */
  defaultSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  /** Share count at which a link's time-to-share is sampled. */
  estimateShares: number;
  /** Quantile of the sampled times taken as the interval. */
  estimateQuantile: number;
  /** Samples needed before the estimate replaces the default. */
  minSamples: number;
}

const MAX_SAMPLES = 512;

/** Estimates the co-link coordination interval from times-to-k-shares; plain state in `samples`. */
export class CoLinkInterval {
  /** The estimate for the current samples (recomputed only after a new sample). */
  private cached: number | null = null;

  constructor(
    readonly config: CoLinkIntervalConfig,
    public samples: number[] = [],
  ) {}

  /** Records how long a link took from its first share to its `estimateShares`-th share (ms). */
  sample(ms: number): void {
    this.samples.push(ms);
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);
    this.cached = null;
  }

  /** The interval in seconds now in force. */
  seconds(): number {
    this.cached ??= this.estimate();
    return this.cached;
  }

  private estimate(): number {
    const c = this.config;
    if (c.intervalSeconds !== null) return c.intervalSeconds;
    if (this.samples.length < c.minSamples) return c.defaultSeconds;
    const sorted = [...this.samples].sort((x, y) => x - y);
    const q = sorted[Math.min(sorted.length - 1, Math.floor(c.estimateQuantile * sorted.length))]! / 1000;
    return Math.min(c.maxSeconds, Math.max(c.minSeconds, q));
  }
}

/**
 * Records the co-actions of the action at `index` of link (or repost) item `key` with other accounts within the
 * interval, and samples the time-to-k-shares when the item just reached k actions. Returns the pairs counted.
 */
export function recordCoLinks(
  window: DetectionWindow,
  graph: CoactionGraph | null,
  key: string,
  index: number,
  interval: CoLinkInterval,
  kind: EvidenceKind,
  partnerLimit: number,
): number {
  const item = window.items.get(key)!;
  const me = item.acts[index]!;
  if (item.acts.length === interval.config.estimateShares) {
    interval.sample(item.acts[item.acts.length - 1]!.t - item.acts[0]!.t);
  }
  const partners = window.neighbours(key, index, interval.seconds() * 1000, partnerLimit);
  if (graph) for (const o of partners) graph.add(me.a, me.p, me.t, o.a, o.p, o.t, key, kind);
  return partners.length;
}
