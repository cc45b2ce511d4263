// The one validated configuration of mid-monitor: defaults < config file (JSON) < environment variables.
// Every field has a description and a named default; units live in the names. Problems are reported all at once,
// each with its path, and the program refuses to start.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { hardeningSchema } from './hardening-config.ts';
import { sourcesSchema } from '../connectors/source-config.ts';

/**
 * Default language candidates for franc (Latin script only; other scripts are decided by script): what a Dutch
 * monitoring desk actually sees. Codes are franc's (lvs = Latvian, ekk = Estonian, als = Albanian); franc has no
 * Frisian, Limburgish or Papiamento model. Afrikaans and Scots are left out on purpose: with them franc calls short
 * Dutch "Afrikaans" and short English "Scots". Measured with npm run eval:lang (docs/enrichment.md).
 */
export const DEFAULT_LANGUAGE_CANDIDATES = [
  'nld', 'eng', 'deu', 'fra', 'spa', 'ita', 'por', 'pol', 'tur', 'ron', 'swe', 'dan', 'nob', 'fin',
  'ces', 'hun', 'ind', 'vie', 'tgl', 'swh', 'som', 'hrv', 'slk', 'lit', 'lvs', 'ekk', 'als', 'slv',
] as const;

const enrichmentSchema = z.object({
  languageCandidates: z.array(z.string().regex(/^[a-z]{3}$/, 'ISO 639-3 code'))
    .min(2).default([...DEFAULT_LANGUAGE_CANDIDATES])
    .describe('ISO 639-3 languages franc may choose from for Latin-script text. Default: DEFAULT_LANGUAGE_CANDIDATES.'),
  preferredLanguages: z.array(z.string().regex(/^[a-z]{3}$/, 'ISO 639-3 code')).default(['nld', 'eng'])
    .describe('ISO 639-3 languages the stream mostly carries; they win near ties on very short Latin text. Default nld, eng.'),
  minLanguageChars: z.number().int().min(1).default(6)
    .describe('Fewer letters than this (after removing links, mentions and hashtags) gives lang "und". Default 6 (eld settles most texts of 6-9 letters; measured in docs/enrichment.md).'),
  entitiesForEnglish: z.boolean().default(true)
    .describe('Find people, organisations and places in English posts with compromise. Default true.'),
  englishEntityParser: z.enum(['lexicon', 'compromise']).default('lexicon')
    .describe("How: 'lexicon' looks capitalised word runs up in compromise's lexicon (microseconds); 'compromise' runs the full parse (1.2-2 ms a post, caps throughput near 2,500 posts/s). Default lexicon."),
}).prefault({});

const pseudonymSchema = z.object({
  enabled: z.boolean().default(true)
    .describe('Replace account ids and handles with a keyed hash (HMAC-SHA256) before storage. Default true.'),
  key: z.string().min(16, 'at least 16 characters').optional()
    .describe('Secret key for the keyed hash (env MID_PSEUDONYM_KEY). Embedded mode makes and keeps one in dataDir when unset; cluster mode refuses to start without one.'),
}).prefault({});

/** The `detection` section (owned by the coordination detector, pipelines/detect-coordination.ts). */
export const detectionSchema = z.object({
  windowSeconds: z.number().int().positive().default(6 * 3600)
    .describe('How far back detectors keep posts in their window state. Default 21600 (6 h).'),
  duplicateSimilarity: z.number().min(0).max(1).default(0.5)
    .describe('Minimum MinHash-estimated Jaccard similarity (word uni+bigrams) for two texts to be near-duplicates. Default 0.5.'),
  duplicateMinTokens: z.number().int().min(1).default(6)
    .describe('Texts with fewer normalised words are never grouped ("Goedemorgen!" is not a message). Default 6.'),
  lshBands: z.number().int().min(1).max(64).default(21)
    .describe('LSH bands over the 64-value MinHash (21 bands of 3 rows: ~94% recall at Jaccard 0.5). Default 21.'),
  maxRepresentativesPerGroup: z.number().int().min(1).default(4)
    .describe('Most indexed signatures per text group (keeps chains of paraphrases together). Default 4.'),
  textIntervalSeconds: z.number().positive().default(2 * 3600)
    .describe('Two near-identical (not identical) posts co-act when at most this far apart (slow drips span hours). Default 7200.'),
  exactCopyIntervalSeconds: z.number().positive().default(1800)
    .describe('Two posts with identical normalised text co-act only when at most this far apart: identical copies spread over hours are what share buttons produce. Default 1800.'),
  coLinkIntervalSeconds: z.number().positive().nullable().default(null)
    .describe('Co-link coordination interval in seconds; null estimates it from the data (CooRnet-style). Default null.'),
  coLinkDefaultSeconds: z.number().positive().default(30)
    .describe('Co-link interval used until enough samples exist for the estimate. Default 30.'),
  coLinkMinSeconds: z.number().positive().default(30)
    .describe('Lower bound of the estimated co-link interval (a ring posting over 15-20 s must not be cut). Default 30.'),
  coLinkMaxSeconds: z.number().positive().default(120).describe('Upper bound of the estimated co-link interval. Default 120.'),
  coLinkEstimateShares: z.number().int().min(2).default(4)
    .describe('The estimate samples each link\'s time from its first to this many shares. Default 4.'),
  coLinkEstimateQuantile: z.number().min(0).max(1).default(0.1)
    .describe('Quantile of the sampled times taken as the interval (the quickly shared links). Default 0.1.'),
  coLinkMinSamples: z.number().int().min(1).default(20)
    .describe('Samples needed before the estimate replaces coLinkDefaultSeconds. Default 20.'),
  crossLanguageIntervalSeconds: z.number().positive().default(900)
    .describe('Same link in different languages by two accounts co-acts when at most this far apart. Default 900.'),
  maxItemAccounts: z.number().int().min(2).default(150)
    .describe('An item (text group, link) posted by more distinct accounts in the window is a crowd: it still counts for the null model but adds no edge evidence. Default 150.'),
  partnerLimit: z.number().int().min(1).default(200)
    .describe('Most co-acting partners recorded per post and item (bounds work on bursts). Default 200.'),
  maxEvidencePerEdge: z.number().int().min(2).default(64).describe('Most evidence records kept per account pair. Default 64.'),
  minPairCoactions: z.number().int().min(1).default(2)
    .describe('Distinct items an account pair must share before it is tested. Default 2.'),
  edgeAlpha: z.number().positive().max(1).default(0.01)
    .describe('Family-wise significance of an account pair (divided by the number of pairs, Bonferroni). Default 0.01.'),
  minClusterAccounts: z.number().int().min(2).default(3)
    .describe('Fewest accounts in a flagged network cluster. Default 3.'),
  burstWindowSeconds: z.number().positive().default(1800)
    .describe('Recent span whose rate is compared to the baseline. Default 1800.'),
  burstPriorPerHour: z.number().positive().default(1)
    .describe('Floor of an item\'s baseline rate (new hashtags have no history). Default 1 per hour.'),
  burstMinSurprise: z.number().positive().default(6)
    .describe('Minimum -log10 Poisson p-value of the recent count against the baseline. Default 6.'),
  burstMinPosts: z.number().int().min(1).default(10).describe('Fewest recent posts for a burst. Default 10.'),
  burstMinAccounts: z.number().int().min(2).default(8).describe('Fewest cohort accounts in a flagged burst. Default 8.'),
  youngAccountDays: z.number().positive().default(30).describe('Accounts younger than this are young. Default 30.'),
  noHistoryPosts: z.number().int().min(0).default(5)
    .describe('Accounts with at most this many posts in total have no history. Default 5.'),
  creationClusterDays: z.number().positive().default(3)
    .describe('Span within which clustered creation dates are reported. Default 3.'),
  cohortMinShare: z.number().min(0).max(1).default(0.6)
    .describe('Share of a burst\'s posters that must be young or without history. Default 0.6.'),
  cohortAlpha: z.number().positive().max(1).default(1e-6)
    .describe('Binomial p-value the cohort share must reach against the window-wide share. Default 1e-6.'),
  maxClusterPosts: z.number().int().min(1).default(5000)
    .describe('Most post ids listed per cluster (the oldest are kept). Default 5000.'),
  maxFactChecks: z.number().int().min(0).default(5000).describe('Fact-checks kept for matching. Default 5000.'),
  maxRetainedClusters: z.number().int().min(0).default(1000)
    .describe('Flagged clusters kept (for clusters() and accounts()) after their last post left the window; the oldest go first. Default 1000.'),
}).prefault({});

/** The validated `detection` section. */
export type DetectionConfig = z.infer<typeof detectionSchema>;

const topicsSchema = z.object({
  postsRaw: z.string().default('posts.raw').describe('Normalized posts from connectors. Default posts.raw.'),
  factchecksRaw: z.string().default('factchecks.raw').describe('Normalized fact-checks. Default factchecks.raw.'),
  postsEnriched: z.string().default('posts.enriched').describe('Enriched posts. Default posts.enriched.'),
  signals: z.string().default('signals').describe('Cluster updates. Default signals.'),
  dlq: z.string().default('dlq').describe('Dead letters with their reason. Default dlq.'),
}).prefault({});

const busSchema = z.object({
  kind: z.enum(['memory', 'kafka']).default('memory').describe('Message bus adapter (env MID_BUS). Default memory.'),
  kafkaBrokers: z.array(z.string().min(1)).default([])
    .describe('Kafka bootstrap servers host:port (env MID_KAFKA_BROKERS, comma separated). Default none.'),
  clientId: z.string().default('mid-monitor').describe('Kafka client id. Default mid-monitor.'),
  topics: topicsSchema,
  groupPrefix: z.string().default('mid').describe('Consumer groups are named <groupPrefix>-<worker>. Default mid.'),
  sessionTimeoutMs: z.number().int().min(1000).default(10_000)
    .describe('Kafka consumer session timeout: how long a dead worker holds its partitions. Default 10000.'),
  memoryPartitions: z.number().int().min(1).default(4).describe('Partitions per topic of the in-process bus. Default 4.'),
  detectTickMs: z.number().int().min(10).default(1000)
    .describe('Event-time interval between detector advances in the detect worker (see docs/streaming.md). Default 1000.'),
  detectMinPostsPerAdvance: z.number().int().min(1).default(200)
    .describe('The detector is advanced at a detectTickMs boundary only when this many posts were observed since the last advance, or detectMaxTickMs passed. Default 200.'),
  detectMaxTickMs: z.number().int().min(10).default(10_000)
    .describe('Longest event-time gap between detector advances while posts arrive, ms. Default 10000.'),
  checkpointMs: z.number().int().min(100).default(30_000)
    .describe('How often the detect worker holding the detector lease saves the detector\'s new input since the last checkpoint and commits offsets (it keeps the lease). Default 30000.'),
  checkpointPosts: z.number().int().min(1).default(100_000)
    .describe('The detect worker also checkpoints after this many posts fed to the detector. Default 100000.'),
  compactPosts: z.number().int().min(1).default(100_000)
    .describe('Checkpoints save only the detector input since the last one; once this many posts were logged since the last full snapshot, the detect worker writes a new full snapshot (a pause that grows with the window) and drops the log. Bounds how much a taking-over worker replays. Default 100000.'),
  compactChunks: z.number().int().min(1).default(200)
    .describe('A full snapshot is also written after this many logged checkpoints (a slow stream). Default 200.'),
  snapshotPartChars: z.number().int().min(1000).default(32 * 1024 * 1024)
    .describe('A full detector snapshot is saved as JSON parts of at most about this many characters each (one string cannot hold a large window). Default 33554432.'),
  snapshotInThread: z.boolean().default(false)
    .describe('Serialise full detector snapshots in a worker thread holding a replica of the detector (fed the same log), so detection never pauses for a snapshot; costs a second detector\'s CPU and memory. For large windows. Default false.'),
  leaseTtlMs: z.number().int().min(1000).default(20_000)
    .describe('The detector lease expires this long after its last extension (the holder extends it every quarter); a standby detect worker takes over after a holder died within this time. Default 20000.'),
  idleFlushMs: z.number().int().min(100).default(2000)
    .describe('How often the detect worker checks for an idle stream and releases every buffered post. Default 2000.'),
}).passthrough().prefault({});

const scheduleSchema = z.object({
  everyMs: z.number().int().min(100).optional().describe('Poll interval in ms. Default scheduler.defaultPollIntervalMs.'),
  jitterMs: z.number().int().min(0).optional().describe('Random delay before each poll, ms. Default scheduler.defaultJitterMs.'),
  concurrency: z.number().int().min(1).optional().describe('Polls of this source at once. Default 1.'),
  rateLimit: z.object({ max: z.number().int().min(1), durationMs: z.number().int().min(1) }).optional()
    .describe('At most max polls per durationMs. Default none.'),
});

const schedulerSchema = z.object({
  kind: z.enum(['memory', 'bullmq']).default('memory').describe('Scheduler adapter (env MID_SCHEDULER). Default memory.'),
  redisUrl: z.string().default('redis://127.0.0.1:6379').describe('Redis for BullMQ and state (env MID_REDIS_URL).'),
  stateStore: z.enum(['auto', 'memory', 'redis']).default('auto')
    .describe('Window-state store (env MID_STATE): auto = redis when the bus is kafka or the scheduler bullmq, else memory. Default auto.'),
  keyPrefix: z.string().default('mid').describe('Prefix of every Redis key and BullMQ queue. Default mid.'),
  defaultPollIntervalMs: z.number().int().min(100).default(60_000).describe('Poll interval of a source without its own. Default 60000.'),
  defaultJitterMs: z.number().int().min(0).default(5_000).describe('Jitter of a source without its own. Default 5000.'),
  perSource: z.record(z.string(), scheduleSchema).default({})
    .describe('Schedule per source name (everyMs, jitterMs, concurrency, rateLimit). Default {}.'),
  seenTtlMs: z.number().int().min(1000).default(7 * 86_400_000)
    .describe('How long connector item ids are remembered for duplicate suppression. Default 7 days.'),
  replayFile: z.string().optional()
    .describe('A JSONL file of normalized posts replayed as a source named "replay" (mid start: the bundled sample). Default none.'),
  replayPostsPerRun: z.number().int().min(1).default(400).describe('Posts the replay source emits per run. Default 400.'),
  replayEveryMs: z.number().int().min(100).default(2_000).describe('Interval of the replay source. Default 2000.'),
}).passthrough().prefault({});

const storeSchema = z.object({
  kind: z.enum(['sqlite', 'elasticsearch']).default('sqlite').describe('Signal store adapter (env MID_STORE). Default sqlite.'),
  esUrl: z.string().optional().describe('Elasticsearch URL (env MID_ES_URL).'),
  esUsername: z.string().optional().describe('Elasticsearch user (env MID_ES_USERNAME). Default none.'),
  esPassword: z.string().optional().describe('Elasticsearch password (env MID_ES_PASSWORD). Default none.'),
  esApiKey: z.string().optional().describe('Elasticsearch API key, instead of user and password (env MID_ES_API_KEY). Default none.'),
  esPrefix: z.string().default('mid').describe('Prefix of Elasticsearch indices, templates and the ILM policy. Default mid.'),
  sqliteFile: z.string().optional().describe('SQLite database file. Default <dataDir>/signals.db.'),
  retentionDays: z.number().int().positive().default(90)
    .describe('Posts older than this are purged (ILM in Elasticsearch, purge job in SQLite). Default 90.'),
  purgeEveryMs: z.number().int().min(1000).default(3_600_000).describe('How often the index worker runs the retention purge. Default 3600000.'),
  openClusterHours: z.number().positive().default(24)
    .describe('A cluster is open while its last post is within this many hours of the newest cluster activity. Default 24.'),
}).passthrough().prefault({});

const configSchema = z.object({
  dataDir: z.string().min(1).default('.mid-data').describe('Local directory for embedded data (env MID_DATA_DIR). Default .mid-data.'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')
    .describe('pino log level (env MID_LOG_LEVEL). Default info.'),
  httpPort: z.number().int().min(0).max(65535).default(8080).describe('HTTP port for health, metrics and the UI (env PORT). Default 8080.'),
  pseudonymize: pseudonymSchema,
  enrichment: enrichmentSchema,
  detection: detectionSchema,
  bus: busSchema,
  scheduler: schedulerSchema,
  store: storeSchema,
  sources: sourcesSchema,
  hardening: hardeningSchema,
}).passthrough();

/** The validated configuration. */
export type Config = z.infer<typeof configSchema>;

/** Raised when configuration is unusable; `problems` has one line per bad field, with its path. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly retriable = false;
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

/** Reads the environment variables we honour into the shape of the config file. */
function fromEnv(env: NodeJS.ProcessEnv): { values: Record<string, unknown>; problems: string[] } {
  const values: Record<string, any> = {}; // any: nested partial object assembled field by field
  const problems: string[] = [];
  const set = (path: string[], v: unknown): void => {
    let o = values;
    for (const p of path.slice(0, -1)) o = o[p] ??= {};
    o[path[path.length - 1]!] = v;
  };
  if (env.MID_DATA_DIR) set(['dataDir'], env.MID_DATA_DIR);
  if (env.MID_LOG_LEVEL) set(['logLevel'], env.MID_LOG_LEVEL);
  if (env.PORT) {
    const n = Number(env.PORT);
    if (!Number.isInteger(n)) problems.push(`PORT: expected an integer, got "${env.PORT}"`);
    else set(['httpPort'], n);
  }
  if (env.MID_PSEUDONYM_KEY) set(['pseudonymize', 'key'], env.MID_PSEUDONYM_KEY);
  if (env.MID_PSEUDONYMIZE) set(['pseudonymize', 'enabled'], !/^(0|false|no|off)$/i.test(env.MID_PSEUDONYMIZE));
  if (env.MID_BUS) set(['bus', 'kind'], env.MID_BUS);
  if (env.MID_KAFKA_BROKERS) set(['bus', 'kafkaBrokers'], env.MID_KAFKA_BROKERS.split(',').map((s) => s.trim()).filter(Boolean));
  if (env.MID_SCHEDULER) set(['scheduler', 'kind'], env.MID_SCHEDULER);
  if (env.MID_REDIS_URL) set(['scheduler', 'redisUrl'], env.MID_REDIS_URL);
  if (env.MID_STORE) set(['store', 'kind'], env.MID_STORE);
  if (env.MID_ES_URL) set(['store', 'esUrl'], env.MID_ES_URL);
  if (env.MID_ES_USERNAME) set(['store', 'esUsername'], env.MID_ES_USERNAME);
  if (env.MID_ES_PASSWORD) set(['store', 'esPassword'], env.MID_ES_PASSWORD);
  if (env.MID_ES_API_KEY) set(['store', 'esApiKey'], env.MID_ES_API_KEY);
  if (env.MID_STATE) set(['scheduler', 'stateStore'], env.MID_STATE);
  return { values, problems };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Path of a JSON config file; default env MID_CONFIG, else none. */
  file?: string;
  /** Environment to read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Values that win over file and environment (from command-line flags or tests). */
  overrides?: Record<string, unknown>;
}

/** Loads and validates the configuration. Throws {@link ConfigError} listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  let fileValues: Record<string, unknown> = {};
  const file = options.file ?? env.MID_CONFIG;
  if (file) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (!isPlainObject(parsed)) problems.push(`${file}: expected a JSON object`);
      else fileValues = parsed;
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
    }
  }
  const fromEnvironment = fromEnv(env);
  problems.push(...fromEnvironment.problems);
  const merged = merge(merge(fileValues, fromEnvironment.values), options.overrides ?? {});
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data!;
}
