// Diagnosis of missed co-link ring members (issue 11): runs the detector on one randomised seed like `npm run eval`
// and, for every colink_ring member that posted a campaign post but was not flagged, names the first stage that lost
// it: no co-link evidence with another member (partners outside the co-link interval), evidence on only one item per
// pair, pairs on two or more items that are not significant, or significant pairs in a component under
// minClusterAccounts. Prints per ring its drawn parameters and the causes. Usage:
// `npx tsx test/eval/colink-diagnosis.ts [--seed 1] [--config '{"sharedItemAlpha":0}']`. Instrumentation wraps
// prototypes; the detector is not changed.
import { parseArgs } from 'node:util';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import { CoactionGraph, sharedItems, type Edge } from '../../pipelines/coaction-graph.ts';
import type { EnrichedPost, NormalizedPost } from '../../pipelines/types.ts';
import { generateRandomised, RANDOMISED_SHAPE } from './generate-campaigns.ts';

const { values: args } = parseArgs({
  options: { seed: { type: 'string', default: '1' }, config: { type: 'string', default: '{}' } },
  strict: true,
});
const seed = Number(args.seed);
const data = generateRandomised(seed, RANDOMISED_SHAPE);
const { loadConfig } = await import('../../workers/config.ts');
const { createEnricher } = (await import('../../pipelines/enrich.ts')) as unknown as {
  createEnricher: (o: unknown) => (p: NormalizedPost) => EnrichedPost;
};
const enrich = createEnricher({
  enrichment: loadConfig({ env: {} }).enrich,
  pseudonymKey: null,
  limits: { postBudgetMs: 3_600_000 },
});

const ring = new Map<string, string>(); // account -> ring campaign
for (const [a, cid] of data.campaignOf) if (data.campaignType.get(cid) === 'colink_ring') ring.set(a, cid);
const sameRing = (a: string, b: string): boolean => ring.has(a) && ring.get(a) === ring.get(b);
const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

const evidencePairs = new Set<string>(); // ring pairs with any co-action evidence
// eslint-disable-next-line @typescript-eslint/unbound-method -- wrapped below and called with the instance's `this`
const add = CoactionGraph.prototype.add;
CoactionGraph.prototype.add = function (this: CoactionGraph, ...xs: Parameters<typeof add>) {
  const [a, , , b] = xs;
  if (sameRing(a, b)) evidencePairs.add(pairKey(a, b));
  return add.apply(this, xs);
};
const maxShared = new Map<string, number>(); // ring pair -> most items shared at an advance
const bestMargin = new Map<string, number>(); // ring pair -> best log10 p-value minus log10 threshold
const significant = new Set<string>();
// eslint-disable-next-line @typescript-eslint/unbound-method -- wrapped below and called with the instance's `this`
const sig = CoactionGraph.prototype.significantEdges;
CoactionGraph.prototype.significantEdges = function (this: CoactionGraph, ...xs: Parameters<typeof sig>) {
  const out = sig.apply(this, xs);
  const edges = (this as unknown as { edges: Map<string, Edge> }).edges;
  for (const e of edges.values()) {
    if (!sameRing(e.a, e.b)) continue;
    const k = pairKey(e.a, e.b);
    const s = sharedItems(e);
    if (s > (maxShared.get(k) ?? 0)) maxShared.set(k, s);
  }
  const all = sig.call(this, xs[0], xs[1], 1);
  const thr = Math.log10(xs[2] / Math.max(1, this.size()));
  for (const e of all) {
    if (!sameRing(e.edge.a, e.edge.b)) continue;
    const k = pairKey(e.edge.a, e.edge.b);
    const margin = e.logP / Math.LN10 - thr;
    if (margin < (bestMargin.get(k) ?? Infinity)) bestMargin.set(k, margin);
  }
  for (const e of out) if (sameRing(e.edge.a, e.edge.b)) significant.add(pairKey(e.edge.a, e.edge.b));
  return out;
};

const det = createCoordinationDetector(JSON.parse(args.config) as object);
let latest = -Infinity;
let i = 0;
const posted = new Set<string>();
for (const p of data.posts) {
  const e = enrich(p);
  det.observe(e);
  if (data.campaignPosts.has(p.id) && ring.has(p.author.id)) posted.add(p.author.id);
  if (e.createdAtMs > latest) latest = e.createdAtMs;
  if (++i % 1000 === 0) det.advance(latest);
}
det.advance(latest);
const flagged = new Set(det.clusters().flatMap((c) => c.accounts));
const organic = [...flagged].filter((a) => !data.campaignOf.has(a));

const causes = new Map<string, number>();
const byCampaign = new Map<string, { actors: number; missed: Map<string, number> }>();
for (const [a, cid] of [...ring].sort()) {
  if (!posted.has(a)) continue;
  const c = byCampaign.get(cid) ?? { actors: 0, missed: new Map() };
  byCampaign.set(cid, c);
  c.actors++;
  if (flagged.has(a)) continue;
  const pairs = [...ring.keys()].filter((b) => b !== a && ring.get(b) === cid).map((b) => pairKey(a, b));
  let cause: string;
  if (!pairs.some((k) => evidencePairs.has(k))) cause = 'A no co-link evidence with another member';
  else if (!pairs.some((k) => (maxShared.get(k) ?? 0) >= 2)) cause = 'B evidence on 1 item per pair only';
  else if (!pairs.some((k) => significant.has(k))) {
    const best = Math.min(...pairs.map((k) => bestMargin.get(k) ?? Infinity));
    cause = `C pairs on >=2 items not significant (best margin ${best < 2 ? '<2' : best < 5 ? '2-5' : '>=5'} decades)`;
  } else cause = 'D significant pair, component < minClusterAccounts or other';
  causes.set(cause, (causes.get(cause) ?? 0) + 1);
  c.missed.set(cause, (c.missed.get(cause) ?? 0) + 1);
}
console.log(`seed ${seed} (full shape), config ${args.config}`);
for (const [cid, c] of [...byCampaign].sort()) {
  const p = data.campaignParams.get(cid)!;
  const missed = [...c.missed.values()].reduce((s, v) => s + v, 0);
  console.log(
    `${cid}: size ${p.size}, items ${p.items}, share ${p.postShare.toFixed(2)}, spread ${p.spreadSeconds} s, words ${p.commentWords}; actors ${c.actors}, missed ${missed}`,
  );
  for (const [k, v] of c.missed) console.log(`   ${k}: ${v}`);
}
console.log(`organic accounts flagged: ${organic.length}`);
console.log('missed members by cause:');
for (const [k, v] of [...causes].sort()) console.log(`  ${k}: ${v}`);
