// Language detection for short, messy posts. Links, mentions, hashtags and emoji are removed first; then the
// writing system decides whatever it can on its own (Greek, Thai, Hangul, kana, Hebrew, ...; distinguishing letters
// for Cyrillic); only Latin-script text (and the few scripts shared by several languages) goes to franc, restricted
// to a candidate list. Restricting matters: with all 187 languages franc calls short Dutch "Afrikaans" and short
// English "Scots". Output is ISO 639-1 where one exists, else ISO 639-3; 'und' when there is too little text.
// When franc's scorer (plus function words and marker letters) is not sure on Latin text, eld (Efficient Language
// Detector, n-gram model built for short texts, Apache-2.0), restricted to the same candidates, gives a second
// opinion and decides: measured on the tuning set, 94.4% → 98.6% (docs/enrichment.md).
import { eld } from 'eld/medium';
import { francAll } from 'franc';
// franc has no "exports" map, so its trigram data is importable; we score Latin text with it directly (below).
import { data as francData } from 'franc/data.js';
import { FUNCTION_WORD_SETS } from './data/function-words.ts';
import { EMOJI_RE, HASHTAG_RE, LINK_RE, MENTION_RE } from './text-patterns.ts';

/** The detected language and how sure we are. */
export interface LanguageGuess {
  /** ISO 639-1 code where one exists, else ISO 639-3; 'und' when undetermined. */
  lang: string;
  /** 0..1: 1 for unambiguous scripts, from the gap between franc's two best scores otherwise; 0 for 'und'. */
  confidence: number;
}

/** Options of {@link detectLanguage}. */
export interface DetectLanguageOptions {
  /** ISO 639-3 codes franc may choose from for Latin-script text. */
  candidates: string[];
  /** Fewer letters than this (after cleaning) gives 'und'. Han, kana and Hangul characters count three each. */
  minChars: number;
  /** ISO 639-3 codes expected most often in the stream; they win close calls on very short Latin text. Default none. */
  preferred?: string[];
}

/** ISO 639-3 → ISO 639-1 for every language this module can return (franc's codes included). */
export const ISO639_3_TO_1: Readonly<Record<string, string>> = {
  nld: 'nl',
  eng: 'en',
  deu: 'de',
  fra: 'fr',
  spa: 'es',
  ita: 'it',
  por: 'pt',
  pol: 'pl',
  tur: 'tr',
  ron: 'ro',
  swe: 'sv',
  dan: 'da',
  nob: 'nb',
  nno: 'nn',
  fin: 'fi',
  ces: 'cs',
  hun: 'hu',
  ind: 'id',
  vie: 'vi',
  tgl: 'tl',
  swh: 'sw',
  som: 'so',
  srp: 'sr',
  hrv: 'hr',
  bos: 'bs',
  slk: 'sk',
  slv: 'sl',
  lit: 'lt',
  lvs: 'lv',
  lav: 'lv',
  ekk: 'et',
  est: 'et',
  als: 'sq',
  sqi: 'sq',
  cat: 'ca',
  glg: 'gl',
  eus: 'eu',
  afr: 'af',
  fry: 'fy',
  lim: 'li',
  ltz: 'lb',
  gle: 'ga',
  cym: 'cy',
  isl: 'is',
  mlt: 'mt',
  epo: 'eo',
  zlm: 'ms',
  msa: 'ms',
  jav: 'jv',
  sun: 'su',
  hau: 'ha',
  yor: 'yo',
  ibo: 'ig',
  zul: 'zu',
  xho: 'xh',
  sna: 'sn',
  kin: 'rw',
  run: 'rn',
  lin: 'ln',
  nya: 'ny',
  wol: 'wo',
  ewe: 'ee',
  tsn: 'tn',
  sot: 'st',
  ssw: 'ss',
  tso: 'ts',
  ven: 've',
  hat: 'ht',
  plt: 'mg',
  uzn: 'uz',
  azj: 'az',
  tuk: 'tk',
  uig: 'ug',
  ckb: 'ku',
  quy: 'qu',
  quz: 'qu',
  ayr: 'ay',
  ful: 'ff',
  fuv: 'ff',
  fuf: 'ff',
  bam: 'bm',
  lug: 'lg',
  sag: 'sg',
  aka: 'ak',
  orm: 'om',
  tir: 'ti',
  amh: 'am',
  nds: 'nds',
  rus: 'ru',
  ukr: 'uk',
  bel: 'be',
  bul: 'bg',
  mkd: 'mk',
  kaz: 'kk',
  kir: 'ky',
  tgk: 'tg',
  tat: 'tt',
  khk: 'mn',
  mon: 'mn',
  ell: 'el',
  arb: 'ar',
  ara: 'ar',
  pes: 'fa',
  prs: 'fa',
  fas: 'fa',
  urd: 'ur',
  pbu: 'ps',
  pus: 'ps',
  heb: 'he',
  ydd: 'yi',
  yid: 'yi',
  hin: 'hi',
  mar: 'mr',
  npi: 'ne',
  nep: 'ne',
  ben: 'bn',
  pan: 'pa',
  guj: 'gu',
  ori: 'or',
  tam: 'ta',
  tel: 'te',
  kan: 'kn',
  mal: 'ml',
  sin: 'si',
  tha: 'th',
  lao: 'lo',
  khm: 'km',
  mya: 'my',
  kat: 'ka',
  hye: 'hy',
  bod: 'bo',
  zho: 'zh',
  cmn: 'zh',
  jpn: 'ja',
  kor: 'ko',
};

const UND: LanguageGuess = { lang: 'und', confidence: 0 };

/** Script buckets we count. */
const enum S {
  Latin,
  Cyrillic,
  Greek,
  Arabic,
  Hebrew,
  Thai,
  Devanagari,
  Bengali,
  Gurmukhi,
  Gujarati,
  Oriya,
  Tamil,
  Telugu,
  Kannada,
  Malayalam,
  Sinhala,
  Georgian,
  Armenian,
  Ethiopic,
  Khmer,
  Lao,
  Myanmar,
  Tibetan,
  Hangul,
  Kana,
  Han,
  Other,
}
const SCRIPT_COUNT = S.Other + 1;

/** Unique-script languages (ISO 639-1). */
const SCRIPT_LANG: Partial<Record<S, string>> = {
  [S.Greek]: 'el',
  [S.Thai]: 'th',
  [S.Bengali]: 'bn',
  [S.Gurmukhi]: 'pa',
  [S.Gujarati]: 'gu',
  [S.Oriya]: 'or',
  [S.Tamil]: 'ta',
  [S.Telugu]: 'te',
  [S.Kannada]: 'kn',
  [S.Malayalam]: 'ml',
  [S.Sinhala]: 'si',
  [S.Georgian]: 'ka',
  [S.Armenian]: 'hy',
  [S.Khmer]: 'km',
  [S.Lao]: 'lo',
  [S.Myanmar]: 'my',
  [S.Tibetan]: 'bo',
};
/** Scripts shared by several languages: franc decides among these. */
const SCRIPT_CANDIDATES: Partial<Record<S, string[]>> = {
  [S.Cyrillic]: ['rus', 'ukr', 'bel', 'bul', 'srp', 'mkd', 'kaz', 'kir', 'tgk', 'tat', 'khk'],
  [S.Arabic]: ['arb', 'pes', 'urd', 'pbu'],
  [S.Hebrew]: ['heb', 'ydd'],
  [S.Devanagari]: ['hin', 'mar', 'npi'],
  [S.Ethiopic]: ['amh', 'tir'],
};

function scriptOf(cp: number): S {
  if (cp < 0x0250) return S.Latin; // callers only pass letters
  if (cp < 0x0370) return cp >= 0x1e00 ? S.Latin : S.Other;
  if (cp < 0x0400) return S.Greek;
  if (cp < 0x0530) return S.Cyrillic;
  if (cp < 0x0590) return S.Armenian;
  if (cp < 0x0600) return S.Hebrew;
  if (cp < 0x0780) return S.Arabic;
  if (cp < 0x0900) return S.Other;
  if (cp < 0x0980) return S.Devanagari;
  if (cp < 0x0a00) return S.Bengali;
  if (cp < 0x0a80) return S.Gurmukhi;
  if (cp < 0x0b00) return S.Gujarati;
  if (cp < 0x0b80) return S.Oriya;
  if (cp < 0x0c00) return S.Tamil;
  if (cp < 0x0c80) return S.Telugu;
  if (cp < 0x0d00) return S.Kannada;
  if (cp < 0x0d80) return S.Malayalam;
  if (cp < 0x0e00) return S.Sinhala;
  if (cp < 0x0e80) return S.Thai;
  if (cp < 0x0f00) return S.Lao;
  if (cp < 0x1000) return S.Tibetan;
  if (cp < 0x10a0) return S.Myanmar;
  if (cp < 0x1100) return S.Georgian;
  if (cp < 0x1200) return S.Hangul;
  if (cp < 0x13a0) return S.Ethiopic;
  if (cp >= 0x1780 && cp < 0x1800) return S.Khmer;
  if (cp >= 0x1c90 && cp < 0x1cc0) return S.Georgian;
  if (cp >= 0x1e00 && cp < 0x1f00) return S.Latin;
  if (cp >= 0x1f00 && cp < 0x2000) return S.Greek;
  if (cp >= 0x2d00 && cp < 0x2d30) return S.Georgian;
  if (cp >= 0x3040 && cp < 0x3100) return S.Kana;
  if (cp >= 0x3130 && cp < 0x3190) return S.Hangul;
  if (cp >= 0x31f0 && cp < 0x3200) return S.Kana;
  if (cp >= 0x3400 && cp < 0xa000) return S.Han;
  if (cp >= 0xa720 && cp < 0xa800) return S.Latin;
  if (cp >= 0xac00 && cp < 0xd7b0) return S.Hangul;
  if (cp >= 0xf900 && cp < 0xfb00) return S.Han;
  if (cp >= 0xfb1d && cp < 0xfb50) return S.Hebrew;
  if (cp >= 0xfb50 && cp < 0xfe00) return S.Arabic;
  if (cp >= 0xfe70 && cp < 0xff00) return S.Arabic;
  if (cp >= 0xff21 && cp < 0xff5b) return S.Latin;
  if (cp >= 0xff66 && cp < 0xffa0) return S.Kana;
  if (cp >= 0x20000 && cp < 0x32000) return S.Han;
  return S.Other;
}

const LETTER_RE = /\p{L}/u;

/** Unicode letter test with a fast path for Latin-1 and Latin Extended (where only × and ÷ are not letters). */
function isLetter(cp: number): boolean {
  if (cp < 0x250) return cp >= 0xc0 ? cp !== 0xd7 && cp !== 0xf7 : cp === 0xaa || cp === 0xb5 || cp === 0xba;
  return LETTER_RE.test(String.fromCodePoint(cp));
}

/**
 * A link broken by a space after the scheme ("https:// host/path", "https: //host", as real posts have them): the
 * scheme plus the next word. LINK_RE stops at the space and would leave "host/path" behind, whose Latin letters
 * outvote a short Greek or Cyrillic text and make a link-only post read as English.
 */
const BROKEN_LINK_RE = /\bh(?:tt|xx)ps?\s*:\s*\/\/?\s*[^\s<>"]+/giu;

/** Text without links (also links broken by a space after the scheme), mentions, hashtags and emoji: what the language is judged on. */
export function languageText(text: string): string {
  return text
    .replace(BROKEN_LINK_RE, ' ')
    .replace(LINK_RE, ' ')
    .replace(MENTION_RE, ' ')
    .replace(HASHTAG_RE, ' ')
    .replace(EMOJI_RE, ' ');
}

function iso1(code: string): string {
  return ISO639_3_TO_1[code] ?? code;
}

/** Runs franc restricted to `only` and turns the gap between the two best scores into a confidence. */
function franc(text: string, only: readonly string[]): LanguageGuess {
  const ranked = francAll(text, { only: [...only], minLength: 1 });
  const best = ranked[0];
  if (!best || best[0] === 'und') return UND;
  const second = ranked[1]?.[1] ?? 0;
  // franc normalises the best score to 1; a second language within a few percent is a coin toss.
  const confidence = Math.min(1, Math.max(0, (1 - second) * 4));
  return { lang: iso1(best[0]), confidence: Math.round(confidence * 1000) / 1000 };
}

// franc's scoring, specialised for Latin script and a fixed candidate list. Same data, same distance, same
// normalisation as francAll(text, { only }) (a test checks they agree), but without franc's 30 script regexes per
// call and with Map lookups: about three times faster, which is most of the enrichment budget.
const MAX_DIFFERENCE = 300;
const NOT_IN_MODEL = -1;

/** All candidates' trigram ranks in one table: trigram → rank per candidate (-1 when absent). */
interface CombinedModel {
  codes: string[];
  /** trigramKey() → row in `table`; the key packs three code units below 1024 into a small integer (no allocation). */
  rows: Map<number, number>;
  /** Trigrams with a code unit of 1024 or more (Vietnamese and the like), keyed by the string. */
  wideRows: Map<string, number>;
  /** rows × codes.length ranks, NOT_IN_MODEL where the candidate lacks the trigram. */
  table: Int16Array;
  /** Function word → indexes (into codes) of the candidates it belongs to. */
  words: Map<string, number[]>;
  /** Marker character → indexes of the candidates it points to (the Dutch "ij" is handled apart). */
  markerChars: Map<number, number[]>;
  /** Index of nld in codes, or -1. */
  dutch: number;
  /** Index of eng in codes, or -1. */
  english: number;
}

/** Packs three code units below 1024 into one 30-bit integer; -1 when one of them is 1024 or more. */
function trigramKey(s: string, i: number): number {
  const a = s.charCodeAt(i),
    b = s.charCodeAt(i + 1),
    c = s.charCodeAt(i + 2);
  return (a | b | c) < 1024 ? (a << 20) | (b << 10) | c : -1;
}
const COMBINED = new Map<string, CombinedModel>();
const COMBINED_BY_ARRAY = new WeakMap<readonly string[], CombinedModel>();
function combinedModel(candidates: readonly string[]): CombinedModel {
  const cached = COMBINED_BY_ARRAY.get(candidates);
  if (cached) return cached;
  const key = candidates.join(',');
  let m = COMBINED.get(key);
  if (m) {
    COMBINED_BY_ARRAY.set(candidates, m);
    return m;
  }
  const latin = (francData as Record<string, Record<string, string>>)['Latin'] ?? {};
  const codes = candidates.filter((c, i) => latin[c] !== undefined && candidates.indexOf(c) === i);
  const rows = new Map<number, number>();
  const wideRows = new Map<string, number>();
  const entries: [number, number, number][] = []; // row, candidate, rank
  codes.forEach((code, ci) => {
    const grams = latin[code]!.split('|');
    for (let i = 0; i < grams.length; i++) {
      const g = grams[i]!;
      if (g.length !== 3) continue;
      const key = trigramKey(g, 0);
      let row = key >= 0 ? rows.get(key) : wideRows.get(g);
      if (row === undefined) {
        row = rows.size + wideRows.size;
        if (key >= 0) rows.set(key, row);
        else wideRows.set(g, row);
      }
      entries.push([row, ci, i]);
    }
  });
  const table = new Int16Array((rows.size + wideRows.size) * codes.length).fill(NOT_IN_MODEL);
  // franc keeps the first index of a repeated trigram (it assigns from the end down).
  for (const [row, ci, rank] of entries)
    if (table[row * codes.length + ci] === NOT_IN_MODEL) table[row * codes.length + ci] = rank;
  const words = new Map<string, number[]>();
  codes.forEach((code, ci) => {
    for (const w of FUNCTION_WORD_SETS.get(code) ?? []) {
      const list = words.get(w);
      if (list) list.push(ci);
      else words.set(w, [ci]);
    }
  });
  const markerChars = new Map<number, number[]>();
  codes.forEach((code, ci) => {
    for (const ch of MARKER_CHARS[code] ?? '') {
      const list = markerChars.get(ch.charCodeAt(0));
      if (list) list.push(ci);
      else markerChars.set(ch.charCodeAt(0), [ci]);
    }
  });
  m = { codes, rows, wideRows, table, words, markerChars, dutch: codes.indexOf('nld'), english: codes.indexOf('eng') };
  COMBINED.set(key, m);
  COMBINED_BY_ARRAY.set(candidates, m);
  return m;
}

const FRANC_PUNCT_RE = /[\u0021-\u0040]+/g;
const WS_RE = /\s+/g;

interface LatinDistances {
  codes: string[];
  dist: Float64Array;
  length: number;
  trigrams: number;
}

/** franc's raw distances (sum over the text's trigrams of the rank difference, 300 when absent) per candidate. */
function latinDistances(text: string, candidates: readonly string[]): LatinDistances {
  const { codes, rows, wideRows, table } = combinedModel(candidates);
  const n = codes.length;
  const value = text.slice(0, 2048);
  const cleaned = ` ${value.replace(FRANC_PUNCT_RE, ' ').replace(WS_RE, ' ').trim().toLowerCase()} `;
  const counts = new Map<number, number>();
  let wideCounts: Map<string, number> | undefined;
  for (let i = 0; i + 3 <= cleaned.length; i++) {
    const g = trigramKey(cleaned, i);
    if (g >= 0) counts.set(g, (counts.get(g) ?? 0) + 1);
    else {
      const w = cleaned.slice(i, i + 3);
      wideCounts ??= new Map();
      wideCounts.set(w, (wideCounts.get(w) ?? 0) + 1);
    }
  }
  const dist = new Float64Array(n);
  let missing = 0; // trigrams no candidate knows: MAX_DIFFERENCE for everyone, added once at the end
  const add = (row: number | undefined, c: number): void => {
    if (row === undefined) {
      missing++;
      return;
    }
    const base = row * n;
    for (let k = 0; k < n; k++) {
      const w = table[base + k]!;
      if (w === NOT_IN_MODEL) dist[k]! += MAX_DIFFERENCE;
      else {
        const diff = c - w - 1;
        dist[k]! += diff < 0 ? -diff : diff;
      }
    }
  };
  for (const [g, c] of counts) add(rows.get(g), c);
  if (wideCounts) for (const [g, c] of wideCounts) add(wideRows.get(g), c);
  if (missing > 0) for (let k = 0; k < n; k++) dist[k]! += missing * MAX_DIFFERENCE;
  return { codes, dist, length: value.length, trigrams: counts.size + (wideCounts?.size ?? 0) };
}

/** Equivalent of francAll(text, { only: candidates, minLength: 1 }) for Latin-script text. */
export function scoreLatin(text: string, candidates: readonly string[]): [string, number][] {
  const { codes, dist, length } = latinDistances(text, candidates);
  if (codes.length === 0) return [['und', 1]];
  const out: [string, number][] = codes.map((code, k) => [code, dist[k]!]);
  out.sort((a, b) => a[1] - b[1]);
  const min = out[0]![1];
  const max = length * MAX_DIFFERENCE - min;
  for (const t of out) t[1] = 1 - (t[1] - min) / max || 0;
  return out;
}

const WORD_RE = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*/gu;
/** Weight of function-word evidence against franc's mean trigram distance (0..300 per trigram). */
export const FUNCTION_WORD_WEIGHT = 200;
/** Bonus for a letter or digraph that (among Latin-script candidates) is typical of one or few languages. */
export const MARKER_WEIGHT = 30;
/** Bonus for a preferred language (the stream's usual languages), enough to win a near tie. */
export const PREFERRED_WEIGHT = 4;

const ENGLISH_I_RE = /(?:^|[^\p{L}])I(?:['’](?:m|ve|ll|d)\b|[^\p{L}'’]|$)/u;

/** Letters that point to a language (among Latin-script candidates); presence counts once. Dutch "ij" apart. */
const MARKER_CHARS: Readonly<Record<string, string>> = {
  tur: 'ığş',
  pol: 'łąęśźżńć',
  ces: 'řůě',
  slk: 'ľĺŕô',
  ron: 'șțşţă',
  deu: 'ßäöü',
  hun: 'őű',
  spa: 'ñ¿¡',
  por: 'ãõ',
  fra: 'çèêœëû',
  ita: 'òìù',
  lit: 'ėįųū',
  lvs: 'āēīķļņģ',
  vie: 'ơưđạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ',
  dan: 'æøå',
  nob: 'æøå',
  swe: 'åäö',
  fin: 'äö',
  ekk: 'õäöü',
  hrv: 'čćđšž',
  bos: 'čćđšž',
  srp: 'čćđšž',
  slv: 'čšž',
};

/**
 * Ranks Latin-script candidates by franc's mean trigram distance minus FUNCTION_WORD_WEIGHT times the share of the
 * text's words that are function words of that language. Lower cost is better; returns [code, cost] best first.
 */
export function rankLatin(
  text: string,
  candidates: readonly string[],
  preferred: readonly string[] = [],
): [string, number][] {
  const model = combinedModel(candidates);
  const { codes, dist, trigrams } = latinDistances(text, candidates);
  if (codes.length === 0 || trigrams === 0) return [];
  const cost = new Float64Array(codes.length);
  for (let k = 0; k < codes.length; k++) cost[k] = dist[k]! / trigrams;
  const lower = text.toLowerCase();
  const hits = new Float64Array(codes.length);
  let nWords = 0;
  const count = (w: string): void => {
    const list = model.words.get(w);
    if (list) for (const ci of list) hits[ci]!++;
  };
  for (const m of lower.matchAll(WORD_RE)) {
    const w = m[0].includes('’') ? m[0].replace(/’/g, "'") : m[0];
    nWords++;
    count(w);
    if (w.includes("'"))
      for (const part of w.split("'"))
        if (part) {
          nWords++;
          count(part);
        }
  }
  // Marker letters: one pass over the text, each candidate rewarded once.
  const marked = new Uint8Array(codes.length);
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x69 && lower.charCodeAt(i + 1) === 0x6a && model.dutch >= 0) marked[model.dutch] = 1; // "ij"
      continue;
    }
    const list = model.markerChars.get(c);
    if (list) for (const ci of list) marked[ci] = 1;
  }
  // A capital "I" standing alone is English; lower-casing would hide it among Slavic and Nordic "i".
  if (model.english >= 0 && ENGLISH_I_RE.test(text)) marked[model.english] = 1;
  for (let k = 0; k < codes.length; k++) {
    if (nWords > 0) cost[k]! -= (FUNCTION_WORD_WEIGHT * hits[k]!) / nWords;
    if (marked[k]) cost[k]! -= MARKER_WEIGHT;
    if (preferred.includes(codes[k]!)) cost[k]! -= PREFERRED_WEIGHT;
  }
  const out: [string, number][] = codes.map((code, k) => [code, cost[k]!]);
  out.sort((a, b) => a[1] - b[1]);
  return out;
}

/** Below this confidence of the franc-based ranking, eld decides (chosen on the tuning set: 0.5-1.0 is a plateau). */
export const ELD_BELOW_CONFIDENCE = 0.75;
/** eld also overrules a confident ranking when its own best score leads its second by this much (plateau 0.05-0.1). */
export const ELD_CLEAR_MARGIN = 0.1;
/** Texts (links, mentions, hashtags removed) at least this long skip eld when the ranking is confident: franc's
 * trigrams are reliable there (98.7-100% from 60 characters on), and eld costs about 40 µs a call. */
export const ELD_MAX_CHARS = 60;

/** eld's ISO 639-1 codes differ from ours for Norwegian only. */
const ELD_CODE: Readonly<Record<string, string>> = { nb: 'no' };
const FROM_ELD: Readonly<Record<string, string>> = { no: 'nb' };
/** Languages eld has a model for (ISO 639-1, ours): it cannot vote for the others (Indonesian, Swahili, Somali). */
const ELD_LANGUAGES: ReadonlySet<string> = new Set(Object.values(eld.info().Languages).map((l) => FROM_ELD[l] ?? l));
/** The candidate list eld is currently restricted to (eld keeps one subset per instance). */
let eldSubsetKey: string | null = null;

/** eld's best language among `candidates` (ISO 639-1, '' for none) and the lead of its score over the second. */
function eldGuess(text: string, candidates: readonly string[]): { lang: string; margin: number } {
  const key = candidates.join(',');
  if (key !== eldSubsetKey) {
    eld.setLanguageSubset(
      candidates.map((c) => {
        const one = iso1(c);
        return ELD_CODE[one] ?? one;
      }),
    );
    eldSubsetKey = key;
  }
  const result = eld.detect(text);
  if (!result.language) return { lang: '', margin: 0 };
  let first = 0,
    second = 0;
  for (const v of Object.values(result.getScores())) {
    if (v > first) {
      second = first;
      first = v;
    } else if (v > second) second = v;
  }
  return { lang: FROM_ELD[result.language] ?? result.language, margin: first - second };
}

/**
 * Latin-script guess: best of rankLatin, confidence from the cost gap to the runner-up. eld (restricted to the same
 * candidates) gives a second opinion on texts under ELD_MAX_CHARS and whenever the ranking is unsure; its answer
 * wins when the ranking's confidence is below ELD_BELOW_CONFIDENCE or when eld itself is clearly sure
 * (ELD_CLEAR_MARGIN). Agreement raises the confidence; an overruled ranking gives a middling one. A ranking that
 * picks a language eld has no model of (Indonesian, Swahili, Somali) stands.
 */
function latin(text: string, candidates: readonly string[], preferred: readonly string[]): LanguageGuess {
  const ranked = rankLatin(text, candidates, preferred);
  if (ranked.length === 0) return UND;
  const gap = ranked.length > 1 ? ranked[1]![1] - ranked[0]![1] : 100;
  // A gap of 25 (a clear function-word hit or a large trigram margin) is treated as certain.
  const confidence = Math.min(1, gap / 25);
  const lang = iso1(ranked[0]![0]);
  const round = (c: number): number => Math.round(c * 1000) / 1000;
  // eld cannot vote for a language it has no model of, so it does not get to overrule one.
  if ((confidence >= ELD_BELOW_CONFIDENCE && text.length >= ELD_MAX_CHARS) || !ELD_LANGUAGES.has(lang))
    return { lang, confidence: round(confidence) };
  const second = eldGuess(text, candidates);
  if (!second.lang) return { lang, confidence: round(confidence) };
  if (second.lang === lang) return { lang, confidence: round(Math.max(confidence, 0.5 + confidence / 2)) };
  if (confidence < ELD_BELOW_CONFIDENCE || second.margin >= ELD_CLEAR_MARGIN) {
    return { lang: second.lang, confidence: round(Math.min(0.7, 0.3 + second.margin * 2)) };
  }
  return { lang, confidence: round(confidence * 0.8) };
}

/** Arabic script: letters that only Pashto, Urdu or Persian use decide; otherwise Arabic. */
function arabic(text: string): LanguageGuess {
  if (/[ټډړږښګڼېۍ]/.test(text)) return { lang: 'ps', confidence: 0.9 };
  if (/[ٹڈڑںے]/.test(text)) return { lang: 'ur', confidence: 0.9 };
  if (/[پچژگکی]/.test(text)) return { lang: 'fa', confidence: 0.85 };
  return { lang: 'ar', confidence: 0.9 };
}

function cyrillic(text: string): LanguageGuess {
  if (/[ўЎ]/.test(text)) return { lang: 'be', confidence: 0.95 };
  if (/[їЇєЄґҐ]/.test(text) || (/[іІ]/.test(text) && !/[ыЫэЭ]/.test(text))) {
    if (/[әғқңөұүһӘҒҚҢӨҰҮҺ]/.test(text)) return { lang: 'kk', confidence: 0.9 };
    return { lang: 'uk', confidence: 0.95 };
  }
  if (/[ѓЃќЌѕЅ]/.test(text)) return { lang: 'mk', confidence: 0.95 };
  if (/[ђЂћЋ]/.test(text)) return { lang: 'sr', confidence: 0.95 };
  if (/[әғқңөұүһӘҒҚҢӨҰҮҺ]/.test(text)) return franc(text, ['kaz', 'kir', 'tat', 'tgk', 'khk']);
  // Serbian and Macedonian have ј љ њ џ and lack й щ ъ ы ь э ю я ё.
  const southSlav = /[јЈљЉњЊџЏ]/.test(text);
  const eastSlav = /[йЙщЩъЪыЫьЬэЭюЮяЯёЁ]/.test(text);
  if (southSlav && !eastSlav) return franc(text, ['srp', 'mkd']);
  if (/[ыЫэЭёЁ]/.test(text)) return { lang: 'ru', confidence: 0.95 };
  // Left: Russian or Bulgarian (Bulgarian lacks ы э ё). A ъ inside a word is Bulgarian ("във", "съм", "къде");
  // Russian uses it only as a rare separator before е ё ю я ("подъезд").
  if (/ъ(?![еёюяЕЁЮЯ])[\p{L}]/u.test(text)) return { lang: 'bg', confidence: 0.85 };
  return { lang: 'ru', confidence: 0.7 };
}

/** Detects the language of a post text; see the file comment for the method. */
export function detectLanguage(text: string, opts: DetectLanguageOptions): LanguageGuess {
  if (typeof text !== 'string' || text.length === 0) return UND;
  const clean = languageText(text);
  const counts = new Array<number>(SCRIPT_COUNT).fill(0);
  let letters = 0;
  let weighted = 0;
  for (let i = 0; i < clean.length; i++) {
    let cp = clean.charCodeAt(i);
    // ASCII fast path: only A-Z and a-z are letters.
    if (cp < 0x80) {
      if ((cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a) {
        counts[S.Latin]!++;
        letters++;
        weighted++;
      }
      continue;
    }
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < clean.length) {
      cp = clean.codePointAt(i)!;
      i++;
    }
    if (!isLetter(cp)) continue;
    const s = scriptOf(cp);
    counts[s]!++;
    letters++;
    weighted += s === S.Han || s === S.Kana || s === S.Hangul ? 3 : 1;
  }
  if (letters === 0 || weighted < opts.minChars) return UND;

  let top = S.Latin;
  for (let s = 0; s < SCRIPT_COUNT; s++) if (counts[s]! > counts[top]!) top = s as S;
  // East Asian: kana means Japanese even among many Han characters, Hangul means Korean.
  const cjk = counts[S.Han]! + counts[S.Kana]! + counts[S.Hangul]!;
  if (cjk > counts[top]! / 2 && (top === S.Han || top === S.Kana || top === S.Hangul)) {
    if (counts[S.Hangul]! >= counts[S.Kana]! && counts[S.Hangul]! > 0) return { lang: 'ko', confidence: 1 };
    if (counts[S.Kana]! > 0) return { lang: 'ja', confidence: counts[S.Kana]! * 10 >= cjk ? 1 : 0.8 };
    return { lang: 'zh', confidence: 0.9 };
  }
  const unique = SCRIPT_LANG[top];
  if (unique) return { lang: unique, confidence: 1 };
  if (top === S.Cyrillic) return cyrillic(clean);
  if (top === S.Arabic) return arabic(clean);
  if (top === S.Hebrew) return { lang: /[װױײ]|פֿ/.test(clean) ? 'yi' : 'he', confidence: 0.95 };
  const shared = SCRIPT_CANDIDATES[top];
  if (shared) return franc(clean, shared);
  if (top === S.Latin) return latin(clean, opts.candidates, opts.preferred ?? []);
  return UND;
}
