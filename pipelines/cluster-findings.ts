// What the coordination detector finds at an `advance`, with the facts behind it: a finding is one piece of evidence
// (a network component of significant account pairs, or a burst of one item by an unlikely cohort) with its accounts
// and posts; the facts (NetFact, BurstFact) are the numbers a cluster record keeps about it and its evidence and
// reasons are built from (cluster-evidence.ts). Facts are plain data: they are part of the detector's snapshot.
import type { CoactionGraph, EvidenceKind, SignificantEdge } from './coaction-graph.ts';
import type { BurstFinding } from './detect-bursts.ts';
import type { CoLinkInterval } from './detect-colinks.ts';
import type { DetectionWindow } from './detection-window.ts';
import { logPoissonTail } from './tail-probability.ts';

/** One kind of co-action in a network: accounts, distinct items, evidence records, largest time apart (ms), languages. */
export interface KindFact {
  accounts: number;
  items: number;
  maxDt: number;
  pairs: number;
  langs: string[];
}

/** Evidence of the co-action graph inside a cluster, as of the cluster's latest network finding. */
export interface NetFact {
  accounts: number;
  pairs: number;
  sharedMin: number;
  sharedMax: number;
  sharedMedian: number;
  maxExpected: number;
  /** Natural log of the cluster p-value. */
  logP: number;
  byKind: Partial<Record<EvidenceKind, KindFact>>;
}

/** A burst of one item, at its peak (most posts in the burst window) among the evaluations that flagged it. */
export interface BurstFact {
  key: string;
  observed: number;
  expected: number;
  surprise: number;
  /** The span the burst was judged over, in seconds (absent in snapshots from before it could differ: burstWindowSeconds). */
  windowSeconds?: number;
  logPComposition: number;
  cohort: number;
  accounts: number;
  firstMs: number;
  lastMs: number;
  /** Cohort accounts that posted a link within the co-link interval of another cohort account, the pairs, the interval. */
  coAccounts: number;
  coPairs: number;
  coSeconds: number;
}

/** One piece of evidence found at an advance. */
export interface Finding {
  tag: string;
  accounts: string[];
  posts: Map<string, number>;
  anchorT: number;
  anchorP: string;
  edges: SignificantEdge[] | null;
  burst: BurstFact | null;
}

/** Whether post (t1, p1) comes before (t2, p2): by time, then id. */
export function earlier(t1: number, p1: string, t2: number, p2: string): boolean {
  return t1 < t2 || (t1 === t2 && p1 < p2);
}

function finding(
  tag: string,
  accounts: string[],
  posts: Map<string, number>,
  edges: SignificantEdge[] | null,
  burst: BurstFact | null,
): Finding {
  let anchorT = Infinity;
  let anchorP = '';
  for (const [p, t] of posts)
    if (earlier(t, p, anchorT, anchorP) || anchorP === '') {
      anchorT = t;
      anchorP = p;
    }
  return { tag, accounts, posts, anchorT, anchorP, edges, burst };
}

/** A network component's finding: its members and the posts of every piece of evidence on its edges. */
export function networkFinding(members: string[], edges: SignificantEdge[]): Finding {
  const posts = new Map<string, number>();
  for (const { edge } of edges)
    for (const e of edge.ev) {
      posts.set(e.pa, e.ta);
      posts.set(e.pb, e.tb);
    }
  return finding('n', members, posts, edges, null);
}

/** Cohort accounts that posted link item `key` within the co-link interval of another cohort account. */
function coShares(
  window: DetectionWindow,
  interval: CoLinkInterval,
  key: string,
  posts: Set<string>,
): { accounts: number; pairs: number; seconds: number } {
  const acts = (window.items.get(key)?.acts ?? []).filter((x) => posts.has(x.p));
  const seconds = interval.seconds();
  const ms = seconds * 1000;
  const involved = new Set<string>();
  let pairs = 0;
  for (let i = 0; i < acts.length; i++) {
    for (let j = i + 1; j < acts.length && acts[j]!.t - acts[i]!.t <= ms; j++) {
      if (acts[j]!.a === acts[i]!.a) continue;
      pairs++;
      involved.add(acts[i]!.a);
      involved.add(acts[j]!.a);
    }
  }
  return { accounts: involved.size, pairs, seconds };
}

/** A flagged burst's finding: the accounts of its listed posts (the cohort's, or all of an item born in the burst), with the burst's facts. */
export function burstFinding(window: DetectionWindow, interval: CoLinkInterval, f: BurstFinding): Finding {
  const posts = new Map<string, number>();
  for (const p of f.posts) {
    const r = window.posts.get(p);
    if (r) posts.set(p, r.t);
  }
  const co = f.key.startsWith('l:')
    ? coShares(window, interval, f.key, new Set(f.posts))
    : { accounts: 0, pairs: 0, seconds: 0 };
  const fact: BurstFact = {
    key: f.key,
    observed: f.observed,
    expected: f.expected,
    surprise: f.surprise,
    windowSeconds: f.windowSeconds,
    logPComposition: f.logPComposition,
    cohort: f.composition.cohort.length,
    accounts: f.composition.accounts,
    firstMs: f.firstMs,
    lastMs: f.lastMs,
    coAccounts: co.accounts,
    coPairs: co.pairs,
    coSeconds: co.seconds,
  };
  const accounts = new Set<string>();
  for (const p of posts.keys()) {
    const a = window.posts.get(p)?.a;
    if (a) accounts.add(a);
  }
  return finding(`b:${f.key}`, [...accounts].sort(), posts, null, fact);
}

/** Of two facts about the same bursting item, the one at the peak (most posts, then most surprising). */
export function keepPeak(prev: BurstFact | undefined, next: BurstFact): BurstFact {
  if (!prev) return next;
  if (next.observed > prev.observed || (next.observed === prev.observed && next.surprise >= prev.surprise)) return next;
  return prev;
}

/** The network facts of a cluster: the significant pairs `edges` among `members`, against the window as it is now. */
export function netFact(
  window: DetectionWindow,
  graph: Pick<CoactionGraph, 'coactions' | 'coactionsOf'>,
  members: string[],
  edges: SignificantEdge[],
  minPosts = 1,
): NetFact {
  const byKind: Partial<
    Record<EvidenceKind, KindFact & { accountSet: Set<string>; itemSet: Set<string>; langSet: Set<string> }>
  > = {};
  let observed = 0;
  let maxExpected = 0;
  const shared: number[] = [];
  for (const { edge, shared: s, expected } of edges) {
    observed += s;
    shared.push(s);
    if (expected > maxExpected) maxExpected = expected;
    for (const e of edge.ev) {
      for (const k of e.kinds) {
        const f = (byKind[k] ??= {
          accounts: 0,
          items: 0,
          maxDt: 0,
          pairs: 0,
          langs: [],
          accountSet: new Set(),
          itemSet: new Set(),
          langSet: new Set(),
        });
        f.accountSet.add(edge.a);
        f.accountSet.add(edge.b);
        f.itemSet.add(e.item);
        f.pairs++;
        f.maxDt = Math.max(f.maxDt, Math.abs(e.ta - e.tb));
        if (k === 'xlang')
          for (const p of [e.pa, e.pb]) {
            const l = window.posts.get(p)?.l;
            if (l && l !== 'und') f.langSet.add(l);
          }
      }
    }
  }
  // Cluster p-value: all member pairs together against the same null as the edges, the rate set by the co-actions
  // of the accounts outside the cluster among their posts (coaction-graph.ts).
  let sumM = 0;
  let sumM2 = 0;
  let memberLoad = 0;
  let internal = 0;
  for (const a of members) {
    const m = window.accounts.get(a)?.n ?? 1;
    sumM += m;
    sumM2 += m * m;
    memberLoad += graph.coactionsOf(a);
  }
  for (const { edge } of edges) internal += edge.ev.length;
  const outside = Math.max(1, graph.coactions() - memberLoad + internal);
  const n = Math.max(1, minPosts, window.size() - sumM);
  const expectedAll = ((2 * outside) / (n * n)) * ((sumM * sumM - sumM2) / 2);
  shared.sort((x, y) => x - y);
  const out: NetFact = {
    accounts: members.length,
    pairs: edges.length,
    sharedMin: shared[0] ?? 0,
    sharedMax: shared[shared.length - 1] ?? 0,
    sharedMedian: shared[Math.floor(shared.length / 2)] ?? 0,
    maxExpected,
    logP: logPoissonTail(observed, expectedAll),
    byKind: {},
  };
  for (const [k, f] of Object.entries(byKind) as [EvidenceKind, NonNullable<(typeof byKind)[EvidenceKind]>][]) {
    out.byKind[k] = {
      accounts: f.accountSet.size,
      items: f.itemSet.size,
      maxDt: f.maxDt,
      pairs: f.pairs,
      langs: [...f.langSet].sort(),
    };
  }
  return out;
}
