// The coordination detector everyone else uses: feed it enriched posts in (roughly) time order, call `advance(now)`
// now and then, and it returns the clusters it flags. It wires the parts together: the shared window
// (detection-window.ts), near-duplicate text groups (detect-duplicates.ts), co-link and co-repost pairs
// (detect-colinks.ts), cross-language pairs (detect-cross-language.ts), the co-action graph with its significance
// test (coaction-graph.ts), bursts with cohort composition (detect-bursts.ts) and fact-check matching
// (match-factchecks.ts). Declared bots (news feeds) are left out: they are labelled, not treated as inauthentic.
// Every piece of evidence found at an `advance` (a network component of significant account pairs, a burst with an
// unlikely cohort) is a finding; findings whose accounts mostly overlap an open cluster join it, and open clusters a
// finding bridges merge, so one campaign is one cluster whatever traces it left. A cluster's id derives from its
// earliest post when first flagged and is kept while it grows or merges (the cluster with the earliest anchor post
// gives its id). Reasons are rebuilt from the cluster's current evidence on every change. Clusters whose last post
// left the window are retired from the live state into a capped archive. The whole state is plain data.
import { createHash } from 'node:crypto';
import { CoactionGraph, type CoactionGraphState, type EvidenceKind, type SignificantEdge } from './coaction-graph.ts';
import { baselineCohortShare, composition, evaluateBurst, isCohortAccount, type BurstConfig, type BurstFinding, type Composition } from './detect-bursts.ts';
import { CoLinkInterval, recordCoLinks } from './detect-colinks.ts';
import { recordCrossLanguage } from './detect-cross-language.ts';
import { detectConfigSchema, type DetectConfig } from './detect-config.ts';
import { DuplicateIndex, type DuplicateIndexState } from './detect-duplicates.ts';
import { DetectionWindow, type AccountRecord, type DetectionWindowState } from './detection-window.ts';
import { toJsonParts } from './json-parts.ts';
import { FactCheckIndex, type FactCheckIndexState } from './match-factchecks.ts';
import { logPoissonTail, probability } from './tail-probability.ts';
import type { AccountSignals, AccountSummary, Cluster, ClusterKind, EnrichedPost, NormalizedFactCheck, TextFingerprint } from './types.ts';
import { PermanentError } from './core/errors.ts';

/**
 * What the detector reads of a post. Nothing else of a post can change the detector's state, which is what lets the
 * streaming worker log these (and only these) as the detector's input and replay them to restore it.
 */
export type DetectorPost = Pick<EnrichedPost, 'id' | 'createdAtMs' | 'text' | 'lang' | 'repostOf' | 'canonicalLinks' | 'hashtags' | 'botScore' | 'botReasons'> & {
  author: Pick<EnrichedPost['author'], 'id' | 'createdAt' | 'posts' | 'bot'>;
  fingerprint: TextFingerprint;
  accountSignals?: Pick<AccountSignals, 'ageDays' | 'declaredBot'>;
};

/** The part of an enriched post the detector reads (a copy sharing no objects with `post`'s author or signals). */
export function detectorPost(post: EnrichedPost | DetectorPost): DetectorPost {
  const { author: a, accountSignals: s } = post;
  return {
    id: post.id, createdAtMs: post.createdAtMs, text: post.text, lang: post.lang, repostOf: post.repostOf,
    canonicalLinks: post.canonicalLinks, hashtags: post.hashtags, botScore: post.botScore, botReasons: post.botReasons,
    author: { id: a.id, createdAt: a.createdAt, posts: a.posts, bot: a.bot },
    fingerprint: post.fingerprint,
    ...(s ? { accountSignals: { ageDays: s.ageDays, declaredBot: s.declaredBot } } : {}),
  };
}

/** The streaming coordination detector. */
export interface CoordinationDetector {
  /** Adds a post; out-of-order and duplicate posts are tolerated, posts older than the window are ignored. */
  observe(post: DetectorPost): void;
  /** Evaluates at `nowMs`, expires state older than the window, returns clusters created or changed since the last call. */
  advance(nowMs: number): Cluster[];
  /** All flagged clusters so far (open ones and the most recent retired ones, see maxRetainedClusters), sorted by id. */
  clusters(): Cluster[];
  /** Per-account summaries of the members of flagged clusters, sorted by id. */
  accounts(): AccountSummary[];
  /** Plain JSON-serialisable snapshot of the whole state. */
  exportState(): unknown;
  /** The same snapshot as `exportState()`, already serialised: one JSON pass, for checkpoints of a large window. */
  exportStateJson(): string;
  /**
   * The same snapshot as JSON texts of at most about `maxPartChars` characters each (pipelines/json-parts.ts), for
   * windows whose state is larger than one string can hold; `fromJsonParts` gives back what `exportState()` gives.
   */
  exportStateParts(maxPartChars?: number): string[];
  /** Adds a fact-check; clusters it matches get it attached at the next `advance`. */
  observeFactCheck(fc: NormalizedFactCheck): void;
  /**
   * Clusters the last `advance` merged into another (`id` no longer exists; its posts and accounts are in `into`),
   * so a store can drop them; each merge is returned once.
   */
  takeMerges?(): Array<{ id: string; into: string }>;
}

/** Raised when `createCoordinationDetector` is given a state it cannot restore. */
export class DetectorStateError extends PermanentError {
  override name = 'DetectorStateError';
}

const STATE_VERSION = 2;
const MAX_REASONS = 8;
const KIND_OF: Record<EvidenceKind, ClusterKind> = { text: 'duplicate_text', link: 'co_link', xlang: 'cross_language', repost: 'other' };
const MAX_BURST_REASONS = 3;

/** Evidence of the co-action graph inside a cluster, as of the cluster's latest network finding. */
interface KindFact { accounts: number; items: number; maxDt: number; pairs: number; langs: string[] }
interface NetFact {
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
interface BurstFact {
  key: string;
  observed: number;
  expected: number;
  surprise: number;
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

type Profile = AccountRecord;

/** An open cluster: its members and the current version of every piece of evidence behind it. */
interface ClusterRecord {
  id: string;
  /** Earliest post when first flagged (time, id): decides which id survives a merge. */
  anchorT: number;
  anchorP: string;
  startMs: number;
  endMs: number;
  accounts: string[];
  posts: string[];
  net: NetFact | null;
  bursts: Record<string, BurstFact>;
  profiles: Record<string, Profile>;
  links: Record<string, number>;
  tags: Record<string, number>;
  groups: Record<string, number>;
  langs: string[];
  sampleText: string | null;
  cluster: Cluster | null;
}

/** A retired cluster: as last reported, with what `accounts()` needs of its members. */
interface ArchivedCluster {
  cluster: Cluster;
  endMs: number;
  profiles: Record<string, { botScore: number; botReasons: string[]; posts: number }>;
}

/** One piece of evidence found at an advance. */
interface Finding {
  tag: string;
  accounts: string[];
  posts: Map<string, number>;
  anchorT: number;
  anchorP: string;
  edges: SignificantEdge[] | null;
  burst: BurstFact | null;
}

interface State {
  version: number;
  window: DetectionWindowState;
  dup: DuplicateIndexState;
  graph: CoactionGraphState;
  coLinkSamples: number[];
  records: ClusterRecord[];
  archive: ArchivedCluster[];
  dirty: string[];
  cutoffMs: number | null;
  factchecks: FactCheckIndexState;
  factchecksChanged: boolean;
}

function hashId(prefix: string, seed: string): string {
  return `${prefix}-${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function clock(ms: number): string {
  return `${iso(ms).slice(11, 16)} UTC`;
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} seconds`;
  if (s < 7200) return `${Math.round(s / 60)} minutes`;
  return `${(s / 3600).toFixed(1)} hours`;
}

function pText(p: number): string {
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

function sortedUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

/** Items most often seen, ties by name; at most `n`. */
function top(counts: Record<string, number>, n: number): string[] {
  return Object.entries(counts).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, n).map(([k]) => k);
}

function earlier(t1: number, p1: string, t2: number, p2: string): boolean {
  return t1 < t2 || (t1 === t2 && p1 < p2);
}

/** Creates a detector; pass `state` from `exportState()` to resume exactly where it stopped. */
export function createCoordinationDetector(config: Partial<DetectConfig> = {}, state?: unknown): CoordinationDetector {
  const cfg = detectConfigSchema.parse(config ?? {}); // strips the detect worker's keys of the same section
  const dupCfg = { similarity: cfg.duplicateSimilarity, minTokens: cfg.duplicateMinTokens, bands: cfg.lshBands, maxRepresentatives: cfg.maxRepresentativesPerGroup };
  const burstCfg: BurstConfig = {
    windowSeconds: cfg.windowSeconds, burstWindowSeconds: cfg.burstWindowSeconds, priorPerHour: cfg.burstPriorPerHour,
    minSurprise: cfg.burstMinSurprise, minPosts: cfg.burstMinPosts, minAccounts: cfg.burstMinAccounts,
    youngAccountDays: cfg.youngAccountDays, noHistoryPosts: cfg.noHistoryPosts, creationClusterDays: cfg.creationClusterDays,
    cohortMinShare: cfg.cohortMinShare, cohortAlpha: cfg.cohortAlpha,
  };
  const intervalCfg = {
    intervalSeconds: cfg.coLinkIntervalSeconds, defaultSeconds: cfg.coLinkDefaultSeconds, minSeconds: cfg.coLinkMinSeconds,
    maxSeconds: cfg.coLinkMaxSeconds, estimateShares: cfg.coLinkEstimateShares, estimateQuantile: cfg.coLinkEstimateQuantile,
    minSamples: cfg.coLinkMinSamples,
  };
  const isCohort = (r: AccountRecord): boolean => isCohortAccount(r, burstCfg);

  let window = new DetectionWindow(isCohort);
  let dup = new DuplicateIndex(dupCfg);
  let graph = new CoactionGraph(cfg.maxEvidencePerEdge, cfg.minPairCoactions);
  let interval = new CoLinkInterval(intervalCfg);
  let factchecks = new FactCheckIndex(cfg.maxFactChecks);
  let factchecksChanged = false;
  /** Open clusters by id. */
  const records = new Map<string, ClusterRecord>();
  /** Retired clusters by id (capped). */
  const archive = new Map<string, ArchivedCluster>();
  /** Account -> open clusters it belongs to (derived from `records`). */
  const accountCluster = new Map<string, string[]>();
  const dirty = new Set<string>();
  let cutoffMs: number | null = null;
  /** Merges made by the last advance (absorbed id -> surviving id), until taken. Not part of the state. */
  let merges = new Map<string, string>();

  function link(account: string, id: string): void {
    const ids = accountCluster.get(account);
    if (!ids) accountCluster.set(account, [id]);
    else if (!ids.includes(id)) ids.push(id);
  }

  function unlink(account: string, id: string): void {
    const ids = accountCluster.get(account);
    if (!ids) return;
    const i = ids.indexOf(id);
    if (i >= 0) ids.splice(i, 1);
    if (ids.length === 0) accountCluster.delete(account);
  }

  if (state !== undefined && state !== null) {
    const s = state as State;
    if (typeof s !== 'object' || s.version !== STATE_VERSION) throw new DetectorStateError(`unsupported detector state version ${String((s as State)?.version)}`);
    try {
      window = DetectionWindow.from(s.window, isCohort);
      dup = DuplicateIndex.from(dupCfg, s.dup);
      graph = CoactionGraph.from(cfg.maxEvidencePerEdge, s.graph, cfg.minPairCoactions);
      interval = new CoLinkInterval(intervalCfg, s.coLinkSamples.slice());
      factchecks = FactCheckIndex.from(s.factchecks, cfg.maxFactChecks);
      factchecksChanged = s.factchecksChanged;
      for (const r of s.records) {
        records.set(r.id, r);
        for (const a of r.accounts) link(a, r.id);
      }
      for (const r of s.archive) archive.set(r.cluster.id, r);
      for (const k of s.dirty) dirty.add(k);
      cutoffMs = s.cutoffMs;
    } catch (err) {
      throw new DetectorStateError('detector state is malformed', { cause: err });
    }
  }

  function observe(post: DetectorPost): void {
    if (!post || typeof post.id !== 'string' || !Number.isFinite(post.createdAtMs) || !post.author?.id) return;
    const t = post.createdAtMs;
    if (window.posts.has(post.id)) return;
    if (cutoffMs !== null && t < cutoffMs) return;
    if (post.accountSignals?.declaredBot || post.author.bot) return;
    const a = post.author.id;
    const lang = post.lang || 'und';
    const g = post.repostOf ? null : dup.assign(post.fingerprint, t, post.text ?? '');
    const links = sortedUnique(post.canonicalLinks ?? []);
    const tags = sortedUnique((post.hashtags ?? []).map((h) => h.toLowerCase()));
    const items: string[] = [];
    if (g) items.push(`t:${g}`);
    for (const l of links) items.push(`l:${l}`);
    for (const h of tags) items.push(`h:${h}`);
    if (post.repostOf) items.push(`r:${post.repostOf}`);
    const created = post.author.createdAt ? Date.parse(post.author.createdAt) : NaN;
    window.addPost(post.id, { t, a, l: lang, items, g, tags, links, x: g ? post.fingerprint.exact.slice(0, 12) : '' }, {
      created: Number.isFinite(created) ? created : null,
      ageDays: post.accountSignals?.ageDays ?? (Number.isFinite(created) ? (t - created) / 86_400_000 : null),
      posts: post.author.posts ?? null,
      botScore: post.botScore ?? 0,
      botReasons: post.botReasons ?? [],
    });
    for (const key of items) {
      const action = { t, a, p: post.id, l: lang, n: 0 };
      const index = window.addAction(key, action);
      const crowd = window.items.get(key)!.distinct > cfg.maxItemAccounts;
      const g2 = crowd ? null : graph;
      const kind = key[0];
      if (kind === 't') {
        // Identical copies (same exact hash) must be closer in time than paraphrases: see exactCopyIntervalSeconds.
        const exact = post.fingerprint.exact.slice(0, 12);
        const partners = window.neighbours(key, index, cfg.textIntervalSeconds * 1000, cfg.partnerLimit)
          .filter((o) => Math.abs(o.t - t) <= cfg.exactCopyIntervalSeconds * 1000 || window.posts.get(o.p)?.x !== exact);
        if (g2) for (const o of partners) g2.add(a, post.id, t, o.a, o.p, o.t, key, 'text');
        window.countPairs(action, partners.length);
      } else if (kind === 'l') {
        const n = recordCoLinks(window, g2, key, index, interval, 'link', cfg.partnerLimit);
        const x = recordCrossLanguage(window, g2, key, index, cfg.crossLanguageIntervalSeconds, cfg.partnerLimit);
        window.countPairs(action, n + x);
      } else if (kind === 'r') {
        window.countPairs(action, recordCoLinks(window, g2, key, index, interval, 'repost', cfg.partnerLimit));
      }
      if (kind !== 'r') dirty.add(key);
    }
  }

  function attachFactchecks(c: Cluster): void {
    c.factchecks = factchecks.match({ links: c.links, text: c.sampleText });
  }

  // ---- findings -------------------------------------------------------------------------------------------------

  function finding(tag: string, accounts: string[], posts: Map<string, number>, edges: SignificantEdge[] | null, burst: BurstFact | null): Finding {
    let anchorT = Infinity;
    let anchorP = '';
    for (const [p, t] of posts) if (earlier(t, p, anchorT, anchorP) || anchorP === '') { anchorT = t; anchorP = p; }
    return { tag, accounts, posts, anchorT, anchorP, edges, burst };
  }

  function networkFinding(members: string[], edges: SignificantEdge[]): Finding {
    const posts = new Map<string, number>();
    for (const { edge } of edges) for (const e of edge.ev) { posts.set(e.pa, e.ta); posts.set(e.pb, e.tb); }
    return finding('n', members, posts, edges, null);
  }

  /** Cohort accounts that posted link item `key` within the co-link interval of another cohort account. */
  function coShares(key: string, posts: Set<string>): { accounts: number; pairs: number; seconds: number } {
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

  function burstFinding(f: BurstFinding): Finding {
    const posts = new Map<string, number>();
    for (const p of f.posts) { const r = window.posts.get(p); if (r) posts.set(p, r.t); }
    const co = f.key.startsWith('l:') ? coShares(f.key, new Set(f.posts)) : { accounts: 0, pairs: 0, seconds: 0 };
    const fact: BurstFact = {
      key: f.key, observed: f.observed, expected: f.expected, surprise: f.surprise, logPComposition: f.logPComposition,
      cohort: f.composition.cohort.length, accounts: f.composition.accounts, firstMs: f.firstMs, lastMs: f.lastMs,
      coAccounts: co.accounts, coPairs: co.pairs, coSeconds: co.seconds,
    };
    return finding(`b:${f.key}`, f.composition.cohort.slice(), posts, null, fact);
  }

  // ---- cluster records ------------------------------------------------------------------------------------------

  function newRecord(f: Finding): ClusterRecord {
    return {
      id: hashId('cl', f.anchorP), anchorT: f.anchorT, anchorP: f.anchorP, startMs: f.anchorT, endMs: f.anchorT,
      accounts: [], posts: [], net: null, bursts: {}, profiles: {}, links: {}, tags: {}, groups: {}, langs: [], sampleText: null, cluster: null,
    };
  }

  /** Open clusters whose accounts mostly overlap `accounts` (at least half of the smaller side), sorted by id. */
  function overlapping(accounts: string[]): string[] {
    const counts = new Map<string, number>();
    for (const a of accounts) for (const id of accountCluster.get(a) ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
    const out: string[] = [];
    for (const [id, n] of counts) {
      const size = records.get(id)?.accounts.length ?? 0;
      if (n >= 0.5 * Math.min(size, accounts.length)) out.push(id);
    }
    return out.sort();
  }

  function keepPeak(prev: BurstFact | undefined, next: BurstFact): BurstFact {
    if (!prev) return next;
    if (next.observed > prev.observed || (next.observed === prev.observed && next.surprise >= prev.surprise)) return next;
    return prev;
  }

  function addPosts(rec: ClusterRecord, posts: Iterable<[string, number]>): void {
    const have = new Set(rec.posts);
    const langs = new Set(rec.langs);
    for (const [p, t] of posts) {
      if (t < rec.startMs) rec.startMs = t;
      if (t > rec.endMs) rec.endMs = t;
      if (have.has(p) || rec.posts.length >= cfg.maxClusterPosts) continue;
      have.add(p);
      rec.posts.push(p);
      const r = window.posts.get(p);
      if (!r) continue;
      for (const l of r.links) rec.links[l] = (rec.links[l] ?? 0) + 1;
      for (const h of r.tags) rec.tags[h] = (rec.tags[h] ?? 0) + 1;
      if (r.g) rec.groups[r.g] = (rec.groups[r.g] ?? 0) + 1;
      if (r.l !== 'und') langs.add(r.l);
    }
    rec.langs = [...langs].sort();
  }

  function addAccounts(rec: ClusterRecord, accounts: Iterable<string>): void {
    const have = new Set(rec.accounts);
    for (const a of accounts) {
      if (have.has(a)) continue;
      have.add(a);
      rec.accounts.push(a);
      link(a, rec.id);
    }
    rec.accounts.sort();
  }

  /** Merges `from` into `into` (the one with the earliest anchor keeps its id). */
  function absorbRecord(into: ClusterRecord, from: ClusterRecord): void {
    records.delete(from.id);
    for (const a of from.accounts) unlink(a, from.id);
    addAccounts(into, from.accounts);
    const have = new Set(into.posts);
    for (const p of from.posts) if (!have.has(p) && into.posts.length < cfg.maxClusterPosts) { have.add(p); into.posts.push(p); }
    into.startMs = Math.min(into.startMs, from.startMs);
    into.endMs = Math.max(into.endMs, from.endMs);
    for (const [k, b] of Object.entries(from.bursts)) into.bursts[k] = keepPeak(into.bursts[k], b);
    for (const [a, pr] of Object.entries(from.profiles)) into.profiles[a] ??= pr;
    for (const [k, n] of Object.entries(from.links)) into.links[k] = (into.links[k] ?? 0) + n;
    for (const [k, n] of Object.entries(from.tags)) into.tags[k] = (into.tags[k] ?? 0) + n;
    for (const [k, n] of Object.entries(from.groups)) into.groups[k] = (into.groups[k] ?? 0) + n;
    into.langs = sortedUnique([...into.langs, ...from.langs]);
    into.sampleText ??= from.sampleText;
    if (!into.net && from.net) into.net = from.net;
  }

  // ---- rendering --------------------------------------------------------------------------------------------------

  function netFact(members: string[], edges: SignificantEdge[]): NetFact {
    const byKind: Partial<Record<EvidenceKind, KindFact & { accountSet: Set<string>; itemSet: Set<string>; langSet: Set<string> }>> = {};
    let observed = 0;
    let maxExpected = 0;
    const shared: number[] = [];
    for (const { edge, shared: s, expected } of edges) {
      observed += s;
      shared.push(s);
      if (expected > maxExpected) maxExpected = expected;
      for (const e of edge.ev) {
        for (const k of e.kinds) {
          const f = (byKind[k] ??= { accounts: 0, items: 0, maxDt: 0, pairs: 0, langs: [], accountSet: new Set(), itemSet: new Set(), langSet: new Set() });
          f.accountSet.add(edge.a); f.accountSet.add(edge.b); f.itemSet.add(e.item); f.pairs++;
          f.maxDt = Math.max(f.maxDt, Math.abs(e.ta - e.tb));
          if (k === 'xlang') for (const p of [e.pa, e.pb]) { const l = window.posts.get(p)?.l; if (l && l !== 'und') f.langSet.add(l); }
        }
      }
    }
    // Cluster p-value: all member pairs together against the same authorship-shuffle null as the edges.
    let sumM = 0;
    let sumM2 = 0;
    for (const a of members) { const m = window.accounts.get(a)?.n ?? 1; sumM += m; sumM2 += m * m; }
    const n = Math.max(1, window.size());
    const expectedAll = (2 * Math.max(1, window.pairs) / (n * n)) * ((sumM * sumM - sumM2) / 2);
    shared.sort((x, y) => x - y);
    const out: NetFact = {
      accounts: members.length, pairs: edges.length, sharedMin: shared[0] ?? 0, sharedMax: shared[shared.length - 1] ?? 0,
      sharedMedian: shared[Math.floor(shared.length / 2)] ?? 0, maxExpected, logP: logPoissonTail(observed, expectedAll), byKind: {},
    };
    for (const [k, f] of Object.entries(byKind) as [EvidenceKind, NonNullable<(typeof byKind)[EvidenceKind]>][]) {
      out.byKind[k] = { accounts: f.accountSet.size, items: f.itemSet.size, maxDt: f.maxDt, pairs: f.pairs, langs: [...f.langSet].sort() };
    }
    return out;
  }

  function netReasons(f: NetFact): { summary: string; kinds: string[] } {
    const kinds: string[] = [];
    const t = f.byKind.text;
    if (t) kinds.push(`${t.accounts} accounts posted near-identical text (${t.items} distinct messages), copies at most ${duration(t.maxDt)} apart`);
    const l = f.byKind.link;
    if (l) kinds.push(`${l.accounts} accounts shared the same ${l.items} link(s) within ${duration(l.maxDt)} of each other (${l.pairs} pairwise co-shares)`);
    const x = f.byKind.xlang;
    if (x) kinds.push(`${x.accounts} accounts posted the same ${x.items} link(s) in ${x.langs.length} languages (${x.langs.join(', ')}) within ${duration(x.maxDt)}`);
    const r = f.byKind.repost;
    if (r) kinds.push(`${r.accounts} accounts reposted the same ${r.items} post(s) within ${duration(r.maxDt)} of each other`);
    return {
      summary: `${f.accounts} accounts acted together repeatedly: ${f.pairs} account pairs each shared ${f.sharedMin}-${f.sharedMax} distinct items (median ${f.sharedMedian}), where chance predicts at most ${f.maxExpected.toPrecision(2)} per pair (p = ${pText(probability(f.logP))})`,
      kinds,
    };
  }

  function burstReason(b: BurstFact): string {
    const label = b.key.startsWith('h:') ? `#${b.key.slice(2)}` : b.key.startsWith('l:') ? `Link ${b.key.slice(2)}` : 'One near-identical message';
    let out = `${label}: ${b.observed} posts between ${clock(b.firstMs)} and ${clock(b.lastMs)}, where its own earlier rate predicts ${b.expected.toFixed(1)} in ${duration(cfg.burstWindowSeconds * 1000)} (p = ${pText(10 ** -b.surprise)}); ${b.cohort} of the ${b.accounts} accounts posting it are younger than ${cfg.youngAccountDays} days or have at most ${cfg.noHistoryPosts} posts (p = ${pText(probability(b.logPComposition))} against all accounts active in the window)`;
    if (b.coAccounts >= cfg.minClusterAccounts) out += `; ${b.coAccounts} of them posted it within ${Math.round(b.coSeconds)} seconds of another (${b.coPairs} pairs)`;
    return out;
  }

  function compositionReasons(comp: Composition): string[] {
    const out: string[] = [];
    if (comp.young > 0) {
      out.push(`${comp.young} of the ${comp.accounts} accounts were created less than ${cfg.youngAccountDays} days before posting${comp.noHistory > 0 ? `; ${comp.noHistory} had at most ${cfg.noHistoryPosts} posts in total` : ''}`);
    } else if (comp.noHistory > 0) {
      out.push(`${comp.noHistory} of the ${comp.accounts} accounts had at most ${cfg.noHistoryPosts} posts in total`);
    }
    const cc = comp.creationCluster;
    if (cc && cc.count >= 3 && cc.count >= comp.accounts / 2) {
      out.push(`${cc.count} of the ${comp.accounts} accounts were created within ${cfg.creationClusterDays} days of each other (${iso(cc.fromMs).slice(0, 10)} to ${iso(cc.toMs).slice(0, 10)})`);
    }
    return out;
  }

  /** Builds the reported cluster from the record's current evidence. */
  function render(rec: ClusterRecord): Cluster {
    for (const a of rec.accounts) {
      const w = window.accounts.get(a);
      if (!w) continue;
      const prev = rec.profiles[a];
      rec.profiles[a] = { ...w, botReasons: w.botReasons.slice(), n: Math.max(prev?.n ?? 0, w.n) };
    }
    const profiles = new Map(Object.entries(rec.profiles));
    const comp = composition({ accounts: profiles }, rec.accounts, burstCfg);
    const kinds = new Set<ClusterKind>();
    let logP = 0;
    const lines: string[] = [];
    const kindLines: string[] = [];
    if (rec.net) {
      for (const k of Object.keys(rec.net.byKind) as EvidenceKind[]) kinds.add(KIND_OF[k]);
      const r = netReasons(rec.net);
      lines.push(r.summary);
      kindLines.push(...r.kinds);
      logP = Math.min(logP, rec.net.logP);
    }
    const bursts = Object.values(rec.bursts).sort((x, y) => y.surprise - x.surprise || (x.key < y.key ? -1 : 1));
    for (const b of bursts) {
      kinds.add('burst');
      kinds.add('young_account_cohort');
      if (b.key.startsWith('h:')) kinds.add('hashtag_push');
      if (b.key.startsWith('t:')) kinds.add('duplicate_text');
      if (b.key.startsWith('l:') && b.coAccounts >= cfg.minClusterAccounts) kinds.add('co_link');
      logP = Math.min(logP, b.logPComposition);
    }
    for (const b of bursts.slice(0, MAX_BURST_REASONS)) lines.push(burstReason(b));
    if (bursts.length > MAX_BURST_REASONS) {
      const more = bursts.slice(MAX_BURST_REASONS).map((b) => (b.key.startsWith('h:') ? `#${b.key.slice(2)}` : b.key.startsWith('l:') ? b.key.slice(2) : 'a near-identical message'));
      lines.push(`${more.length} more items burst among the same accounts: ${sortedUnique(more).join(', ')}`);
    }
    if (comp.young >= Math.max(3, comp.accounts / 2)) kinds.add('young_account_cohort');
    lines.push(...kindLines, ...compositionReasons(comp));
    if (kinds.size === 0) kinds.add('other');
    if (lines.length === 0) lines.push(`${rec.accounts.length} accounts acted together`);
    let sample: string | null = null;
    for (const g of top(rec.groups, 3)) { sample = dup.sampleText(g); if (sample) break; }
    rec.sampleText = sample ?? rec.sampleText;
    const pValue = probability(logP);
    const c: Cluster = {
      id: rec.id,
      kinds: [...kinds].sort(),
      score: Math.min(1, 1 - Math.exp(-Math.max(0, -logP / Math.LN10) / 20)),
      pValue,
      posts: rec.posts.slice().sort(),
      accounts: rec.accounts.slice(),
      start: iso(rec.startMs),
      end: iso(rec.endMs),
      reasons: lines.slice(0, MAX_REASONS),
      sampleText: rec.sampleText,
      links: top(rec.links, 20),
      hashtags: top(rec.tags, 20),
      languages: rec.langs.slice(),
      factchecks: [],
    };
    attachFactchecks(c);
    return c;
  }

  function retire(rec: ClusterRecord): void {
    records.delete(rec.id);
    for (const a of rec.accounts) unlink(a, rec.id);
    if (cfg.maxRetainedClusters <= 0 || !rec.cluster) return;
    const profiles: ArchivedCluster['profiles'] = {};
    for (const a of rec.accounts) {
      const p = rec.profiles[a];
      profiles[a] = { botScore: p?.botScore ?? 0, botReasons: p?.botReasons ?? [], posts: p?.n ?? 0 };
    }
    archive.set(rec.id, { cluster: rec.cluster, endMs: rec.endMs, profiles });
    if (archive.size > cfg.maxRetainedClusters) {
      const drop = [...archive.values()].sort((x, y) => x.endMs - y.endMs || (x.cluster.id < y.cluster.id ? -1 : 1))
        .slice(0, archive.size - cfg.maxRetainedClusters);
      for (const d of drop) archive.delete(d.cluster.id);
    }
  }

  function advance(nowMs: number): Cluster[] {
    const changed = new Set<string>();
    merges = new Map();
    const cutoff = nowMs - cfg.windowSeconds * 1000;
    cutoffMs = cutoffMs === null ? cutoff : Math.max(cutoffMs, cutoff);
    window.expire(cutoffMs);
    dup.expire(cutoffMs);
    graph.expire(cutoffMs);

    // 1. Findings: network components of significant pairs (only candidate pairs are tested) and bursts of the items
    //    touched since the last advance.
    const findings: Finding[] = [];
    const counts = { posts: window.size(), pairs: window.pairs, postsOf: (a: string) => window.accounts.get(a)?.n ?? 1 };
    const edges = graph.significantEdges(counts, cfg.minPairCoactions, cfg.edgeAlpha);
    if (edges.length > 0) {
      const comps = CoactionGraph.components(edges);
      const compOf = new Map<string, number>();
      comps.forEach((c, i) => { for (const a of c) compOf.set(a, i); });
      const compEdges: SignificantEdge[][] = comps.map(() => []);
      for (const e of edges) compEdges[compOf.get(e.edge.a)!]!.push(e);
      comps.forEach((members, i) => { if (members.length >= cfg.minClusterAccounts) findings.push(networkFinding(members, compEdges[i]!)); });
    }
    let baseShare: number | null = null;
    for (const key of [...dirty].sort()) {
      const item = window.items.get(key);
      if (!item || item.distinct < cfg.burstMinAccounts) continue;
      baseShare ??= baselineCohortShare(window, burstCfg);
      const f = evaluateBurst(window, key, nowMs, burstCfg, baseShare);
      if (f) findings.push(burstFinding(f));
    }
    dirty.clear();

    // 2. Each finding joins the open clusters it mostly overlaps (merging them) or opens a new one. The earliest
    //    evidence goes first, so the cluster that survives a merge is the one anchored earliest.
    findings.sort((x, y) => x.anchorT - y.anchorT || (x.anchorP < y.anchorP ? -1 : x.anchorP > y.anchorP ? 1 : 0) || (x.tag < y.tag ? -1 : 1));
    const touched = new Set<string>();
    const netEdges = new Map<string, SignificantEdge[]>();
    for (const f of findings) {
      const targets = overlapping(f.accounts).map((id) => records.get(id)!);
      let rec: ClusterRecord;
      if (targets.length === 0) {
        rec = newRecord(f);
        records.set(rec.id, rec);
      } else {
        targets.sort((x, y) => (earlier(x.anchorT, x.anchorP, y.anchorT, y.anchorP) ? -1 : 1));
        rec = targets[0]!;
        for (const other of targets.slice(1)) {
          absorbRecord(rec, other);
          // Ids absorbed earlier into `other` now live in `rec` too.
          for (const [from, into] of merges) if (into === other.id) merges.set(from, rec.id);
          if (other.cluster) merges.set(other.id, rec.id);
          if (touched.delete(other.id)) touched.add(rec.id);
          const moved = netEdges.get(other.id);
          if (moved) { netEdges.delete(other.id); netEdges.set(rec.id, [...(netEdges.get(rec.id) ?? []), ...moved]); }
        }
      }
      addAccounts(rec, f.accounts);
      addPosts(rec, f.posts);
      if (f.burst) rec.bursts[f.burst.key] = keepPeak(rec.bursts[f.burst.key], f.burst);
      if (f.edges) netEdges.set(rec.id, [...(netEdges.get(rec.id) ?? []), ...f.edges]);
      touched.add(rec.id);
    }

    // 3. Render what changed; the network evidence is the significant pairs inside the cluster right now.
    for (const id of [...touched].sort()) {
      const rec = records.get(id);
      if (!rec) continue;
      const es = netEdges.get(id);
      if (es && es.length > 0) {
        const members = sortedUnique(es.flatMap((e) => [e.edge.a, e.edge.b]));
        rec.net = netFact(members, es);
      }
      const c = render(rec);
      if (!rec.cluster || JSON.stringify(rec.cluster) !== JSON.stringify(c)) changed.add(id);
      rec.cluster = c;
    }

    if (factchecksChanged) {
      factchecksChanged = false;
      const all = [...[...records.values()].map((r) => r.cluster!), ...[...archive.values()].map((r) => r.cluster)];
      for (const c of all) {
        const before = JSON.stringify(c.factchecks);
        attachFactchecks(c);
        if (JSON.stringify(c.factchecks) !== before) changed.add(c.id);
      }
    }

    const out = [...changed].sort().map((id) => structuredClone((records.get(id)?.cluster ?? archive.get(id)?.cluster)!));
    // 4. Clusters whose last post left the window have no live evidence: retire them (after reporting them).
    for (const rec of [...records.values()]) if (rec.endMs < cutoffMs) retire(rec);
    return out.filter((c) => c !== undefined);
  }

  function allClusters(): Cluster[] {
    const out = new Map<string, Cluster>();
    for (const a of archive.values()) out.set(a.cluster.id, a.cluster);
    for (const r of records.values()) if (r.cluster) out.set(r.id, r.cluster);
    return [...out.keys()].sort().map((id) => structuredClone(out.get(id)!));
  }

  function accounts(): AccountSummary[] {
    const out = new Map<string, AccountSummary>();
    const add = (clusterId: string, a: string, p: { botScore: number; botReasons: string[]; posts: number }): void => {
      const s = out.get(a) ?? { id: a, botScore: 0, botReasons: [], posts: 0, clusters: [] };
      s.botScore = p.botScore;
      s.botReasons = p.botReasons.slice();
      s.posts = Math.max(s.posts, p.posts);
      if (!s.clusters.includes(clusterId)) s.clusters.push(clusterId);
      out.set(a, s);
    };
    for (const r of [...archive.values()].sort((x, y) => x.endMs - y.endMs)) for (const a of r.cluster.accounts) add(r.cluster.id, a, r.profiles[a] ?? { botScore: 0, botReasons: [], posts: 0 });
    for (const r of records.values()) {
      for (const a of r.accounts) {
        const p = r.profiles[a];
        add(r.id, a, { botScore: p?.botScore ?? 0, botReasons: p?.botReasons ?? [], posts: p?.n ?? 0 });
      }
    }
    for (const s of out.values()) s.clusters.sort();
    return [...out.keys()].sort().map((k) => out.get(k)!);
  }

  /** The whole state as plain data sharing objects with the live state: serialise it before anything changes. */
  function liveState(): State {
    return {
      version: STATE_VERSION,
      window: window.toJSON(),
      dup: dup.toJSON(),
      graph: graph.toJSON(),
      coLinkSamples: interval.samples,
      records: [...records.values()],
      archive: [...archive.values()],
      dirty: [...dirty],
      cutoffMs,
      factchecks: factchecks.toJSON(),
      factchecksChanged,
    };
  }

  /** Serialises the whole state in one pass (the snapshot shares nothing with the live state once it is a string). */
  function exportStateJson(): string {
    return JSON.stringify(liveState());
  }

  return {
    observe,
    advance,
    clusters: allClusters,
    accounts,
    exportState: (): State => JSON.parse(exportStateJson()) as State,
    exportStateJson,
    exportStateParts: (maxPartChars?: number) => toJsonParts(liveState(), maxPartChars),
    takeMerges: () => {
      const out = [...merges].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, into]) => ({ id, into }));
      merges = new Map();
      return out;
    },
    observeFactCheck: (fc: NormalizedFactCheck) => {
      factchecks.add(fc);
      factchecksChanged = true;
    },
  };
}
