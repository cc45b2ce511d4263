import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../pipelines/normalize-text.ts';

describe('normalizeText', () => {
  it('turns Mastodon HTML into text with line breaks and finds the link, mention and hashtag', () => {
    const html =
      '<p>Stemmen op <span class="h-card"><a href="https://mastodon.social/@nos" class="u-url mention">@<span>NOS</span></a></span> &amp; kijk:</p><p><a href="https://nos.nl/artikel/123"><span class="invisible">https://</span><span class="ellipsis">nos.nl/artikel/</span><span class="invisible">123</span></a> <a href="https://mastodon.social/tags/TK2025" class="mention hashtag">#<span>TK2025</span></a></p>';
    const r = normalizeText(html);
    expect(r.text).toBe('Stemmen op @NOS & kijk:\nhttps://nos.nl/artikel/123 #TK2025');
    expect(r.links).toEqual(['https://nos.nl/artikel/123']);
    expect(r.mentions).toEqual(['nos']);
    expect(r.hashtags).toEqual(['tk2025']);
  });

  it('handles <br> variants, entities and numeric references', () => {
    const r = normalizeText(
      'Eerste regel<br>tweede<br/>derde<BR />&quot;vierde&quot; &#8364;5 &#x1F600; &eacute;&eacute;n &bogus; &lt;b&gt;',
    );
    expect(r.text).toBe('Eerste regel\ntweede\nderde\n"vierde" €5 😀 één &bogus; <b>');
  });

  it('survives broken HTML: unclosed tags, stray < and a dangling tag at the end', () => {
    expect(normalizeText('<p>Hallo <b>wereld</p> 3 < 5 en 7 > 2 <a href="https://x').text).toBe(
      'Hallo wereld\n3 < 5 en 7 > 2',
    );
    expect(normalizeText('<<<>>> tekst <div').text).toBe('<<<>>> tekst');
    expect(normalizeText('<script>alert("x")</script>Echt bericht').text).toBe('Echt bericht');
  });

  it('leaves angle brackets in plain text alone', () => {
    expect(normalizeText('als x<y en y>z dan ❤ <3 -> <- <<< klaar').text).toBe(
      'als x<y en y>z dan ❤ <3 -> <- <<< klaar',
    );
    expect(normalizeText('Bedankt <3 <b>echt</b>').text).toBe('Bedankt <3 echt');
  });

  it('applies NFKC and collapses whitespace', () => {
    const r = normalizeText('  ｆｕｌｌｗｉｄｔｈ\u00a0\u00a0text\t\tmet\u200b  ﬁ-ligatuur \n\n\n  nieuwe regel  ');
    expect(r.text).toBe('fullwidth text met fi-ligatuur\nnieuwe regel');
  });

  it('extracts http(s) and bare www links, trimming sentence punctuation and unbalanced brackets', () => {
    const r = normalizeText(
      'Lees dit: https://example.com/a?b=1. En (zie www.rivm.nl/corona) of HTTPS://Foo.org/x_(y)! Nog eens https://example.com/a?b=1',
    );
    expect(r.links).toEqual(['https://example.com/a?b=1', 'www.rivm.nl/corona', 'HTTPS://Foo.org/x_(y)']);
  });

  it('extracts mentions: local, fediverse and Bluesky style, not e-mail addresses', () => {
    const r = normalizeText(
      'Hoi @Jan_Jansen en @kees@Mastodon.Social, cc @alice.bsky.social. Mail info@example.com niet. @Jan_jansen',
    );
    expect(r.mentions).toEqual(['jan_jansen', 'kees@mastodon.social', 'alice.bsky.social']);
  });

  it('extracts Unicode hashtags, lower case, ignoring pure numbers, anchors and entities', () => {
    const r = normalizeText(
      '#Stikstof #ÉénNederland #Україна #日本 #2024 #covid_19 https://x.org/page#Anchor a#b &#35;',
    );
    expect(r.hashtags).toEqual(['stikstof', 'éénnederland', 'україна', '日本', 'covid_19']);
  });

  it('returns empties for empty text, and keeps emoji-only text', () => {
    expect(normalizeText('')).toEqual({ text: '', links: [], mentions: [], hashtags: [] });
    expect(normalizeText('   \n ')).toEqual({ text: '', links: [], mentions: [], hashtags: [] });
    expect(normalizeText('🔥🇳🇱👨‍👩‍👧').text).toBe('🔥🇳🇱👨‍👩‍👧');
  });

  it('handles a URL-only post', () => {
    expect(normalizeText('https://t.co/AbC123')).toEqual({
      text: 'https://t.co/AbC123',
      links: ['https://t.co/AbC123'],
      mentions: [],
      hashtags: [],
    });
  });

  it('processes 10 kB of hostile input quickly enough to finish (no catastrophic backtracking)', () => {
    const hostile = [
      '<'.repeat(10_000),
      '<a '.repeat(3_500),
      '@a.'.repeat(3_500),
      '#'.repeat(10_000),
      'https://' + 'a'.repeat(10_000),
      '&#'.repeat(5_000),
      ('www.' + 'a-'.repeat(10)).repeat(400),
      '@a@b.'.repeat(2_000) + '!',
    ];
    for (const h of hostile) {
      const r = normalizeText(h);
      expect(typeof r.text).toBe('string');
    }
    const long = 'Dit is een lange tekst met #hashtag en @iemand en https://example.com/x. '.repeat(150);
    expect(long.length).toBeGreaterThan(10_000);
    const r = normalizeText(long);
    expect(r.hashtags).toEqual(['hashtag']);
    expect(r.links).toEqual(['https://example.com/x']);
  });
});

// Hostile input (issue 12): these inputs took the old regexes seconds to minutes (quadratic backtracking). The
// scans take milliseconds; the generous timeout only catches a regression back to quadratic work.
describe('normalizeText on hostile input', () => {
  it('trims a link followed by 100k punctuation marks and brackets in linear time', { timeout: 5_000 }, () => {
    const dots = `https://example.com/a${'.,'.repeat(50_000)}x ok`;
    expect(normalizeText(dots).links).toEqual([`https://example.com/a${'.,'.repeat(50_000)}x`]);
    const brackets = `https://example.com/a${').'.repeat(50_000)}`;
    expect(normalizeText(brackets).links).toEqual(['https://example.com/a']);
  });

  it('strips 100k unclosed <style tags in linear time and keeps the text', { timeout: 5_000 }, () => {
    const r = normalizeText(`<p>begin</p>${'<style x>'.repeat(100_000)} einde`);
    expect(r.text.startsWith('begin')).toBe(true);
    expect(r.text.endsWith('einde')).toBe(true);
    expect(normalizeText('<p>a</p><STYLE type="x">p{}</style >b<script>1</script\n>c<style>d').text).toBe('a\nb cd');
  });
});
