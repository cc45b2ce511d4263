// Text normalisation: turns whatever a platform delivers (plain text, Mastodon HTML, broken HTML with entities)
// into plain text (NFKC, collapsed whitespace, <br>/<p> as line breaks) and pulls out links, mentions and hashtags.
// Every regular expression here is linear: no nested quantifiers over overlapping classes, so 10 kB of hostile
// input costs microseconds, not seconds.

/** The normalised text and what was found in it. */
export interface NormalizedText {
  /** Plain text: tags removed, entities decoded, NFKC, runs of spaces collapsed, at most one line break in a row. */
  text: string;
  /** Links as written (http(s):// and bare www.), trailing punctuation trimmed, de-duplicated, in order. */
  links: string[];
  /** Mentions, lower case, without @ (`user` or `user@instance.tld`), de-duplicated. */
  mentions: string[];
  /** Hashtags, lower case, without #, de-duplicated. */
  hashtags: string[];
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  sbquo: '‚',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  euro: '€',
  pound: '£',
  yen: '¥',
  copy: '©',
  reg: '®',
  trade: '™',
  deg: '°',
  middot: '·',
  bull: '•',
  times: '×',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  euml: 'ë',
  aacute: 'á',
  agrave: 'à',
  acirc: 'â',
  auml: 'ä',
  iuml: 'ï',
  iacute: 'í',
  oacute: 'ó',
  ouml: 'ö',
  ocirc: 'ô',
  uuml: 'ü',
  uacute: 'ú',
  ccedil: 'ç',
  ntilde: 'ñ',
  szlig: 'ß',
  Eacute: 'É',
  Euml: 'Ë',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  Iuml: 'Ï',
  shy: '',
  zwj: '\u200d',
  zwnj: '',
};

const BREAK_TAG_RE = /<(?:br|\/?p|\/?div|\/?li|\/?h[1-6]|\/?blockquote|\/?tr|hr)\b[^<>]*>/gi;
const TAG_RE = /<[a-zA-Z/!?][^<>]*>/g;
// A tag opened but never closed at the very end of the input ("... <a href=\"http").
const DANGLING_TAG_RE = /<[a-zA-Z/!][^<>]*$/;
const ENTITY_RE = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));?/g;
const INVISIBLE_RE = /[\u200b\u2060\ufeff\u00ad]/g;
const HSPACE_RE = /[^\S\n]+/g;
const NEWLINES_RE = /\s*\n\s*/g;

const LINK_RE = /\b(?:https?:\/\/|(?<![\p{L}\p{N}@./-])www\.)[^\s<>"'`]+/giu;
const MENTION_RE =
  /(?<![\p{L}\p{N}_@/.])@([\p{L}\p{N}_]+(?:[.-][\p{L}\p{N}_]+)*)(?:@([\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+))?/gu;
const HASHTAG_RE = /(?<![\p{L}\p{N}_&/#])[#＃]([\p{L}\p{M}\p{N}_]+)/gu;
const HAS_LETTER_RE = /[\p{L}_]/u;
// Sentence punctuation trimmed off the end of a link (a scan, not a regex: `/[...]+$/` is quadratic on long runs).
const TRAILING_PUNCT = new Set(['.', ',', ';', ':', '!', '?', "'", '"', '»', '”', '’', '…']);

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY_RE, (m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec !== undefined || hex !== undefined) {
      const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
      if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(cp);
    }
    const v = NAMED_ENTITIES[name!];
    return v === undefined ? m : v;
  });
}

// Tags we expect from platforms that deliver HTML (Mastodon, RSS, web pages). Only when one of them appears is
// the text treated as HTML; otherwise "if x<y and y>z" in a plain-text post would lose "<y and y>".
const HTML_HINT_RE =
  /<\/?(?:p|br|a|span|div|b|i|u|s|em|strong|ul|ol|li|blockquote|h[1-6]|img|code|pre|script|style|hr|table|tr|td|th|del|sub|sup|small|font|center|iframe|video|figure|header|footer|section|article)\b[^<>]*(?:>|$)/i;

/** HTML (or plain text) to plain text, before NFKC and whitespace handling. */
function htmlToText(raw: string): string {
  if (!raw.includes('<') || !HTML_HINT_RE.test(raw)) return decodeEntities(raw);
  const s = dropScriptStyle(raw).replace(BREAK_TAG_RE, '\n').replace(TAG_RE, '').replace(DANGLING_TAG_RE, '');
  return decodeEntities(s);
}

/** Trims punctuation that ends a sentence rather than the link, and an unbalanced closing bracket. Linear. */
function trimLink(link: string): string {
  let open = 0;
  let closeRound = 0;
  let openSquare = 0;
  let closeSquare = 0;
  for (let i = 0; i < link.length; i++) {
    const c = link.charCodeAt(i);
    if (c === 0x28) open++;
    else if (c === 0x29) closeRound++;
    else if (c === 0x5b) openSquare++;
    else if (c === 0x5d) closeSquare++;
  }
  let end = link.length;
  const trimPunct = (): void => {
    while (end > 0 && TRAILING_PUNCT.has(link[end - 1]!)) end--;
  };
  trimPunct();
  while (end > 0 && link[end - 1] === ')' && open < closeRound) {
    closeRound--;
    end--;
    trimPunct();
  }
  while (end > 0 && link[end - 1] === ']' && openSquare < closeSquare) {
    closeSquare--;
    end--;
    trimPunct();
  }
  return link.slice(0, end);
}

/** Index of `name` (ASCII, lower case) at `at` in `s`, compared case-insensitively. */
function asciiAt(s: string, at: number, name: string): boolean {
  if (at + name.length > s.length) return false;
  for (let i = 0; i < name.length; i++) {
    const c = s.charCodeAt(at + i) | 0x20; // ASCII letters only: folding other code points is harmless here
    if (c !== name.charCodeAt(i)) return false;
  }
  return true;
}

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/**
 * Replaces `<script ...>...</script>` and `<style ...>...</style>` with a space, as the regex
 * `/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi` would, in one pass: that regex is quadratic on many unclosed
 * `<style` tags (a 1 MB post did not finish in a minute). A tag whose end tag never comes is left for the tag
 * stripper, as before. Once an end tag was not found after some point, it is not searched for again.
 */
function dropScriptStyle(s: string): string {
  if (!s.includes('<')) return s;
  const noClose: Record<string, boolean> = { script: false, style: false };
  let out = '';
  let copied = 0;
  let i = s.indexOf('<');
  while (i !== -1) {
    const name = asciiAt(s, i + 1, 'script') ? 'script' : asciiAt(s, i + 1, 'style') ? 'style' : null;
    if (name === null || noClose[name] || isWordChar(s.charCodeAt(i + 1 + name.length))) {
      i = s.indexOf('<', i + 1);
      continue;
    }
    const gt = s.indexOf('>', i + 1 + name.length);
    if (gt === -1) break; // no later start tag can be complete either
    const end = findEndTag(s, gt + 1, name);
    if (end === -1) {
      noClose[name] = true;
      i = s.indexOf('<', i + 1);
      continue;
    }
    out += `${s.slice(copied, i)} `;
    copied = end;
    i = s.indexOf('<', end);
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/** Index just after the first `</name\s*>` at or after `from`, or -1. */
function findEndTag(s: string, from: number, name: string): number {
  for (let j = s.indexOf('</', from); j !== -1; j = s.indexOf('</', j + 2)) {
    if (!asciiAt(s, j + 2, name)) continue;
    let k = j + 2 + name.length;
    while (k < s.length && /\s/.test(s[k]!)) k++;
    if (s[k] === '>') return k + 1;
  }
  return -1;
}

function pushUnique(list: string[], seen: Set<string>, v: string): void {
  if (v && !seen.has(v)) {
    seen.add(v);
    list.push(v);
  }
}

/** Normalises a raw post text (plain or HTML) and extracts its links, mentions and hashtags. */
export function normalizeText(raw: string): NormalizedText {
  if (typeof raw !== 'string' || raw.length === 0) return { text: '', links: [], mentions: [], hashtags: [] };
  const text = htmlToText(raw)
    .normalize('NFKC')
    .replace(INVISIBLE_RE, '')
    .replace(/\r\n?/g, '\n')
    .replace(HSPACE_RE, ' ')
    .replace(NEWLINES_RE, '\n')
    .trim();

  const links: string[] = [];
  const seenLinks = new Set<string>();
  for (const m of text.matchAll(LINK_RE)) {
    const l = trimLink(m[0]);
    if (l.length > (l.startsWith('www.') ? 6 : 10)) pushUnique(links, seenLinks, l);
  }
  // Mentions and hashtags are looked for in the text without its links (a URL like /@user or #anchor is neither).
  const rest = links.length > 0 ? text.replace(LINK_RE, ' ') : text;
  const mentions: string[] = [];
  const seenMentions = new Set<string>();
  if (rest.includes('@')) {
    for (const m of rest.matchAll(MENTION_RE)) {
      const v = (m[2] ? `${m[1]}@${m[2]}` : m[1]!).toLowerCase();
      pushUnique(mentions, seenMentions, v);
    }
  }
  const hashtags: string[] = [];
  const seenTags = new Set<string>();
  if (rest.includes('#') || rest.includes('＃')) {
    for (const m of rest.matchAll(HASHTAG_RE)) {
      const tag = m[1]!;
      if (HAS_LETTER_RE.test(tag)) pushUnique(hashtags, seenTags, tag.toLowerCase());
    }
  }
  return { text, links, mentions, hashtags };
}
