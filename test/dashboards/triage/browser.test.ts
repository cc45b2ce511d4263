// The triage flow in real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): sign in, filter
// the list, open the sample campaign's cluster, see the timeline chart and the network, change the status with a
// note, silence its alerts and end the silence, bulk-close two clusters, export GEXF, see the audit timeline. Screenshots of the list and the evidence view
// go to test/artifacts/ (gitignored). Runs once in Dutch and once in English: the English run starts as a Dutch
// user (the default) and switches with the header's language menu. Skipped when Chromium is not installed.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import pino from 'pino';
import { buildTriageApp } from '../../../dashboards/triage/app.ts';
import { createUserWithPassword } from '../../../dashboards/triage/auth.ts';
import { triageSchema } from '../../../dashboards/triage/config.ts';
import { t } from '../../../dashboards/triage/i18n/index.ts';
import { SqliteSignalStore } from '../../../workers/adapters/sqlite-signal-store.ts';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { MemoryAlertStore } from '../../../workers/adapters/memory-alert-store.ts';
import type { FastifyInstance } from 'fastify';
import { analyzeSample } from './sample-data.ts';
import type { SampleData } from './sample-data.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test/artifacts';
const PASSWORD = 'correct horse battery staple';

describe.skipIf(!existsSync(CHROMIUM)).each(['nl', 'en'] as const)('triage in a browser (%s)', (lang) => {
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base: string;
  let sample: SampleData;
  const signals = new SqliteSignalStore({ file: ':memory:' });
  const triage = new SqliteTriageStore({ file: ':memory:' });
  const alertStore = new MemoryAlertStore();

  beforeAll(async () => {
    sample = analyzeSample();
    await signals.start();
    await triage.start();
    await signals.writePosts(sample.posts);
    const platforms = (ids: string[]) => [
      ...new Set(sample.posts.filter((p) => ids.includes(p.id)).map((p) => p.source)),
    ];
    await triage.ingestClusters(
      [sample.campaign, ...sample.decoys].map((c) => ({ cluster: c, watermarkMs: 1, platforms: platforms(c.posts) })),
      { nowMs: Date.now(), reopenGrowthShare: 0.5 },
    );
    await createUserWithPassword(triage, 'lea', 'lead', Date.now(), PASSWORD);
    await createUserWithPassword(triage, 'ann', 'analyst', Date.now(), PASSWORD);
    app = await buildTriageApp({
      triage,
      signals,
      config: triageSchema.parse({}),
      logger: pino({ level: 'silent' }),
      silences: alertStore,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({
      viewport: { width: 1360, height: 900 },
      acceptDownloads: true,
      locale: lang === 'nl' ? 'nl-NL' : 'en-GB',
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await triage.stop();
    await signals.stop();
  });

  it('runs the whole triage flow', { timeout: 180_000 }, async () => {
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // Sign in.
    await page.goto(`${base}/`);
    expect(page.url()).toContain('/login');
    // The login page speaks the browser's language (Accept-Language).
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    expect(await page.locator('h1').textContent()).toBe(t(lang, 'login.title'));
    await page.fill('#username', 'lea');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('#clusters');
    // New users get Dutch; the English run switches with the menu in the header.
    expect(await page.locator('html').getAttribute('lang')).toBe('nl');
    if (lang === 'en') {
      await Promise.all([page.waitForEvent('load'), page.selectOption('#lang-select', 'en')]);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
    }
    expect(await page.locator('h1').first().textContent()).toContain(t(lang, 'list.title'));
    expect(await page.locator('#clusters tbody tr').count()).toBe(4);
    await page.screenshot({ path: `${ARTIFACTS}/triage-list-${lang}.png`, fullPage: true });

    // Filter the list by kind: only the campaign has co-link evidence.
    await page.selectOption('select[name=kind]', 'co_link');
    await page.click('.filters button[type=submit]');
    await page.waitForURL(/kind=co_link/);
    const rows = page.locator('#clusters tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-id')).toBe(sample.campaign.id);

    // Open it with the keyboard: Enter on the current row.
    await page.keyboard.press('Enter');
    await page.waitForSelector('#cluster');
    expect(page.url()).toContain(`/clusters/${sample.campaign.id}`);
    expect(await page.locator('figure.chart svg rect').count()).toBeGreaterThan(3);
    await page.waitForSelector('svg#network[data-drawn]');
    expect(await page.locator('svg#network circle').count()).toBe(sample.campaign.accounts.length);
    expect(await page.locator('svg#network line').count()).toBeGreaterThan(0);
    expect(await page.locator('table.posts tbody tr').count()).toBe(sample.campaign.posts.length);
    expect(await page.locator('#h-reasons').textContent()).toBe(t(lang, 'cluster.why'));
    await page.screenshot({ path: `${ARTIFACTS}/triage-evidence-${lang}.png`, fullPage: true });

    // Silence the cluster's alerts from its page: the form comes with the cluster filled in; then end it again.
    await Promise.all([page.waitForEvent('load'), page.click('#silence-cluster')]);
    expect(await page.locator('h1').textContent()).toBe(t(lang, 'silences.title'));
    expect(await page.inputValue('#silence-cluster')).toBe(sample.campaign.id);
    await page.fill('#silence-keyword', 'stembus, 5g');
    await page.fill('#silence-comment', 'Known campaign; the desk is on it.');
    await page.fill('#silence-expires', '2h');
    await Promise.all([page.waitForEvent('load'), page.click('#silence-form button[type=submit]')]);
    const silenceRow = page.locator('#silences tbody tr').first();
    expect(await silenceRow.getAttribute('data-state')).toBe('active');
    expect(await silenceRow.textContent()).toContain('lea');
    expect(await silenceRow.textContent()).toContain(t(lang, 'silences.state.active'));
    await page.screenshot({ path: `${ARTIFACTS}/triage-silences-${lang}.png`, fullPage: true });
    await Promise.all([page.waitForEvent('load'), silenceRow.locator('button[type=submit]').click()]);
    expect(await page.locator('#silences tbody tr').first().getAttribute('data-state')).toBe('expired');
    await page.goto(`${base}/clusters/${sample.campaign.id}`);
    await page.waitForSelector('svg#network[data-drawn]');

    // A refused change shows the server's message in the user's language.
    await page.selectOption('#status-form select[name=status]', 'closed');
    await page.click('#status-form button[type=submit]');
    await page.waitForSelector('#action-msg.error');
    expect(await page.locator('#action-msg').textContent()).toBe(t(lang, 'error.closeNeedsReason'));

    // Change the status with a note.
    await page.selectOption('#status-form select[name=status]', 'investigating');
    await page.fill('#status-form textarea[name=note]', 'Same link pushed by **young** accounts; watching.');
    await Promise.all([page.waitForEvent('load'), page.click('#status-form button[type=submit]')]);
    expect(await page.locator('#cur-status').textContent()).toBe(t(lang, 'status.investigating'));
    expect(await page.locator('.note .md strong').first().textContent()).toBe('young');
    expect(await page.locator('#audit-timeline').textContent()).toMatch(/status[\s\S]*"investigating"/);

    // Export GEXF.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-gexf')]);
    const gexf = readFileSync((await download.path())!, 'utf8');
    expect(gexf).toContain('<gexf');
    expect((gexf.match(/<node /g) ?? []).length).toBe(sample.campaign.accounts.length);

    // Bulk-close two decoys.
    await page.goto(`${base}/?kind=burst&sort=score&order=asc`);
    await page.check('input.sel[value="decoy-1"]');
    await page.check('input.sel[value="decoy-2"]');
    expect(await page.locator('#bulk-count').textContent()).toBe(t(lang, 'list.selected', { n: 2 }));
    await page.selectOption('#bulk-close-reason', 'organic_coordination');
    await Promise.all([page.waitForEvent('load'), page.click('#bulk-close')]);
    for (const id of ['decoy-1', 'decoy-2'])
      expect(await page.locator(`tr[data-id="${id}"] .status`).textContent()).toBe(t(lang, 'status.closed'));
    expect(await page.locator('tr[data-id="decoy-3"] .status').textContent()).toBe(t(lang, 'status.new'));

    // The audit timeline shows all of it, with an intact chain.
    await page.goto(`${base}/audit`);
    const audit = await page.locator('table.audit').textContent();
    expect(audit).toContain('bulk-close');
    expect(audit).toContain('silence-add');
    expect(audit).toContain('silence-expire');
    expect(audit).toContain('status');
    expect(await page.locator('p.ok').textContent()).toContain(t(lang, 'audit.intact').split(' (')[0]);

    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
