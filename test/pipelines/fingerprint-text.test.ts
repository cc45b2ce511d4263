import { describe, expect, it } from 'vitest';
import {
  fingerprintText,
  lshBandKeys,
  minhashSimilarity,
  fingerprintWords,
  MINHASH_SIZE,
} from '../../pipelines/fingerprint-text.ts';

const sim = (a: string, b: string): number => minhashSimilarity(fingerprintText(a).minhash, fingerprintText(b).minhash);

// A 25-word Dutch post and copies as campaigns spread them.
const nl =
  'Het kabinet wil de stikstofregels nog strenger maken terwijl boeren nu al failliet gaan. Waarom hoor je hier niets over in de media? Wakker worden mensen!';
const nlCopies = [
  `Deel dit! ${nl}`,
  `RT: ${nl} 🚜🇳🇱`,
  `${nl}!!`,
  nl.toUpperCase(),
  nl.replace('strenger', 'strakker'),
  nl.replace('strenger', 'strakker').replace('media', 'pers'),
  `🔥🔥 ${nl} https://t.co/abc123 @boerenpartij`,
];
// Different posts about the same topic (stikstof, boeren, kabinet).
const nlOthers = [
  'Boeren protesteren vandaag opnieuw in Den Haag tegen het stikstofbeleid van het kabinet. De A12 is bij Zoetermeer afgesloten, verwacht veel vertraging.',
  'Het kabinet heeft een nieuw plan voor stikstof gepresenteerd. Volgens de minister krijgen boeren meer tijd en geld om hun bedrijf aan te passen.',
  'Waarom moeten boeren altijd betalen voor de stikstof? De luchtvaart en de industrie stoten ook veel uit, maar daar hoor je het kabinet niet over.',
];
const en =
  'BREAKING: The WHO has admitted that the new vaccine was never tested on pregnant women. Share before they delete this! The media will not report it.';
const enCopies = [
  `Share this! ${en}`,
  `RT: ${en} 😡😡`,
  en.replace('pregnant women', 'pregnant mothers'),
  `${en.toLowerCase()}!!!`,
];
const enOthers = [
  'The WHO published new guidance on vaccines for pregnant women today. The recommendation is based on trials with more than 20,000 participants.',
  'My wife got the vaccine while pregnant and both she and the baby are fine. Talk to your doctor, not to random accounts on the internet.',
];

describe('fingerprintText', () => {
  it('gives 64 unsigned 32-bit values and counts words', () => {
    const f = fingerprintText(nl);
    expect(f.minhash).toHaveLength(MINHASH_SIZE);
    for (const v of f.minhash) expect(Number.isInteger(v) && v >= 0 && v <= 0xffffffff).toBe(true);
    expect(f.tokenCount).toBe(26);
    expect(f.exact).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is deterministic', () => {
    expect(fingerprintText(nl)).toEqual(fingerprintText(`${nl}`));
  });

  it('gives the same exact hash across case, punctuation, emoji, links, mentions and a leading RT', () => {
    const base = fingerprintText(nl).exact;
    expect(fingerprintText(nl.toUpperCase()).exact).toBe(base);
    expect(fingerprintText(`RT: ${nl} 🚜🇳🇱`).exact).toBe(base);
    expect(fingerprintText(`${nl}!! https://t.co/x @iemand`).exact).toBe(base);
    expect(fingerprintText(nl.replace('strenger', 'strakker')).exact).not.toBe(base);
  });

  it('keeps diacritics in the words', () => {
    expect(fingerprintWords('Café Zürich, één keer!')).toEqual(['café', 'zürich', 'één', 'keer']);
    expect(fingerprintText('één twee drie').exact).not.toBe(fingerprintText('een twee drie').exact);
  });

  it('scores near-copies clearly higher than different posts on the same topic (Dutch)', () => {
    const copyScores = nlCopies.map((c) => sim(nl, c));
    const otherScores = nlOthers.map((o) => sim(nl, o));
    const minCopy = Math.min(...copyScores);
    const maxOther = Math.max(...otherScores);
    expect(minCopy).toBeGreaterThanOrEqual(0.6);
    expect(maxOther).toBeLessThanOrEqual(0.25);
    expect(minCopy - maxOther).toBeGreaterThanOrEqual(0.35);
  });

  it('scores near-copies clearly higher than different posts on the same topic (English)', () => {
    const minCopy = Math.min(...enCopies.map((c) => sim(en, c)));
    const maxOther = Math.max(...enOthers.map((o) => sim(en, o)));
    expect(minCopy).toBeGreaterThanOrEqual(0.6);
    expect(maxOther).toBeLessThanOrEqual(0.25);
  });

  it('handles empty, emoji-only, link-only and very short texts', () => {
    expect(fingerprintText('')).toEqual({ exact: '', minhash: [], tokenCount: 0 });
    expect(fingerprintText('🔥🔥🇳🇱 !!!')).toEqual({ exact: '', minhash: [], tokenCount: 0 });
    expect(fingerprintText('https://example.com/a?b=c')).toEqual({ exact: '', minhash: [], tokenCount: 0 });
    const short = fingerprintText('Ja hoor');
    expect(short.tokenCount).toBe(2);
    expect(short.exact).not.toBe('');
    expect(short.minhash).toEqual([]);
  });

  it('copes with 10 kB of text', () => {
    const long = (nl + ' ').repeat(70);
    expect(long.length).toBeGreaterThan(10_000);
    const f = fingerprintText(long);
    expect(f.minhash).toHaveLength(MINHASH_SIZE);
    expect(f.tokenCount).toBe(26 * 70);
  });
});

describe('minhashSimilarity', () => {
  it('is 1 for identical, 0 for empty, and symmetric', () => {
    const a = fingerprintText(nl).minhash;
    const b = fingerprintText(nlOthers[0]!).minhash;
    expect(minhashSimilarity(a, a)).toBe(1);
    expect(minhashSimilarity(a, [])).toBe(0);
    expect(minhashSimilarity([], [])).toBe(0);
    expect(minhashSimilarity(a, b)).toBe(minhashSimilarity(b, a));
  });
});

describe('lshBandKeys', () => {
  it('gives one key per band with the band index, shared by near-copies and not by unrelated posts', () => {
    const a = lshBandKeys(fingerprintText(nl).minhash, 16);
    expect(a).toHaveLength(16);
    a.forEach((k, i) => expect(k.startsWith(`${i}:`)).toBe(true));
    const copy = lshBandKeys(fingerprintText(`Deel dit! ${nl}!!`).minhash, 16);
    expect(copy.filter((k) => a.includes(k)).length).toBeGreaterThan(0);
    const other = lshBandKeys(fingerprintText(nlOthers[0]!).minhash, 16);
    expect(other.filter((k) => a.includes(k))).toEqual([]);
  });

  it('returns no keys for an empty signature', () => {
    expect(lshBandKeys([], 16)).toEqual([]);
  });
});
