// Text fingerprints for near-duplicate detection: an exact hash of the normalised words and a 64-value MinHash
// over word unigrams and bigrams. The normalisation drops what copy-paste campaigns vary (links, mentions, emoji,
// punctuation, case, a leading "RT"), so "Deel dit!! <text> 🇳🇱" and "<text>" share almost all shingles, while two
// different posts on the same topic share only a few common words and hardly any bigrams.
import { createHash } from 'node:crypto';
import { stemmer as stemDutch } from '@orama/stemmers/dutch';
import { stemmer as stemEnglish } from '@orama/stemmers/english';
import type { TextFingerprint } from './types.ts';
import { LINK_RE, MENTION_RE } from './text-patterns.ts';

/** Number of values in a MinHash signature. */
export const MINHASH_SIZE = 64;
/** Fewer words than this gives an empty MinHash (too little text to compare). */
export const MIN_FINGERPRINT_TOKENS = 3;

// Words: runs of letters, marks (diacritics) and digits; everything else (emoji, punctuation, #, symbols) separates.
const WORD_RE = /[\p{L}\p{M}\p{N}]+/gu;

/** Deterministic seeds: a fixed xorshift32 stream, so signatures are stable across runs and processes. */
const SEEDS_A = new Int32Array(MINHASH_SIZE);
const SEEDS_B = new Int32Array(MINHASH_SIZE);
{
  let x = 0x9e3779b9 | 0;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x | 0;
  };
  for (let i = 0; i < MINHASH_SIZE; i++) {
    SEEDS_A[i] = next() | 1; // odd multiplier keeps the map a bijection on 32 bits
    SEEDS_B[i] = next();
  }
}

/** FNV-1a over UTF-16 code units, 32 bit. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h;
}

/** murmur3 finaliser: spreads the bits of a 32-bit value. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** The normalised words of a text: lower case, NFKC, diacritics kept, links/mentions/emoji/punctuation removed. */
export function fingerprintWords(text: string): string[] {
  const cleaned = text.normalize('NFKC').replace(LINK_RE, ' ').replace(MENTION_RE, ' ').toLowerCase();
  const words = cleaned.match(WORD_RE) ?? [];
  // A leading retweet marker ("RT", "RT:") is not part of the message.
  if (words.length > 1 && words[0] === 'rt') words.shift();
  return words;
}

/** Computes the exact hash and the MinHash signature of a post text. */
export function fingerprintText(text: string): TextFingerprint {
  const words = fingerprintWords(text);
  if (words.length === 0) return { exact: '', minhash: [], tokenCount: 0 };
  const exact = createHash('sha256').update(words.join(' ')).digest('hex').slice(0, 32);
  if (words.length < MIN_FINGERPRINT_TOKENS) return { exact, minhash: [], tokenCount: words.length };

  // Shingles: every word and every adjacent pair. Unigrams keep similarity high under word edits; bigrams keep
  // it low between different texts that merely use the same vocabulary.
  const wordHashes = new Int32Array(words.length);
  for (let i = 0; i < words.length; i++) wordHashes[i] = fnv1a(words[i]!);
  // Typed arrays keep the 32-bit values unboxed (V8 small integers are only 31 bits).
  const bases = new Int32Array(wordHashes.length * 2);
  let nb = 0;
  for (let i = 0; i < wordHashes.length; i++) {
    bases[nb++] = fmix(wordHashes[i]!);
    if (i + 1 < wordHashes.length)
      bases[nb++] = fmix(Math.imul(wordHashes[i]!, 0x2c1b3c6d) ^ fmix(wordHashes[i + 1]! + 0x7f4a7c15));
  }
  // Repeated shingles do not change a minimum, so no de-duplication is needed.

  // Signed 32-bit minimum over (value XOR 0x80000000) equals the unsigned minimum.
  const mins = new Int32Array(MINHASH_SIZE);
  for (let k = 0; k < MINHASH_SIZE; k++) {
    const a = SEEDS_A[k]!,
      b = SEEDS_B[k]!;
    let min = 0x7fffffff;
    for (let j = 0; j < nb; j++) {
      let h = (Math.imul(bases[j]!, a) + b) | 0;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      h ^= -0x80000000;
      if (h < min) min = h;
    }
    mins[k] = min;
  }
  const minhash = new Array<number>(MINHASH_SIZE);
  for (let k = 0; k < MINHASH_SIZE; k++) minhash[k] = (mins[k]! ^ -0x80000000) >>> 0;
  return { exact, minhash, tokenCount: words.length };
}

/** Estimated Jaccard similarity of two MinHash signatures, 0..1; 0 if either is empty. */
export function minhashSimilarity(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 0;
  let same = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) same++;
  return same / n;
}

/**
 * Locality-sensitive hashing keys: the signature is cut into `bands` equal bands (rows = floor(length / bands));
 * two signatures sharing any key are candidate near-duplicates. The band index is part of each key.
 */
export function lshBandKeys(minhash: number[], bands: number): string[] {
  if (minhash.length === 0 || bands <= 0) return [];
  const rows = Math.max(1, Math.floor(minhash.length / bands));
  const keys: string[] = [];
  for (let b = 0; b < bands && (b + 1) * rows <= minhash.length; b++) {
    let h = 0x811c9dc5 | 0;
    let h2 = 0x01000193 | 0;
    for (let r = b * rows; r < (b + 1) * rows; r++) {
      h = fmix(h ^ minhash[r]!);
      h2 = fmix(Math.imul(h2, 31) + minhash[r]!);
    }
    // Joined, not a template: join makes one flat string, where a template makes a chain of concatenated strings
    // (~50 bytes more per key; the near-duplicate index keeps ~21 keys per group of the window).
    keys.push([b, ':', (h >>> 0).toString(36), (h2 >>> 0).toString(36)].join(''));
  }
  return keys;
}

/** Number of values in a paraphrase signature ({@link paraphraseSignature}). */
export const PARAPHRASE_SIZE = 48;

/**
 * Function words of Dutch and English: they carry no claim, and in short texts they would make any two posts look
 * alike. Kept small on purpose; content words that many posts share are handled by the similarity threshold.
 */
const STOPWORDS = new Set(
  (
    'de het een en van in is dat op te niet met voor zijn die er maar ook als bij nog wel dan om naar wat kan ' +
    'ze zij hij ik je jij we wij u hun hen ons mijn jouw dit deze aan uit door over tot of want dus al was ' +
    'werd wordt worden heeft hebben had zo nu geen meer veel wie waar hoe waarom toch even heel echt alle ' +
    'the a an and or of in on to for is are was were be been it this that these those with by at from as ' +
    'but not no so if then than they them he she we you i my your our their his her its do does did has have ' +
    'had will would can could just very all more most'
  ).split(' '),
);

/** Stems a word with the Snowball stemmer of the post's language; other languages keep the first six letters. */
function stemWord(word: string, lang: string | null): string {
  if (lang !== 'nl' && lang !== 'en') return word.length > 6 ? word.slice(0, 6) : word;
  // One map per language: the word itself is the key (no `lang:word` string built per word of every post).
  const stems = lang === 'nl' ? STEMS_NL : STEMS_EN;
  let stem = stems.get(word);
  if (stem === undefined) {
    // Snowball stemming is the costly step of a paraphrase signature and posts reuse a small vocabulary.
    if (STEMS_NL.size + STEMS_EN.size >= MAX_STEMS) {
      STEMS_NL.clear();
      STEMS_EN.clear();
    }
    stem = lang === 'nl' ? stemDutch(word) : stemEnglish(word);
    stems.set(word, stem);
  }
  return stem;
}

/** Stems already computed per language (both cleared when full, so memory stays bounded). */
const STEMS_NL = new Map<string, string>();
const STEMS_EN = new Map<string, string>();
const MAX_STEMS = 50_000;

/**
 * The distinct stemmed content words of a text (function words, numbers and one- or two-letter words dropped),
 * sorted: the bag a paraphrase keeps when it reorders clauses or inflects a word differently.
 */
export function paraphraseWords(text: string, lang: string | null): string[] {
  const out = new Set<string>();
  for (const w of fingerprintWords(text)) {
    if (w.length < 3 || STOPWORDS.has(w) || /^\p{N}+$/u.test(w)) continue;
    out.add(stemWord(w, lang));
  }
  return [...out].sort();
}

/**
 * A MinHash over the stemmed content words of a text ({@link paraphraseWords}), or an empty array when it has fewer
 * than `minWords` of them. Unlike the fingerprint's uni+bigram MinHash it ignores word order and function words, so
 * a claim reworded by reordering, a few synonyms and small edits keeps most of its set (a 15-word claim with four
 * words swapped keeps Jaccard ~0.6), while two posts on the same topic share only the topic words.
 */
export function paraphraseSignature(text: string, lang: string | null, minWords: number): number[] {
  return paraphraseSignatureOf(paraphraseWords(text, lang), minWords);
}

/** {@link paraphraseSignature} of words already taken from a text with {@link paraphraseWords}. */
export function paraphraseSignatureOf(words: readonly string[], minWords: number): number[] {
  if (words.length < Math.max(1, minWords)) return [];
  const bases = new Int32Array(words.length);
  for (let i = 0; i < words.length; i++) bases[i] = fmix(fnv1a(words[i]!) ^ 0x5bd1e995);
  const sig = new Array<number>(PARAPHRASE_SIZE);
  for (let k = 0; k < PARAPHRASE_SIZE; k++) {
    const a = SEEDS_A[k]!,
      b = SEEDS_B[k]!;
    let min = 0x7fffffff;
    for (let j = 0; j < bases.length; j++) {
      const h = fmix((Math.imul(bases[j]!, a) + b) | 0) ^ -0x80000000;
      if (h < min) min = h;
    }
    sig[k] = (min ^ -0x80000000) >>> 0;
  }
  return sig;
}

/**
 * Exact Jaccard similarity of two sorted, duplicate-free word lists (as {@link paraphraseWords} returns), 0..1; 0 if
 * both are empty. Confirms a paraphrase that the MinHash estimate proposed: with 48 values the estimate's standard
 * error near 0.5 is ~0.07, enough for a short post sharing a third of its words with a long message to pass.
 */
export function wordJaccard(a: readonly string[], b: readonly string[]): number {
  let i = 0;
  let j = 0;
  let both = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      both++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  const union = a.length + b.length - both;
  return union === 0 ? 0 : both / union;
}
