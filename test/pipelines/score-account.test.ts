import { describe, expect, it } from 'vitest';
import { handleLocalPart, looksRandom, scoreAccount } from '../../pipelines/score-account.ts';

const post = Date.parse('2025-06-10T12:00:00Z');

describe('scoreAccount', () => {
  it('computes the signals from a complete profile', () => {
    const r = scoreAccount(
      {
        id: '1',
        handle: 'jan_de_vries',
        displayName: 'Jan de Vries',
        createdAt: '2020-06-10T12:00:00Z',
        followers: 300,
        following: 150,
        posts: 1826,
        bot: false,
      },
      post,
    );
    expect(r.signals.ageDays).toBe(1826); // 2020-06-10 → 2025-06-10 is 1826 days (one leap day, 2024)
    expect(r.signals.postsPerDay).toBe(1);
    expect(r.signals.followerRatio).toBe(2);
    expect(r.signals.handleDigitShare).toBe(0);
    expect(r.signals.handleRandom).toBe(false);
    expect(r.signals.emptyDisplayName).toBe(false);
    expect(r.botScore).toBe(0);
    expect(r.botReasons).toEqual([]);
  });

  it('scores a fresh, hyperactive, digit-handled account high, with checkable reasons', () => {
    const r = scoreAccount(
      {
        id: '2',
        handle: '@patriot84736251@mastodon.social',
        displayName: '',
        createdAt: '2025-06-07T12:00:00Z',
        followers: 2,
        following: 900,
        posts: 1500,
      },
      post,
    );
    expect(r.signals.ageDays).toBe(3);
    expect(r.signals.postsPerDay).toBe(500);
    expect(r.signals.handleDigitShare).toBeCloseTo(8 / 15, 3);
    expect(r.signals.handleRandom).toBe(true);
    expect(r.botReasons).toContain('account 3 days old at posting time');
    expect(r.botReasons).toContain('handle has 8 digits');
    expect(r.botReasons).toContain('empty display name');
    expect(r.botReasons).toContain('follows 900 accounts but has 2 followers');
    expect(r.botReasons.some((x) => x.startsWith('500 posts per day'))).toBe(true);
    expect(r.botScore).toBeGreaterThanOrEqual(0.8);
    expect(r.botScore).toBeLessThanOrEqual(1);
  });

  it('labels declared bots and does not score them as inauthentic', () => {
    const r = scoreAccount(
      { id: '3', handle: 'nosbot123456', displayName: '', createdAt: '2025-06-09T00:00:00Z', posts: 9000, bot: true },
      post,
    );
    expect(r.signals.declaredBot).toBe(true);
    expect(r.botScore).toBe(0);
    expect(r.botReasons).toEqual(['self-declared automated account']);
  });

  it('clamps a negative age (Mastodon rounds created_at to midnight) to 0', () => {
    const r = scoreAccount({ id: '4', handle: 'a', displayName: 'A', createdAt: '2025-06-11T00:00:00Z' }, post);
    expect(r.signals.ageDays).toBe(0);
    expect(r.botReasons).toContain('account 0 days old at posting time');
  });

  it('turns missing or invalid fields into null signals without throwing', () => {
    const r = scoreAccount({ id: '5' }, post);
    expect(r.signals).toEqual({
      ageDays: null,
      postsPerDay: null,
      followerRatio: null,
      handleDigitShare: null,
      handleRandom: false,
      emptyDisplayName: true,
      declaredBot: false,
    });
    expect(r.botScore).toBe(0);
    const bad = scoreAccount(
      { id: '6', createdAt: 'not a date', followers: -5, following: Number.NaN, posts: Infinity, handle: '' },
      post,
    );
    expect(bad.signals.ageDays).toBeNull();
    expect(bad.signals.followerRatio).toBeNull();
    expect(bad.signals.postsPerDay).toBeNull();
    expect(bad.signals.handleDigitShare).toBeNull();
    expect(scoreAccount(null as never, Number.NaN).signals.ageDays).toBeNull();
  });

  it('keeps the score within [0,1] in the worst case', () => {
    const r = scoreAccount(
      {
        id: '7',
        handle: 'xk7q9z2w4v8b1n3m5',
        displayName: null,
        createdAt: '2025-06-10T11:00:00Z',
        followers: 0,
        following: 5000,
        posts: 100000,
      },
      post,
    );
    expect(r.botScore).toBeLessThanOrEqual(1);
    expect(r.botScore).toBeGreaterThan(0.9);
  });
});

describe('handle helpers', () => {
  it('takes the local part of fediverse and Bluesky handles', () => {
    expect(handleLocalPart('@Jan_123@mastodon.social')).toBe('Jan_123');
    expect(handleLocalPart('jan.bsky.social')).toBe('jan');
    expect(handleLocalPart('kees')).toBe('kees');
  });
  it('tells random-looking handles from human ones', () => {
    for (const h of ['user8273645', 'xkqzwvbnmtr', 'aB3dE7gH9kLm2']) expect(looksRandom(h)).toBe(true);
    for (const h of ['jan_de_vries', 'MarieKeizer', 'nos', 'henk1975', 'GeertWilders'])
      expect(looksRandom(h)).toBe(false);
  });
});
