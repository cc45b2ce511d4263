// Delivery of an archived report to the alert channels its period names: the e-mail channel (a local SMTP server)
// gets the PDF attached; the signed JSON webhook (a local receiver) gets a link to the report in the triage app,
// never the report; a missing route is skipped and a failing channel does not stop the others.
import { SMTPServer } from 'smtp-server';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../workers/config.ts';
import { verifySignature } from '../../workers/notifiers/json-webhook.ts';
import { deliverReport } from '../../workers/report-delivery.ts';
import { Receiver } from './alerts/harness.ts';

const PDF = Buffer.from('%PDF-1.7\nfake report body\n%%EOF\n');
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

describe('report delivery', () => {
  it('mails the PDF and sends webhooks a signed link', async () => {
    const mails: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, cb) {
        let s = '';
        stream.on('data', (d: Buffer) => (s += d.toString()));
        stream.on('end', () => {
          mails.push(s);
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    stops.push(() => new Promise<void>((r) => smtp.close(() => r())));
    const hook = await new Receiver().start();
    stops.push(() => hook.stop());
    const env = {
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`,
      HOOK_SECRET: 'report-secret',
    };
    const config = loadConfig({
      env,
      overrides: {
        reports: {
          lang: 'en',
          appUrl: 'https://triage.example.org/',
          periods: [{ name: 'PS2027', from: '2026-03-09', to: '2026-03-18', deliverTo: ['mail', 'hook', 'nope'] }],
        },
        alerts: {
          routes: [
            {
              name: 'mail',
              channel: { format: 'email', urlEnv: 'SMTP_URL', from: 'mid@example.org', to: ['desk@example.org'] },
            },
            { name: 'hook', channel: { format: 'json', url: hook.url, secretEnv: 'HOOK_SECRET' } },
          ],
        },
      },
    });
    const report = {
      key: 'PS2027/daily-2026-03-09',
      periodName: 'PS2027',
      cadence: 'daily' as const,
      fromDay: '2026-03-09',
      toDay: '2026-03-09',
      dueAtMs: 0,
    };
    const out = await deliverReport(
      { report, files: { 'data.json': Buffer.from('{}'), 'report.en.pdf': PDF, 'report.en.html': Buffer.from('<p>') } },
      config,
      pino({ level: 'silent' }),
    );
    expect(out).toEqual([
      { route: 'mail', format: 'email', outcome: 'sent' },
      { route: 'hook', format: 'json', outcome: 'sent' },
      { route: 'nope', format: '?', outcome: 'skipped' },
    ]);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('Subject: Report PS2027 (daily): 2026-03-09 to 2026-03-09');
    expect(mails[0]).toMatch(/Content-Type: application\/pdf; name=PS2027-daily-2026-03-09\.pdf/);
    expect(mails[0]).toContain(PDF.toString('base64').slice(0, 40));

    expect(hook.requests).toHaveLength(1);
    const req = hook.requests[0]!;
    expect(
      verifySignature(
        'report-secret',
        String(req.headers['x-mid-timestamp']),
        req.body,
        String(req.headers['x-mid-signature']),
        Number(req.headers['x-mid-timestamp']),
      ),
    ).toBe(true);
    expect(hook.json(0)).toMatchObject({
      type: 'report',
      key: 'PS2027/daily-2026-03-09',
      url: 'https://triage.example.org/reports/files/PS2027/daily-2026-03-09/report.en.pdf',
    });
    expect(req.body).not.toContain('fake report body');
  });

  it('goes on past a failing channel', async () => {
    const hook = await new Receiver().start();
    stops.push(() => hook.stop());
    hook.fallback = () => ({ status: 500 });
    const ok = await new Receiver().start();
    stops.push(() => ok.stop());
    const config = loadConfig({
      env: {},
      overrides: {
        reports: {
          appUrl: 'https://triage.example.org',
          periods: [{ name: 'P', from: '2026-03-09', to: '2026-03-18', deliverTo: ['bad', 'good'] }],
        },
        alerts: {
          routes: [
            { name: 'bad', channel: { format: 'json', url: hook.url } },
            { name: 'good', channel: { format: 'slack', url: ok.url } },
          ],
        },
      },
    });
    const report = {
      key: 'P/final-2026-03-18',
      periodName: 'P',
      cadence: 'final' as const,
      fromDay: '2026-03-09',
      toDay: '2026-03-18',
      dueAtMs: 0,
    };
    const out = await deliverReport(
      { report, files: { 'report.nl.html': Buffer.from('<p>') } },
      config,
      pino({ level: 'silent' }),
    );
    expect(out.map((o) => o.outcome)).toEqual(['failed', 'sent']);
    expect(ok.json(0).text).toContain('https://triage.example.org/reports/files/P/final-2026-03-18/report.nl.html');
  });
});
