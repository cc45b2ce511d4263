// A minimal stand-in for pipelines/enrich.ts used by the detection tests and by the evaluation when the real
// enricher is not available: it fills exactly the EnrichedPost fields the coordination detector reads (time,
// author, account age, declared-bot flag, canonical links, hashtags, language as declared, text fingerprint).
import { canonicalizeLink } from '../../pipelines/canonicalize-link.ts';
import { fingerprintText } from '../../pipelines/fingerprint-text.ts';
import type { EnrichedPost, NormalizedPost } from '../../pipelines/types.ts';

/** Enriches a normalized post just enough for detection (no pseudonymisation, declared language). */
export function simpleEnrich(post: NormalizedPost): EnrichedPost {
  const t = Date.parse(post.createdAt);
  const created = post.author.createdAt ? Date.parse(post.author.createdAt) : NaN;
  const links = [...new Set([...(post.links ?? []), ...(post.text.match(/https?:\/\/\S+/g) ?? [])])];
  return {
    schemaVersion: 1,
    id: post.id,
    source: post.source,
    url: post.url ?? null,
    createdAt: post.createdAt,
    createdAtMs: t,
    text: post.text,
    lang: post.lang ?? 'und',
    langConfidence: 1,
    declaredLang: post.lang ?? null,
    author: {
      id: post.author.id,
      handle: post.author.handle ?? null,
      createdAt: post.author.createdAt ?? null,
      followers: post.author.followers ?? null,
      following: post.author.following ?? null,
      posts: post.author.posts ?? null,
      bot: post.author.bot ?? false,
    },
    links,
    canonicalLinks: [...new Set(links.map((l) => canonicalizeLink(l)).filter((l): l is string => !!l))],
    hashtags: [...new Set((post.hashtags ?? []).map((h) => h.toLowerCase()))],
    mentions: [],
    entities: [],
    fingerprint: fingerprintText(post.text),
    accountSignals: {
      ageDays: Number.isFinite(created) ? (t - created) / 86_400_000 : null,
      postsPerDay: null,
      followerRatio: null,
      handleDigitShare: null,
      handleRandom: false,
      emptyDisplayName: false,
      declaredBot: post.author.bot ?? false,
    },
    botScore: 0,
    botReasons: [],
    factchecks: [],
    replyTo: post.replyTo ?? null,
    repostOf: post.repostOf ?? null,
    quoteOf: post.quoteOf ?? null,
  };
}
