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
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', mdash: '—', ndash: '–',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', sbquo: '‚', bdquo: '„', laquo: '«', raquo: '»', euro: '€',
  pound: '£', yen: '¥', copy: '©', reg: '®', trade: '™', deg: '°', middot: '·', bull: '•', times: '×',
  eacute: 'é', egrave: 'è', ecirc: 'ê', euml: 'ë', aacute: 'á', agrave: 'à', acirc: 'â', auml: 'ä', iuml: 'ï',
  iacute: 'í', oacute: 'ó', ouml: 'ö', ocirc: 'ô', uuml: 'ü', uacute: 'ú', ccedil: 'ç', ntilde: 'ñ', szlig: 'ß',
  Eacute: 'É', Euml: 'Ë', Auml: 'Ä', Ouml: 'Ö', Uuml: 'Ü', Iuml: 'Ï', shy: '', zwj: '\u200d', zwnj: '',
};

const SCRIPT_STYLE_RE = /<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const BREAK_TAG_RE = /<(?:br|\/?p|\/?div|\/?li|\/?h[1-6]|\/?blockquote|\/?tr|hr)\b[^<>]*>/gi;
const TAG_RE = /<[a-zA-Z/!?][^<>]*>/g;
// A tag opened but never closed at the very end of the input ("... <a href=\"http").
const DANGLING_TAG_RE = /<[a-zA-Z/!][^<>]*$/;
const ENTITY_RE = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));?/g;
const INVISIBLE_RE = /[\u200b\u2060\ufeff\u00ad]/g;
const HSPACE_RE = /[^\S\n]+/g;
const NEWLINES_RE = /\s*\n\s*/g;

const LINK_RE = /\b(?:https?:\/\/|(?<![\p{L}\p{N}@./-])www\.)[^\s<>"'`]+/giu;
const MENTION_RE = /(?<![\p{L}\p{N}_@/.])@([\p{L}\p{N}_]+(?:[.-][\p{L}\p{N}_]+)*)(?:@([\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+))?/gu;
const HASHTAG_RE = /(?<![\p{L}\p{N}_&/#])[#＃]([\p{L}\p{M}\p{N}_]+)/gu;
const HAS_LETTER_RE = /[\p{L}_]/u;
const TRAILING_PUNCT_RE = /[.,;:!?'"»”’…]+$/u;

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
const HTML_HINT_RE = /<\/?(?:p|br|a|span|div|b|i|u|s|em|strong|ul|ol|li|blockquote|h[1-6]|img|code|pre|script|style|hr|table|tr|td|th|del|sub|sup|small|font|center|iframe|video|figure|header|footer|section|article)\b[^<>]*(?:>|$)/i;

/** HTML (or plain text) to plain text, before NFKC and whitespace handling. */
function htmlToText(raw: string): string {
  if (!raw.includes('<') || !HTML_HINT_RE.test(raw)) return decodeEntities(raw);
  const s = raw
    .replace(SCRIPT_STYLE_RE, ' ')
    .replace(BREAK_TAG_RE, '\n')
    .replace(TAG_RE, '')
    .replace(DANGLING_TAG_RE, '');
  return decodeEntities(s);
}

/** Trims punctuation that ends a sentence rather than the link, and an unbalanced closing bracket. */
function trimLink(link: string): string {
  let l = link.replace(TRAILING_PUNCT_RE, '');
  while (l.endsWith(')') && count(l, '(') < count(l, ')')) l = l.slice(0, -1).replace(TRAILING_PUNCT_RE, '');
  while (l.endsWith(']') && count(l, '[') < count(l, ']')) l = l.slice(0, -1).replace(TRAILING_PUNCT_RE, '');
  return l;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i !== -1; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

function pushUnique(list: string[], seen: Set<string>, v: string): void {
  if (v && !seen.has(v)) { seen.add(v); list.push(v); }
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
