// The coordination detector everyone else uses: feed it enriched posts in (roughly) time order, call `advance(now)`
// now and then, and it returns the clusters it flags. It wires the parts together: the shared window
// (detection-window.ts), near-duplicate text groups (detect-duplicates.ts), co-link and co-repost pairs
// (detect-colinks.ts), cross-language pairs (detect-cross-language.ts), the co-action graph with its significance
// test (coaction-graph.ts), bursts with cohort composition (detect-bursts.ts) and fact-check matching
// (match-factchecks.ts). Declared bots (news feeds) are left out: they are labelled, not treated as inauthentic.
// Cluster ids derive from evidence (the earliest member post, or the burst key and its first cohort post), and a
// cluster that reappears with the same accounts keeps its id. The whole state is plain data (`exportState`).
import { createHash } from 'node:crypto';
import { detectionSchema, type DetectionConfig } from '../workers/config.ts';
import { CoactionGraph, type CoactionGraphState, type EvidenceKind, type SignificantEdge } from './coaction-graph.ts';
import { baselineCohortShare, composition, evaluateBurst, type BurstConfig, type BurstFinding, type Composition } from './detect-bursts.ts';
import { CoLinkInterval, recordCoLinks } from './detect-colinks.ts';
import { recordCrossLanguage } from './detect-cross-language.ts';
import { DuplicateIndex, type DuplicateIndexState } from './detect-duplicates.ts';
import { DetectionWindow, type DetectionWindowState } from './detection-window.ts';
import { FactCheckIndex, type FactCheckIndexState } from './match-factchecks.ts';
import { logPoissonTail, probability } from './tail-probability.ts';
import type { AccountSummary, Cluster, ClusterKind, EnrichedPost, NormalizedFactCheck } from './types.ts';

/** The streaming coordination detector. */
export interface CoordinationDetector {
  /** Adds a post; out-of-order and duplicate posts are tolerated, posts older than the window are ignored. */
  observe(post: EnrichedPost): void;
  /** Evaluates at `nowMs`, expires state older than the window, returns clusters created or changed since the last call. */
  advance(nowMs: number): Cluster[];
  /** All flagged clusters so far, sorted by id. */
  clusters(): Cluster[];
  /** Per-account summaries of the members of flagged clusters, sorted by id. */
  accounts(): AccountSummary[];
  /** Plain JSON-serialisable snapshot of the whole state. */
  exportState(): unknown;
  /** Adds a fact-check; clusters it matches get it attached at the next `advance`. */
  observeFactCheck(fc: NormalizedFactCheck): void;
}

/** Raised when `createCoordinationDetector` is given a state it cannot restore. */
export class DetectorStateError extends Error {
  override name = 'DetectorStateError';
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const STATE_VERSION = 1;
const KIND_OF: Record<EvidenceKind, ClusterKind> = { text: 'duplicate_text', link: 'co_link', xlang: 'cross_language', repost: 'other' };

interface ClusterRecord {
  cluster: Cluster;
  origin: 'network' | 'burst';
}

interface AccountSummaryRecord {
  botScore: number;
  botReasons: string[];
  posts: number;
  clusters: string[];
}

interface State {
  version: number;
  window: DetectionWindowState;
  dup: DuplicateIndexState;
  graph: CoactionGraphState;
  coLinkSamples: number[];
  clusters: ClusterRecord[];
  accountCluster: [string, string][];
  burstIds: [string, string][];
  summaries: [string, AccountSummaryRecord][];
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
function top(counts: Map<string, number>, n: number): string[] {
  return [...counts.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, n).map(([k]) => k);
}

/** Creates a detector; pass `state` from `exportState()` to resume exactly where it stopped. */
export function createCoordinationDetector(config: Partial<DetectionConfig> = {}, state?: unknown): CoordinationDetector {
  const cfg = detectionSchema.parse(config ?? {});
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

  let window = new DetectionWindow();
  let dup = new DuplicateIndex(dupCfg);
  let graph = new CoactionGraph(cfg.maxEvidencePerEdge);
  let interval = new CoLinkInterval(intervalCfg);
  let factchecks = new FactCheckIndex(cfg.maxFactChecks);
  let factchecksChanged = false;
  const records = new Map<string, ClusterRecord>();
  const accountCluster = new Map<string, string>();
  const burstIds = new Map<string, string>();
  const summaries = new Map<string, AccountSummaryRecord>();
  const dirty = new Set<string>();
  let cutoffMs: number | null = null;

  if (state !== undefined && state !== null) {
    const s = state as State;
    if (typeof s !== 'object' || s.version !== STATE_VERSION) throw new DetectorStateError(`unsupported detector state version ${String((s as State)?.version)}`);
    try {
      window = DetectionWindow.from(s.window);
      dup = DuplicateIndex.from(dupCfg, s.dup);
      graph = CoactionGraph.from(cfg.maxEvidencePerEdge, s.graph);
      interval = new CoLinkInterval(intervalCfg, s.coLinkSamples.slice());
      factchecks = FactCheckIndex.from(s.factchecks, cfg.maxFactChecks);
      factchecksChanged = s.factchecksChanged;
      for (const r of s.clusters) records.set(r.cluster.id, r);
      for (const [k, v] of s.accountCluster) accountCluster.set(k, v);
      for (const [k, v] of s.burstIds) burstIds.set(k, v);
      for (const [k, v] of s.summaries) summaries.set(k, v);
      for (const k of s.dirty) dirty.add(k);
      cutoffMs = s.cutoffMs;
    } catch (err) {
      throw new DetectorStateError('detector state is malformed', { cause: err });
    }
  }

  function observe(post: EnrichedPost): void {
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

  function compositionReasons(comp: Composition): string[] {
    const out: string[] = [];
    if (comp.young > 0) out.push(`${comp.young} of the ${comp.accounts} accounts were created less than ${cfg.youngAccountDays} days before posting`);
    if (comp.noHistory > 0) out.push(`${comp.noHistory} of the ${comp.accounts} accounts had at most ${cfg.noHistoryPosts} posts in total`);
    const cc = comp.creationCluster;
    if (cc && cc.count >= 3 && cc.count >= comp.accounts / 2) {
      out.push(`${cc.count} of the ${comp.accounts} accounts were created within ${cfg.creationClusterDays} days of each other (${iso(cc.fromMs).slice(0, 10)} to ${iso(cc.toMs).slice(0, 10)})`);
    }
    return out;
  }

  function sampleTextOf(postIds: Iterable<string>): string | null {
    const groups = new Map<string, number>();
    for (const p of postIds) {
      const g = window.posts.get(p)?.g;
      if (g) groups.set(g, (groups.get(g) ?? 0) + 1);
    }
    for (const g of top(groups, 3)) {
      const text = dup.sampleText(g);
      if (text) return text;
    }
    return null;
  }

  function describePosts(postIds: string[]): { links: string[]; hashtags: string[]; languages: string[]; start: number; end: number } {
    const links = new Map<string, number>();
    const tags = new Map<string, number>();
    const langs = new Set<string>();
    let start = Infinity;
    let end = -Infinity;
    for (const p of postIds) {
      const r = window.posts.get(p);
      if (!r) continue;
      for (const l of r.links) links.set(l, (links.get(l) ?? 0) + 1);
      for (const h of r.tags) tags.set(h, (tags.get(h) ?? 0) + 1);
      if (r.l !== 'und') langs.add(r.l);
      if (r.t < start) start = r.t;
      if (r.t > end) end = r.t;
    }
    return { links: top(links, 20), hashtags: top(tags, 20), languages: [...langs].sort(), start, end };
  }

  /** Stores a (new or updated) cluster; returns true when it changed. */
  function store(next: Cluster, origin: ClusterRecord['origin']): boolean {
    const prev = records.get(next.id);
    if (prev) {
      const posts = sortedUnique([...prev.cluster.posts, ...next.posts]).slice(0, cfg.maxClusterPosts);
      next.posts = posts;
      next.accounts = sortedUnique([...prev.cluster.accounts, ...next.accounts]);
      next.kinds = sortedUnique([...prev.cluster.kinds, ...next.kinds]) as ClusterKind[];
      next.start = prev.cluster.start < next.start ? prev.cluster.start : next.start;
      next.end = prev.cluster.end > next.end ? prev.cluster.end : next.end;
      next.links = sortedUnique([...next.links, ...prev.cluster.links]);
      next.hashtags = sortedUnique([...next.hashtags, ...prev.cluster.hashtags]);
      next.languages = sortedUnique([...next.languages, ...prev.cluster.languages]);
      next.sampleText = next.sampleText ?? prev.cluster.sampleText;
      if (prev.cluster.pValue !== null && (next.pValue === null || prev.cluster.pValue < next.pValue)) next.pValue = prev.cluster.pValue;
      next.score = Math.max(next.score, prev.cluster.score);
      for (const r of prev.cluster.reasons) if (!next.reasons.includes(r) && next.reasons.length < 12 && !r.startsWith('#') && !r.startsWith('Burst')) next.reasons.push(r);
    } else {
      next.posts = sortedUnique(next.posts).slice(0, cfg.maxClusterPosts);
    }
    attachFactchecks(next);
    const changed = !prev || JSON.stringify(prev.cluster) !== JSON.stringify(next);
    records.set(next.id, { cluster: next, origin });
    for (const a of next.accounts) {
      if (origin === 'network') accountCluster.set(a, next.id);
      const rec = window.accounts.get(a);
      const s = summaries.get(a) ?? { botScore: 0, botReasons: [], posts: 0, clusters: [] };
      if (rec) { s.botScore = rec.botScore; s.botReasons = rec.botReasons.slice(); s.posts = Math.max(s.posts, rec.n); }
      if (!s.clusters.includes(next.id)) s.clusters = [...s.clusters, next.id].sort();
      summaries.set(a, s);
    }
    return changed;
  }

  function existingNetworkId(accounts: string[]): string | null {
    const overlap = new Map<string, number>();
    for (const a of accounts) {
      const id = accountCluster.get(a);
      if (id) overlap.set(id, (overlap.get(id) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestN = 0;
    for (const [id, n] of [...overlap.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      const size = records.get(id)?.cluster.accounts.length ?? 0;
      if (n > bestN && n >= 0.5 * Math.min(size, accounts.length)) { best = id; bestN = n; }
    }
    return best;
  }

  function networkCluster(members: string[], edges: SignificantEdge[]): Cluster {
    const memberSet = new Set(members);
    const inside = edges.filter((e) => memberSet.has(e.edge.a) && memberSet.has(e.edge.b));
    const postTimes = new Map<string, number>();
    const byKind = new Map<EvidenceKind, { accounts: Set<string>; items: Set<string>; maxDt: number; pairs: number; langs: Set<string> }>();
    let observed = 0;
    let maxExpected = 0;
    const sharedCounts: number[] = [];
    for (const { edge, shared, expected } of inside) {
      observed += shared;
      sharedCounts.push(shared);
      if (expected > maxExpected) maxExpected = expected;
      for (const e of edge.ev) {
        postTimes.set(e.pa, e.ta);
        postTimes.set(e.pb, e.tb);
        for (const k of e.kinds) {
          let s = byKind.get(k);
          if (!s) { s = { accounts: new Set(), items: new Set(), maxDt: 0, pairs: 0, langs: new Set() }; byKind.set(k, s); }
          s.accounts.add(edge.a); s.accounts.add(edge.b); s.items.add(e.item); s.pairs++;
          s.maxDt = Math.max(s.maxDt, Math.abs(e.ta - e.tb));
          if (k === 'xlang') for (const p of [e.pa, e.pb]) { const l = window.posts.get(p)?.l; if (l && l !== 'und') s.langs.add(l); }
        }
      }
    }
    const posts = [...postTimes.keys()];
    // Cluster p-value: all member pairs together against the same authorship-shuffle null as the edges.
    let sumM = 0;
    let sumM2 = 0;
    for (const a of members) { const m = window.accounts.get(a)?.n ?? 1; sumM += m; sumM2 += m * m; }
    const n = Math.max(1, window.size());
    const expectedAll = (2 * Math.max(1, window.pairs) / (n * n)) * ((sumM * sumM - sumM2) / 2);
    const logP = logPoissonTail(observed, expectedAll);
    const pValue = probability(logP);
    const comp = composition(window, members, burstCfg);
    const kinds = new Set<ClusterKind>();
    for (const k of byKind.keys()) kinds.add(KIND_OF[k]);
    if (comp.young + 0 >= Math.max(3, comp.accounts / 2)) kinds.add('young_account_cohort');
    sharedCounts.sort((x, y) => x - y);
    const reasons: string[] = [
      `${members.length} accounts acted together repeatedly: ${inside.length} account pairs each shared ${sharedCounts[0]}-${sharedCounts[sharedCounts.length - 1]} distinct items (median ${sharedCounts[Math.floor(sharedCounts.length / 2)]}), where chance predicts at most ${maxExpected.toPrecision(2)} per pair (p = ${pText(pValue)})`,
    ];
    const t = byKind.get('text');
    if (t) reasons.push(`${t.accounts.size} accounts posted near-identical text (${t.items.size} distinct messages), copies at most ${duration(t.maxDt)} apart`);
    const l = byKind.get('link');
    if (l) reasons.push(`${l.accounts.size} accounts shared the same ${l.items.size} link(s) within ${duration(l.maxDt)} of each other (${l.pairs} pairwise co-shares)`);
    const x = byKind.get('xlang');
    if (x) reasons.push(`${x.accounts.size} accounts posted the same ${x.items.size} link(s) in ${x.langs.size} languages (${[...x.langs].sort().join(', ')}) within ${duration(x.maxDt)}`);
    const r = byKind.get('repost');
    if (r) reasons.push(`${r.accounts.size} accounts reposted the same ${r.items.size} post(s) within ${duration(r.maxDt)} of each other`);
    reasons.push(...compositionReasons(comp));
    const d = describePosts(posts);
    let earliest = posts[0]!;
    for (const p of posts) {
      const tp = postTimes.get(p)!;
      const te = postTimes.get(earliest)!;
      if (tp < te || (tp === te && p < earliest)) earliest = p;
    }
    let tMin = Infinity;
    let tMax = -Infinity;
    for (const tp of postTimes.values()) { if (tp < tMin) tMin = tp; if (tp > tMax) tMax = tp; }
    return {
      id: existingNetworkId(members) ?? hashId('net', earliest),
      kinds: [...kinds].sort(),
      score: Math.min(1, 1 - Math.exp(-Math.max(0, -logP / Math.LN10) / 20)),
      pValue,
      posts,
      accounts: members.slice(),
      start: iso(tMin),
      end: iso(tMax),
      reasons,
      sampleText: sampleTextOf(posts),
      links: d.links,
      hashtags: d.hashtags,
      languages: d.languages,
      factchecks: [],
    };
  }

  function burstCluster(f: BurstFinding): { cluster: Cluster; mergeInto: string | null } {
    const label = f.key.startsWith('h:') ? `#${f.key.slice(2)}` : f.key.startsWith('l:') ? `Burst of link ${f.key.slice(2)}` : 'Burst of one near-identical message';
    const comp = f.composition;
    const pValue = probability(f.logPComposition);
    const reasons = [
      `${label}: ${f.observed} posts in the last ${duration(cfg.burstWindowSeconds * 1000)} against ${f.expected.toFixed(1)} expected from its own earlier rate (p = ${pText(10 ** -f.surprise)})`,
      `${comp.cohort.length} of the ${comp.accounts} accounts posting it are younger than ${cfg.youngAccountDays} days or have at most ${cfg.noHistoryPosts} posts; composition p = ${pText(pValue)} against the share among all accounts active in the window`,
      ...compositionReasons(composition(window, comp.cohort, burstCfg)),
    ];
    const kinds: ClusterKind[] = ['burst', 'young_account_cohort'];
    if (f.key.startsWith('h:')) kinds.push('hashtag_push');
    if (f.key.startsWith('t:')) kinds.push('duplicate_text');
    const d = describePosts(f.posts);
    const overlap = new Map<string, number>();
    for (const a of comp.cohort) { const id = accountCluster.get(a); if (id) overlap.set(id, (overlap.get(id) ?? 0) + 1); }
    let mergeInto: string | null = null;
    for (const [id, n] of [...overlap.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      if (n >= comp.cohort.length / 2 && (mergeInto === null || n > overlap.get(mergeInto)!)) mergeInto = id;
    }
    const id = mergeInto ?? burstIds.get(f.key) ?? hashId('burst', `${f.key}|${f.posts[0]}`);
    return {
      mergeInto,
      cluster: {
        id, kinds: kinds.sort(), pValue,
        score: Math.min(1, 1 - Math.exp(-Math.max(0, -f.logPComposition / Math.LN10) / 20)),
        posts: f.posts.slice(), accounts: comp.cohort.slice(), start: iso(f.startMs), end: iso(f.endMs), reasons,
        sampleText: sampleTextOf(f.posts), links: d.links, hashtags: d.hashtags, languages: d.languages, factchecks: [],
      },
    };
  }

  function advance(nowMs: number): Cluster[] {
    const changed = new Set<string>();
    const cutoff = nowMs - cfg.windowSeconds * 1000;
    cutoffMs = cutoffMs === null ? cutoff : Math.max(cutoffMs, cutoff);
    window.expire(cutoffMs);
    dup.expire(cutoffMs);
    graph.expire(cutoffMs);

    const counts = { posts: window.size(), pairs: window.pairs, postsOf: (a: string) => window.accounts.get(a)?.n ?? 1 };
    const edges = graph.significantEdges(counts, cfg.minPairCoactions, cfg.edgeAlpha);
    for (const members of CoactionGraph.components(edges)) {
      if (members.length < cfg.minClusterAccounts) continue;
      const c = networkCluster(members, edges);
      if (store(c, 'network')) changed.add(c.id);
    }

    let baseShare: number | null = null;
    for (const key of [...dirty].sort()) {
      const item = window.items.get(key);
      if (!item || item.distinct < cfg.burstMinAccounts) continue;
      baseShare ??= baselineCohortShare(window, burstCfg);
      const f = evaluateBurst(window, key, nowMs, burstCfg, baseShare);
      if (!f) continue;
      const { cluster, mergeInto } = burstCluster(f);
      if (mergeInto) {
        const target = records.get(mergeInto)!.cluster;
        const merged: Cluster = {
          ...target,
          kinds: sortedUnique([...target.kinds, ...cluster.kinds]) as ClusterKind[],
          reasons: [...target.reasons.filter((r) => !r.startsWith(cluster.reasons[0]!.split(':')[0]!)), cluster.reasons[0]!],
          posts: [...target.posts, ...cluster.posts],
          accounts: target.accounts,
          hashtags: sortedUnique([...target.hashtags, ...cluster.hashtags]),
          start: cluster.start < target.start ? cluster.start : target.start,
          end: cluster.end > target.end ? cluster.end : target.end,
        };
        if (store(merged, 'network')) changed.add(merged.id);
      } else {
        burstIds.set(f.key, cluster.id);
        if (store(cluster, 'burst')) changed.add(cluster.id);
      }
    }
    dirty.clear();

    if (factchecksChanged) {
      factchecksChanged = false;
      for (const r of records.values()) {
        const before = JSON.stringify(r.cluster.factchecks);
        attachFactchecks(r.cluster);
        if (JSON.stringify(r.cluster.factchecks) !== before) changed.add(r.cluster.id);
      }
    }
    return [...changed].sort().map((id) => structuredClone(records.get(id)!.cluster));
  }

  return {
    observe,
    advance,
    clusters: () => [...records.keys()].sort().map((id) => structuredClone(records.get(id)!.cluster)),
    accounts: () => [...summaries.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1))
      .map(([id, s]) => ({ id, botScore: s.botScore, botReasons: s.botReasons.slice(), posts: s.posts, clusters: s.clusters.slice() })),
    exportState: (): State => JSON.parse(JSON.stringify({
      version: STATE_VERSION,
      window: window.toJSON(),
      dup: dup.toJSON(),
      graph: graph.toJSON(),
      coLinkSamples: interval.samples,
      clusters: [...records.values()],
      accountCluster: [...accountCluster.entries()],
      burstIds: [...burstIds.entries()],
      summaries: [...summaries.entries()],
      dirty: [...dirty],
      cutoffMs,
      factchecks: factchecks.toJSON(),
      factchecksChanged,
    } satisfies State)),
    observeFactCheck: (fc: NormalizedFactCheck) => {
      factchecks.add(fc);
      factchecksChanged = true;
    },
  };
}
