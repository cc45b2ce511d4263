// HTML fragments (Mastodon `content`, feed descriptions, Telegram message bodies) to plain text plus the links they
// carry. Paragraphs and <br> become line breaks; entities are decoded; scripts and styles are dropped. Mastodon's
// `invisible` / `ellipsis` spans are kept as text because together they spell the full URL.
// Hostile pages nest tags thousands deep; the DOM walkers (ours, domutils' textContent, dom-serializer) recurse, so
// every parse goes through {@link parseHtml}, which flattens whatever lies deeper than {@link MAX_HTML_DEPTH} into
// its text: the rest of the page is kept and nothing downstream recurses more than that deep.
import { parseDocument } from 'htmlparser2';
import type { ParserOptions } from 'htmlparser2';
import { isDocument, isTag, isText, Text } from 'domhandler';
import type { AnyNode, Document, Element } from 'domhandler';

/** Element nesting kept by {@link parseHtml}; deeper content becomes the text of the element at this depth. */
export const MAX_HTML_DEPTH = 200;

const BLOCK = new Set([
  'p',
  'div',
  'li',
  'ul',
  'ol',
  'blockquote',
  'pre',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'tr',
  'table',
  'section',
  'article',
  'header',
  'footer',
  'figure',
  'figcaption',
]);
const DROP = new Set(['script', 'style', 'noscript', 'template', 'head']);

/** Plain text and outgoing links of an HTML fragment. */
export interface HtmlText {
  text: string;
  /** href of <a> elements that are not mentions or hashtags, absolute http(s) only, de-duplicated. */
  links: string[];
}

function isElement(n: AnyNode): n is Element {
  return isTag(n);
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

/** Text of a subtree, walked with an explicit stack (no recursion), dropping scripts and styles; <br> is a line break. */
function flatText(root: Element): string {
  let out = '';
  const stack: AnyNode[] = [...root.children].reverse();
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (isText(n)) {
      out += n.data;
      continue;
    }
    if (!isElement(n)) continue;
    const name = n.name.toLowerCase();
    if (DROP.has(name)) continue;
    if (name === 'br') {
      out += '\n';
      continue;
    }
    if (BLOCK.has(name)) out += '\n';
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

/**
 * Replaces the children of every element at depth `maxDepth` with one text node holding their text, in place.
 * Iterative, so a page with 100k nested tags costs one pass and keeps everything around the deep part.
 */
export function capDepth(nodes: AnyNode[], maxDepth: number = MAX_HTML_DEPTH): void {
  const stack: Array<{ node: AnyNode; depth: number }> = nodes.map((node) => ({ node, depth: 1 }));
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isElement(node) && !isDocument(node)) continue;
    const el = node as Element;
    if (depth >= maxDepth) {
      if (el.children.length === 0) continue;
      const text = new Text(flatText(el));
      text.parent = el;
      el.children = [text];
      continue;
    }
    for (const c of el.children) stack.push({ node: c, depth: depth + 1 });
  }
}

/** Parses HTML (or XML with `xmlMode`) with htmlparser2 and caps its depth with {@link capDepth}. */
export function parseHtml(html: string, options: ParserOptions = {}): Document {
  const doc = parseDocument(typeof html === 'string' ? html : '', options);
  capDepth(doc.children);
  return doc;
}

/** Converts the children of already parsed nodes to text (used by the Telegram parser on its own DOM). */
export function nodesToText(nodes: AnyNode[], links?: string[], skip?: (el: Element) => boolean): string {
  let out = '';
  const walk = (n: AnyNode): void => {
    if (isText(n)) {
      out += n.data;
      return;
    }
    if (!isElement(n)) return;
    const name = n.name.toLowerCase();
    if (DROP.has(name) || skip?.(n)) return;
    if (name === 'br') {
      out += '\n';
      return;
    }
    if (name === 'img' && n.attribs.alt) {
      out += n.attribs.alt;
      return;
    } // Telegram emoji are <img alt="😀">
    const block = BLOCK.has(name);
    if (block) out += '\n';
    if (name === 'a' && links) {
      const href = n.attribs.href ?? '';
      const cls = ` ${n.attribs.class ?? ''} `;
      const rel = n.attribs.rel ?? '';
      if (
        /^https?:\/\//i.test(href) &&
        !/ (mention|hashtag|u-url) /.test(cls) &&
        !/\btag\b/.test(rel) &&
        !links.includes(href)
      )
        links.push(href);
    }
    for (const c of n.children) walk(c);
    if (block) out += '\n';
  };
  for (const n of nodes) walk(n);
  return out;
}

/** Converts an HTML fragment to plain text and its links. Never throws; text without tags passes through decoded. */
export function htmlToText(html: string): HtmlText {
  const doc = parseHtml(html ?? '', { decodeEntities: true });
  const links: string[] = [];
  const text = tidyText(nodesToText(doc.children, links));
  return { text, links };
}
