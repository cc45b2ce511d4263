// The enrichment pipeline: one normalized post in, one enriched post out. It composes the pure steps in this folder
// (text normalisation, link canonicalisation, language, entities, fingerprints, account signals) and, when a key is
// given, replaces the author's id and handle with keyed pseudonyms after the handle signals have been taken, and
// the handles of mentioned accounts (in `mentions` and the `@...` topic entities) with pseudonyms of the same key.
// The post text is kept as written: analysts triage on it.
import { canonicalizeLink } from './canonicalize-link.ts';
import { detectLanguage } from './detect-language.ts';
import type { EnrichConfig } from './enrich-config.ts';
import { extractEntities } from './extract-entities.ts';
import { fingerprintText } from './fingerprint-text.ts';
import { normalizeText } from './normalize-text.ts';
import { pseudonymize } from './pseudonymize.ts';
import { scoreAccount } from './score-account.ts';
import type { EnrichedPost, NormalizedPost } from './types.ts';
import { PermanentError } from './core/errors.ts';

/** A post that cannot be enriched (for now: no parsable createdAt). Send it to the dead-letter topic. */
export class InvalidPostError extends PermanentError {
  override name = 'InvalidPostError';
}

/** Options of {@link createEnricher}. */
export interface EnricherOptions {
  /** The `enrich` section (its `pseudonymize` part is read by the caller, which passes the key). */
  enrichment: EnrichConfig;
  /** Key for pseudonyms (HMAC-SHA256) of the author's id and handle and of mentioned handles; null keeps them as they are. */
  pseudonymKey: string | null;
}

function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

function pushUnique(list: string[], seen: Set<string>, v: string): void {
  if (!seen.has(v)) { seen.add(v); list.push(v); }
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

  return (post: NormalizedPost): EnrichedPost => {
    if (typeof post !== 'object' || post === null) throw new InvalidPostError('post is not an object');
    const createdAtMs = typeof post.createdAt === 'string' ? Date.parse(post.createdAt) : Number.NaN;
    if (!Number.isFinite(createdAtMs)) {
      throw new InvalidPostError('post createdAt is missing or not a date', { cause: { createdAt: post.createdAt } });
    }

    const norm = normalizeText(typeof post.text === 'string' ? post.text : '');
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
        const v = h.normalize('NFKC').replace(/^[#＃]/, '').trim().toLowerCase();
        if (v) pushUnique(hashtags, seenTags, v);
      }
    }

    const { lang, confidence } = detectLanguage(norm.text, langOpts);
    // Mentioned handles are lower case already, as the author's handle is before hashing: a mention of an account
    // and that account's own posts get the same pseudonym. Public institutions are not special-cased.
    const mentions = pseudonymKey ? norm.mentions.map((m) => pseudonymize(m, pseudonymKey)) : norm.mentions;
    const entities = extractEntities({ text: norm.text, lang, hashtags, mentions }, entityOpts);
    const author = (typeof post.author === 'object' && post.author !== null ? post.author : { id: '' }) as NormalizedPost['author'];
    // Handle signals need the raw handle, so the account is scored before pseudonymisation.
    const account = scoreAccount(author, createdAtMs);
    const rawId = typeof author.id === 'string' ? author.id : String(author.id ?? '');
    const rawHandle = typeof author.handle === 'string' && author.handle.trim() ? author.handle.trim() : null;
    const authorCreated = typeof author.createdAt === 'string' && Number.isFinite(Date.parse(author.createdAt)) ? author.createdAt : null;

    return {
      schemaVersion: 1,
      id: String(post.id),
      source: String(post.source),
      url: typeof post.url === 'string' ? post.url : null,
      createdAt: post.createdAt,
      createdAtMs,
      text: norm.text,
      lang,
      langConfidence: confidence,
      declaredLang: typeof post.lang === 'string' && post.lang ? post.lang : null,
      author: {
        id: pseudonymKey ? pseudonymize(rawId, pseudonymKey) : rawId,
        handle: rawHandle === null ? null : pseudonymKey ? pseudonymize(rawHandle.toLowerCase(), pseudonymKey) : rawHandle,
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
      fingerprint: fingerprintText(norm.text),
      accountSignals: account.signals,
      botScore: account.botScore,
      botReasons: account.botReasons,
      factchecks: [],
      replyTo: typeof post.replyTo === 'string' ? post.replyTo : null,
      repostOf: typeof post.repostOf === 'string' ? post.repostOf : null,
      quoteOf: typeof post.quoteOf === 'string' ? post.quoteOf : null,
    };
  };
}
