// Safe rendering of analyst notes and safe links. markdown-it with raw HTML disabled (so `<script>` stays text) and
// a link check that lets only http(s) and mailto through; the result is the only raw HTML the templates insert.
import MarkdownIt from 'markdown-it';

/** True for an absolute http(s) URL; everything that becomes a link passes this. */
export function isHttpUrl(u: unknown): u is string {
  if (typeof u !== 'string') return false;
  try {
    const p = new URL(u);
    return p.protocol === 'http:' || p.protocol === 'https:';
  } catch {
    return false;
  }
}

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
md.validateLink = (url: string) => isHttpUrl(url) || /^mailto:/i.test(url);
// Links in notes open outside the app without handing it the referrer or a window handle.
const defaultLinkOpen =
  md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** Renders a note's markdown to HTML that contains no raw HTML from the input and only http(s)/mailto links. */
export function renderMarkdown(source: string): string {
  return md.render(source);
}
