// The data shapes that flow between connectors, pipelines and workers.
// They mirror shared/contracts/*.schema.json (normalized post, enriched post, signals file); extra fields are ours.

/** Account fields as a connector sees them (shared/contracts/normalized-post.schema.json `author`). */
export interface NormalizedAuthor {
  id: string;
  handle?: string | null;
  displayName?: string | null;
  /** ISO date-time of account creation, if the platform exposes it. */
  createdAt?: string | null;
  followers?: number | null;
  following?: number | null;
  /** Total posts by the account, if known. */
  posts?: number | null;
  /** Self-declared automated account flag. */
  bot?: boolean | null;
}

/** One public post from any platform (shared/contracts/normalized-post.schema.json). */
export interface NormalizedPost {
  id: string;
  source: string;
  url?: string | null;
  /** Plain text, HTML already stripped; may be empty. */
  text: string;
  /** ISO date-time. */
  createdAt: string;
  /** Language declared by the platform (BCP-47), often wrong. */
  lang?: string | null;
  author: NormalizedAuthor;
  links?: string[];
  /** Without the leading #. */
  hashtags?: string[];
  replyTo?: string | null;
  repostOf?: string | null;
  quoteOf?: string | null;
  /** View count where the platform shows one (Telegram), else absent. */
  views?: number | null;
  /** Display name of the channel a forwarded message came from (Telegram), else absent. */
  forwardedFrom?: string | null;
}

/** Profile and activity measurements behind the bot score. Null where the platform does not say. */
export interface AccountSignals {
  /** Account age at posting time in days (fractional). */
  ageDays: number | null;
  /** Total posts divided by account age in days. */
  postsPerDay: number | null;
  /** followers / max(following, 1). */
  followerRatio: number | null;
  /** Share of digits in the handle's local part, 0..1. */
  handleDigitShare: number | null;
  /** True when the handle looks machine-generated (long digit runs, high character entropy). */
  handleRandom: boolean;
  /** True when the display name is empty or missing. */
  emptyDisplayName: boolean;
  /** Self-declared automated account (news feeds and the like): labelled, not treated as inauthentic. */
  declaredBot: boolean;
}

/** Text fingerprints used by the near-duplicate detector. */
export interface TextFingerprint {
  /** Hex hash of the normalised text (lower case, no links, mentions, emoji or punctuation). Empty string when no words. */
  exact: string;
  /** MinHash signature over word shingles (unsigned 32-bit values); empty when the text has too few words. */
  minhash: number[];
  /** Number of words the signature was computed from. */
  tokenCount: number;
}

/** A named entity found in the text. */
export interface Entity {
  text: string;
  type: 'person' | 'organization' | 'place' | 'party' | 'institution' | 'topic' | 'other';
}

/** A fact-check by an independent fact-checker, attached to posts and clusters it matches. */
export interface FactCheckRef {
  url: string;
  publisher: string;
  rating?: string | null;
  claim?: string | null;
}

/** One line of enriched.jsonl (shared/contracts/enriched-post.schema.json) and the value of posts.enriched. */
export interface EnrichedPost {
  schemaVersion: 1;
  id: string;
  source: string;
  url: string | null;
  /** ISO date-time as given by the source. */
  createdAt: string;
  /** createdAt in epoch milliseconds. */
  createdAtMs: number;
  /** Normalised plain text (NFKC, collapsed whitespace). */
  text: string;
  /** Detected language: ISO 639-1 where one exists, else 639-3; 'und' when too little text. */
  lang: string;
  langConfidence: number;
  /** The language the platform declared, kept for comparison. */
  declaredLang: string | null;
  author: {
    /** Pseudonymised (keyed hash) unless configured otherwise. */
    id: string;
    handle: string | null;
    createdAt: string | null;
    followers: number | null;
    following: number | null;
    posts: number | null;
    bot: boolean;
  };
  /** Links as found (input links plus links in the text), de-duplicated. */
  links: string[];
  canonicalLinks: string[];
  /** Lower case, without #. */
  hashtags: string[];
  /** Lower case, without @. */
  mentions: string[];
  entities: Entity[];
  fingerprint: TextFingerprint;
  accountSignals: AccountSignals;
  botScore: number;
  botReasons: string[];
  factchecks: FactCheckRef[];
  replyTo: string | null;
  repostOf: string | null;
  quoteOf: string | null;
  /** Length of the raw text when it was cut to the enrichment cap (`hardening.enrichment.maxTextChars`); absent otherwise. */
  textTruncatedFrom?: number;
}

/** Kinds of flagged cluster (shared/contracts/signals.schema.json). */
export type ClusterKind =
  'duplicate_text' | 'co_link' | 'burst' | 'hashtag_push' | 'cross_language' | 'young_account_cohort' | 'other';

/**
 * A p-value as a plain number (as the reasons show it) and as log10 (which keeps the order of values too small for a
 * double: -324 stands for "smaller than any double").
 */
export interface EvidenceP {
  value: number;
  log10: number;
}

/** What a burst is about: a hashtag (lower case, without '#'), a canonical link, or a near-duplicate text group (its id). */
export interface EvidenceItem {
  type: 'hashtag' | 'link' | 'text';
  value: string;
}

/** The co-action network of the cluster: account pairs that acted together more often than chance predicts. */
export interface NetworkEvidence {
  kind: 'network';
  /** Accounts in the network and significant account pairs among them. */
  counts: { accounts: number; pairs: number };
  /** Distinct items each significant pair shared: smallest, median, largest. */
  sharedItems: { min: number; median: number; max: number };
  /** The most shared items chance predicts for any of those pairs. */
  expectedPerPairMax: number;
  /** All member pairs together against the authorship-shuffle null. */
  p: EvidenceP;
}

/** One kind of co-action inside the network: near-identical text, the same link, the same link across languages, reposts. */
export interface CoactionEvidence {
  kind: 'coaction';
  via: 'text' | 'link' | 'cross_language' | 'repost';
  /** Accounts involved, distinct items (text groups, links, reposted posts), co-acting post pairs. */
  counts: { accounts: number; items: number; pairs: number };
  /** Largest time between two co-acting posts. */
  times: { spreadSeconds: number };
  /** Languages of the posts (cross_language only; otherwise empty). */
  languages: string[];
}

/** An item posted far more often than its own earlier rate predicts, mostly by young accounts or accounts without history. */
export interface BurstEvidence {
  kind: 'burst';
  item: EvidenceItem;
  /** Posts in the burst (any account) and the accounts posting them. */
  counts: { posts: number; accounts: number };
  /** First and last post of the burst (ISO), and the burst window. */
  times: { first: string; last: string; windowSeconds: number };
  /** Posts the item's own earlier rate predicts in the burst window. */
  expectedPosts: number;
  /** The rate p-value: P(at least counts.posts | expectedPosts). */
  p: EvidenceP;
  /** Accounts younger than youngAccountDays or with at most noHistoryPosts posts; p against all accounts active in the window. */
  cohort: { accounts: number; share: number; youngAccountDays: number; noHistoryPosts: number; p: EvidenceP };
  /** Link bursts: cohort accounts that posted the link within `withinSeconds` of another (only when enough for a cluster). */
  coShare: { accounts: number; pairs: number; withinSeconds: number } | null;
}

/** Further bursting items among the same accounts (beyond the bursts listed one by one). */
export interface MoreBurstsEvidence {
  kind: 'more_bursts';
  items: EvidenceItem[];
}

/** Members that were young when posting, or had (almost) no posts. */
export interface AccountAgeEvidence {
  kind: 'account_age';
  counts: { accounts: number; young: number; noHistory: number };
  shares: { young: number; noHistory: number };
  youngAccountDays: number;
  noHistoryPosts: number;
}

/** Members created within a few days of each other. */
export interface CreationClusterEvidence {
  kind: 'creation_cluster';
  /** Members, and those created within `withinDays` of each other. */
  counts: { accounts: number; createdTogether: number };
  /** Earliest and latest creation time among them (ISO). */
  times: { first: string; last: string };
  withinDays: number;
}

/** No other evidence to show (a fallback). */
export interface ActedTogetherEvidence {
  kind: 'acted_together';
  counts: { accounts: number };
}

/** The cluster has more member posts than its post list holds (maxClusterPosts): how many are listed of how many. */
export interface PostsListedEvidence {
  kind: 'posts_listed';
  counts: { listed: number; posts: number };
}

/** One typed piece of evidence behind a cluster (JSON Schema: pipelines/contracts/cluster-evidence.schema.json). */
export type ClusterEvidence =
  | NetworkEvidence
  | CoactionEvidence
  | BurstEvidence
  | MoreBurstsEvidence
  | AccountAgeEvidence
  | CreationClusterEvidence
  | ActedTogetherEvidence
  | PostsListedEvidence;

/** One episode of a campaign: a cluster of mostly the same accounts, active from `start` to `end`. */
export interface CampaignEpisode {
  clusterId: string;
  /** ISO date-time. */
  start: string;
  end: string;
  /** Posts and accounts of the episode's cluster. */
  posts: number;
  accounts: number;
  kinds: ClusterKind[];
  /** The episode's first reason (its strongest evidence), in English. */
  summary: string | null;
}

/** A flagged cluster as analysts see it (shared/contracts/signals.schema.json `clusters[]`). */
export interface Cluster {
  id: string;
  kinds: ClusterKind[];
  score: number;
  /** Floored at 1e-300 so it survives JSON; see `log10P` for smaller ones. */
  pValue: number | null;
  /** log10 of the p-value when it is below 1e-300 (e.g. -412), where `pValue` is floored; else absent. */
  log10P?: number;
  /** Member posts listed in `posts`: at most maxClusterPosts. */
  posts: string[];
  /** Member posts in all, set when `posts` lists fewer (the list hit maxClusterPosts); else absent. */
  postCount?: number;
  /** True when `posts` lists fewer posts than the cluster has (see `postCount`); else absent. */
  truncated?: boolean;
  accounts: string[];
  /** ISO date-time. */
  start: string;
  end: string;
  /** The evidence in sentences, in English: `renderReasons(evidence, 'en')` (pipelines/render-reasons.ts). */
  reasons: string[];
  /**
   * The same evidence as typed records, one per reason and in the same order, for analysts' tools and other
   * languages. Always set by the detector; absent in clusters reported before it existed.
   */
  evidence?: ClusterEvidence[];
  sampleText: string | null;
  links: string[];
  hashtags: string[];
  languages: string[];
  factchecks: FactCheckRef[];
  /**
   * The campaign this cluster is an episode of: stable across episodes of mostly the same accounts that recur after
   * the earlier ones left the window. Absent in clusters reported before campaigns existed.
   */
  campaignId?: string;
  /** The campaign's episodes, oldest first, this cluster last (earlier ones capped: the first and the latest kept). */
  episodes?: CampaignEpisode[];
  /** The narrative (pipelines/narratives.ts) this cluster is part of, if any. */
  narrativeId?: string;
}

/** Per-account summary in signals.json. */
export interface AccountSummary {
  id: string;
  botScore: number;
  botReasons: string[];
  posts: number;
  clusters: string[];
}

/** Clusters pushing the same claim (pipelines/narratives.ts), as reported in signals.json (`narratives[]`). */
export interface Narrative {
  id: string;
  /** Its most characteristic terms, joined with " · ". */
  label: string;
  /** The label is computed, not written by an analyst. Always true. */
  labelMachineMade: true;
  /** The terms behind the label, most characteristic first. */
  terms: string[];
  /** Member cluster ids, sorted. */
  clusters: string[];
  /** What ties the clusters together (e.g. "link:https://…", "factcheck:https://…", "hashtags:a b", "text"), at most 20. */
  shared: string[];
  /** Posts and accounts summed over the member clusters (an account in two clusters counts twice). */
  posts: number;
  accounts: number;
  languages: string[];
  /** ISO date-times of the first and last member post. */
  start: string;
  end: string;
  /** Posts per hour and per day (UTC), oldest first; only hours and days with posts. */
  volume: { hourly: Array<{ hour: string; posts: number }>; daily: Array<{ day: string; posts: number }> };
}

/** The signals file (shared/contracts/signals.schema.json). */
export interface SignalsFile {
  generatedAt: string;
  clusters: Cluster[];
  accounts?: AccountSummary[];
  /** Narratives over the clusters (ours; not in the shared contract yet). */
  narratives?: Narrative[];
}

/** A normalized fact-check as fact-check connectors emit it (see docs/ARCHITECTURE.md). */
export interface NormalizedFactCheck {
  id: string;
  source: string;
  claim: string;
  claimant: string | null;
  rating: string | null;
  publisher: string;
  reviewUrl: string;
  lang: string | null;
  /** ISO date-time the review was published, if known. */
  reviewedAt: string | null;
  /** ISO date-time the claim was made, if known. */
  claimDate: string | null;
  /** Where the claim appeared (urls), if the review lists them. */
  appearances: string[];
}
