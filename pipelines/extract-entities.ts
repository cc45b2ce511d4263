// Named entities for a post: a Dutch gazetteer (parties, politicians, institutions, places; any language, since
// English posts name Dutch parties too) matched by a token n-gram lookup, hashtags and mentions as topics, and for
// English posts with capitalised words people, organisations and places from compromise. A full compromise parse
// costs 1.2-2 ms a post, about ten times the rest of enrichment, so by default ('lexicon') we look the capitalised
// word runs up in compromise's own lexicon (names, places, organisations) instead; 'compromise' runs the full parse.
import nlp from 'compromise';
import gazetteer from './data/gazetteer-nl.json' with { type: 'json' };
import type { Entity } from './types.ts';
import { LINK_RE } from './text-patterns.ts';

/** Input of {@link extractEntities}: the normalised text and what normalisation found. */
export interface EntityInput {
  text: string;
  /** Detected language (ISO 639-1 or 'und'). */
  lang: string;
  hashtags: readonly string[];
  mentions: readonly string[];
}

/** Options of {@link extractEntities}. */
export interface EntityOptions {
  /** Find people, organisations and places in English posts. Default true. */
  english?: boolean;
  /** 'lexicon' (default): compromise's lexicon on capitalised word runs, microseconds; 'compromise': full parse, ~1.5 ms. */
  englishParser?: 'lexicon' | 'compromise';
}

interface GazetteerEntry {
  name: string;
  type: Entity['type'];
  aliases: string[];
  caseSensitive?: boolean;
}

const TOKEN_RE = /[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu;
const HANDLE_RE = /[@#][\p{L}\p{N}_.@-]+/gu;

function tokens(s: string): string[] {
  return s.match(TOKEN_RE) ?? [];
}

interface Target {
  text: string;
  type: Entity['type'];
}
const exact = new Map<string, Target>(); // case-sensitive phrases
const folded = new Map<string, Target>(); // lower-case phrases
const multiStarts = new Set<string>(); // lower-case first tokens of multi-token phrases
let maxTokens = 1;
for (const e of (gazetteer as { entries: GazetteerEntry[] }).entries) {
  const target = { text: e.name, type: e.type };
  for (const phrase of [e.name, ...e.aliases]) {
    const t = tokens(phrase);
    if (t.length === 0) continue;
    maxTokens = Math.max(maxTokens, t.length);
    if (t.length > 1) multiStarts.add(t[0]!.toLowerCase());
    if (e.caseSensitive) exact.set(t.join(' '), target);
    else folded.set(t.join(' ').toLowerCase(), target);
  }
}

/** Gazetteer matches, longest phrase first, left to right. */
export function matchGazetteer(text: string): Entity[] {
  const t = tokens(text.replace(LINK_RE, ' ').replace(HANDLE_RE, ' '));
  const lower = t.map((x) => x.toLowerCase());
  const out: Entity[] = [];
  for (let i = 0; i < t.length;) {
    let matched = 0;
    const longest = multiStarts.has(lower[i]!) ? Math.min(maxTokens, t.length - i) : 1;
    for (let n = longest; n >= 1 && matched === 0; n--) {
      const hit =
        exact.get(n === 1 ? t[i]! : t.slice(i, i + n).join(' ')) ??
        folded.get(n === 1 ? lower[i]! : lower.slice(i, i + n).join(' '));
      if (hit) {
        out.push({ text: hit.text, type: hit.type });
        matched = n;
      }
    }
    i += matched || 1;
  }
  return out;
}

const CAPITALISED_RE = /(?:^|[\s("'“‘])\p{Lu}\p{Ll}/u;

/** True when compromise would run for this input (English, capitalised words beyond nothing). */
export function wantsEnglishNer(input: EntityInput, options: EntityOptions = {}): boolean {
  return options.english !== false && input.lang === 'en' && CAPITALISED_RE.test(input.text.replace(LINK_RE, ' '));
}

// compromise's lexicon: lower-case word → tag or tags (public via nlp.model()).
const LEXICON = (nlp.model() as { one: { lexicon: Record<string, string | string[]> } }).one.lexicon;
const PERSON_TAGS = new Set(['MaleName', 'FemaleName', 'FirstName', 'LastName', 'Person', 'Honorific']);
const PLACE_TAGS = new Set(['City', 'Country', 'Region', 'Place']);
const ORG_TAGS = new Set(['Organization', 'SportsTeam']);
const CAP_TOKEN_RE = /^(?:\p{Lu}[\p{Ll}\p{M}'’.-]*|\p{Lu}{2,}\d*)$/u;
const SENTENCE_END_RE = /[.!?:;…]["'”’)]*$/u;

const WORD_CHAR_RE = /[\p{L}\p{N}]/u;

/**
 * Trims characters that are not letters or digits off both ends (keeping `keepAtEnd` at the end), by scanning
 * code units: the regex `/[^\p{L}\p{N}]+$/` is quadratic on a long run of punctuation inside one word.
 */
function trimToWord(w: string, keepAtEnd = ''): string {
  let start = 0;
  while (start < w.length) {
    const ch = String.fromCodePoint(w.codePointAt(start)!);
    if (WORD_CHAR_RE.test(ch)) break;
    start += ch.length;
  }
  let end = w.length;
  while (end > start) {
    const low = w.charCodeAt(end - 1);
    const pair =
      low >= 0xdc00 &&
      low <= 0xdfff &&
      end - 2 >= start &&
      w.charCodeAt(end - 2) >= 0xd800 &&
      w.charCodeAt(end - 2) <= 0xdbff;
    const ch = pair ? w.slice(end - 2, end) : w[end - 1]!;
    if (WORD_CHAR_RE.test(ch) || keepAtEnd.includes(ch)) break;
    end -= ch.length;
  }
  return w.slice(start, end);
}

function lexTags(word: string): string[] {
  const v =
    LEXICON[
      word
        .toLowerCase()
        .replace(/['’]s$/u, '')
        .replace(/\.$/, '')
    ];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** People, organisations and places from runs of capitalised words looked up in compromise's lexicon. */
export function englishLexiconEntities(text: string): Entity[] {
  const words = text.replace(LINK_RE, ' ').replace(HANDLE_RE, ' ').split(/\s+/).filter(Boolean);
  const out: Entity[] = [];
  let i = 0;
  while (i < words.length) {
    const bare = (w: string): string => trimToWord(w, ".'’");
    if (!CAP_TOKEN_RE.test(bare(words[i]!)) || bare(words[i]!) === 'I') {
      i++;
      continue;
    }
    const start = i;
    const run: string[] = [];
    while (i < words.length && CAP_TOKEN_RE.test(bare(words[i]!)) && bare(words[i]!) !== 'I') {
      run.push(
        bare(words[i]!)
          .replace(/['’]s$/u, '')
          .replace(/\.$/, ''),
      );
      const ended = SENTENCE_END_RE.test(words[i]!);
      i++;
      if (ended) break;
    }
    let tags = run.map(lexTags);
    const has = (set: Set<string>, k: number): boolean => tags[k]!.some((t) => set.has(t));
    const proper = (k: number): boolean => has(PERSON_TAGS, k) || has(PLACE_TAGS, k) || has(ORG_TAGS, k);
    const atSentenceStart = start === 0 || SENTENCE_END_RE.test(words[start - 1]!);
    // "Yesterday Joe Biden ...": the sentence's first word is capitalised only because it comes first.
    const shifted = atSentenceStart && run.length > 1 && !proper(0);
    if (shifted) {
      run.shift();
      tags = tags.slice(1);
    }
    // A lone capitalised word at the start of a sentence is usually just a capital: keep it only if the lexicon
    // knows it as a name of a place or organisation (first names alone are too ambiguous there: "Will", "May").
    if (run.length === 1 && atSentenceStart && !shifted && !has(PLACE_TAGS, 0) && !has(ORG_TAGS, 0)) continue;
    const name = run.join(' ');
    if (name.length < 2) continue;
    if (run.some((_, k) => has(PERSON_TAGS, k))) out.push({ text: name, type: 'person' });
    else if (has(PLACE_TAGS, run.length - 1)) out.push({ text: name, type: 'place' });
    else if (run.some((_, k) => has(ORG_TAGS, k))) out.push({ text: name, type: 'organization' });
  }
  return out;
}

/** compromise's people, organisations and places in an English text (full parse, ~1.5 ms). */
export function englishEntities(text: string): Entity[] {
  const doc = nlp(text.replace(LINK_RE, ' ').replace(HANDLE_RE, ' '));
  const out: Entity[] = [];
  const take = (list: unknown, type: Entity['type']): void => {
    for (const raw of list as string[]) {
      const v = trimToWord(raw)
        .replace(/['’]s$/u, '')
        .trim();
      if (v.length >= 2) out.push({ text: v, type });
    }
  };
  take(doc.people().out('array'), 'person');
  take(doc.organizations().out('array'), 'organization');
  take(doc.places().out('array'), 'place');
  return out;
}

/** Entities of one post: gazetteer, hashtags and mentions as topics, and compromise for English. De-duplicated. */
export function extractEntities(input: EntityInput, options: EntityOptions = {}): Entity[] {
  const all: Entity[] = matchGazetteer(input.text);
  if (wantsEnglishNer(input, options)) {
    all.push(
      ...(options.englishParser === 'compromise' ? englishEntities(input.text) : englishLexiconEntities(input.text)),
    );
  }
  for (const h of input.hashtags) all.push({ text: `#${h}`, type: 'topic' });
  for (const m of input.mentions) all.push({ text: `@${m}`, type: 'topic' });
  const seen = new Set<string>();
  const out: Entity[] = [];
  for (const e of all) {
    const key = e.text.toLowerCase();
    if (seen.has(key)) continue; // the gazetteer's type wins over compromise's guess
    seen.add(key);
    out.push(e);
  }
  return out;
}
