// The endpoint Slack and Mattermost call when an analyst clicks a button in an alert (acknowledge, assign to me,
// snooze). No session: each request proves where it comes from. Slack's is signed over the raw body with the app's
// signing secret, with a timestamp no older than `alerts.interactive.maxAgeSeconds`, and a signature seen before is
// refused (replay); Mattermost's carries the HMAC token we put into the button (pipelines/chat-actions.ts). The chat
// user must be mapped to an active analyst (`alerts.interactive.users`); the change goes through the triage store
// like any triage action (audit entry included, and the triage event to the alerts worker), and snooze writes a
// silence for the cluster to the alert store the alerts worker reads.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import {
  actionFromSlackId,
  checkMattermostToken,
  checkSlackRequest,
  CHAT_ACTIONS,
} from '../../pipelines/chat-actions.ts';
import type { ChatAction } from '../../pipelines/chat-actions.ts';
import type { Silence } from '../../pipelines/alert-rules.ts';
import { roleAtLeast } from '../../workers/ports/triage-store.ts';
import type { AppContext } from './context.ts';

/** Replies to the clicking user (only they see it), Dutch and English. */
const REPLIES = {
  nl: {
    acknowledge: 'Opgepakt: status is nu "{status}".',
    already: 'Dit signaal is al in behandeling (status "{status}").',
    assign: 'Aan jou toegewezen.',
    snooze: 'Gesluimerd: geen meldingen over dit signaal tot {until}.',
    unknownUser: 'Je chataccount is niet gekoppeld aan een analist in mid-monitor.',
    unknownCluster: 'Dit signaal bestaat niet (meer) in mid-monitor.',
    failed: 'Dat lukte niet; probeer het in mid-monitor zelf.',
  },
  en: {
    acknowledge: 'Acknowledged: status is now "{status}".',
    already: 'This signal is already being handled (status "{status}").',
    assign: 'Assigned to you.',
    snooze: 'Snoozed: no alerts about this signal until {until}.',
    unknownUser: 'Your chat account is not linked to an analyst in mid-monitor.',
    unknownCluster: 'This signal does not exist (any more) in mid-monitor.',
    failed: 'That did not work; please use mid-monitor itself.',
  },
} as const;

type ReplyKey = keyof (typeof REPLIES)['en'];

/** Remembers Slack signatures inside the replay window. */
class SeenSignatures {
  private readonly seen = new Map<string, number>();
  /** True the first time a signature is offered within its window. */
  firstTime(signature: string, nowMs: number, windowMs: number): boolean {
    for (const [k, until] of this.seen) if (until <= nowMs) this.seen.delete(k);
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, nowMs + 2 * windowMs);
    return true;
  }
}

/** Registers POST /hooks/chat/slack and POST /hooks/chat/mattermost (when their secrets are configured). */
export function registerChatActions(app: FastifyInstance, ctx: AppContext): void {
  const deps = ctx.chatActions;
  if (!deps) return;
  const { config } = deps;
  const { triage } = ctx;
  const seen = new SeenSignatures();

  /** Applies one action as `username`; returns the reply text. */
  const apply = async (chatUser: string, clusterId: string, action: ChatAction): Promise<string> => {
    const username = config.users[chatUser];
    const user = username ? await triage.getUser(username) : null;
    const lang = user?.lang === 'en' ? 'en' : 'nl';
    const say = (k: ReplyKey, vars: Record<string, string> = {}) =>
      REPLIES[lang][k].replace(/\{(\w+)\}/g, (_m, v: string) => vars[v] ?? '');
    if (!user || user.disabled || !roleAtLeast(user.role, 'analyst')) return say('unknownUser');
    const row = await triage.getCluster(clusterId);
    if (!row) return say('unknownCluster');
    const atMs = ctx.now();
    try {
      if (action === 'acknowledge') {
        if (row.state.status !== 'new') return say('already', { status: row.state.status });
        const { after } = await triage.updateState(
          clusterId,
          { status: config.acknowledgeStatus },
          { actor: user.username, action: 'status', atMs, note: 'chat: acknowledge' },
        );
        ctx.onStateChange?.(after);
        return say('acknowledge', { status: after.status });
      }
      if (action === 'assign') {
        const { after } = await triage.updateState(
          clusterId,
          { assignee: user.username },
          { actor: user.username, action: 'assign', atMs, note: 'chat: assign to me' },
        );
        ctx.onStateChange?.(after);
        return say('assign');
      }
      if (!deps.alertStore) return say('failed');
      const silence: Silence = {
        id: randomUUID(),
        matchers: { clusterIds: [clusterId] },
        routes: [],
        createdBy: user.username,
        comment: 'snoozed from chat',
        startsAtMs: atMs,
        expiresAtMs: atMs + config.snoozeHours * 3_600_000,
      };
      await deps.alertStore.apply([{ op: 'put', ns: 'silence', key: silence.id, doc: silence }]);
      await triage.appendAudit({
        atMs,
        actor: user.username,
        action: 'snooze',
        clusterId,
        before: null,
        after: { silenceId: silence.id, expiresAtMs: silence.expiresAtMs },
      });
      return say('snooze', {
        until: new Date(silence.expiresAtMs).toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      });
    } catch (err) {
      ctx.logger.warn({ err: (err as Error).message, action }, 'Chat action failed.');
      return say('failed');
    }
  };

  const limits = { role: 'public' as const, csrf: false, rateLimit: { max: 120, timeWindow: 60_000 } };

  if (config.slackSigningSecret) {
    const secret = config.slackSigningSecret;
    // Slack signs the raw form body: this plugin keeps it as a string instead of parsing it.
    void app.register(async (child) => {
      child.removeContentTypeParser('application/x-www-form-urlencoded');
      child.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
        done(null, body),
      );
      child.post('/hooks/chat/slack', { config: limits, schema: { hide: true } }, async (req, reply) => {
        const body = typeof req.body === 'string' ? req.body : '';
        const header = (n: string) => {
          const v = req.headers[n];
          return Array.isArray(v) ? v[0] : v;
        };
        const signature = header('x-slack-signature');
        const check = checkSlackRequest({
          secret,
          timestamp: header('x-slack-request-timestamp'),
          signature,
          body,
          nowSeconds: Math.floor(ctx.now() / 1000),
          maxAgeSeconds: config.maxAgeSeconds,
        });
        if (check !== 'ok') return reply.code(401).send({ error: check });
        if (!seen.firstTime(signature!, ctx.now(), config.maxAgeSeconds * 1000))
          return reply.code(401).send({ error: 'replayed' });
        let payload: { type?: string; user?: { id?: string }; actions?: Array<{ action_id?: string; value?: string }> };
        try {
          payload = JSON.parse(new URLSearchParams(body).get('payload') ?? '') as typeof payload;
        } catch {
          return reply.code(400).send({ error: 'bad payload' });
        }
        const first = payload.actions?.[0];
        const action = first?.action_id ? actionFromSlackId(first.action_id) : null;
        if (payload.type !== 'block_actions' || !action || !first?.value || !payload.user?.id)
          return reply.code(200).send({}); // other interactions (the plain link button): nothing to do
        const text = await apply(`slack:${payload.user.id}`, first.value, action);
        return reply.send({ response_type: 'ephemeral', replace_original: false, text });
      });
    });
  }

  if (config.mattermostSecret) {
    const secret = config.mattermostSecret;
    app.post(
      '/hooks/chat/mattermost',
      {
        config: limits,
        schema: {
          hide: true,
          body: {
            type: 'object',
            required: ['user_id', 'context'],
            properties: {
              user_id: { type: 'string', minLength: 1 },
              context: {
                type: 'object',
                required: ['action', 'clusterId', 'token'],
                properties: {
                  action: { type: 'string', enum: [...CHAT_ACTIONS] },
                  clusterId: { type: 'string', minLength: 1 },
                  token: { type: 'string' },
                },
              },
            },
          },
        },
      },
      async (req, reply) => {
        const b = req.body as { user_id: string; context: { action: ChatAction; clusterId: string; token: string } };
        if (!checkMattermostToken(secret, b.context.clusterId, b.context.action, b.context.token))
          return reply.code(401).send({ error: 'bad-token' });
        const text = await apply(`mattermost:${b.user_id}`, b.context.clusterId, b.context.action);
        return reply.send({ ephemeral_text: text });
      },
    );
  }
}
