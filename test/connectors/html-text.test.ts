// HTML to text on hostile nesting (issue 12): a fragment nested thousands of tags deep used to throw RangeError from
// the recursive walk, losing a whole Mastodon page. The deep part is now flattened to its text, the rest kept.
import { describe, expect, it } from 'vitest';
import { MAX_HTML_DEPTH, htmlToText, parseHtml } from '../../connectors/html-text.ts';
import * as DomUtils from 'domutils';

describe('htmlToText on deep nesting', () => {
  it('keeps the text and links around 20,000 nested tags and flattens the deep part to its text', () => {
    const deep = `${'<span><b>'.repeat(10_000)}diep<br>binnen${'</b></span>'.repeat(10_000)}`;
    const html = `<p>Begin <a href="https://nos.nl/a">nos</a></p><p>${deep}</p><p>Einde <a href="https://nu.nl/b">nu</a></p>`;
    const r = htmlToText(html);
    expect(r.text).toBe('Begin nos\n\ndiep\nbinnen\n\nEinde nu');
    expect(r.links).toEqual(['https://nos.nl/a', 'https://nu.nl/b']);
  });

  it('leaves no element deeper than the cap, so recursive DOM helpers are safe', () => {
    const doc = parseHtml(`${'<span>'.repeat(5_000)}x${'</span>'.repeat(5_000)}`);
    let depth = 0;
    for (
      let el = DomUtils.findOne(() => true, doc.children, true);
      el;
      el = DomUtils.findOne(() => true, el.children, false)
    )
      depth++;
    expect(depth).toBe(MAX_HTML_DEPTH);
    expect(DomUtils.textContent(doc)).toBe('x');
  });
});
