// Diagnosis of missed slow-drip members (issue 11): runs the detector on one randomised seed like `npm run eval`
// and, for every slow_drip member that posted a campaign post but was not flagged, names the first stage that lost
// it: its posts not grouped with other members' posts, grouped but no co-action evidence (partners outside the
// text interval or the window), evidence on only one item per pair, pairs on two or more items that are not
// significant, or significant pairs in a component under minClusterAccounts. Then the shared-claims stages
// (detect-shared-claims.ts): whether one of the member's claims was ever in a significant claim pair while the
// member was among its posters (read from the edge look-ups that test makes), and whether an edge on it was there to
// vouch for. Usage: `npx tsx test/eval/drip-diagnosis.ts [--seed 1] [--quick] [--config JSON]` (`--config` is passed
// to the detector, e.g. '{"sharedClaimMemorySeconds":0}'). Instrumentation wraps prototypes; the detector is not
// changed.
import { parseArgs } from 'node:util';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import { CoactionGraph } from '../../pipelines/coaction-graph.ts';
import { DuplicateIndex } from '../../pipelines/detect-duplicates.ts';
import { generateRandomised, QUICK_SHAPE, RANDOMISED_SHAPE } from './generate-campaigns.ts';
import { evalEnricher, pairKey, probePairs } from './pair-probe.ts';

const { values: args } = parseArgs({
  options: { seed: { type: 'string', default: '1' }, quick: { type: 'boolean' }, config: { type: 'string' } },
  strict: true,
});
const seed = Number(args.seed);
const data = generateRandomised(seed, args.quick ? QUICK_SHAPE : RANDOMISED_SHAPE);
const enrich = await evalEnricher();

const drip = new Map<string, string>(); // account -> drip campaign
for (const [a, cid] of data.campaignOf) if (data.campaignType.get(cid) === 'slow_drip') drip.set(a, cid);
const sameDrip = (a: string, b: string): boolean => drip.has(a) && drip.get(a) === drip.get(b);

// Instrumentation.
let lastGroup: string | null | undefined;
// eslint-disable-next-line @typescript-eslint/unbound-method -- wrapped below and called with the instance's `this`
const assign = DuplicateIndex.prototype.assign;
DuplicateIndex.prototype.assign = function (this: DuplicateIndex, ...xs: Parameters<typeof assign>) {
  lastGroup = assign.apply(this, xs);
  return lastGroup;
};
const { evidencePairs, maxShared, bestMargin, significant } = probePairs(sameDrip);

// The shared-claims test looks up the graph edges among the posters of every claim in a significant claim pair (and
// nothing else calls `edge`): the accounts passed are those posters, the ones given an edge back were vouched for.
const claimPosters = new Set<string>();
const vouched = new Set<string>();
// eslint-disable-next-line @typescript-eslint/unbound-method -- wrapped below and called with the instance's `this`
const edgeOf = CoactionGraph.prototype.edge;
CoactionGraph.prototype.edge = function (this: CoactionGraph, a: string, b: string) {
  const e = edgeOf.call(this, a, b);
  for (const x of [a, b])
    if (drip.has(x)) {
      claimPosters.add(x);
      if (e) vouched.add(x);
    }
  return e;
};

const det = createCoordinationDetector(args.config ? (JSON.parse(args.config) as object) : {});
const groupOf = new Map<string, string | null>(); // campaign post -> text group
let latest = -Infinity;
let i = 0;
for (const p of data.posts) {
  const e = enrich(p);
  lastGroup = undefined;
  det.observe(e);
  if (data.campaignPosts.has(p.id) && drip.has(p.author.id)) groupOf.set(p.id, lastGroup ?? null);
  if (e.createdAtMs > latest) latest = e.createdAtMs;
  if (++i % 1000 === 0) det.advance(latest);
}
det.advance(latest);
const flagged = new Set(det.clusters().flatMap((c) => c.accounts));
const organic = [...flagged].filter((a) => !data.campaignOf.has(a));

// Per group: the drip accounts in it.
const groupAccounts = new Map<string, Set<string>>();
const postsOf = new Map<string, string[]>();
for (const p of data.posts) {
  if (!groupOf.has(p.id)) continue;
  postsOf.set(p.author.id, [...(postsOf.get(p.author.id) ?? []), p.id]);
  const g = groupOf.get(p.id);
  if (!g) continue;
  if (!groupAccounts.has(g)) groupAccounts.set(g, new Set());
  groupAccounts.get(g)!.add(p.author.id);
}

const causes = new Map<string, number>();
const byCampaign = new Map<string, { actors: number; missed: Map<string, number> }>();
for (const [a, cid] of drip) {
  const posts = postsOf.get(a);
  if (!posts) continue; // never posted a campaign post
  const c = byCampaign.get(cid) ?? { actors: 0, missed: new Map() };
  byCampaign.set(cid, c);
  c.actors++;
  if (flagged.has(a)) continue;
  const partners = [...drip.keys()].filter((b) => b !== a && drip.get(b) === cid);
  const grouped = posts.some((p) => {
    const g = groupOf.get(p);
    return g && [...groupAccounts.get(g)!].some((b) => b !== a);
  });
  const pairs = partners.map((b) => pairKey(a, b));
  let cause: string;
  const one = posts.length === 1 ? ' (1 claim post)' : '';
  if (!grouped) cause = 'A not grouped with another member';
  else if (!claimPosters.has(a)) cause = `S1 no claim of it in a significant claim pair while it was a poster${one}`;
  else if (!vouched.has(a)) cause = 'S2 claim significant, but no edge on it in the window then';
  else if (!pairs.some((k) => evidencePairs.has(k))) cause = 'B grouped, no co-action evidence';
  else if (!pairs.some((k) => (maxShared.get(k) ?? 0) >= 2)) cause = 'C evidence on 1 item per pair only';
  else if (!pairs.some((k) => significant.has(k))) {
    const best = Math.min(...pairs.map((k) => bestMargin.get(k) ?? Infinity));
    cause = `D pairs on >=2 items not significant (best margin ${best < 2 ? '<2' : best < 5 ? '2-5' : '>=5'} decades)`;
  } else cause = 'E significant pair, component < 3 or other';
  causes.set(cause, (causes.get(cause) ?? 0) + 1);
  c.missed.set(cause, (c.missed.get(cause) ?? 0) + 1);
}
console.log(`seed ${seed} (${args.quick ? 'quick' : 'full'} shape)`);
for (const [cid, c] of byCampaign) {
  const p = data.campaignParams.get(cid)!;
  const groups = new Set<string>();
  let ungrouped = 0;
  for (const [post, g] of groupOf)
    if (drip.get(data.posts.find((x) => x.id === post)!.author.id) === cid) {
      if (g) groups.add(g);
      else ungrouped++;
    }
  const sizes = [...groups].map((g) => groupAccounts.get(g)!.size).sort((x, y) => y - x);
  const missed = [...c.missed.values()].reduce((s, v) => s + v, 0);
  console.log(
    `${cid}: size ${p.size}, items ${p.items}, share ${p.postShare.toFixed(2)}, spread ${(p.spreadSeconds / 3600).toFixed(1)} h, words ${p.claimWords}; actors ${c.actors}, missed ${missed}; groups ${groups.size} (accounts ${sizes.slice(0, 12).join(',')}${sizes.length > 12 ? ',…' : ''}), posts not grouped ${ungrouped}`,
  );
  for (const [k, v] of c.missed) console.log(`   ${k}: ${v}`);
}
console.log(`organic accounts flagged: ${organic.length}`);
console.log('missed members by cause:');
for (const [k, v] of [...causes].sort()) console.log(`  ${k}: ${v}`);
