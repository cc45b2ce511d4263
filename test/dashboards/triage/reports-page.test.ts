// The report archive in the triage application, in real headless Chromium (Debian's /usr/bin/chromium through
// playwright-core): a lead sees the archived scheduled report, generates one for a period in English (a job whose
// state the page shows), downloads it as an attachment; the request is in the audit log. A viewer sees the list but
// not the form and is refused when posting anyway; downloads need a signed-in user. A screenshot goes to
// test/artifacts/reports-page.png. Skipped when Chromium is not installed.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildTriageApp } from '../../../dashboards/triage/app.ts';
import { createUserWithPassword } from '../../../dashboards/triage/auth.ts';
import { triageSchema } from '../../../dashboards/triage/config.ts';
import { SqliteSignalStore } from '../../../workers/adapters/sqlite-signal-store.ts';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { TriageStoreOutcomeSource } from '../../../workers/adapters/triage-store-outcome-source.ts';
import { loadConfig } from '../../../workers/config.ts';
import type { ReportSource } from '../../../workers/ports/report-source.ts';
import { ReportArchiveService } from '../../../workers/report-archive-service.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test/artifacts';
const PASSWORD = 'correct horse battery staple';

describe.skipIf(!existsSync(CHROMIUM))('report archive in the triage app', () => {
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let service: ReportArchiveService;
  const dir = mkdtempSync(join(tmpdir(), 'mid-archive-'));
  const signals = new SqliteSignalStore({ file: ':memory:' });
  const triage = new SqliteTriageStore({ file: ':memory:' });

  beforeAll(async () => {
    await signals.start();
    await triage.start();
    await createUserWithPassword(triage, 'lea', 'lead', 0, PASSWORD);
    await createUserWithPassword(triage, 'vic', 'viewer', 0, PASSWORD);
    // One report the scheduler archived earlier.
    const scheduled = join(dir, 'PS2027', 'daily-2026-03-09');
    mkdirSync(scheduled, { recursive: true });
    writeFileSync(join(scheduled, 'data.json'), '{"schemaVersion":1}\n');
    writeFileSync(join(scheduled, 'report.nl.html'), '<!doctype html><title>r</title>');
    writeFileSync(join(scheduled, 'report.nl.md'), '# Rapportage\n');
    const config = loadConfig({
      env: {},
      overrides: {
        reports: {
          periods: [{ name: 'PS2027', from: '2026-03-09', to: '2026-03-18' }],
          archiveFormats: ['html', 'md'],
        },
      },
    });
    const source: ReportSource = {
      kind: 'sqlite',
      start: async () => {},
      stop: async () => {},
      postHours: async () => [],
      clusters: async () => [],
    };
    service = new ReportArchiveService({
      config,
      dir,
      source,
      triage: new TriageStoreOutcomeSource(triage),
      logger: pino({ level: 'silent' }),
      now: () => new Date('2026-03-12T10:00:00Z'),
    });
    app = await buildTriageApp({
      triage,
      signals,
      config: triageSchema.parse({}),
      logger: pino({ level: 'silent' }),
      reports: service,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await service?.stop();
    await triage.stop();
    await signals.stop();
  });

  const signIn = async (username: string) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${base}/reports`);
    await page.fill('#username', username);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/reports`);
    return { context, page };
  };

  it('lists, generates as a job, and downloads with auth', { timeout: 120_000 }, async () => {
    const { context, page } = await signIn('lea');
    expect(await page.locator('#reports tbody tr').count()).toBe(1);
    expect(await page.locator('#reports tbody tr').first().innerText()).toContain('2026-03-09');

    await page.selectOption('#report-period', 'PS2027');
    await page.selectOption('#report-lang', 'en');
    await page.click('#report-generate button[type=submit]');
    await page.waitForURL(`${base}/reports`);
    await service.idle();
    await page.reload();
    expect(await page.locator('#report-jobs tbody tr').getAttribute('data-state')).toBe('done');
    expect(await page.locator('#reports tbody tr').count()).toBe(2);
    await page.screenshot({ path: `${ARTIFACTS}/reports-page.png`, fullPage: true });

    // The generated report covers the period up to yesterday (11 March) and downloads as an attachment.
    const row = page.locator('#reports tbody tr', { hasText: '2026-03-11' });
    const [download] = await Promise.all([page.waitForEvent('download'), row.locator('a', { hasText: 'MD' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^PS2027-manual-2026-03-11-\d+-report\.en\.md$/);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text).toContain('PS2027');

    const audit = await triage.listAudit({});
    expect(audit.filter((a) => a.action === 'report-generate').map((a) => [a.actor, a.after])).toEqual([
      ['lea', { period: 'PS2027', lang: 'en', job: 1 }],
    ]);
    await context.close();
  });

  it('lets a viewer read but not generate; files need a signed-in user', { timeout: 60_000 }, async () => {
    const { context, page } = await signIn('vic');
    expect(await page.locator('#reports tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#report-generate').count()).toBe(0);
    const csrf = await page.locator('meta[name=csrf-token]').getAttribute('content');
    const refused = await page.request.post(`${base}/reports/generate`, {
      form: { period: 'PS2027', lang: 'nl', _csrf: csrf! },
    });
    expect(refused.status()).toBe(403);
    const ok = await page.request.get(`${base}/reports/files/PS2027/daily-2026-03-09/report.nl.md`);
    expect(ok.status()).toBe(200);
    expect(ok.headers()['content-disposition']).toBe('attachment; filename="PS2027-daily-2026-03-09-report.nl.md"');
    await context.close();
    const anonymous = await app.inject({ url: '/reports/files/PS2027/daily-2026-03-09/report.nl.md' });
    expect(anonymous.statusCode).toBe(302); // to the sign-in page, not the file
    expect(anonymous.headers.location).toMatch(/^\/login\?next=/);
    expect(anonymous.body).not.toContain('Rapportage');
    expect(service.generations()).toHaveLength(1); // the viewer's request queued nothing
  });
});
