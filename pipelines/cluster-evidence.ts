// What a cluster says: from the facts a cluster record keeps (its network, one peak per bursting item, the composition
// of its members) to its typed evidence (pipelines/types.ts, ClusterEvidence), its kinds and its p-value. One
// evidence record per reason, in the reasons' order: the network summary, up to 3 bursts (most surprising first) and
// one record for the rest, one record per co-action kind, the members' age and creation dates; at most 8. The
// sentences are rendered from the evidence by render-reasons.ts.
import type { EvidenceKind } from './coaction-graph.ts';
import type { BurstFact, NetFact } from './cluster-findings.ts';
import type { BurstConfig, Composition } from './detect-bursts.ts';
import { probability } from './tail-probability.ts';
import type {
  BurstEvidence,
  ClusterEvidence,
  ClusterKind,
  CoactionEvidence,
  EvidenceItem,
  EvidenceP,
  NetworkEvidence,
} from './types.ts';

/** At most this many evidence records (and reasons) per cluster. */
export const MAX_EVIDENCE = 8;
/** Bursts listed one by one; the others are summed up in one `more_bursts` record. */
const MAX_BURST_RECORDS = 3;
const KIND_OF: Record<EvidenceKind, ClusterKind> = {
  text: 'duplicate_text',
  link: 'co_link',
  xlang: 'cross_language',
  repost: 'other',
};
/** Co-action kinds in the order their records are listed. */
const COACTION_ORDER: Array<[EvidenceKind, CoactionEvidence['via']]> = [
  ['text', 'text'],
  ['link', 'link'],
  ['xlang', 'cross_language'],
  ['repost', 'repost'],
];

/** The detection settings the evidence states (thresholds an analyst needs to read the numbers). */
export type EvidenceSettings = Pick<
  BurstConfig,
  'burstWindowSeconds' | 'youngAccountDays' | 'noHistoryPosts' | 'creationClusterDays'
> & {
  /** A link burst's co-shares are evidence only when at least this many accounts co-shared. */
  minClusterAccounts: number;
};

/** What a cluster's facts say. */
export interface ClusterAssessment {
  evidence: ClusterEvidence[];
  /** Sorted. */
  kinds: ClusterKind[];
  /** Natural log of the cluster's p-value (the smallest of its pieces of evidence; 0 when there is none). */
  logP: number;
}

/** The facts of one cluster record. */
export interface ClusterFacts {
  net: NetFact | null;
  bursts: Record<string, BurstFact>;
  composition: Composition;
  accounts: number;
  /** Set when the cluster has more member posts than it lists. */
  postsListed?: { listed: number; posts: number };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** log10 that survives JSON: -Infinity (p = 0) becomes -324, below the smallest double. */
function finiteLog10(log10: number): number {
  return Number.isFinite(log10) ? log10 : log10 > 0 ? 0 : -324;
}

/** A p-value given as a natural log. */
function pOfLog(logP: number): EvidenceP {
  return { value: probability(logP), log10: finiteLog10(logP / Math.LN10) };
}

/** The item of a window key (`h:` hashtag, `l:` link, `t:` text group). */
function itemOf(key: string): EvidenceItem {
  const value = key.slice(2);
  return key.startsWith('h:')
    ? { type: 'hashtag', value }
    : key.startsWith('l:')
      ? { type: 'link', value }
      : { type: 'text', value };
}

function networkEvidence(f: NetFact): NetworkEvidence {
  return {
    kind: 'network',
    counts: { accounts: f.accounts, pairs: f.pairs },
    sharedItems: { min: f.sharedMin, median: f.sharedMedian, max: f.sharedMax },
    expectedPerPairMax: f.maxExpected,
    p: pOfLog(f.logP),
  };
}

function coactionEvidence(f: NetFact): CoactionEvidence[] {
  const out: CoactionEvidence[] = [];
  for (const [k, via] of COACTION_ORDER) {
    const x = f.byKind[k];
    if (!x) continue;
    out.push({
      kind: 'coaction',
      via,
      counts: { accounts: x.accounts, items: x.items, pairs: x.pairs },
      times: { spreadSeconds: x.maxDt / 1000 },
      languages: k === 'xlang' ? x.langs.slice() : [],
    });
  }
  return out;
}

function burstEvidence(b: BurstFact, s: EvidenceSettings): BurstEvidence {
  return {
    kind: 'burst',
    item: itemOf(b.key),
    counts: { posts: b.observed, accounts: b.accounts },
    times: { first: iso(b.firstMs), last: iso(b.lastMs), windowSeconds: b.windowSeconds ?? s.burstWindowSeconds },
    expectedPosts: b.expected,
    p: { value: 10 ** -b.surprise, log10: finiteLog10(-b.surprise) },
    cohort: {
      accounts: b.cohort,
      share: b.accounts > 0 ? b.cohort / b.accounts : 0,
      youngAccountDays: s.youngAccountDays,
      noHistoryPosts: s.noHistoryPosts,
      p: pOfLog(b.logPComposition),
    },
    coShare:
      b.coAccounts >= s.minClusterAccounts
        ? { accounts: b.coAccounts, pairs: b.coPairs, withinSeconds: b.coSeconds }
        : null,
  };
}

function compositionEvidence(comp: Composition, s: EvidenceSettings): ClusterEvidence[] {
  const out: ClusterEvidence[] = [];
  const share = (n: number): number => (comp.accounts > 0 ? n / comp.accounts : 0);
  if (comp.young > 0 || comp.noHistory > 0) {
    out.push({
      kind: 'account_age',
      counts: { accounts: comp.accounts, young: comp.young, noHistory: comp.noHistory },
      shares: { young: share(comp.young), noHistory: share(comp.noHistory) },
      youngAccountDays: s.youngAccountDays,
      noHistoryPosts: s.noHistoryPosts,
    });
  }
  const cc = comp.creationCluster;
  if (cc && cc.count >= 3 && cc.count >= comp.accounts / 2) {
    out.push({
      kind: 'creation_cluster',
      counts: { accounts: comp.accounts, createdTogether: cc.count },
      times: { first: iso(cc.fromMs), last: iso(cc.toMs) },
      withinDays: s.creationClusterDays,
    });
  }
  return out;
}

/** The evidence, kinds and p-value of a cluster from its current facts. */
export function assessCluster(facts: ClusterFacts, s: EvidenceSettings): ClusterAssessment {
  const kinds = new Set<ClusterKind>();
  let logP = 0;
  const records: ClusterEvidence[] = [];
  const coaction: ClusterEvidence[] = [];
  const { net } = facts;
  if (net) {
    for (const k of Object.keys(net.byKind) as EvidenceKind[]) kinds.add(KIND_OF[k]);
    records.push(networkEvidence(net));
    coaction.push(...coactionEvidence(net));
    logP = Math.min(logP, net.logP);
  }
  const bursts = Object.values(facts.bursts).sort((x, y) => y.surprise - x.surprise || (x.key < y.key ? -1 : 1));
  for (const b of bursts) {
    kinds.add('burst');
    kinds.add('young_account_cohort');
    if (b.key.startsWith('h:')) kinds.add('hashtag_push');
    if (b.key.startsWith('t:')) kinds.add('duplicate_text');
    if (b.key.startsWith('l:') && b.coAccounts >= s.minClusterAccounts) kinds.add('co_link');
    logP = Math.min(logP, b.logPComposition);
  }
  for (const b of bursts.slice(0, MAX_BURST_RECORDS)) records.push(burstEvidence(b, s));
  if (bursts.length > MAX_BURST_RECORDS)
    records.push({ kind: 'more_bursts', items: bursts.slice(MAX_BURST_RECORDS).map((b) => itemOf(b.key)) });
  const comp = facts.composition;
  if (comp.young >= Math.max(3, comp.accounts / 2)) kinds.add('young_account_cohort');
  records.push(...coaction, ...compositionEvidence(comp, s));
  if (kinds.size === 0) kinds.add('other');
  if (records.length === 0) records.push({ kind: 'acted_together', counts: { accounts: facts.accounts } });
  // A capped post list is said, never silent: it takes the last place when the evidence is full.
  const listed = facts.postsListed;
  const evidence = listed
    ? [...records.slice(0, MAX_EVIDENCE - 1), { kind: 'posts_listed' as const, counts: { ...listed } }]
    : records.slice(0, MAX_EVIDENCE);
  return { evidence, kinds: [...kinds].sort(), logP };
}
