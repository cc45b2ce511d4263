// Delivery of scheduled reports to the alert channels a period names (`reports.periods[].deliverTo`: alert route
// names). E-mail channels get the PDF attached (HTML when no PDF was made) through the same SMTP notifier as alerts
// (nodemailer); JSON webhooks get a signed message and Slack / Mattermost a text, each with a link to the archived
// report in the triage application, which asks for sign-in: the report itself never travels over a webhook.
// Teams and Matrix channels are skipped with a warning (not supported yet). A failed channel does not stop the others.
import type { DueReport } from './report-schedule.ts';
import type { Config } from './config.ts';
import { resolveAlertRoutes } from './alerts-config.ts';
import type { Logger } from './logger.ts';
import { EmailNotifier } from './notifiers/email.ts';
import { signBody } from './notifiers/json-webhook.ts';
import { readSecret } from './notifiers/notifier.ts';

/** What was archived, as delivery needs it. */
export interface ArchivedFiles {
  report: DueReport;
  /** File name → bytes, as archived (report.<lang>.<format>, data.json). */
  files: Record<string, Buffer>;
}

/** Outcome per channel, for logs and tests. */
export interface DeliveryOutcome {
  route: string;
  format: string;
  outcome: 'sent' | 'failed' | 'skipped';
}

/** Delivers one archived report to the channels of its period; never throws. */
export async function deliverReport(
  archived: ArchivedFiles,
  config: Config,
  logger: Logger,
): Promise<DeliveryOutcome[]> {
  const { report, files } = archived;
  const period = config.reports.periods.find((p) => p.name === report.periodName);
  const names = period?.deliverTo ?? [];
  if (names.length === 0) return [];
  const routes = resolveAlertRoutes(config.alerts);
  const lang = config.reports.lang;
  const title =
    lang === 'nl'
      ? `Rapportage ${report.periodName} (${report.cadence === 'daily' ? 'dag' : report.cadence === 'weekly' ? 'week' : 'eind'}): ${report.fromDay} t/m ${report.toDay}`
      : `Report ${report.periodName} (${report.cadence}): ${report.fromDay} to ${report.toDay}`;
  const fileName = files[`report.${lang}.pdf`] ? `report.${lang}.pdf` : `report.${lang}.html`;
  const base = config.reports.appUrl?.replace(/\/+$/, '') ?? null;
  const link = base ? `${base}/reports/files/${report.key}/${fileName}` : null;
  const text =
    lang === 'nl'
      ? `${title}. Signalen van gecoördineerd gedrag, geen oordeel over waarheid.${link ? ` Inloggen vereist: ${link}` : ''}`
      : `${title}. Signals of coordinated behaviour, not judgements of truth.${link ? ` Sign-in required: ${link}` : ''}`;
  const out: DeliveryOutcome[] = [];
  for (const name of names) {
    const route = routes.find((r) => r.name === name);
    const c = route?.channel;
    const done = (outcome: DeliveryOutcome['outcome']) => out.push({ route: name, format: c?.format ?? '?', outcome });
    if (!c) {
      logger.warn({ route: name, report: report.key }, 'Report delivery names an alert route that does not exist.');
      done('skipped');
      continue;
    }
    try {
      const url = readSecret(c.urlValue, c.urlFile) ?? c.url ?? null;
      if (!url) throw new Error('the channel has no URL');
      if (c.format === 'email') {
        const mailer = new EmailNotifier({ smtpUrl: url, from: c.from ?? '', to: c.to, timeoutMs: c.timeoutMs });
        try {
          await mailer.sendReport({
            subject: title,
            text,
            attachment: {
              filename: `${report.periodName}-${report.cadence}-${report.toDay}.${fileName.split('.').pop()}`,
              content: files[fileName]!,
            },
          });
        } finally {
          await mailer.close();
        }
      } else if (c.format === 'json' || c.format === 'slack' || c.format === 'mattermost') {
        if (!link) throw new Error('reports.appUrl is not set: no link to send');
        const body =
          c.format === 'json'
            ? JSON.stringify({
                type: 'report',
                key: report.key,
                period: report.periodName,
                cadence: report.cadence,
                from: report.fromDay,
                to: report.toDay,
                title,
                url: link,
              })
            : JSON.stringify({ text });
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        const secret = c.format === 'json' ? readSecret(c.secretValue, c.secretFile) : null;
        if (secret) {
          const ts = String(Math.floor(Date.now() / 1000));
          headers['x-mid-timestamp'] = ts;
          headers['x-mid-signature'] = signBody(secret, ts, body);
        }
        headers['x-mid-idempotency-key'] = `report:${report.key}`;
        const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(c.timeoutMs) });
        if (!res.ok) throw new Error(`the webhook answered ${res.status}`);
      } else {
        logger.warn(
          { route: name, format: c.format },
          'Report delivery to this channel format is not supported; skipped.',
        );
        done('skipped');
        continue;
      }
      done('sent');
    } catch (err) {
      logger.warn({ route: name, report: report.key, err: (err as Error).message }, 'Report delivery failed.');
      done('failed');
    }
  }
  return out;
}
