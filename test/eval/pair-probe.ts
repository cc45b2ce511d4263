// What the diagnosis scripts (test/eval/colink-diagnosis.ts, drip-diagnosis.ts) share: the enricher the evaluation
// uses, and a probe on the co-action graph that records, for account pairs of one campaign, whether they ever had
// co-action evidence, on how many items at most, how close their best p-value came to the threshold, and whether they
// passed. It wraps CoactionGraph's prototype; the detector itself is not changed.
import { CoactionGraph, sharedItems, type Edge } from '../../pipelines/coaction-graph.ts';
import type { EnrichedPost, NormalizedPost } from '../../pipelines/types.ts';

/** The enricher `npm run eval` uses (configured defaults, no pseudonyms, no per-post time budget). */
export async function evalEnricher(): Promise<(p: NormalizedPost) => EnrichedPost> {
  const { loadConfig } = await import('../../workers/config.ts');
  const { createEnricher } = (await import('../../pipelines/enrich.ts')) as unknown as {
    createEnricher: (o: unknown) => (p: NormalizedPost) => EnrichedPost;
  };
  return createEnricher({
    enrichment: loadConfig({ env: {} }).enrich,
    pseudonymKey: null,
    limits: { postBudgetMs: 3_600_000 },
  });
}

/** One key per unordered account pair. */
export const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** What {@link probePairs} records, per pair key of two accounts `same` accepts. */
export interface PairProbe {
  /** Pairs with any co-action evidence. */
  evidencePairs: Set<string>;
  /** Most distinct items a pair shared at an advance. */
  maxShared: Map<string, number>;
  /** Best log10 p-value minus the log10 threshold (pairs the pair test read). */
  bestMargin: Map<string, number>;
  /** Pairs that passed the pair test at some advance. */
  significant: Set<string>;
}

/** Wraps CoactionGraph's `add` and `significantEdges` to record {@link PairProbe} for the pairs `same` accepts. */
export function probePairs(same: (a: string, b: string) => boolean): PairProbe {
  const probe: PairProbe = {
    evidencePairs: new Set(),
    maxShared: new Map(),
    bestMargin: new Map(),
    significant: new Set(),
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- wrapped below and called with the instance's `this`
  const add = CoactionGraph.prototype.add;
  CoactionGraph.prototype.add = function (this: CoactionGraph, ...xs: Parameters<typeof add>) {
    const [a, , , b] = xs;
    if (same(a, b)) probe.evidencePairs.add(pairKey(a, b));
    return add.apply(this, xs);
  };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- wrapped below and called with the instance's `this`
  const sig = CoactionGraph.prototype.significantEdges;
  CoactionGraph.prototype.significantEdges = function (this: CoactionGraph, ...xs: Parameters<typeof sig>) {
    const out = sig.apply(this, xs);
    const edges = (this as unknown as { edges: Map<string, Edge> }).edges;
    for (const e of edges.values()) {
      if (!same(e.a, e.b)) continue;
      const k = pairKey(e.a, e.b);
      const s = sharedItems(e);
      if (s > (probe.maxShared.get(k) ?? 0)) probe.maxShared.set(k, s);
    }
    // Margins: the test run again at alpha 1 to read every pair's p-value.
    const all = sig.call(this, xs[0], xs[1], 1);
    const thr = Math.log10(xs[2] / Math.max(1, this.size()));
    for (const e of all) {
      if (!same(e.edge.a, e.edge.b)) continue;
      const k = pairKey(e.edge.a, e.edge.b);
      const margin = e.logP / Math.LN10 - thr;
      if (margin < (probe.bestMargin.get(k) ?? Infinity)) probe.bestMargin.set(k, margin);
    }
    for (const e of out) if (same(e.edge.a, e.edge.b)) probe.significant.add(pairKey(e.edge.a, e.edge.b));
    return out;
  };
  return probe;
}
