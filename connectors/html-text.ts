// HTML fragments (Mastodon `content`, feed descriptions, Telegram message bodies) to plain text plus the links they
// carry. Paragraphs and <br> become line breaks; entities are decoded; scripts and styles are dropped. Mastodon's
// `invisible` / `ellipsis` spans are kept as text because together they spell the full URL.
import { parseDocument } from 'htmlparser2';
import type { AnyNode, Element } from 'domhandler';

const BLOCK = new Set(['p', 'div', 'li', 'ul', 'ol', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'tr', 'table', 'section', 'article', 'header', 'footer', 'figure', 'figcaption']);
const DROP = new Set(['script', 'style', 'noscript', 'template', 'head']);

/** Plain text and outgoing links of an HTML fragment. */
export interface HtmlText {
  text: string;
  /** href of <a> elements that are not mentions or hashtags, absolute http(s) only, de-duplicated. */
  links: string[];
}

function isElement(n: AnyNode): n is Element {
  return n.type === 'tag' || n.type === 'script' || n.type === 'style';
}

/** Tidies whitespace: collapses runs of spaces, keeps at most one blank line, trims. */
export function tidyText(s: string): string {
  return s
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Converts the children of already parsed nodes to text (used by the Telegram parser on its own DOM). */
export function nodesToText(nodes: AnyNode[], links?: string[], skip?: (el: Element) => boolean): string {
  let out = '';
  const walk = (n: AnyNode): void => {
    if (n.type === 'text') { out += (n as unknown as { data: string }).data; return; }
    if (!isElement(n)) return;
    const name = n.name.toLowerCase();
    if (DROP.has(name) || skip?.(n)) return;
    if (name === 'br') { out += '\n'; return; }
    if (name === 'img' && n.attribs.alt) { out += n.attribs.alt; return; } // Telegram emoji are <img alt="😀">
    const block = BLOCK.has(name);
    if (block) out += '\n';
    if (name === 'a' && links) {
      const href = n.attribs.href ?? '';
      const cls = ` ${n.attribs.class ?? ''} `;
      const rel = n.attribs.rel ?? '';
      if (/^https?:\/\//i.test(href) && !/ (mention|hashtag|u-url) /.test(cls) && !/\btag\b/.test(rel) && !links.includes(href)) links.push(href);
    }
    for (const c of n.children) walk(c);
    if (block) out += '\n';
  };
  for (const n of nodes) walk(n);
  return out;
}

/** Converts an HTML fragment to plain text and its links. Never throws; text without tags passes through decoded. */
export function htmlToText(html: string): HtmlText {
  const doc = parseDocument(html ?? '', { decodeEntities: true });
  const links: string[] = [];
  const text = tidyText(nodesToText(doc.children, links));
  return { text, links };
}
