// Slack-compatible incoming webhook (Slack, Mattermost): `text` (markdown, what Mattermost shows and Slack uses for
// notifications) plus Block Kit `blocks` (what Slack shows). Incoming webhooks cannot reply in a thread (thread_ts
// needs the bot API), so a follow-up is a new message whose title starts with "Update". With a Slack bot token and a
// channel id (SlackBotNotifier) the first alert goes out with chat.postMessage, follow-ups and the end notice are
// replies in its thread, and the first alert is edited with chat.update to the newest state. With interactivity
// configured, cluster alerts carry acknowledge / assign / snooze buttons (Slack: Block Kit buttons the Slack app
// posts back, signed; Mattermost: attachment actions whose context holds our HMAC token; pipelines/chat-actions.ts).
import { ALERT_CATALOGUE, alertPlainText } from '../../pipelines/alert-message.ts';
import { CHAT_ACTIONS, mattermostActionToken, slackActionId } from '../../pipelines/chat-actions.ts';
import type { AlertMessage } from '../../pipelines/alert-message.ts';
import { DeliveryError, httpSend } from './notifier.ts';
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

/** Options of {@link SlackBotNotifier}. */
export interface SlackBotNotifierOptions {
  /** Web API base, e.g. https://slack.com/api. */
  apiUrl: string;
  /** Bot token (xoxb-…) with chat:write. */
  token: string;
  /** Channel id (C…). */
  channel: string;
  timeoutMs: number;
  buttons?: ChatButtons | null;
}

/** Slack Web API errors worth retrying (Slack answers most errors with HTTP 200 and `ok: false`). */
const SLACK_RETRIABLE = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** chat.update errors after which the thread reply still goes out (the original cannot be edited any more). */
const SLACK_EDIT_GONE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

/** Slack answered `ok: false` (with HTTP 200); `code` is its `error` string. */
export class SlackApiError extends DeliveryError {
  override name = 'SlackApiError';
  constructor(
    readonly code: string,
    method: string,
  ) {
    super(`Slack ${method} failed: ${code}`, SLACK_RETRIABLE.has(code), 200);
  }
}

/** The thread reference kept for a Slack bot message: channel and ts. */
export function slackThreadRef(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

/**
 * Slack through the Web API with a bot token: the first alert is posted with chat.postMessage (its channel and ts
 * are the thread reference); a follow-up first edits that message to the newest state with chat.update (repeating
 * an edit is harmless, so it goes first), then replies in its thread (`thread_ts`). A retry after a failed reply
 * repeats the edit, never a reply that went out.
 */
export class SlackBotNotifier implements Notifier {
  readonly format = 'slack' as const;
  readonly threads = true;
  constructor(private readonly o: SlackBotNotifierOptions) {}

  private async call(
    method: string,
    body: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const url = `${this.o.apiUrl.replace(/\/+$/, '')}/${method}`;
    const text = await httpSend(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${this.o.token}` },
      body: JSON.stringify(body),
      timeoutMs: this.o.timeoutMs,
      signal,
    });
    let out: Record<string, unknown>;
    try {
      out = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new DeliveryError(`Slack ${method} answered no JSON`, true, 200, null, err);
    }
    if (out.ok !== true) {
      const error = typeof out.error === 'string' ? out.error.slice(0, 60) : 'unknown';
      throw new SlackApiError(error, method);
    }
    return out;
  }

  async send(r: DeliveryRequest, signal?: AbortSignal): Promise<DeliveryResult> {
    const payload = slackPayload(r.message, this.o.buttons ?? null);
    const at = r.thread ? /^([A-Z0-9]+)\/(\d+\.\d+)$/.exec(r.thread) : null;
    if (!at) {
      const out = await this.call('chat.postMessage', { channel: this.o.channel, ...payload }, signal);
      const ts = typeof out.ts === 'string' ? out.ts : null;
      const channel = typeof out.channel === 'string' ? out.channel : this.o.channel;
      return { threadRef: ts ? slackThreadRef(channel, ts) : null };
    }
    const [, channel, ts] = at as unknown as [string, string, string];
    try {
      await this.call('chat.update', { channel, ts, ...payload }, signal);
    } catch (err) {
      if (!(err instanceof SlackApiError && SLACK_EDIT_GONE.has(err.code))) throw err;
    }
    await this.call('chat.postMessage', { channel, thread_ts: ts, ...payload }, signal);
    return { threadRef: null };
  }
}
