// Diagnosis of missed co-link ring members (issue 11): runs the detector on one randomised seed like `npm run eval`
// and, for every colink_ring member that posted a campaign post but was not flagged, names the first stage that lost
// it: no co-link evidence with another member (partners outside the co-link interval), evidence on only one item per
// pair, pairs on two or more items that are not significant, or significant pairs in a component under
// minClusterAccounts. Prints per ring its drawn parameters and the causes. Usage:
// `npx tsx test/eval/colink-diagnosis.ts [--seed 1] [--config '{"sharedItemAlpha":0}']`. Instrumentation wraps
// prototypes; the detector is not changed.
import { parseArgs } from 'node:util';
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import { generateRandomised, RANDOMISED_SHAPE } from './generate-campaigns.ts';
import { evalEnricher, pairKey, probePairs } from './pair-probe.ts';

const { values: args } = parseArgs({
  options: { seed: { type: 'string', default: '1' }, config: { type: 'string', default: '{}' } },
  strict: true,
});
const seed = Number(args.seed);
const data = generateRandomised(seed, RANDOMISED_SHAPE);
const enrich = await evalEnricher();

const ring = new Map<string, string>(); // account -> ring campaign
for (const [a, cid] of data.campaignOf) if (data.campaignType.get(cid) === 'colink_ring') ring.set(a, cid);
const sameRing = (a: string, b: string): boolean => ring.has(a) && ring.get(a) === ring.get(b);

const { evidencePairs, maxShared, bestMargin, significant } = probePairs(sameRing);

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
