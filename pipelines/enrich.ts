// The enrichment pipeline: one normalized post in, one enriched post out. It composes the pure steps in this folder
// (text normalisation, link canonicalisation, language, entities, fingerprints, account signals) and, when a key is
// given, replaces the author's id and handle with keyed pseudonyms after the handle signals have been taken, and
// the handles of mentioned accounts (in `mentions` and the `@...` topic entities) with pseudonyms of the same key.
// The post text is kept as written: analysts triage on it.
// Hostile input is bounded twice: the raw text is cut to `maxTextChars` before the expensive steps (the post says
// so in `textTruncatedFrom`), and an injected clock checks a per-post time budget between the steps, so a post that
// still takes too long is refused (to the dead letters, with the reason) instead of holding up the stream.
// Post times come from the poster's client on some platforms, so they are hostile input too: a post dated more than
// `maxFutureSkewMs` after the injected processing clock is refused as future-dated (dead letters, reason
// `future-dated`) before it can reach the detector, whose event time only moves forward: one post dated 2099 would
// otherwise push the detection window past every real post and blind the monitor. Posts within the skew are kept as
// dated (a fast clock by minutes cannot move a window of hours). Old posts need no rule here: the detector ignores
// posts before its window (pipelines/detect-coordination.ts), so they cannot reopen an evaluated window.
import { z } from 'zod';
import { canonicalizeLink } from './canonicalize-link.ts';
import { detectLanguage } from './detect-language.ts';
import type { EnrichConfig } from './enrich-config.ts';
import { extractEntities } from './extract-entities.ts';
import { fingerprintText } from './fingerprint-text.ts';
import { normalizeText } from './normalize-text.ts';
import { isAccountPost, pseudonymize, pseudonymizePostId } from './pseudonymize.ts';
import { scoreAccount } from './score-account.ts';
import type { EnrichedPost, NormalizedPost } from './types.ts';
import { PermanentError } from './core/errors.ts';

/** A post that cannot be enriched (for now: no parsable createdAt). Send it to the dead-letter topic. */
export class InvalidPostError extends PermanentError {
  override name = 'InvalidPostError';
}

/** A post whose enrichment took longer than the per-post budget; it goes to the dead letters like any refused post. */
export class PostOverBudgetError extends InvalidPostError {
  override name = 'PostOverBudgetError';
}

/**
 * A post dated too far ahead of the processing clock (`hardening.enrichment.maxFutureSkewMs`). Dead letters give it
 * the reason `future-dated`.
 */
export class FutureDatedPostError extends InvalidPostError {
  override name = 'FutureDatedPostError';
}

/** Limits on the work one post may cause (config section `hardening.enrichment`). */
export const enrichLimitsSchema = z.object({
  maxTextChars: z
    .number()
    .int()
    .min(100)
    .default(20_000)
    .describe(
      'Raw post text (HTML included) is cut to this many characters before enrichment; the post carries textTruncatedFrom. Default 20000.',
    ),
  postBudgetMs: z
    .number()
    .positive()
    .default(2_000)
    .describe(
      'Most processing time one post may take in enrichment; a post over it goes to the dead letters. Default 2000.',
    ),
  maxFutureSkewMs: z
    .number()
    .int()
    .min(0)
    .default(600_000)
    .describe(
      "A post dated more than this many ms after the processing clock (the worker's clock in streaming, the start of the run in `mid analyze`) is refused as future-dated and goes to the dead letters; it never moves the detector's event time. `mid analyze` also refuses a post dated more than this, or the file's span if longer, after the file's 99th-percentile post time. Default 600000 (10 minutes).",
    ),
});

/** Validated enrichment limits. */
export type EnrichLimits = z.infer<typeof enrichLimitsSchema>;

/** Options of {@link createEnricher}. */
export interface EnricherOptions {
  /** The `enrich` section (its `pseudonymize` part is read by the caller, which passes the key). */
  enrichment: EnrichConfig;
  /** Key for pseudonyms (HMAC-SHA256) of the author's id and handle and of mentioned handles; null keeps them as they are. */
  pseudonymKey: string | null;
  /** Text cap and time budget. Default: the schema defaults (20000 characters, 2000 ms). */
  limits?: Partial<EnrichLimits>;
  /** Monotonic clock in ms for the time budget. Default performance.now. */
  clock?: () => number;
  /**
   * The processing clock in epoch ms, against which future-dated posts are refused: the worker's clock, or a fixed
   * time for a batch run. Default Date.now.
   */
  now?: () => number;
  /**
   * Called with the original id and URL of each post whose id was pseudonymised, for an operator's
   * re-identification table (`hardening.privacy.reidentification`). Default: none, the originals are dropped.
   */
  onPseudonymizedPost?: (entry: { id: string; originalId: string; originalUrl: string | null }) => void;
}

/**
 * A time difference for a future-dated reason: seconds up to a day, days after (a six-digit number of seconds would
 * be blanked out as a possible account id by the dead letters' redaction).
 */
export function describeSkew(ms: number): string {
  return ms < 86_400_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 86_400_000).toFixed(1)} days`;
}

/** Cuts `s` to at most `max` UTF-16 units without splitting a surrogate pair. */
function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const c = s.charCodeAt(max - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? max - 1 : max);
}

function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

function pushUnique(list: string[], seen: Set<string>, v: string): void {
  if (!seen.has(v)) {
    seen.add(v);
    list.push(v);
  }
}

/** Builds the enrichment function for one configuration. The returned function is pure and synchronous. */
export function createEnricher(options: EnricherOptions): (post: NormalizedPost) => EnrichedPost {
  const { enrichment, pseudonymKey } = options;
  const langOpts = {
    candidates: enrichment.languageCandidates,
    minChars: enrichment.minLanguageChars,
    preferred: enrichment.preferredLanguages,
  };
  const entityOpts = { english: enrichment.entitiesForEnglish, englishParser: enrichment.englishEntityParser };
  const limits = enrichLimitsSchema.parse(options.limits ?? {});
  const clock = options.clock ?? (() => performance.now());
  const now = options.now ?? (() => Date.now());

  return (post: NormalizedPost): EnrichedPost => {
    const started = clock();
    // Checked between the steps: a step cannot be interrupted, but the steps after it are skipped.
    const checkBudget = (step: string): void => {
      const spent = clock() - started;
      if (spent > limits.postBudgetMs) {
        throw new PostOverBudgetError(
          `post over the processing budget: ${Math.round(spent)} ms after ${step} (budget ${limits.postBudgetMs} ms)`,
        );
      }
    };
    if (typeof post !== 'object' || post === null) throw new InvalidPostError('post is not an object');
    const createdAtMs = typeof post.createdAt === 'string' ? Date.parse(post.createdAt) : Number.NaN;
    if (!Number.isFinite(createdAtMs)) {
      throw new InvalidPostError('post createdAt is missing or not a date', { cause: { createdAt: post.createdAt } });
    }
    const nowMs = now();
    if (createdAtMs - nowMs > limits.maxFutureSkewMs) {
      throw new FutureDatedPostError(
        `future-dated: createdAt ${new Date(createdAtMs).toISOString()} is ${describeSkew(createdAtMs - nowMs)} after the processing clock (tolerance ${describeSkew(limits.maxFutureSkewMs)})`,
        { cause: { createdAt: post.createdAt, nowMs } },
      );
    }

    const rawText = typeof post.text === 'string' ? post.text : '';
    const norm = normalizeText(cut(rawText, limits.maxTextChars));
    checkBudget('text normalisation');
    const links: string[] = [];
    const seenLinks = new Set<string>();
    for (const l of [...(Array.isArray(post.links) ? post.links : []), ...norm.links]) {
      if (typeof l === 'string' && l.trim()) pushUnique(links, seenLinks, l.trim());
    }
    const canonicalLinks: string[] = [];
    const seenCanonical = new Set<string>();
    for (const l of links) {
      const c = canonicalizeLink(l);
      if (c) pushUnique(canonicalLinks, seenCanonical, c);
    }
    const hashtags: string[] = [];
    const seenTags = new Set<string>();
    for (const h of [...(Array.isArray(post.hashtags) ? post.hashtags : []), ...norm.hashtags]) {
      if (typeof h === 'string') {
        const v = h
          .normalize('NFKC')
          .replace(/^[#＃]/, '')
          .trim()
          .toLowerCase();
        if (v) pushUnique(hashtags, seenTags, v);
      }
    }

    checkBudget('links');
    const { lang, confidence } = detectLanguage(norm.text, langOpts);
    checkBudget('language detection');
    // Mentioned handles are lower case already, as the author's handle is before hashing: a mention of an account
    // and that account's own posts get the same pseudonym. Public institutions are not special-cased.
    const mentions = pseudonymKey ? norm.mentions.map((m) => pseudonymize(m, pseudonymKey)) : norm.mentions;
    const entities = extractEntities({ text: norm.text, lang, hashtags, mentions }, entityOpts);
    checkBudget('entity extraction');
    const author = (
      typeof post.author === 'object' && post.author !== null ? post.author : { id: '' }
    ) as NormalizedPost['author'];
    // Handle signals need the raw handle, so the account is scored before pseudonymisation.
    const account = scoreAccount(author, createdAtMs);
    const rawId = typeof author.id === 'string' ? author.id : String(author.id ?? '');
    const rawHandle = typeof author.handle === 'string' && author.handle.trim() ? author.handle.trim() : null;
    const authorCreated =
      typeof author.createdAt === 'string' && Number.isFinite(Date.parse(author.createdAt)) ? author.createdAt : null;

    const fingerprint = fingerprintText(norm.text);
    checkBudget('fingerprinting');

    // Post ids and URLs of accounts name the account (…/users/<handle>/statuses/…, at://did:plc:…): hashed with
    // the same key; replies, reposts and quotes point at hashed ids too, so threads still link up.
    const source = String(post.source);
    const hidePost = pseudonymKey !== null && isAccountPost(source);
    const postId = (v: string): string => (hidePost ? pseudonymizePostId(v, pseudonymKey!) : v);
    const ref = (v: unknown): string | null => (typeof v === 'string' ? postId(v) : null);
    const originalUrl = typeof post.url === 'string' ? post.url : null;
    const id = postId(String(post.id));
    if (hidePost) options.onPseudonymizedPost?.({ id, originalId: String(post.id), originalUrl });

    const enriched: EnrichedPost = {
      schemaVersion: 1,
      id,
      source,
      url: hidePost ? null : originalUrl,
      createdAt: post.createdAt,
      createdAtMs,
      text: norm.text,
      lang,
      langConfidence: confidence,
      declaredLang: typeof post.lang === 'string' && post.lang ? post.lang : null,
      author: {
        id: pseudonymKey ? pseudonymize(rawId, pseudonymKey) : rawId,
        handle:
          rawHandle === null ? null : pseudonymKey ? pseudonymize(rawHandle.toLowerCase(), pseudonymKey) : rawHandle,
        createdAt: authorCreated,
        followers: count(author.followers),
        following: count(author.following),
        posts: count(author.posts),
        bot: author.bot === true,
      },
      links,
      canonicalLinks,
      hashtags,
      mentions,
      entities,
      fingerprint,
      accountSignals: account.signals,
      botScore: account.botScore,
      botReasons: account.botReasons,
      factchecks: [],
      replyTo: ref(post.replyTo),
      repostOf: ref(post.repostOf),
      quoteOf: ref(post.quoteOf),
    };
    if (rawText.length > limits.maxTextChars) enriched.textTruncatedFrom = rawText.length;
    return enriched;
  };
}
