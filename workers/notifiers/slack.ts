// Slack-compatible incoming webhook (Slack, Mattermost): `text` (markdown, what Mattermost shows and Slack uses for
// notifications) plus Block Kit `blocks` (what Slack shows). Incoming webhooks cannot reply in a thread (thread_ts
// needs the bot API), so a follow-up is a new message whose title starts with "Update". With interactivity
// configured, cluster alerts carry acknowledge / assign / snooze buttons (Slack: Block Kit buttons the Slack app
// posts back, signed; Mattermost: attachment actions whose context holds our HMAC token; pipelines/chat-actions.ts).
import { ALERT_CATALOGUE, alertPlainText } from '../../pipelines/alert-message.ts';
import { CHAT_ACTIONS, mattermostActionToken, slackActionId } from '../../pipelines/chat-actions.ts';
import type { AlertMessage } from '../../pipelines/alert-message.ts';
import { httpSend } from './notifier.ts';
import type { DeliveryRequest, DeliveryResult, Notifier } from './notifier.ts';

/** Escapes Slack mrkdwn control characters. */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Buttons on cluster alerts: Slack (the app's signing secret verifies clicks) or Mattermost (URL + token key). */
export type ChatButtons = { kind: 'slack' } | { kind: 'mattermost'; actionUrl: string; secret: string };

/** The webhook body for a message, with the action buttons when `buttons` is given and the message is a cluster's. */
export function slackPayload(m: AlertMessage, buttons: ChatButtons | null = null): Record<string, unknown> {
  const labels = ALERT_CATALOGUE[m.lang].actions;
  const clusterId = m.kind === 'new' || m.kind === 'update' ? m.clusterId : null;
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
  const elements: Array<Record<string, unknown>> = [];
  if (m.triageUrl)
    elements.push({
      type: 'button',
      text: { type: 'plain_text', text: m.headings.triage },
      url: m.triageUrl,
      action_id: 'mid-triage',
    });
  if (buttons?.kind === 'slack' && clusterId)
    for (const a of CHAT_ACTIONS)
      elements.push({
        type: 'button',
        text: { type: 'plain_text', text: labels[a] },
        action_id: slackActionId(a),
        value: clusterId,
      });
  if (elements.length) blocks.push({ type: 'actions', elements });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(m.disclaimer) }] });
  const payload: Record<string, unknown> = { text: alertPlainText(m), blocks };
  if (buttons?.kind === 'mattermost' && clusterId)
    payload.attachments = [
      {
        fallback: labels.acknowledge,
        actions: CHAT_ACTIONS.map((a) => ({
          id: `mid${a}`,
          name: labels[a],
          integration: {
            url: buttons.actionUrl,
            context: { action: a, clusterId, token: mattermostActionToken(buttons.secret, clusterId, a) },
          },
        })),
      },
    ];
  return payload;
}

/** Options of {@link SlackNotifier}. */
export interface SlackNotifierOptions {
  url: string;
  timeoutMs: number;
  format?: 'slack' | 'mattermost';
  /** Action buttons on cluster alerts. Default none. */
  buttons?: ChatButtons | null;
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
      body: JSON.stringify(slackPayload(r.message, this.o.buttons ?? null)),
      timeoutMs: this.o.timeoutMs,
      signal,
    });
    return { threadRef: null };
  }
}
