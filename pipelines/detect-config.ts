// The detector's settings in the `detect` section of the configuration, owned by the coordination detector
// (pipelines/detect-coordination.ts). The detect worker adds its own settings to the same section
// (workers/detect-worker-config.ts); the detector ignores those.
import { z } from 'zod';
import type { CoLinkIntervalConfig } from './detect-colinks.ts';

/** The detector's part of the `detect` section (createCoordinationDetector). */
export const detectConfigSchema = z.object({
  windowSeconds: z
    .number()
    .int()
    .positive()
    .default(6 * 3600)
    .describe('How far back detectors keep posts in their window state. Default 21600 (6 h).'),
  duplicateSimilarity: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe(
      'Minimum MinHash-estimated Jaccard similarity (word uni+bigrams) for two texts to be near-duplicates. Default 0.5.',
    ),
  duplicateMinTokens: z
    .number()
    .int()
    .min(1)
    .default(6)
    .describe('Texts with fewer normalised words are never grouped ("Goedemorgen!" is not a message). Default 6.'),
  lshBands: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(21)
    .describe('LSH bands over the 64-value MinHash (21 bands of 3 rows: ~94% recall at Jaccard 0.5). Default 21.'),
  maxRepresentativesPerGroup: z
    .number()
    .int()
    .min(1)
    .default(4)
    .describe('Most indexed signatures per text group (keeps chains of paraphrases together). Default 4.'),
  paraphraseSimilarity: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe(
      'Minimum MinHash-estimated Jaccard of the stemmed content-word sets for a reworded text to join a text group (paraphrase drips); 0 turns it off. Default 0.5.',
    ),
  paraphraseMinWords: z
    .number()
    .int()
    .min(1)
    .default(8)
    .describe('Texts with fewer distinct stemmed content words are not matched as paraphrases. Default 8.'),
  paraphraseRetentionSeconds: z
    .number()
    .int()
    .positive()
    .default(86_400)
    .describe(
      'How long a text group stays findable by paraphrase after its latest post (may exceed the window, for drips over a day). Default 86400 (24 h).',
    ),
  paraphraseMaxGroups: z
    .number()
    .int()
    .positive()
    .default(20_000)
    .describe('Most text groups kept in the paraphrase index (least recently used dropped first). Default 20000.'),
  textIntervalSeconds: z
    .number()
    .positive()
    .default(6 * 3600)
    .describe(
      'Two near-identical (not identical) posts co-act when at most this far apart (slow drips span hours; the window bounds it too). Default 21600.',
    ),
  exactCopyIntervalSeconds: z
    .number()
    .positive()
    .default(600)
    .describe(
      'Two posts with identical normalised text co-act only when at most this far apart: identical copies spread over tens of minutes to hours are what share buttons produce (at 1800 heavy news readers sharing the same headlines formed pairs). Default 600.',
    ),
  coLinkIntervalSeconds: z
    .number()
    .positive()
    .nullable()
    .default(null)
    .describe(
      'Co-link coordination interval in seconds; null estimates it from the data (CooRnet-style). Default null.',
    ),
  coLinkDefaultSeconds: z
    .number()
    .positive()
    .default(30)
    .describe('Co-link interval used until enough samples exist for the estimate. Default 30.'),
  coLinkMinSeconds: z
    .number()
    .positive()
    .default(30)
    .describe(
      'Lower bound of the estimated co-link interval (a ring posting over 15-20 s must not be cut). Default 30.',
    ),
  coLinkMaxSeconds: z
    .number()
    .positive()
    .default(120)
    .describe('Upper bound of the estimated co-link interval. Default 120.'),
  coLinkEstimateShares: z
    .number()
    .int()
    .min(2)
    .default(4)
    .describe("The estimate samples each link's time from its first to this many shares. Default 4."),
  coLinkEstimateQuantile: z
    .number()
    .min(0)
    .max(1)
    .default(0.1)
    .describe('Quantile of the sampled times taken as the interval (the quickly shared links). Default 0.1.'),
  coLinkMinSamples: z
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Samples needed before the estimate replaces coLinkDefaultSeconds. Default 20.'),
  crossLanguageIntervalSeconds: z
    .number()
    .positive()
    .default(900)
    .describe('Same link in different languages by two accounts co-acts when at most this far apart. Default 900.'),
  maxItemAccounts: z
    .number()
    .int()
    .min(2)
    .default(150)
    .describe(
      'An item (text group, link) posted by more distinct accounts in the window is a crowd: it still counts for the null model but adds no edge evidence. Default 150.',
    ),
  partnerLimit: z
    .number()
    .int()
    .min(1)
    .default(200)
    .describe('Most co-acting partners recorded per post and item (bounds work on bursts). Default 200.'),
  maxEvidencePerEdge: z
    .number()
    .int()
    .min(2)
    .default(1024)
    .describe(
      'Most evidence records kept per account pair (bounds the distinct items a pair can be credited with: a network posting hundreds of times a day needs room). Default 1024.',
    ),
  nullMinPosts: z
    .number()
    .int()
    .min(1)
    .default(1000)
    .describe(
      "Floor of the posts the pair test's null model divides by: a window is a sample of a larger platform, so a small input (a ring that is the whole input) is not its own baseline. Default 1000.",
    ),
  nullModel: z
    .enum(['time', 'item', 'window'])
    .default('item')
    .describe(
      "Null model of the pair test: 'time' (the per-item model conditioned also on when each item was shared: the chance two of its sharers co-acted within its interval, from the item's own co-acting pairs); 'item' sums over the items a pair could co-share the chance both are among each item's sharers given their own activity; 'window' scales the window's co-acting pairs (the older model). 'time' finds more on the real data but flags German page networks in the mix (docs/detection.md, Real data). Default 'item'.",
    ),
  edgeCorrection: z
    .enum(['bh', 'bonferroni'])
    .default('bonferroni')
    .describe(
      "Multiple-testing control of the pair test over the pairs held: 'bonferroni' (edgeAlpha is the family-wise error) or 'bh' (Benjamini-Hochberg, edgeAlpha is the false-discovery rate among kept pairs; more recall, but on the evaluation it let heavy news readers sharing the same headlines through once a campaign's many pairs raised its threshold). Default 'bonferroni'.",
    ),
  minPairCoactions: z
    .number()
    .int()
    .min(1)
    .default(2)
    .describe('Distinct items an account pair must share before it is tested. Default 2.'),
  edgeAlpha: z
    .number()
    .positive()
    .max(1)
    .default(0.01)
    .describe(
      'Family-wise significance of an account pair (divided by the number of pairs, Bonferroni). Default 0.01.',
    ),
  sharedClaimAlpha: z
    .number()
    .min(0)
    .max(1)
    .default(0.01)
    .describe(
      'Family-wise significance of two text groups (claims) posted by more of the same accounts than chance (Bonferroni over the claim pairs with a shared poster; pipelines/detect-shared-claims.ts): the co-action edges on both claims join the network, so slow paraphrase drips whose account pairs share only one or two claims are found; 0 turns it off. Default 0.01.',
    ),
  sharedClaimMinAccounts: z
    .number()
    .int()
    .min(2)
    .default(4)
    .describe(
      'Fewest rewriters a claim must have, and fewest two claims must share, before the shared-claims test looks at them (on the bundled sample, 3 of 7 accounts writing recombined stock sentences overlapped a 3-account group by chance). Default 4.',
    ),
  sharedClaimLinks: z
    .boolean()
    .default(false)
    .describe(
      "Whether the shared-claims test also takes link items (a sharer counts when its post's wording is its own and another account shared the link within the co-link interval), so small co-link rings whose account pairs share only one or two links are found. Off by default: where organic accounts follow the same few links (an interest community), the accounts among them that happened to share within the interval are flagged too (test/pipelines/coaction-graph-time.test.ts's world). Default false.",
    ),
  sharedClaimMemorySeconds: z
    .number()
    .int()
    .min(0)
    .default(86_400)
    .describe(
      'How long the shared-claims test remembers co-acting posts on text groups after they leave the window (pipelines/claim-memory.ts), so a paraphrase drip spread over a day is judged as a whole; 0 turns the memory off. Only posts with another account on the same group within textIntervalSeconds are kept. Default 86400 (24 h).',
    ),
  sharedClaimMemoryMaxPosts: z
    .number()
    .int()
    .min(1)
    .default(100_000)
    .describe(
      'Most posts the claim memory keeps (the claims whose latest post is oldest are forgotten first; each claim keeps at most 2·maxItemAccounts). Default 100000.',
    ),
  sharedItemAlpha: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe(
      "Family-wise significance of two link or repost items co-shared, each time within the co-link interval, by more of the same account pairs than the items' own time spread and the accounts' activity predict (Bonferroni over the item pairs with a common co-sharing pair; pipelines/detect-shared-items.ts): the co-action edges of those pairs join the network, so small co-link rings and retweet storms whose pairs share only one or two items are found, while interest communities that follow the same links at their own times are not; 0 turns it off. Default 0.",
    ),
  sharedItemMinAccounts: z
    .number()
    .int()
    .min(2)
    .default(4)
    .describe(
      'Fewest accounts the common co-sharing pairs of two items must span before the shared-items test looks at them. Default 4.',
    ),
  sharedItemMaxPerPair: z
    .number()
    .int()
    .min(2)
    .default(32)
    .describe(
      'An account pair co-sharing more link or repost items than this is left to the pair test (bounds the item pairs the shared-items test counts). Default 32.',
    ),
  linkRingAlpha: z
    .number()
    .min(0)
    .max(1)
    .default(0.01)
    .describe(
      'Family-wise significance of two fresh links, each shared by all its sharers within linkRingSpanSeconds, shared by more of the same accounts than their activity predicts (Bonferroni over such link pairs with a common sharer; pipelines/detect-link-rings.ts): every pair of the common sharers joins the network, so small co-link rings whose accounts share a few links over minutes (further apart than the co-link interval) are found, while links followed over hours (interest communities, viral stories, headlines) are not tested; 0 turns it off. On by default since the real-data mix was measured with it (95.2% of the flagged accounts IRA). Default 0.01.',
    ),
  linkRingSpanSeconds: z
    .number()
    .positive()
    .default(600)
    .describe(
      'A link is tested by the link-ring test only when all its shares in the window fall within this span, seconds. Default 600.',
    ),
  linkRingMinAccounts: z
    .number()
    .int()
    .min(2)
    .default(3)
    .describe('Fewest common sharers two links must have before the link-ring test judges them. Default 3.'),
  linkRingWholeLinks: z
    .boolean()
    .default(true)
    .describe(
      "Whether the link-ring test also joins the other sharers of a passing link pair's links, when the common sharers are at least half of that link's sharers (a ring member that shared only one of the ring's links; as a burst lists every poster of a link born in it). Default true (only read when linkRingAlpha is above 0).",
    ),
  linkRingMaxLinksPerAccount: z
    .number()
    .int()
    .min(2)
    .default(32)
    .describe(
      'Accounts that shared more links within linkRingSpanSeconds than this are not counted by the link-ring test (bounds the link pairs it reads). Default 32.',
    ),
  minClusterAccounts: z
    .number()
    .int()
    .min(2)
    .default(3)
    .describe('Fewest accounts in a flagged network cluster. Default 3.'),
  pairClusterMinTimedItems: z
    .number()
    .int()
    .min(0)
    .default(2)
    .describe(
      "A significant pair that is a component of its own (when minClusterAccounts is above 2) opens a cluster, a network of two, when the two accounts co-acted within the co-link interval at least this many times (post pairs; CooRTweet: two accounts sharing at least 2 objects within 60 s), their pair-test p-value is below edgeAlpha over every account pair of the window, and those co-actions are closer in time than their items' own spread explains (pipelines/detect-pair-clusters.ts). Other pairs only join an open cluster (smallComponentsJoin). 0 turns networks of two off. Default 2.",
    ),
  smallComponentsJoin: z
    .boolean()
    .default(true)
    .describe(
      'A component of significant pairs smaller than minClusterAccounts joins an open cluster it shares an account with (it never opens one): a member of a flagged network whose significant partner co-acted with it at another time than the rest. Default true.',
    ),
  burstWindowSeconds: z
    .number()
    .positive()
    .default(1800)
    .describe('Recent span whose rate is compared to the baseline. Default 1800.'),
  burstLongWindowSeconds: z
    .number()
    .min(0)
    .default(3600)
    .describe(
      'A second, longer span bursts are also judged over (a push spread over most of an hour is judged on all its posters); the joint p-value of the better span is doubled. 0 turns it off. The result does not depend on a detector takeover (test/pipelines/detector-takeover.test.ts). Default 3600.',
    ),
  burstPriorPerHour: z
    .number()
    .positive()
    .default(1)
    .describe("Floor of an item's baseline rate (new hashtags have no history). Default 1 per hour."),
  burstMinSurprise: z
    .number()
    .positive()
    .default(6)
    .describe('Minimum -log10 Poisson p-value of the recent count against the baseline. Default 6.'),
  burstMinPosts: z.number().int().min(1).default(10).describe('Fewest recent posts for a burst. Default 10.'),
  burstMinAccounts: z
    .number()
    .int()
    .min(2)
    .default(8)
    .describe(
      'Fewest accounts in a flagged burst (how many of them are young or without history is left to the joint test). Default 8.',
    ),
  youngAccountDays: z.number().positive().default(30).describe('Accounts younger than this are young. Default 30.'),
  noHistoryPosts: z
    .number()
    .int()
    .min(0)
    .default(5)
    .describe('Accounts with at most this many posts in total have no history. Default 5.'),
  creationClusterDays: z
    .number()
    .positive()
    .default(3)
    .describe('Span within which clustered creation dates are reported. Default 3.'),
  cohortMinShare: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe(
      "Optional hard floor on the share of a burst's posters that are young or without history; 0 leaves it to the joint test (cohortAlpha). Default 0.",
    ),
  cohortAlpha: z
    .number()
    .positive()
    .max(1)
    .default(1e-6)
    .describe(
      "Joint p-value a burst must reach: Fisher's method over the cohort share's binomial p-value against the window-wide share and the burst's surprise beyond burstMinSurprise (credited up to burstExcessCap). Default 1e-6.",
    ),
  burstExcessCap: z
    .number()
    .min(0)
    .default(3)
    .describe(
      'Orders of magnitude of burst surprise beyond burstMinSurprise that can make up for a less unusual cohort (a burst alone is news). Default 3.',
    ),
  maxClusterPosts: z
    .number()
    .int()
    .min(1)
    .default(5000)
    .describe('Most post ids listed per cluster (the oldest are kept). Default 5000.'),
  maxFactChecks: z.number().int().min(0).default(5000).describe('Fact-checks kept for matching. Default 5000.'),
  maxRetainedClusters: z
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe(
      'Flagged clusters kept (for clusters() and accounts()) after their last post left the window; the oldest go first. Default 1000.',
    ),
  maxCampaigns: z
    .number()
    .int()
    .min(0)
    .default(2000)
    .describe(
      'Campaigns remembered after their latest episode left the window, so a recurring cluster of mostly the same accounts joins its campaign; the one that ended first is forgotten first. Default 2000.',
    ),
  campaignMaxAgeHours: z
    .number()
    .positive()
    .default(30 * 24)
    .describe('A campaign whose latest episode ended longer ago than this is forgotten. Default 720 (30 days).'),
  maxCampaignMembers: z
    .number()
    .int()
    .min(3)
    .default(500)
    .describe(
      'Member accounts remembered per campaign (as 32-bit hashes; beyond this the smallest hashes, a fixed sample). Default 500.',
    ),
  maxCampaignEpisodes: z
    .number()
    .int()
    .min(2)
    .default(20)
    .describe('Episodes listed per campaign (the first and the latest kept). Default 20.'),
  maxNarratives: z
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe(
      'Narratives (clusters pushing the same claim) kept; the one touched longest ago is forgotten first. Default 1000.',
    ),
  narrativeMaxAgeHours: z
    .number()
    .positive()
    .default(30 * 24)
    .describe('A narrative no cluster touched for longer than this is forgotten. Default 720 (30 days).'),
});

/** The validated detector settings. */
export type DetectConfig = z.infer<typeof detectConfigSchema>;

/** The co-link interval's settings out of the detector's (`coLink*`), for `CoLinkInterval`. */
export function coLinkIntervalConfig(cfg: DetectConfig): CoLinkIntervalConfig {
  return {
    intervalSeconds: cfg.coLinkIntervalSeconds,
    defaultSeconds: cfg.coLinkDefaultSeconds,
    minSeconds: cfg.coLinkMinSeconds,
    maxSeconds: cfg.coLinkMaxSeconds,
    estimateShares: cfg.coLinkEstimateShares,
    estimateQuantile: cfg.coLinkEstimateQuantile,
    minSamples: cfg.coLinkMinSamples,
  };
}
