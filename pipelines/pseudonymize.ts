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
