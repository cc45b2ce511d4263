// The triage interface in Dutch and English: the catalogues agree on keys and placeholders, `t` fills values in,
// Accept-Language picks the login page's language, and every page rendered in one language contains no catalogue
// text of the other (a string that differs between the two), so a template that writes its own text or calls the
// wrong catalogue fails here. Dates and numbers follow nl-NL / en-GB in Europe/Amsterdam.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildTriageApp } from '../../../dashboards/triage/app.ts';
import { createUserWithPassword } from '../../../dashboards/triage/auth.ts';
import { triageSchema } from '../../../dashboards/triage/config.ts';
import { CATALOGUES, DEFAULT_LANG, langFromAcceptLanguage, t } from '../../../dashboards/triage/i18n/index.ts';
import type { Lang, MsgKey } from '../../../dashboards/triage/i18n/index.ts';
import { reopenReasonIn } from '../../../dashboards/triage/pages.ts';
import { SqliteSignalStore } from '../../../workers/adapters/sqlite-signal-store.ts';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { MemoryAlertStore } from '../../../workers/adapters/memory-alert-store.ts';
import { addSilence } from '../../../workers/alert-silences.ts';
import { cluster, enrichedPost } from '../../workers/fixtures.ts';
import { anonymous, login } from './harness.ts';
import type { Client } from './harness.ts';

const T = Date.parse('2025-10-20T12:00:00Z');
const keys = Object.keys(CATALOGUES.en) as MsgKey[];
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('have the same keys and the same placeholders in both languages', () => {
    expect(Object.keys(CATALOGUES.nl).sort()).toEqual([...keys].sort());
    for (const k of keys) expect(placeholders(CATALOGUES.nl[k]), k).toEqual(placeholders(CATALOGUES.en[k]));
  });

  it('fills placeholders and leaves unknown ones', () => {
    expect(t('nl', 'list.selected', { n: 3 })).toBe('3 geselecteerd');
    expect(t('en', 'list.selected', { n: 3 })).toBe('3 selected');
    expect(t('en', 'list.selected')).toBe('{n} selected');
    expect(t('nl', 'cluster.merged', { n: 2 })).toContain('({ids})');
  });

  it('picks the login language from Accept-Language, Dutch by default', () => {
    expect(DEFAULT_LANG).toBe('nl');
    expect(langFromAcceptLanguage(undefined)).toBe('nl');
    expect(langFromAcceptLanguage('fr-FR, de;q=0.8')).toBe('nl');
    expect(langFromAcceptLanguage('en-GB,en;q=0.9')).toBe('en');
    expect(langFromAcceptLanguage('de, en;q=0.5, nl;q=0.7')).toBe('nl');
    expect(langFromAcceptLanguage('de, nl;q=0, en;q=0.2')).toBe('en');
    expect(langFromAcceptLanguage('nl-BE, en')).toBe('nl');
  });

  it('translates the stored reopen reason', () => {
    const stored = 'Reopened: grew from 10 to 20 posts after it was closed (duplicate).';
    expect(reopenReasonIn('nl', stored)).toBe('Heropend: gegroeid van 10 naar 20 berichten na het sluiten (Dubbel).');
    expect(reopenReasonIn('en', 'something else')).toBe('something else');
  });
});

/** Catalogue fragments (text between placeholders) of `lang` that the other language words differently. */
function foreignFragments(lang: Lang): Array<{ key: MsgKey; fragment: string }> {
  const other: Lang = lang === 'nl' ? 'en' : 'nl';
  const out: Array<{ key: MsgKey; fragment: string }> = [];
  for (const k of keys) {
    if (CATALOGUES.en[k] === CATALOGUES.nl[k]) continue;
    for (const f of CATALOGUES[other][k].split(/\{\w+\}/)) {
      const fragment = f
        .trim()
        .replace(/^[;:,.()]+|[;:,.()]+$/g, '')
        .trim();
      // Fragments both languages share (numbers, "item(s)", ids) say nothing about the language.
      if (
        fragment.length >= 4 &&
        /\p{L}{3}/u.test(fragment) &&
        !CATALOGUES[lang][k].toLowerCase().includes(fragment.toLowerCase())
      )
        out.push({ key: k, fragment });
    }
  }
  return out;
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** What a reader sees of a page: text, labels, titles, placeholders and the script's messages; not data dumps. */
function visibleText(html: string): string {
  const body = html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    // The audit before/after JSON is data (field names and values), not interface text.
    .replace(/<(div|td) class="change">[\s\S]*?<\/\1>/g, ' ');
  const attrs = [...body.matchAll(/\s(?:placeholder|aria-label|title)="([^"]*)"/g)].map((m) => decode(m[1]!));
  // The script's messages: their values (the keys are identifiers).
  for (const m of body.matchAll(/\sdata-messages="([^"]*)"/g))
    attrs.push(...Object.values(JSON.parse(decode(m[1]!)) as Record<string, string>));
  return [decode(body.replace(/<[^>]+>/g, ' ')), ...attrs].join('\n');
}

function leaks(html: string, lang: Lang): string[] {
  const text = visibleText(html);
  return foreignFragments(lang)
    .filter(({ fragment }) => {
      const esc = fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return new RegExp(`(?<![\\p{L}\\d])${esc}(?![\\p{L}\\d])`, 'u').test(text);
    })
    .map(
      ({ key, fragment }) =>
        `${key}: ${fragment} in «${text.slice(Math.max(0, text.indexOf(fragment) - 60), text.indexOf(fragment) + 40).replace(/\s+/g, ' ')}»`,
    );
}

describe('every page in one language only', () => {
  let app: FastifyInstance;
  const signals = new SqliteSignalStore({ file: ':memory:' });
  const triage = new SqliteTriageStore({ file: ':memory:' });
  const alertStore = new MemoryAlertStore();
  const pw: Record<string, string> = {};

  beforeAll(async () => {
    await signals.start();
    await triage.start();
    // User names that are no catalogue words (the harness names users after their roles, which are).
    pw.ria = await createUserWithPassword(triage, 'ria', 'admin', 0);
    pw.bo = await createUserWithPassword(triage, 'bo', 'analyst', 0);
    const posts = ['a', 'b', 'c', 'd'].map((id, i) => ({
      ...enrichedPost(id, `De stembus is gemanipuleerd ${i}`, T + i * 60_000, `acct-${id}`),
      canonicalLinks: ['https://x.example/1'],
    }));
    await signals.writePosts(posts);
    await triage.ingestClusters(
      [
        {
          cluster: { ...cluster('c1', ['a', 'b'], '2025-10-20T12:01:00.000Z'), reasons: [] },
          watermarkMs: 1,
          platforms: ['mastodon'],
        },
        {
          cluster: { ...cluster('c2', ['c', 'd'], '2025-10-20T12:03:00.000Z', 0.5), reasons: [] },
          watermarkMs: 1,
          platforms: ['bluesky'],
        },
      ],
      { nowMs: T, reopenGrowthShare: 0.5 },
    );
    app = await buildTriageApp({
      triage,
      signals,
      config: triageSchema.parse({}),
      logger: pino({ level: 'silent' }),
      now: () => T + 3_600_000,
      silences: alertStore,
    });
    await app.ready();
    // An active and an expired silence, so that the /silences table has rows in both states.
    for (const [id, expiresAtMs] of [
      ['s1', T + 7_200_000],
      ['s2', T + 60_000],
    ] as const)
      await addSilence(alertStore, {
        id,
        matchers: {
          clusterIds: ['c2'],
          kinds: ['burst'],
          watch: { narratives: [], keywords: ['stembus'], hashtags: [], domains: [] },
        },
        routes: id === 's1' ? [] : ['desk'],
        createdBy: 'bo',
        comment: 'zz-9',
        startsAtMs: T,
        expiresAtMs,
      });
    // Some state so that labels, notes, reminders, the shift log and the audit log have rows.
    const bo = await login(app, 'bo', pw.bo!);
    await bo.post('/api/clusters/c1/status', { status: 'closed', closeReason: 'duplicate', note: 'zie c2' });
    await bo.post('/api/clusters/c2/labels', { labels: [{ name: 'T0049', mode: 'observed' }] });
    await bo.post('/api/clusters/c2/notes', { markdown: 'opvolgen' });
    await bo.post('/api/reminders', { clusterId: 'c2', dueAt: '2025-10-21T09:00:00Z', text: 'opnieuw' });
    await bo.post('/api/shift-log', { text: 'rustig' });
    await triage.ingestClusters(
      [
        {
          cluster: { ...cluster('c1', ['a', 'b', 'c', 'd'], '2025-10-20T12:05:00.000Z'), reasons: [] },
          watermarkMs: 2,
          platforms: ['mastodon'],
        },
      ],
      { nowMs: T + 60_000, reopenGrowthShare: 0.5 },
    );
  });

  afterAll(async () => {
    await app?.close();
    await triage.stop();
    await signals.stop();
  });

  const PAGES = [
    '/',
    '/?status=closed',
    '/clusters/c1',
    '/clusters/c2',
    '/clusters/nope',
    '/audit',
    '/shift',
    '/admin/users',
    '/silences',
    '/silences?cluster=c2',
  ];

  for (const lang of ['nl', 'en'] as const) {
    it(`renders every page in ${lang} with no text of the other language`, async () => {
      const ria: Client = await login(app, 'ria', pw.ria!);
      expect((await ria.post('/api/me/lang', { lang })).statusCode).toBe(200);
      for (const url of PAGES) {
        const r = await ria.get(url);
        expect(r.statusCode, url).toBe(url === '/clusters/nope' ? 404 : 200);
        expect(r.body, url).toContain(`<html lang="${lang}">`);
        expect(leaks(r.body, lang), url).toEqual([]);
      }
      const login$ = await anonymous(app);
      const page = await app.inject({
        method: 'GET',
        url: '/login',
        cookies: login$.cookies,
        headers: { 'accept-language': lang === 'en' ? 'en-GB,en;q=0.9' : 'nl-NL' },
      });
      expect(page.body).toContain(`<html lang="${lang}">`);
      expect(leaks(page.body, lang)).toEqual([]);
      // API error messages in the user's language beside the stable English error.
      const bad = await ria.post('/api/clusters/c2/status', { status: 'closed' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ message: t(lang, 'error.closeNeedsReason') });
    });
  }

  it('formats dates in Amsterdam time and numbers in the language', async () => {
    const ria = await login(app, 'ria', pw.ria!);
    await ria.post('/api/me/lang', { lang: 'nl' });
    const nl = visibleText((await ria.get('/?status=new')).body);
    // c2 ended 12:03 UTC on 20 October 2025, 14:03 summer time in Amsterdam; score 0.5.
    expect(nl).toContain('20-10-2025, 14:03');
    expect(nl).toContain('0,50');
    await ria.post('/api/me/lang', { lang: 'en' });
    const en = visibleText((await ria.get('/?status=new')).body);
    expect(en).toContain('20/10/2025, 14:03');
    expect(en).toContain('0.50');
    expect(en).not.toContain('UTC');
  });

  it('writes the p-value as the reasons do, also below the floating range', async () => {
    await triage.ingestClusters(
      [
        {
          cluster: { ...cluster('c3', ['a', 'c'], '2025-10-20T12:04:00.000Z'), pValue: 2.83e-30 },
          watermarkMs: 3,
          platforms: ['mastodon'],
        },
        {
          cluster: { ...cluster('c4', ['b', 'd'], '2025-10-20T12:04:00.000Z'), pValue: 1e-300, log10P: -412.3 },
          watermarkMs: 3,
          platforms: ['mastodon'],
        },
      ],
      { nowMs: T + 120_000, reopenGrowthShare: 0.5 },
    );
    const ria = await login(app, 'ria', pw.ria!);
    await ria.post('/api/me/lang', { lang: 'nl' });
    expect(visibleText((await ria.get('/clusters/c3')).body)).toContain('2,8 × 10⁻³⁰');
    expect(visibleText((await ria.get('/clusters/c4')).body)).toContain('5,0 × 10⁻⁴¹³');
    await ria.post('/api/me/lang', { lang: 'en' });
    expect(visibleText((await ria.get('/clusters/c3')).body)).toContain('2.8e-30');
    expect(visibleText((await ria.get('/clusters/c4')).body)).toContain('5.0e-413');
  });

  it('gives new users Dutch', async () => {
    expect((await triage.getUser('bo'))!.lang).toBe('nl');
  });
});
