// Stored XSS: post text, links, post URLs, fact-check titles and URLs, notes, labels and shift log entries with
// script payloads and `javascript:` URLs must come out of every page inert (escaped text, no unsafe links).
import { describe, expect, it } from 'vitest';
import { cluster, enrichedPost } from '../../workers/fixtures.ts';
import { harness, login, seed } from './harness.ts';

const PAYLOAD = '<script>alert(1)</script><img src=x onerror=alert(2)>';

/** Every href/src/action attribute value in an HTML document. */
function urlAttributes(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src|action|formaction|xlink:href)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!);
}

describe('stored XSS', () => {
  it('renders hostile post text, links, fact-checks, notes and labels inert', async () => {
    const h = await harness();
    const evil = {
      ...enrichedPost('p1', `${PAYLOAD} vote "now"`, Date.parse('2025-10-20T12:00:00Z'), 'acct-1'),
      url: 'javascript:alert(3)',
      links: [
        'javascript:alert(4)',
        'data:text/html,<script>alert(5)</script>',
        'https://ok.example/a?x="><script>alert(6)</script>',
      ],
      factchecks: [{ url: 'javascript:alert(7)', publisher: PAYLOAD, rating: '<b>false</b>', claim: PAYLOAD }],
    };
    const plain = {
      ...enrichedPost('p2', 'plain', Date.parse('2025-10-20T12:01:00Z'), 'acct-2'),
      factchecks: [{ url: 'https://fc.example/1', publisher: 'FC', rating: null, claim: null }],
    };
    const c = {
      ...cluster('c1', ['p1', 'p2'], '2025-10-20T12:01:00.000Z'),
      reasons: [PAYLOAD],
      sampleText: PAYLOAD,
      factchecks: [{ url: 'javascript:alert(8)', publisher: PAYLOAD }],
    };
    await seed(h, [evil, plain], [c]);
    const lead = await login(h.app, 'lead', h.passwords.lead);
    expect(
      (
        await lead.post('/api/clusters/c1/notes', {
          markdown: `[click](javascript:alert(9)) ${PAYLOAD} <a href="javascript:alert(10)">x</a>`,
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await lead.post('/api/clusters/c1/labels', { labels: [{ name: '<script>alert(11)</script>', mode: null }] }))
        .statusCode,
    ).toBe(400);
    expect((await lead.post('/api/shift-log', { text: PAYLOAD })).statusCode).toBe(200);
    expect((await lead.post('/api/views', { name: PAYLOAD, params: { q: PAYLOAD } })).statusCode).toBe(200);

    const pages = await Promise.all(
      ['/clusters/c1', '/', '/shift', '/audit'].map(async (u) => [u, (await lead.get(u)).body] as const),
    );
    for (const [url, html] of pages) {
      expect(html, url).not.toMatch(/<script>alert/i);
      expect(html, url).not.toMatch(/<img src=x/i);
      expect(html, url).not.toMatch(/<b>false/i);
      for (const v of urlAttributes(html)) expect(v, `${url}: ${v}`).toMatch(/^(https?:\/\/|\/|\?|#|mailto:)/);
      // The only script elements are the module of the page, loaded from our origin.
      expect(
        [...html.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]),
        url,
      ).toEqual(['<script type="module" src="/static/app.js">']);
    }
    const evidence = pages[0]![1];
    expect(evidence).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(evidence).toContain('href="https://fc.example/1"');
    expect(evidence).toContain('https://ok.example/a?x=&quot;&gt;&lt;script&gt;');
    // The JSON API gives only http(s) links too.
    const api = (await lead.get('/api/clusters/c1')).json() as {
      posts: Array<{ url: string | null; links: string[]; factchecks: Array<{ url: string | null }> }>;
      notes: Array<{ html: string }>;
    };
    const p1 = api.posts.find((p) => p.links.length > 0 || p.url === null)!;
    expect(p1.url).toBeNull();
    expect(p1.links).toEqual(['https://ok.example/a?x="><script>alert(6)</script>']);
    expect(p1.factchecks[0]!.url).toBeNull();
    expect(api.notes[0]!.html).not.toMatch(/<script|<a href="javascript|href="javascript/i);
    await h.close();
  });
});
