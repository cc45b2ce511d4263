import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEnricher, FutureDatedPostError, InvalidPostError, PostOverBudgetError } from '../../pipelines/enrich.ts';
import { pseudonymize } from '../../pipelines/pseudonymize.ts';
import type { NormalizedPost } from '../../pipelines/types.ts';
import { loadConfig } from '../../workers/config.ts';
import { validEnrichedPost } from '../support/contracts.ts';

/** The fields of a recorded Mastodon status this test reads. */
interface RecordedStatus {
  id: string;
  url: string;
  content: string;
  created_at: string;
  language: string;
  account: {
    id: string;
    acct: string;
    display_name: string;
    created_at: string;
    followers_count: number;
    following_count: number;
    statuses_count: number;
    bot: boolean;
  };
}

const config = loadConfig({ env: {} });
const key = 'unit-test-key-0123456789';
const plain = createEnricher({ enrichment: config.enrich, pseudonymKey: null });
const pseudo = createEnricher({ enrichment: config.enrich, pseudonymKey: key });

const base: NormalizedPost = {
  id: 'mastodon:1',
  source: 'mastodon',
  url: 'https://mastodon.social/@jan/1',
  text: '<p>Deel dit! Het kabinet wil de stikstofregels nog strenger maken terwijl boeren failliet gaan. @NOS <a href="https://www.nos.nl/artikel/123?utm_source=x#top">nos.nl/artikel/123</a> #Stikstof</p>',
  createdAt: '2025-06-10T12:00:00.000Z',
  lang: 'en',
  author: {
    id: '109876',
    handle: 'boer84736251',
    displayName: '',
    createdAt: '2025-06-07T00:00:00.000Z',
    followers: 3,
    following: 500,
    posts: 900,
    bot: false,
  },
  links: ['https://t.co/xyz'],
  hashtags: ['Boeren'],
};

describe('createEnricher', () => {
  it('composes every step into a contract-valid enriched post', () => {
    const e = plain(base);
    expect(e.schemaVersion).toBe(1);
    expect(e.id).toBe('mastodon:1');
    expect(e.createdAtMs).toBe(Date.parse('2025-06-10T12:00:00.000Z'));
    expect(e.text).toBe(
      'Deel dit! Het kabinet wil de stikstofregels nog strenger maken terwijl boeren failliet gaan. @NOS nos.nl/artikel/123 #Stikstof',
    );
    expect(e.lang).toBe('nl');
    expect(e.declaredLang).toBe('en');
    expect(e.langConfidence).toBeGreaterThan(0);
    expect(e.links).toEqual(['https://t.co/xyz']);
    expect(e.canonicalLinks).toEqual(['https://t.co/xyz']);
    expect(e.hashtags).toEqual(['boeren', 'stikstof']);
    expect(e.mentions).toEqual(['nos']);
    expect(e.entities).toContainEqual({ text: '#stikstof', type: 'topic' });
    expect(e.fingerprint.minhash).toHaveLength(64);
    expect(e.accountSignals.ageDays).toBe(3.5);
    expect(e.botReasons).toContain('account 3 days old at posting time');
    expect(e.botReasons).toContain('handle has 8 digits');
    expect(e.factchecks).toEqual([]);
    expect(e.author).toEqual({
      id: '109876',
      handle: 'boer84736251',
      createdAt: '2025-06-07T00:00:00.000Z',
      followers: 3,
      following: 500,
      posts: 900,
      bot: false,
    });

    expect(validEnrichedPost(e), JSON.stringify(validEnrichedPost.errors)).toBe(true);
  });

  it('takes links from the text too and canonicalises them', () => {
    const e = plain({
      ...base,
      links: [],
      text: 'Kijk https://www.nos.nl/artikel/123?utm_source=x#top en www.rivm.nl/corona/',
    });
    expect(e.links).toEqual(['https://www.nos.nl/artikel/123?utm_source=x#top', 'www.rivm.nl/corona/']);
    expect(e.canonicalLinks).toEqual(['https://nos.nl/artikel/123', 'https://rivm.nl/corona']);
  });

  it('pseudonymises author id and handle, after the handle signals were taken', () => {
    const e = pseudo(base);
    expect(e.author.id).toBe(pseudonymize('109876', key));
    expect(e.author.handle).toBe(pseudonymize('boer84736251', key));
    expect(JSON.stringify(e)).not.toContain('boer84736251');
    expect(e.accountSignals.handleDigitShare).toBeCloseTo(8 / 12, 3);
    expect(pseudo({ ...base, author: { id: 'x' } }).author.handle).toBeNull();
  });

  it('pseudonymises mentioned handles in mentions and topic entities, keeps the text as written', () => {
    const text = 'Vraag aan @Jan_de_Boer en @kees@mastodon.social: klopt dit? @RIVM @NOS #stikstof';
    const e = pseudo({ ...base, text, links: [], hashtags: [] });
    const expected = ['jan_de_boer', 'kees@mastodon.social', 'rivm', 'nos'].map((h) => pseudonymize(h, key));
    expect(e.mentions).toEqual(expected);
    // Institutions are accounts like any other: no exception for @RIVM or @NOS.
    for (const p of expected) expect(e.entities).toContainEqual({ text: `@${p}`, type: 'topic' });
    expect(e.entities.filter((x) => x.text.startsWith('@')).map((x) => x.text)).toEqual(expected.map((p) => `@${p}`));
    expect(e.entities).toContainEqual({ text: '#stikstof', type: 'topic' });
    expect(e.text).toBe(text); // analysts triage on the text
    const { text: _t, ...rest } = e;
    const json = JSON.stringify(rest).toLowerCase();
    for (const h of ['jan_de_boer', 'kees@mastodon', '"rivm"', '"@rivm"', '"nos"', '"@nos"'])
      expect(json).not.toContain(h);
    // The same account gets the same pseudonym as author and as mention (both lower-cased before hashing).
    const asAuthor = pseudo({ ...base, author: { id: '7', handle: 'Jan_de_Boer' } });
    expect(asAuthor.author.handle).toBe(e.mentions[0]);
  });

  it('keeps mentions as written without a key', () => {
    const e = plain({ ...base, text: 'Vraag aan @Jan_de_Boer: klopt dit?', links: [], hashtags: [] });
    expect(e.mentions).toEqual(['jan_de_boer']);
    expect(e.entities).toContainEqual({ text: '@jan_de_boer', type: 'topic' });
  });

  it('throws InvalidPostError (not retriable) only for an unparsable createdAt', () => {
    for (const createdAt of ['', 'yesterday', undefined as unknown as string]) {
      let err: unknown;
      try {
        plain({ ...base, createdAt });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidPostError);
      expect((err as InvalidPostError).name).toBe('InvalidPostError');
      expect((err as InvalidPostError).retriable).toBe(false);
    }
  });

  it('turns bad author fields into nulls instead of throwing', () => {
    const e = plain({
      ...base,
      author: {
        id: '5',
        createdAt: 'garbage',
        followers: -1,
        following: Number.NaN,
        posts: 'many' as unknown as number,
      },
    });
    expect(e.author).toEqual({
      id: '5',
      handle: null,
      createdAt: null,
      followers: null,
      following: null,
      posts: null,
      bot: false,
    });
    expect(e.accountSignals.ageDays).toBeNull();
    const noAuthor = plain({ ...base, author: undefined as unknown as NormalizedPost['author'] });
    expect(noAuthor.author.id).toBe('');
  });

  it('handles empty, emoji-only, link-only and 10 kB posts', () => {
    const empty = plain({ ...base, text: '', links: [], hashtags: [] });
    expect(empty).toMatchObject({ text: '', lang: 'und', langConfidence: 0, links: [], hashtags: [], mentions: [] });
    expect(empty.fingerprint).toEqual({ exact: '', minhash: [], tokenCount: 0 });
    expect(plain({ ...base, text: '🔥🔥🇳🇱' }).lang).toBe('und');
    const linkOnly = plain({ ...base, text: 'https://youtu.be/dQw4w9WgXcQ?si=abc', links: [] });
    expect(linkOnly.lang).toBe('und');
    expect(linkOnly.canonicalLinks).toEqual(['https://youtu.be/dQw4w9WgXcQ']);
    const long = plain({ ...base, text: 'De VVD wil minder regels voor boeren in Gelderland. '.repeat(200) });
    expect(long.lang).toBe('nl');
    expect(long.entities).toContainEqual({ text: 'VVD', type: 'party' });
  });

  it('enriches a real Mastodon status (recorded fixture)', () => {
    const raw = (
      JSON.parse(
        readFileSync(new URL('../../../shared/fixtures/real/mastodon-status.json', import.meta.url), 'utf8'),
      ) as { response: { body: RecordedStatus } }
    ).response.body;
    const e = plain({
      id: `mastodon:${raw.id}`,
      source: 'mastodon',
      url: raw.url,
      text: raw.content,
      createdAt: raw.created_at,
      lang: raw.language,
      author: {
        id: raw.account.id,
        handle: raw.account.acct,
        displayName: raw.account.display_name,
        createdAt: raw.account.created_at,
        followers: raw.account.followers_count,
        following: raw.account.following_count,
        posts: raw.account.statuses_count,
        bot: raw.account.bot,
      },
    });
    expect(e.lang).toBe('en');
    expect(e.text).not.toMatch(/<|&amp;/);
    expect(e.links.some((l) => l.startsWith('https://r-consortium.org/posts/'))).toBe(true);
    expect(e.canonicalLinks.every((l) => !l.includes('#'))).toBe(true);
    expect(e.accountSignals.ageDays).toBeGreaterThan(0);
  });
});

describe('createEnricher limits', () => {
  it('cuts the raw text to maxTextChars before the expensive steps and notes the original length', () => {
    const long = `${'Het kabinet wil de regels strenger maken. '.repeat(2_000)}https://nos.nl/einde`;
    const e = createEnricher({ enrichment: config.enrich, pseudonymKey: null, limits: { maxTextChars: 1_000 } })({
      ...base,
      text: long,
    });
    expect(e.textTruncatedFrom).toBe(long.length);
    expect(e.text.length).toBeLessThanOrEqual(1_000);
    expect(e.links).not.toContain('https://nos.nl/einde');
    expect(validEnrichedPost(e), JSON.stringify(validEnrichedPost.errors)).toBe(true);
    expect(plain(base).textTruncatedFrom).toBeUndefined();
  });

  it('refuses a post over the time budget (fake clock) with the reason, and the next post goes through', () => {
    let now = 0;
    let slowStep = true;
    // Each clock reading advances 1 ms, except that the first post's text normalisation "takes" 5 s.
    const clock = (): number => {
      now += 1;
      if (slowStep && now === 2) {
        now += 5_000;
        slowStep = false;
      }
      return now;
    };
    const enrich = createEnricher({
      enrichment: config.enrich,
      pseudonymKey: null,
      limits: { postBudgetMs: 1_000 },
      clock,
    });
    let err: unknown;
    try {
      enrich(base);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PostOverBudgetError);
    expect(err).toBeInstanceOf(InvalidPostError); // so the workers send it to the dead letters
    expect((err as Error).message).toBe(
      'post over the processing budget: 5001 ms after text normalisation (budget 1000 ms)',
    );
    expect(enrich(base).id).toBe('mastodon:1');
  });

  it('refuses a post dated beyond maxFutureSkewMs after the processing clock and keeps one within it', () => {
    const nowMs = Date.parse(base.createdAt);
    const enrich = createEnricher({
      enrichment: config.enrich,
      pseudonymKey: null,
      limits: { maxFutureSkewMs: 600_000 },
      now: () => nowMs,
    });
    const at = (ms: number) => ({ ...base, createdAt: new Date(nowMs + ms).toISOString() });
    expect(enrich(at(600_000)).createdAtMs).toBe(nowMs + 600_000); // a clock minutes fast: kept as dated
    let err: unknown;
    try {
      enrich(at(600_001));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FutureDatedPostError);
    expect(err).toBeInstanceOf(InvalidPostError); // so the workers send it to the dead letters
    expect((err as Error).message).toBe(
      'future-dated: createdAt 2025-06-10T12:10:00.001Z is 600 s after the processing clock (tolerance 600 s)',
    );
    expect(() => enrich({ ...base, createdAt: '2099-01-01T00:00:00Z' })).toThrow(FutureDatedPostError);
    expect(enrich({ ...base, createdAt: '2001-01-01T00:00:00Z' }).createdAtMs).toBe(Date.parse('2001-01-01T00:00:00Z'));
  });
});
