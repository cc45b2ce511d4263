import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pseudonymize } from '../../pipelines/pseudonymize.ts';

describe('pseudonymize', () => {
  const key = 'test-key-0123456789abcdef';
  it('is p: plus the first 24 hex characters of HMAC-SHA256(key, id)', () => {
    const expected = `p:${createHmac('sha256', key).update('mastodon:109876').digest('hex').slice(0, 24)}`;
    expect(pseudonymize('mastodon:109876', key)).toBe(expected);
    expect(pseudonymize('mastodon:109876', key)).toMatch(/^p:[0-9a-f]{24}$/);
  });
  it('is stable (also through the cache) and differs per id and per key', () => {
    const a = pseudonymize('jan', key);
    expect(pseudonymize('jan', key)).toBe(a);
    expect(pseudonymize('Jan', key)).not.toBe(a);
    expect(pseudonymize('jan', `${key}x`)).not.toBe(a);
  });
  it('does not confuse key/id boundaries in its cache', () => {
    expect(pseudonymize('b', 'a-key-long-enough-0000')).not.toBe(pseudonymize('key-long-enough-0000\u0000b', 'a-'));
  });
  it('handles empty and unicode ids', () => {
    expect(pseudonymize('', key)).toMatch(/^p:[0-9a-f]{24}$/);
    expect(pseudonymize('🇳🇱josé', key)).toMatch(/^p:[0-9a-f]{24}$/);
  });
});
