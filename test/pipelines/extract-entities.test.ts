import { describe, expect, it } from 'vitest';
import {
  englishLexiconEntities,
  extractEntities,
  matchGazetteer,
  wantsEnglishNer,
} from '../../pipelines/extract-entities.ts';

const nl = (text: string, extra: Partial<{ hashtags: string[]; mentions: string[] }> = {}) =>
  extractEntities({ text, lang: 'nl', hashtags: extra.hashtags ?? [], mentions: extra.mentions ?? [] });

describe('matchGazetteer', () => {
  it('finds parties, politicians, institutions and places, longest phrase first', () => {
    const e = matchGazetteer(
      'Wilders en GroenLinks-PvdA ruziën in de Tweede Kamer over het RIVM-rapport; de GGD in Den Haag zwijgt.',
    );
    expect(e).toEqual([
      { text: 'Geert Wilders', type: 'person' },
      { text: 'GroenLinks-PvdA', type: 'party' },
      { text: 'Tweede Kamer', type: 'institution' },
      { text: 'GGD', type: 'institution' },
      { text: 'Den Haag', type: 'place' },
    ]);
  });

  it('matches case-insensitively, except for names that are also ordinary words', () => {
    expect(matchGazetteer('pvv en bbb en nsc')).toEqual([
      { text: 'PVV', type: 'party' },
      { text: 'BBB', type: 'party' },
      { text: 'NSC', type: 'party' },
    ]);
    expect(matchGazetteer('Ik denk dat dit 5 volt is en hij schoof aan')).toEqual([]);
    expect(matchGazetteer('DENK en Volt stemden tegen, Schoof zweeg')).toEqual([
      { text: 'DENK', type: 'party' },
      { text: 'Volt', type: 'party' },
      { text: 'Dick Schoof', type: 'person' },
    ]);
  });

  it('maps aliases to the canonical name', () => {
    expect(matchGazetteer('Partij voor de Vrijheid, GL/PvdA, Forum voor Democratie, Den Bosch')).toEqual([
      { text: 'PVV', type: 'party' },
      { text: 'GroenLinks-PvdA', type: 'party' },
      { text: 'FvD', type: 'party' },
      { text: "'s-Hertogenbosch", type: 'place' },
    ]);
  });

  it('ignores names inside links, mentions and hashtags (hashtags come in as topics instead)', () => {
    expect(matchGazetteer('https://www.pvv.nl/rivm @rivm #wilders')).toEqual([]);
  });
});

describe('extractEntities', () => {
  it('adds hashtags and mentions as topics and de-duplicates', () => {
    const e = nl('De PVV en de PVV', { hashtags: ['stikstof'], mentions: ['nos', 'kees@mastodon.social'] });
    expect(e).toEqual([
      { text: 'PVV', type: 'party' },
      { text: '#stikstof', type: 'topic' },
      { text: '@nos', type: 'topic' },
      { text: '@kees@mastodon.social', type: 'topic' },
    ]);
  });

  const englishPost = {
    text: 'Yesterday Joe Biden met Emmanuel Macron in Paris to discuss Ukraine. Microsoft and the FBI stayed silent.',
    lang: 'en',
    hashtags: [],
    mentions: [],
  };

  it("finds English people, places and organisations with compromise's lexicon (default)", () => {
    expect(extractEntities(englishPost)).toEqual([
      { text: 'Joe Biden', type: 'person' },
      { text: 'Emmanuel Macron', type: 'person' },
      { text: 'Paris', type: 'place' },
      { text: 'Ukraine', type: 'place' },
      { text: 'Microsoft', type: 'organization' },
      { text: 'FBI', type: 'organization' },
    ]);
  });

  it('finds the same with the full compromise parse', () => {
    const e = extractEntities(englishPost, { englishParser: 'compromise' });
    for (const x of [
      { text: 'Joe Biden', type: 'person' },
      { text: 'Paris', type: 'place' },
      { text: 'Microsoft', type: 'organization' },
    ])
      expect(e).toContainEqual(x);
  });

  it('does not take an ordinary capitalised first word for a name', () => {
    expect(englishLexiconEntities('Yesterday was fine. Will you come? The weather is nice.')).toEqual([]);
    expect(englishLexiconEntities('Paris is lovely.')).toEqual([{ text: 'Paris', type: 'place' }]);
  });

  it('gates compromise: not for other languages, not without capitals, not when switched off', () => {
    const base = { hashtags: [], mentions: [] };
    expect(wantsEnglishNer({ ...base, text: 'Joe Biden in Paris', lang: 'nl' })).toBe(false);
    expect(wantsEnglishNer({ ...base, text: 'no capitals here at all', lang: 'en' })).toBe(false);
    expect(wantsEnglishNer({ ...base, text: 'Joe Biden in Paris', lang: 'en' }, { english: false })).toBe(false);
    expect(wantsEnglishNer({ ...base, text: 'Joe Biden in Paris', lang: 'en' })).toBe(true);
  });

  it('handles empty, emoji-only and 10 kB texts', () => {
    expect(nl('')).toEqual([]);
    expect(nl('🔥🔥🇳🇱')).toEqual([]);
    const long = 'De VVD en het CDA praten in Utrecht. '.repeat(300);
    expect(long.length).toBeGreaterThan(10_000);
    expect(nl(long)).toEqual([
      { text: 'VVD', type: 'party' },
      { text: 'CDA', type: 'party' },
      { text: 'Utrecht', type: 'place' },
    ]);
  });
});

describe('entity extraction on hostile input', () => {
  // A word of 40k punctuation marks between two letters: the old trimming regex was quadratic (seconds). The
  // timeout only catches a regression; the scan takes milliseconds.
  it('trims a long run of punctuation inside one word in linear time', { timeout: 5_000 }, () => {
    const text = `Yesterday Joe Biden met Mark Rutte in Brussels. a${'!'.repeat(40_000)}b ${'¡'.repeat(40_000)}Z`;
    const names = englishLexiconEntities(text).map((e) => e.text);
    expect(names).toContain('Joe Biden');
  });
});
