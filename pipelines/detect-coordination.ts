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
// gives its id). A cluster's evidence (typed records) and its reasons (the evidence in English sentences) are rebuilt
// from its current facts on every change. Clusters whose last post left the window are retired from the live state
// into a capped archive. The whole state is plain data. The parts of this facade: findings and their facts
// (cluster-findings.ts), cluster records, merging and the archive (cluster-records.ts), evidence, kinds and p-value
// of a cluster (cluster-evidence.ts), sentences (render-reasons.ts).
import { assessCluster, type EvidenceSettings } from './cluster-evidence.ts';
import { burstFinding, earlier, netFact, networkFinding, type Finding } from './cluster-findings.ts';
import { NarrativeIndex, type NarrativeIndexState } from './narratives.ts';
import { ClusterRecords, type ArchivedCluster, type CampaignRecord, type ClusterRecord } from './cluster-records.ts';
import {
  CoactionGraph,
  expectedCoactions,
  expectedPerItem,
  type CoactionGraphState,
  type SignificantEdge,
} from './coaction-graph.ts';
import { baselineCohortShare, composition, evaluateBurst, isCohortAccount, type BurstConfig } from './detect-bursts.ts';
import { CoLinkInterval, recordCoLinks } from './detect-colinks.ts';
import { recordCrossLanguage } from './detect-cross-language.ts';
import { coLinkIntervalConfig, detectConfigSchema, type DetectConfig } from './detect-config.ts';
import { DuplicateIndex, type DuplicateIndexState } from './detect-duplicates.ts';
import { sharedClaimEdges, type SharedClaimsCache } from './detect-shared-claims.ts';
import { ClaimMemory, type ClaimMemoryState } from './claim-memory.ts';
import { sharedItemEdges, SharedItemsCache } from './detect-shared-items.ts';
import { pairClusters } from './detect-pair-clusters.ts';
import { linkRingEdges } from './detect-link-rings.ts';
import { DetectionWindow, type AccountRecord, type DetectionWindowState } from './detection-window.ts';
import { toJsonParts } from './json-parts.ts';
import { FactCheckIndex, type FactCheckIndexState } from './match-factchecks.ts';
import { renderReasons } from './render-reasons.ts';
import { probability } from './tail-probability.ts';
import type {
  AccountSignals,
  AccountSummary,
  Cluster,
  EnrichedPost,
  Narrative,
  NormalizedFactCheck,
  TextFingerprint,
} from './types.ts';
import { PermanentError } from './core/errors.ts';

/**
 * What the detector reads of a post. Nothing else of a post can change the detector's state, which is what lets the
 * streaming worker log these (and only these) as the detector's input and replay them to restore it.
 */
export type DetectorPost = Pick<
  EnrichedPost,
  'id' | 'createdAtMs' | 'text' | 'lang' | 'repostOf' | 'canonicalLinks' | 'hashtags' | 'botScore' | 'botReasons'
> & {
  author: Pick<EnrichedPost['author'], 'id' | 'createdAt' | 'posts' | 'bot'>;
  fingerprint: TextFingerprint;
  accountSignals?: Pick<AccountSignals, 'ageDays' | 'declaredBot'>;
};

/** The part of an enriched post the detector reads (a copy sharing no objects with `post`'s author or signals). */
export function detectorPost(post: EnrichedPost | DetectorPost): DetectorPost {
  const { author: a, accountSignals: s } = post;
  return {
    id: post.id,
    createdAtMs: post.createdAtMs,
    text: post.text,
    lang: post.lang,
    repostOf: post.repostOf,
    canonicalLinks: post.canonicalLinks,
    hashtags: post.hashtags,
    botScore: post.botScore,
    botReasons: post.botReasons,
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
  /** Narratives over the clusters held (pipelines/narratives.ts), sorted by id. */
  narratives?(): Narrative[];
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

/** Version of the snapshot layout (unchanged by the evidence: clusters in older snapshots get theirs when next reported). */
const STATE_VERSION = 2;

interface State {
  version: number;
  window: DetectionWindowState;
  dup: DuplicateIndexState;
  graph: CoactionGraphState;
  coLinkSamples: number[];
  records: ClusterRecord[];
  archive: ArchivedCluster[];
  /** Campaigns (absent in snapshots written before campaigns existed). */
  campaigns?: CampaignRecord[];
  /** Narratives (absent in snapshots written before narratives existed). */
  narratives?: NarrativeIndexState;
  dirty: string[];
  cutoffMs: number | null;
  factchecks: FactCheckIndexState;
  factchecksChanged: boolean;
  /** Claim memory of the shared-claims test (absent in snapshots written before it existed). */
  claimMemory?: ClaimMemoryState;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function sortedUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

/** Items most often seen, ties by name; at most `n` (one pass keeping the best n: a cluster counts thousands). */
function top(counts: Record<string, number>, n: number): string[] {
  const best: Array<[string, number]> = [];
  const before = (x: [string, number], y: [string, number]): boolean => y[1] < x[1] || (y[1] === x[1] && x[0] < y[0]);
  for (const k in counts) {
    const e: [string, number] = [k, counts[k]!];
    if (best.length === n && !before(e, best[n - 1]!)) continue;
    let i = best.length < n ? best.length : n - 1;
    while (i > 0 && before(e, best[i - 1]!)) i--;
    best.splice(i, 0, e);
    if (best.length > n) best.pop();
  }
  return best.map(([k]) => k);
}

/** Creates a detector; pass `state` from `exportState()` to resume exactly where it stopped. */
export function createCoordinationDetector(config: Partial<DetectConfig> = {}, state?: unknown): CoordinationDetector {
  const cfg = detectConfigSchema.parse(config ?? {}); // strips the detect worker's keys of the same section
  const dupCfg = {
    similarity: cfg.duplicateSimilarity,
    minTokens: cfg.duplicateMinTokens,
    bands: cfg.lshBands,
    maxRepresentatives: cfg.maxRepresentativesPerGroup,
    paraphraseSimilarity: cfg.paraphraseSimilarity,
    paraphraseMinWords: cfg.paraphraseMinWords,
    paraphraseRetentionMs: cfg.paraphraseRetentionSeconds * 1000,
    paraphraseMaxGroups: cfg.paraphraseMaxGroups,
  };
  const burstCfg: BurstConfig = {
    windowSeconds: cfg.windowSeconds,
    burstWindowSeconds: cfg.burstWindowSeconds,
    priorPerHour: cfg.burstPriorPerHour,
    minSurprise: cfg.burstMinSurprise,
    minPosts: cfg.burstMinPosts,
    minAccounts: cfg.burstMinAccounts,
    youngAccountDays: cfg.youngAccountDays,
    noHistoryPosts: cfg.noHistoryPosts,
    creationClusterDays: cfg.creationClusterDays,
    cohortMinShare: cfg.cohortMinShare,
    cohortAlpha: cfg.cohortAlpha,
    excessCap: cfg.burstExcessCap,
    longWindowSeconds: cfg.burstLongWindowSeconds,
  };
  const intervalCfg = coLinkIntervalConfig(cfg);
  const isCohort = (r: AccountRecord): boolean => isCohortAccount(r, burstCfg);

  let window = new DetectionWindow(isCohort);
  let dup = new DuplicateIndex(dupCfg);
  let graph = new CoactionGraph(cfg.maxEvidencePerEdge, cfg.minPairCoactions);
  let interval = new CoLinkInterval(intervalCfg);
  let factchecks = new FactCheckIndex(cfg.maxFactChecks);
  let factchecksChanged = false;
  const recordsCfg = {
    maxClusterPosts: cfg.maxClusterPosts,
    maxRetainedClusters: cfg.maxRetainedClusters,
    maxCampaigns: cfg.maxCampaigns,
    campaignMaxAgeMs: cfg.campaignMaxAgeHours * 3_600_000,
    maxCampaignMembers: cfg.maxCampaignMembers,
    maxCampaignEpisodes: cfg.maxCampaignEpisodes,
  };
  const evidenceCfg: EvidenceSettings = {
    burstWindowSeconds: cfg.burstWindowSeconds,
    youngAccountDays: cfg.youngAccountDays,
    noHistoryPosts: cfg.noHistoryPosts,
    creationClusterDays: cfg.creationClusterDays,
    minClusterAccounts: cfg.minClusterAccounts,
  };
  /** Open and retired clusters. */
  let book = new ClusterRecords(recordsCfg);
  const narrativeCfg = {
    maxNarratives: cfg.maxNarratives,
    maxAgeMs: cfg.narrativeMaxAgeHours * 3_600_000,
    maxClustersPerNarrative: 200,
  };
  let narratives = new NarrativeIndex(narrativeCfg);
  const dirty = new Set<string>();
  let cutoffMs: number | null = null;
  /** Evidenced posters per text group for the shared-claims test (derived from the window, not part of the state). */
  const claimsCache: SharedClaimsCache = new Map();
  const memoryCfg = {
    maxAgeMs: cfg.sharedClaimMemorySeconds * 1000,
    maxPosts: cfg.sharedClaimMemoryMaxPosts,
    maxPerClaim: 2 * cfg.maxItemAccounts,
  };
  /** Co-acting posts on text groups that left the window (claim-memory.ts). */
  let claimMemory = new ClaimMemory(memoryCfg);
  /**
   * Co-sharing pairs per link or repost for the shared-items test (derived from the window, not part of the state),
   * told which items changed so an advance reads only those.
   */
  const itemsCache = new SharedItemsCache(true);
  /** Each open cluster's posts sorted, as of its post count (posts are only ever appended). Not part of the state. */
  const sortedPosts = new WeakMap<ClusterRecord, { n: number; sorted: string[] }>();
  /** The JSON text of each reported cluster, to tell whether a new report changed it. Not part of the state. */
  const shown = new WeakMap<Cluster, string>();
  /** Findings of the last advance that may only join an open cluster (smallComponentsJoin). Not part of the state. */
  const joinOnly = new Set<Finding>();
  /** Merges made by the last advance (absorbed id -> surviving id), until taken. Not part of the state. */
  let merges = new Map<string, string>();

  if (state !== undefined && state !== null) {
    const s = state as State;
    if (typeof s !== 'object' || s.version !== STATE_VERSION)
      throw new DetectorStateError(`unsupported detector state version ${String((s as State)?.version)}`);
    try {
      window = DetectionWindow.from(s.window, isCohort);
      dup = DuplicateIndex.from(dupCfg, s.dup);
      graph = CoactionGraph.from(cfg.maxEvidencePerEdge, s.graph, cfg.minPairCoactions);
      interval = new CoLinkInterval(intervalCfg, s.coLinkSamples.slice());
      factchecks = FactCheckIndex.from(s.factchecks, cfg.maxFactChecks);
      factchecksChanged = s.factchecksChanged;
      book = ClusterRecords.from(recordsCfg, s.records, s.archive, s.campaigns ?? []);
      narratives = NarrativeIndex.from(narrativeCfg, s.narratives);
      claimMemory = ClaimMemory.from(memoryCfg, s.claimMemory);
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
    const g = post.repostOf ? null : dup.assign(post.fingerprint, t, post.text ?? '', lang);
    const links = sortedUnique(post.canonicalLinks ?? []);
    const tags = sortedUnique((post.hashtags ?? []).map((h) => h.toLowerCase()));
    const items: string[] = [];
    // Item keys are joined into flat strings (a template makes a concatenation object over its parts): the window
    // keeps each post's keys, and the co-action graph each record's, for as long as the post is in the window.
    if (g) items.push(['t:', g].join(''));
    for (const l of links) items.push(['l:', l].join(''));
    for (const h of tags) items.push(['h:', h].join(''));
    if (post.repostOf) items.push(['r:', post.repostOf].join(''));
    const created = post.author.createdAt ? Date.parse(post.author.createdAt) : NaN;
    window.addPost(
      post.id,
      // A link post too short for a text group still has a wording (the shared-links test tells copies from comments).
      { t, a, l: lang, items, g, tags, links, x: g || links.length ? post.fingerprint.exact.slice(0, 12) : '' },
      {
        created: Number.isFinite(created) ? created : null,
        ageDays: post.accountSignals?.ageDays ?? (Number.isFinite(created) ? (t - created) / 86_400_000 : null),
        posts: post.author.posts ?? null,
        botScore: post.botScore ?? 0,
        botReasons: post.botReasons ?? [],
      },
    );
    for (const key of items) {
      const action = { t, a, p: post.id, l: lang, n: 0 };
      const index = window.addAction(key, action);
      const crowd = window.items.get(key)!.distinct > cfg.maxItemAccounts;
      const g2 = crowd ? null : graph;
      const kind = key[0];
      if (kind === 't') {
        // Identical copies (same exact hash) must be closer in time than paraphrases: see exactCopyIntervalSeconds.
        const exact = post.fingerprint.exact.slice(0, 12);
        const partners = window
          .neighbours(key, index, cfg.textIntervalSeconds * 1000, cfg.partnerLimit)
          .filter(
            (o) => Math.abs(o.t - t) <= cfg.exactCopyIntervalSeconds * 1000 || window.posts.get(o.p)?.x !== exact,
          );
        if (g2) for (const o of partners) g2.add(a, post.id, t, o.a, o.p, o.t, key, 'text');
        window.countPairs(action, partners.length);
      } else if (kind === 'l') {
        const n = recordCoLinks(window, g2, key, index, interval, 'link', cfg.partnerLimit);
        const x = recordCrossLanguage(window, g2, key, index, cfg.crossLanguageIntervalSeconds, cfg.partnerLimit);
        window.countPairs(action, n + x);
      } else if (kind === 'r') {
        window.countPairs(action, recordCoLinks(window, g2, key, index, interval, 'repost', cfg.partnerLimit));
      }
      if ((kind === 'l' || kind === 'r') && cfg.sharedItemAlpha > 0) itemsCache.touch(key);
      if (kind !== 'r') dirty.add(key);
    }
  }

  function attachFactchecks(c: Cluster): void {
    c.factchecks = factchecks.match({ links: c.links, text: c.sampleText });
  }

  /** A copy of the record's posts, sorted: the cached order with the posts added since merged in. */
  function postsSorted(rec: ClusterRecord): string[] {
    const had = sortedPosts.get(rec);
    let sorted: string[];
    if (!had || had.n > rec.posts.length) sorted = rec.posts.slice().sort();
    else if (had.n === rec.posts.length) sorted = had.sorted;
    else {
      const tail = rec.posts.slice(had.n).sort();
      const head = had.sorted;
      sorted = [];
      let i = 0;
      let j = 0;
      while (i < head.length && j < tail.length) sorted.push(head[i]! < tail[j]! ? head[i++]! : tail[j++]!);
      while (i < head.length) sorted.push(head[i++]!);
      while (j < tail.length) sorted.push(tail[j++]!);
    }
    sortedPosts.set(rec, { n: rec.posts.length, sorted });
    return sorted.slice();
  }

  /** Builds the reported cluster from the record's current facts (and refreshes the member profiles it keeps). */
  function report(rec: ClusterRecord): Cluster {
    for (const a of rec.accounts) {
      const w = window.accounts.get(a);
      if (!w) continue;
      const prev = rec.profiles[a];
      rec.profiles[a] = { ...w, botReasons: w.botReasons.slice(), n: Math.max(prev?.n ?? 0, w.n) };
    }
    const comp = composition({ accounts: new Map(Object.entries(rec.profiles)) }, rec.accounts, burstCfg);
    const unlisted = rec.overflow?.length ?? 0;
    const { evidence, kinds, logP } = assessCluster(
      {
        net: rec.net,
        bursts: rec.bursts,
        composition: comp,
        accounts: rec.accounts.length,
        ...(unlisted > 0 ? { postsListed: { listed: rec.posts.length, posts: rec.posts.length + unlisted } } : {}),
      },
      evidenceCfg,
    );
    let sample: string | null = null;
    for (const g of top(rec.groups, 3)) {
      sample = dup.sampleText(g);
      if (sample) break;
    }
    rec.sampleText = sample ?? rec.sampleText;
    const c: Cluster = {
      id: rec.id,
      kinds,
      score: Math.min(1, 1 - Math.exp(-Math.max(0, -logP / Math.LN10) / 20)),
      pValue: probability(logP),
      ...(logP / Math.LN10 < -300
        ? { log10P: Number.isFinite(logP) ? Math.round((logP / Math.LN10) * 10) / 10 : -324 }
        : {}),
      posts: postsSorted(rec),
      ...(unlisted > 0 ? { postCount: rec.posts.length + unlisted, truncated: true } : {}),
      accounts: rec.accounts.slice(),
      start: iso(rec.startMs),
      end: iso(rec.endMs),
      reasons: renderReasons(evidence, 'en'),
      evidence,
      sampleText: rec.sampleText,
      links: top(rec.links, 20),
      hashtags: top(rec.tags, 20),
      languages: rec.langs.slice(),
      factchecks: [],
    };
    attachFactchecks(c);
    const { campaignId, episodes } = book.campaignFor(rec, c);
    c.campaignId = campaignId;
    c.episodes = episodes;
    c.narrativeId = narratives.observe({
      cluster: c,
      hours: rec.hours ?? {},
      posts: rec.posts.length,
      nowMs: rec.endMs,
    });
    return c;
  }

  /**
   * Findings at `nowMs`: network components of significant pairs (only candidate pairs are tested) and bursts of the
   * items touched since the last advance; earliest evidence first.
   */
  function findingsAt(nowMs: number, sinceMs: number): Finding[] {
    const findings: Finding[] = [];
    joinOnly.clear();
    // The per-item null model's S = Σ k_i(k_i - 1) over the items that can be evidence (text groups, links,
    // reposts; crowds left out), kept by the window (coaction-graph.ts). The time-aware model (nullModel 'time')
    // sums 2·W_i instead: the item's account pairs that co-acted within its interval, i.e. k_i(k_i - 1) times the
    // chance that two of its sharers did so (one pass over the window's items per advance).
    const itemPairs = cfg.nullModel !== 'window' ? window.itemPairs(cfg.maxItemAccounts) : 0;
    let timePairs = 0;
    if (cfg.nullModel === 'time')
      for (const [key, item] of window.items) {
        const k = item.distinct;
        if (k < 2 || k > cfg.maxItemAccounts || key[0] === 'h') continue;
        timePairs += 2 * graph.pairsOn(key);
      }
    // Taken at every advance, so the set stays bounded whatever the null model.
    const postsFell = window.takeFallen();
    const counts = {
      posts: window.size(),
      postsOf: (a: string) => window.accounts.get(a)?.n ?? 1,
      pairs: window.pairs,
      minPosts: cfg.nullMinPosts,
      ...(cfg.nullModel !== 'window'
        ? {
            itemPairs,
            sharersOf: (item: string) => window.items.get(item)?.distinct ?? 0,
            // Evidence items are text groups, links and reposts, never hashtags; postsOf is at least 1. Only the
            // untimed model's expectation is bounded by it (the skip in significantEdges).
            ...(cfg.nullModel === 'item' ? { maxSharers: window.maxSharers(), postsFell } : {}),
          }
        : {}),
      ...(cfg.nullModel === 'time' ? { timePairs, crowdSharers: cfg.maxItemAccounts } : {}),
      correction: cfg.edgeCorrection,
    };
    const edges = graph.significantEdges(counts, cfg.minPairCoactions, cfg.edgeAlpha);
    /** The pair test's expectation for two accounts, for the joint tests below (claims, links and reposts). */
    const expectedOf = (a: string, b: string): number => {
      const ma = counts.postsOf(a);
      const mb = counts.postsOf(b);
      const posts = Math.max(cfg.nullMinPosts, counts.posts - ma - mb);
      return cfg.nullModel === 'item'
        ? expectedPerItem(ma, mb, { posts, itemPairs })
        : expectedCoactions(ma, mb, { posts, pairs: window.pairs });
    };
    if (cfg.sharedClaimAlpha > 0) {
      // Claims pushed by the same accounts (detect-shared-claims.ts) vouch for the co-action edges on them; an edge
      // that passed the pair test keeps its own figures.
      const kept = new Set(edges.map((e) => e.edge));
      const claimCfg = {
        alpha: cfg.sharedClaimAlpha,
        textIntervalMs: cfg.textIntervalSeconds * 1000,
        maxItemAccounts: cfg.maxItemAccounts,
        minAccounts: Math.max(cfg.minClusterAccounts, cfg.sharedClaimMinAccounts),
        minPosts: cfg.nullMinPosts,
        ...(cfg.sharedClaimLinks ? { linkIntervalMs: interval.seconds() * 1000 } : {}),
      };
      for (const e of sharedClaimEdges(window, graph, claimCfg, expectedOf, claimsCache, claimMemory))
        if (!kept.has(e.edge)) edges.push(e);
    }
    if (cfg.sharedItemAlpha > 0) {
      // Links and reposts co-shared within the co-link interval by the same account pairs (detect-shared-items.ts)
      // vouch for those pairs' edges; an edge already kept keeps its own figures.
      const kept = new Set(edges.map((e) => e.edge));
      const itemCfg = {
        alpha: cfg.sharedItemAlpha,
        intervalMs: interval.seconds() * 1000,
        maxItemAccounts: cfg.maxItemAccounts,
        minAccounts: Math.max(cfg.minClusterAccounts, cfg.sharedItemMinAccounts),
        minPosts: cfg.nullMinPosts,
        partnerLimit: cfg.partnerLimit,
        maxItemsPerPair: cfg.sharedItemMaxPerPair,
      };
      for (const e of sharedItemEdges(window, graph, itemCfg, expectedOf, itemsCache))
        if (!kept.has(e.edge)) edges.push(e);
    }
    if (cfg.linkRingAlpha > 0) {
      // Fresh links shared within minutes by more of the same accounts than chance (detect-link-rings.ts) vouch for
      // every pair of their common sharers; a pair already kept keeps its own figures.
      const kept = new Set(edges.map((e) => `${e.edge.a}\u0001${e.edge.b}`));
      const ringCfg = {
        alpha: cfg.linkRingAlpha,
        spanMs: cfg.linkRingSpanSeconds * 1000,
        maxItemAccounts: cfg.maxItemAccounts,
        minAccounts: cfg.linkRingMinAccounts,
        maxLinksPerAccount: cfg.linkRingMaxLinksPerAccount,
        minPosts: cfg.nullMinPosts,
        wholeLinks: cfg.linkRingWholeLinks,
      };
      for (const e of linkRingEdges(window, graph, ringCfg, expectedOf))
        if (!kept.has(`${e.edge.a}\u0001${e.edge.b}`)) edges.push(e);
    }
    if (edges.length > 0) {
      const comps = CoactionGraph.components(edges);
      const compOf = new Map<string, number>();
      comps.forEach((c, i) => {
        for (const a of c) compOf.set(a, i);
      });
      const compEdges: SignificantEdge[][] = comps.map(() => []);
      for (const e of edges) compEdges[compOf.get(e.edge.a)!]!.push(e);
      // Components of two that may open a cluster of their own (detect-pair-clusters.ts).
      const pairs =
        cfg.minClusterAccounts > 2
          ? new Set(
              pairClusters(
                window,
                comps.flatMap((members, i) => (members.length === 2 ? [compEdges[i]![0]!] : [])),
                window.accounts.size,
                {
                  minTimedItems: cfg.pairClusterMinTimedItems,
                  intervalMs: interval.seconds() * 1000,
                  alpha: cfg.edgeAlpha,
                },
              ),
            )
          : new Set<SignificantEdge>();
      comps.forEach((members, i) => {
        if (members.length >= cfg.minClusterAccounts || pairs.has(compEdges[i]![0]!))
          findings.push(networkFinding(members, compEdges[i]!));
        else if (cfg.smallComponentsJoin)
          joinOnly.add(findings[findings.push(networkFinding(members, compEdges[i]!)) - 1]!);
      });
    }
    let baseShare: number | null = null;
    for (const key of [...dirty].sort()) {
      const item = window.items.get(key);
      if (!item || item.distinct < cfg.burstMinAccounts) continue;
      baseShare ??= baselineCohortShare(window, burstCfg);
      const f = evaluateBurst(window, key, nowMs, burstCfg, baseShare, sinceMs);
      if (f) findings.push(burstFinding(window, interval, f));
    }
    dirty.clear();
    return findings.sort(
      (x, y) =>
        x.anchorT - y.anchorT ||
        (x.anchorP < y.anchorP ? -1 : x.anchorP > y.anchorP ? 1 : 0) ||
        (x.tag < y.tag ? -1 : 1),
    );
  }

  /**
   * Each finding joins the open clusters it mostly overlaps (merging them into the one anchored earliest, recorded in
   * `merges`) or opens a new one. Returns the clusters touched and the significant pairs found inside each.
   */
  function assign(findings: Finding[]): { touched: Set<string>; netEdges: Map<string, SignificantEdge[]> } {
    const touched = new Set<string>();
    const netEdges = new Map<string, SignificantEdge[]>();
    // Components under minClusterAccounts come last: they join the clusters open after every other finding.
    const ordered = [...findings.filter((f) => !joinOnly.has(f)), ...findings.filter((f) => joinOnly.has(f))];
    for (const f of ordered) {
      const targets = book.overlapping(f.accounts);
      let rec: ClusterRecord;
      if (targets.length === 0) {
        if (joinOnly.has(f)) continue;
        rec = book.create(f);
      } else {
        targets.sort((x, y) => (earlier(x.anchorT, x.anchorP, y.anchorT, y.anchorP) ? -1 : 1));
        rec = targets[0]!;
        for (const other of targets.slice(1)) {
          book.absorb(rec, other);
          // Ids absorbed earlier into `other` now live in `rec` too.
          for (const [from, into] of merges) if (into === other.id) merges.set(from, rec.id);
          if (other.cluster) merges.set(other.id, rec.id);
          if (touched.delete(other.id)) touched.add(rec.id);
          const moved = netEdges.get(other.id);
          if (moved) {
            netEdges.delete(other.id);
            netEdges.set(rec.id, [...(netEdges.get(rec.id) ?? []), ...moved]);
          }
        }
      }
      book.addAccounts(rec, f.accounts);
      book.addPosts(rec, f.posts, (p) => window.posts.get(p));
      if (f.burst) book.addBurst(rec, f.burst);
      if (f.edges) netEdges.set(rec.id, [...(netEdges.get(rec.id) ?? []), ...f.edges]);
      touched.add(rec.id);
    }
    return { touched, netEdges };
  }

  /** Sets a cluster's narrative to the current one (narratives merge after their clusters were reported). */
  function withNarrative(c: Cluster): Cluster {
    const n = narratives.narrativeOf(c.id);
    if (n) c.narrativeId = n;
    else delete c.narrativeId; // forgotten (age limit or cap)
    return c;
  }

  function advance(nowMs: number): Cluster[] {
    const changed = new Set<string>();
    merges = new Map();
    const cutoff = nowMs - cfg.windowSeconds * 1000;
    // The previous advance (its cutoff plus the window): bursts are judged at their peak since then (detect-bursts.ts).
    const sinceMs = cutoffMs === null ? -Infinity : cutoffMs + cfg.windowSeconds * 1000;
    cutoffMs = cutoffMs === null ? cutoff : Math.max(cutoffMs, cutoff);
    if (cfg.sharedClaimAlpha > 0) {
      claimMemory.capture(window, cutoffMs, cfg.textIntervalSeconds * 1000);
      claimMemory.prune(nowMs);
    }
    window.expire(cutoffMs);
    itemsCache.expireBefore(cutoffMs);
    dup.expire(cutoffMs);
    graph.expire(cutoffMs);

    // 1-2. Findings, joined to clusters; earliest evidence first, so the cluster that survives a merge is the one
    //      anchored earliest.
    const { touched, netEdges } = assign(findingsAt(nowMs, sinceMs));

    // 3. Report what changed; the network evidence is the significant pairs inside the cluster right now.
    for (const id of [...touched].sort()) {
      const rec = book.open.get(id);
      if (!rec) continue;
      const es = netEdges.get(id);
      if (es && es.length > 0) {
        const members = sortedUnique(es.flatMap((e) => [e.edge.a, e.edge.b]));
        rec.net = netFact(window, graph, members, es, cfg.nullMinPosts);
      }
      const c = report(rec);
      const text = JSON.stringify(c);
      if (!rec.cluster || (shown.get(rec.cluster) ?? JSON.stringify(rec.cluster)) !== text) changed.add(id);
      rec.cluster = c;
      shown.set(c, text);
    }

    if (factchecksChanged) {
      factchecksChanged = false;
      const all = [
        ...[...book.open.values()].map((r) => r.cluster!),
        ...[...book.archive.values()].map((r) => r.cluster),
      ];
      for (const c of all) {
        const before = JSON.stringify(c.factchecks);
        attachFactchecks(c);
        shown.delete(c); // changed in place
        if (JSON.stringify(c.factchecks) !== before) changed.add(c.id);
      }
    }

    for (const from of merges.keys()) narratives.removeCluster(from);
    const out = [...changed].sort().map((id) => withNarrative(structuredClone(book.reported(id)!)));
    // 4. Clusters whose last post left the window have no live evidence: retire them (after reporting them).
    for (const rec of [...book.open.values()]) if (rec.endMs < cutoffMs) book.retire(rec);
    book.pruneCampaigns(nowMs);
    narratives.prune(nowMs);
    return out.filter((c) => c !== undefined);
  }

  /** The whole state as plain data sharing objects with the live state: serialise it before anything changes. */
  function liveState(): State {
    return {
      version: STATE_VERSION,
      window: window.toJSON(),
      dup: dup.toJSON(),
      graph: graph.toJSON(),
      coLinkSamples: interval.samples,
      records: [...book.open.values()],
      archive: [...book.archive.values()],
      campaigns: [...book.campaigns.values()],
      narratives: narratives.toJSON(),
      dirty: [...dirty],
      cutoffMs,
      factchecks: factchecks.toJSON(),
      factchecksChanged,
      claimMemory: claimMemory.toJSON(),
    };
  }

  /** Serialises the whole state in one pass (the snapshot shares nothing with the live state once it is a string). */
  function exportStateJson(): string {
    return JSON.stringify(liveState());
  }

  return {
    observe,
    advance,
    clusters: () => book.clusters().map(withNarrative),
    narratives: () => narratives.list(),
    accounts: (): AccountSummary[] => book.accounts(),
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
