// Chat actions: the buttons Slack and Mattermost alert messages carry (acknowledge, assign to me, snooze) and the
// checks of the requests those channels send back when one is clicked. Pure: the clock comes in as `nowSeconds`.
// Slack signs every request (`X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:" + timestamp + ":" +
// raw body)>`, with `X-Slack-Request-Timestamp`); Mattermost signs nothing, so each button carries in its context an
// HMAC token over (cluster, action) that only we can make.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The actions a button can ask for. */
export const CHAT_ACTIONS = ['acknowledge', 'assign', 'snooze'] as const;
/** One of {@link CHAT_ACTIONS}. */
export type ChatAction = (typeof CHAT_ACTIONS)[number];

/** Slack's `action_id` of a button. */
export function slackActionId(action: ChatAction): string {
  return `mid-${action}`;
}

/** The action of a Slack `action_id`, or null. */
export function actionFromSlackId(id: string): ChatAction | null {
  const a = id.startsWith('mid-') ? id.slice(4) : '';
  return (CHAT_ACTIONS as readonly string[]).includes(a) ? (a as ChatAction) : null;
}

function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The `X-Slack-Signature` value Slack sends for a timestamp and raw body. */
export function slackSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${hmacHex(secret, `v0:${timestamp}:${body}`)}`;
}

/** Why a Slack request was refused, or 'ok'. */
export type SlackCheck = 'ok' | 'missing' | 'expired' | 'bad-signature';

/** Checks a Slack request: signature over the raw body, timestamp within `maxAgeSeconds` of `nowSeconds`. */
export function checkSlackRequest(o: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  nowSeconds: number;
  maxAgeSeconds: number;
}): SlackCheck {
  if (!o.timestamp || !o.signature || !/^\d+$/.test(o.timestamp)) return 'missing';
  if (Math.abs(o.nowSeconds - Number(o.timestamp)) > o.maxAgeSeconds) return 'expired';
  return equalText(slackSignature(o.secret, o.timestamp, o.body), o.signature) ? 'ok' : 'bad-signature';
}

/** The token a Mattermost button carries for (cluster, action). */
export function mattermostActionToken(secret: string, clusterId: string, action: ChatAction): string {
  return hmacHex(secret, `mid-mattermost:${clusterId}:${action}`);
}

/** True when `token` is the one we made for (cluster, action). */
export function checkMattermostToken(secret: string, clusterId: string, action: ChatAction, token: string): boolean {
  return equalText(mattermostActionToken(secret, clusterId, action), token);
}
