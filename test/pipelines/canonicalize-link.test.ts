import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalizeLink } from '../../pipelines/canonicalize-link.ts';

describe('canonicalizeLink', () => {
  it('lower-cases scheme and host, strips www., fragment and default port', () => {
    expect(canonicalizeLink('HTTPS://WWW.NOS.nl:443/Artikel/123#top')).toBe('https://nos.nl/Artikel/123');
    expect(canonicalizeLink('http://www.example.com:80/a')).toBe('http://example.com/a');
    expect(canonicalizeLink('https://example.com:8443/a')).toBe('https://example.com:8443/a');
  });

  it('does not upgrade http to https', () => {
    expect(canonicalizeLink('http://nos.nl/a')).toBe('http://nos.nl/a');
  });

  it('drops tracking parameters and sorts the rest', () => {
    expect(
      canonicalizeLink(
        'https://nos.nl/a?utm_source=tw&utm_medium=social&b=2&fbclid=XyZ&a=1&gclid=1&si=abc&mc_cid=1&mc_eid=2&ref_src=twsrc&_ga=1&yclid=9&msclkid=3&dclid=4&igshid=5&ref_url=x',
      ),
    ).toBe('https://nos.nl/a?a=1&b=2');
    expect(canonicalizeLink('https://example.com/?UTM_Campaign=x')).toBe('https://example.com/');
  });

  it('keeps meaningful parameters, and drops host-specific share parameters', () => {
    expect(canonicalizeLink('https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=share&si=abc')).toBe(
      'https://youtube.com/watch?v=dQw4w9WgXcQ',
    );
    expect(canonicalizeLink('https://x.com/user/status/1?s=20&t=abc')).toBe('https://x.com/user/status/1');
    expect(canonicalizeLink('https://example.com/search?s=20')).toBe('https://example.com/search?s=20');
  });

  it('removes trailing slashes except for the root', () => {
    expect(canonicalizeLink('https://example.com/a/b/')).toBe('https://example.com/a/b');
    expect(canonicalizeLink('https://example.com')).toBe('https://example.com/');
    expect(canonicalizeLink('https://example.com/')).toBe('https://example.com/');
  });

  it('accepts bare www. links and drops credentials', () => {
    expect(canonicalizeLink('www.rivm.nl/corona/')).toBe('https://rivm.nl/corona');
    expect(canonicalizeLink('https://user:pass@example.com/x')).toBe('https://example.com/x');
  });

  it('returns null for unparsable or non-web input', () => {
    for (const bad of [
      '',
      'not a url',
      'javascript:alert(1)',
      'mailto:a@b.nl',
      'ftp://x.org/a',
      'https://',
      'http://exa mple.com',
      'https://[::1',
      '#tag',
    ]) {
      expect(canonicalizeLink(bad)).toBeNull();
    }
    expect(canonicalizeLink(undefined as unknown as string)).toBeNull();
  });

  it('treats Unicode hosts via punycode consistently', () => {
    expect(canonicalizeLink('https://Bücher.de/x')).toBe('https://xn--bcher-kva.de/x');
  });

  it('is idempotent: a canonical link canonicalises to itself (found by fuzzing: "www.A", "a.")', () => {
    expect(canonicalizeLink('www.A')).toBe('https://www.a/');
    expect(canonicalizeLink('https://a./x')).toBeNull();
    const hostish = fc
      .array(fc.oneof(fc.constantFrom('www', 'WWW', 'm', 'a', 'nos', 'localhost', ''), fc.domain()), { maxLength: 4 })
      .map((parts) => parts.join('.'));
    const link = fc.oneof(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc
        .tuple(
          fc.constantFrom('', 'https://', 'http://', '//', 'HTTP://'),
          hostish,
          fc.constantFrom('', '.', ':80', ':8443'),
        )
        .chain(([scheme, host, tail]) => fc.webPath().map((path) => `${scheme}${host}${tail}${path}`)),
      fc.string(),
    );
    fc.assert(
      fc.property(link, (s) => {
        const once = canonicalizeLink(s);
        if (once !== null) expect(canonicalizeLink(once)).toBe(once);
      }),
      { numRuns: 2_000 },
    );
  });
});
