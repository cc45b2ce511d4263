// Pseudonymisation of account ids and handles: a keyed hash (HMAC-SHA256), so the same account keeps the same
// pseudonym across posts and runs with the same key, while nobody without the key can recover or test a handle.
import { createHmac } from 'node:crypto';

const CACHE_LIMIT = 50_000;
const cache = new Map<string, string>();

/** `p:` + the first 24 hex characters of HMAC-SHA256(key, id). Results are cached per key and id (bounded). */
export function pseudonymize(id: string, key: string): string {
  const cacheKey = `${key.length}:${key}\u0000${id}`;
  const hit = cache.get(cacheKey);
  if (hit !== undefined) return hit;
  const value = `p:${createHmac('sha256', key).update(id).digest('hex').slice(0, 24)}`;
  if (cache.size >= CACHE_LIMIT) cache.clear(); // crude but bounded; a stream's active accounts refill it quickly
  cache.set(cacheKey, value);
  return value;
}

/**
 * Pseudonym of a post id: `post:` + 24 hex of the same keyed hash (domain-separated from account pseudonyms). A
 * Mastodon status URI or a Bluesky at:// URI names its author, so such ids are hashed like account ids.
 */
export function pseudonymizePostId(id: string, key: string): string {
  return `post:${pseudonymize(`post\u0000${id}`, key).slice(2)}`;
}

/**
 * Whether a post's id and URL identify an ordinary account and are pseudonymised: every source except news feeds
 * (`rss`), whose ids are article links of news and fact-check sites. Telegram public channels are pseudonymised
 * too: many are run by one person, and the channel name is in the id (see docs/security.md).
 */
export function isAccountPost(source: string): boolean {
  return source !== 'rss';
}
