// Test data for the streaming tests: enriched posts, clusters and normalized posts with a planted campaign.
import type { Cluster, EnrichedPost, NormalizedPost } from '../../pipelines/types.ts';

/** An enriched post with the given id and text, created at `ms`. */
export function enrichedPost(
  id: string,
  text: string,
  ms = Date.parse('2025-10-20T12:00:00Z'),
  authorId = 'acct-1',
): EnrichedPost {
  return {
    schemaVersion: 1,
    id,
    source: 'mastodon',
    url: `https://example.social/@a/${id}`,
    createdAt: new Date(ms).toISOString(),
    createdAtMs: ms,
    text,
    lang: 'nl',
    langConfidence: 0.9,
    declaredLang: 'nl',
    author: { id: authorId, handle: null, createdAt: null, followers: 10, following: 5, posts: 100, bot: false },
    links: [],
    canonicalLinks: [],
    hashtags: [],
    mentions: [],
    entities: [],
    fingerprint: { exact: 'x', minhash: [], tokenCount: 3 },
    accountSignals: {
      ageDays: null,
      postsPerDay: null,
      followerRatio: null,
      handleDigitShare: null,
      handleRandom: false,
      emptyDisplayName: false,
      declaredBot: false,
    },
    botScore: 0.1,
    botReasons: [],
    factchecks: [],
    replyTo: null,
    repostOf: null,
    quoteOf: null,
  };
}

/** A cluster over the given posts, ending at `end`. */
export function cluster(id: string, posts: string[], end: string, score = 0.8): Cluster {
  return {
    id,
    kinds: ['duplicate_text'],
    score,
    pValue: 0.001,
    posts,
    accounts: posts.map((p) => `acct-${p}`),
    start: '2025-10-20T11:00:00.000Z',
    end,
    reasons: ['same text from several accounts'],
    sampleText: 'x',
    links: [],
    hashtags: [],
    languages: ['nl'],
    factchecks: [],
  };
}

/**
 * `n` normalized posts over `spanMs`: mostly unrelated chatter, plus a planted campaign — every `campaignEvery`-th post
 * comes from one of 12 accounts pushing the same text with the same link within minutes.
 */
export function normalizedPosts(
  n: number,
  options: { startMs?: number; spanMs?: number; campaignEvery?: number; prefix?: string } = {},
): NormalizedPost[] {
  const start = options.startMs ?? Date.parse('2025-10-20T08:00:00Z');
  const span = options.spanMs ?? 3 * 3_600_000;
  const every = options.campaignEvery ?? 50;
  const prefix = options.prefix ?? 'p';
  const words = [
    'verkiezingen',
    'kabinet',
    'stikstof',
    'woningmarkt',
    'zorg',
    'onderwijs',
    'klimaat',
    'migratie',
    'belasting',
    'pensioen',
    'energie',
    'boeren',
    'gemeente',
    'debat',
    'peiling',
    'coalitie',
  ];
  const posts: NormalizedPost[] = [];
  for (let i = 0; i < n; i++) {
    const ms = start + Math.floor((i / n) * span);
    const campaign = i % every === 0;
    const text = campaign
      ? 'De uitslag wordt gemanipuleerd, deel dit voordat het verwijderd wordt! Lees het bewijs hier https://bewijs.example/stembus'
      : `Post ${i} over ${words[i % words.length]} en ${words[(i * 7) % words.length]} in ${words[(i * 3) % words.length]} nummer ${(i * 31) % 997}`;
    const author = campaign ? `camp-${(i / every) % 12}` : `user-${i % 4000}`;
    posts.push({
      id: `${prefix}${i}`,
      source: 'mastodon',
      url: `https://example.social/@${author}/${i}`,
      text,
      createdAt: new Date(ms).toISOString(),
      lang: 'nl',
      author: {
        id: author,
        handle: `${author}@example.social`,
        displayName: author,
        createdAt: campaign ? '2025-10-15T00:00:00Z' : '2019-01-01T00:00:00Z',
        followers: 10,
        following: 50,
        posts: 20,
        bot: false,
      },
      links: campaign ? ['https://bewijs.example/stembus'] : [],
      hashtags: campaign ? ['stembus'] : [],
    });
  }
  return posts;
}
