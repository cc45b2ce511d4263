// Slack-compatible incoming webhook (Slack, Mattermost): `text` (markdown, what Mattermost shows and Slack uses for
// notifications) plus Block Kit `blocks` (what Slack shows). Incoming webhooks cannot reply in a thread (thread_ts
// needs the bot API), so a follow-up is a new message whose title starts with "Update".
import { alertPlainText } from '../../pipelines/alert-message.ts';
import type { AlertMessage } from '../../pipelines/alert-message.ts';
import { httpSend } from './notifier.ts';
import type { DeliveryRequest, DeliveryResult, Notifier } from './notifier.ts';

/** Escapes Slack mrkdwn control characters. */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The webhook body for a message. */
export function slackPayload(m: AlertMessage): Record<string, unknown> {
  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: m.title.slice(0, 150), emoji: false } },
  ];
  const section = (text: string) =>
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } });
  if (m.facts.length)
    blocks.push({
      type: 'section',
      fields: m.facts
        .slice(0, 10)
        .map((f) => ({ type: 'mrkdwn', text: `*${slackEscape(f.label)}*\n${slackEscape(f.value)}` })),
    });
  if (m.changes.length) section(`*${slackEscape(m.headings.changes)}:* ${slackEscape(m.changes.join(', '))}`);
  if (m.reasons.length)
    section(`*${slackEscape(m.headings.reasons)}*\n${m.reasons.map((r) => `• ${slackEscape(r)}`).join('\n')}`);
  if (m.lines.length) section(`*${slackEscape(m.headings.reasons)}*\n${m.lines.map(slackEscape).join('\n')}`);
  if (m.sample)
    section(
      m.kind === 'test' ? slackEscape(m.sample) : `*${slackEscape(m.headings.sample)}*\n> ${slackEscape(m.sample)}`,
    );
  if (m.links.length)
    section(
      `*${slackEscape(m.headings.links)}*\n${m.links.map((l) => `• <${l.url}|${slackEscape(l.domain)}>`).join('\n')}`,
    );
  if (m.factchecks.length)
    section(
      `*${slackEscape(m.headings.factchecks)}*\n${m.factchecks.map((f) => `• <${f.url}|${slackEscape(f.publisher)}>`).join('\n')}`,
    );
  if (m.triageUrl) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: m.headings.triage },
          url: m.triageUrl,
          action_id: 'mid-triage',
        },
      ],
    });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(m.disclaimer) }] });
  return { text: alertPlainText(m), blocks };
}

/** Options of {@link SlackNotifier}. */
export interface SlackNotifierOptions {
  url: string;
  timeoutMs: number;
  format?: 'slack' | 'mattermost';
}

/** Slack-compatible incoming webhook. */
export class SlackNotifier implements Notifier {
  readonly format: 'slack' | 'mattermost';
  readonly threads = false;
  constructor(private readonly o: SlackNotifierOptions) {
    this.format = o.format ?? 'slack';
  }

  async send(r: DeliveryRequest, signal?: AbortSignal): Promise<DeliveryResult> {
    await httpSend(this.o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(slackPayload(r.message)),
      timeoutMs: this.o.timeoutMs,
      signal,
    });
    return { threadRef: null };
  }
}
