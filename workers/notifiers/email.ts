// E-mail through SMTP with nodemailer: a text and an HTML part. The first alert's Message-ID is derived from the
// idempotency key, and follow-ups carry In-Reply-To / References to it, so mail clients show one thread.
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { alertPlainText } from '../../pipelines/alert-message.ts';
import { alertHtml } from './matrix.ts';
import { DeliveryError } from './notifier.ts';
import type { DeliveryRequest, DeliveryResult, Notifier } from './notifier.ts';

/** Options of {@link EmailNotifier}. */
export interface EmailNotifierOptions {
  /** smtp:// or smtps:// URL with credentials (a secret: from env or file). */
  smtpUrl: string;
  from: string;
  to: string[];
  timeoutMs: number;
}

/** Message-ID for an idempotency key (stable, so a resend is recognisably the same mail). */
export function messageIdFor(key: string, from: string): string {
  const domain = /@([^>\s]+)>?$/.exec(from)?.[1] ?? 'mid-monitor.invalid';
  return `<${key.replace(/[^A-Za-z0-9._-]/g, '_')}@${domain}>`;
}

/** SMTP e-mail. */
export class EmailNotifier implements Notifier {
  readonly format = 'email' as const;
  readonly threads = true;
  private readonly transport: Transporter;

  constructor(private readonly o: EmailNotifierOptions) {
    const t = o.timeoutMs;
    this.transport = nodemailer.createTransport(o.smtpUrl, {
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t,
      logger: false,
      debug: false,
    } as never);
  }

  async send(r: DeliveryRequest): Promise<DeliveryResult> {
    const messageId = messageIdFor(r.idempotencyKey, this.o.from);
    const thread = r.thread ? { inReplyTo: r.thread, references: [r.thread] } : {};
    try {
      await this.transport.sendMail({
        from: this.o.from,
        to: this.o.to,
        subject: r.message.title,
        text: alertPlainText(r.message),
        html: alertHtml(r.message),
        messageId,
        headers: { 'X-Mid-Idempotency-Key': r.idempotencyKey },
        ...thread,
      });
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode ?? null;
      // 4xx SMTP replies are transient by definition; 5xx permanent; no reply (connection) is transient.
      const retriable = code === null || (code >= 400 && code < 500);
      throw new DeliveryError(`SMTP send failed${code ? ` (${code})` : ''}`, retriable, code, null, err);
    }
    return { threadRef: r.thread ?? messageId };
  }

  /** Sends one report (not an alert): a text body and one attached file. Same errors as {@link send}. */
  async sendReport(r: {
    subject: string;
    text: string;
    attachment: { filename: string; content: Buffer };
  }): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.o.from,
        to: this.o.to,
        subject: r.subject,
        text: r.text,
        attachments: [r.attachment],
      });
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode ?? null;
      throw new DeliveryError(
        `SMTP send failed${code ? ` (${code})` : ''}`,
        code === null || code < 500,
        code,
        null,
        err,
      );
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
