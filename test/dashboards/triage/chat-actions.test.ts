// The chat buttons' endpoint: Slack requests are accepted only with a valid signature over the raw body, a fresh
// timestamp and a signature not seen before; Mattermost requests only with our HMAC token. An accepted click moves
// the cluster's triage state (audited like any triage action) or, for snooze, writes a silence for the cluster.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildTriageApp } from '../../../dashboards/triage/app.ts';
import { createUserWithPassword } from '../../../dashboards/triage/auth.ts';
import { triageSchema } from '../../../dashboards/triage/config.ts';
import { mattermostActionToken, slackSignature } from '../../../pipelines/chat-actions.ts';
import type { Silence } from '../../../pipelines/alert-rules.ts';
import { MemoryAlertStore } from '../../../workers/adapters/memory-alert-store.ts';
import { SqliteSignalStore } from '../../../workers/adapters/sqlite-signal-store.ts';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { alertsSchema } from '../../../workers/alerts-config.ts';
import { slackPayload } from '../../../workers/notifiers/slack.ts';
import { buildAlertMessage } from '../../../pipelines/alert-message.ts';
import { alertCluster } from '../../workers/alerts/harness.ts';

const SECRET = 'slack-signing-secret';
const MM_SECRET = 'mattermost-key';
const clock = { now: Date.parse('2026-03-01T12:00:00Z') };
let app: FastifyInstance;
let triage: SqliteTriageStore;
let signals: SqliteSignalStore;
let alertStore: MemoryAlertStore;

beforeEach(async () => {
  clock.now = Date.parse('2026-03-01T12:00:00Z');
  signals = new SqliteSignalStore({ file: ':memory:' });
  triage = new SqliteTriageStore({ file: ':memory:' });
  alertStore = new MemoryAlertStore();
  await signals.start();
  await triage.start();
  await createUserWithPassword(triage, 'ana', 'analyst', 0);
  await createUserWithPassword(triage, 'vic', 'viewer', 0);
  // New users read Dutch by default; these two read English, so the replies below are the English ones.
  await triage.updateUser('ana', { lang: 'en' });
  await triage.updateUser('vic', { lang: 'en' });
  await triage.ingestClusters([{ cluster: alertCluster(), watermarkMs: 1, platforms: [] }], {
    nowMs: 1,
    reopenGrowthShare: 0.5,
  });
  const interactive = alertsSchema.parse({
    interactive: {
      slackSigningSecret: SECRET,
      mattermostSecret: MM_SECRET,
      actionUrl: 'https://mid.example/hooks/chat/mattermost',
      users: { 'slack:U1': 'ana', 'slack:UV': 'vic', 'mattermost:m1': 'ana' },
      snoozeHours: 2,
    },
  }).interactive;
  app = await buildTriageApp({
    triage,
    signals,
    config: triageSchema.parse({}),
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
    chatActions: { config: interactive, alertStore },
  });
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await triage.stop();
  await signals.stop();
});

/** The chat reply's text (Slack `text`, Mattermost `ephemeral_text`), checked to be strings. */
function reply(res: { json(): unknown }): { text?: string; ephemeral_text?: string } {
  return z.looseObject({ text: z.string().optional(), ephemeral_text: z.string().optional() }).parse(res.json());
}

function slackBody(action: string, user = 'U1', clusterId = 'cl-1'): string {
  const payload = { type: 'block_actions', user: { id: user }, actions: [{ action_id: action, value: clusterId }] };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function slack(body: string, o: { ts?: number; secret?: string; signature?: string } = {}) {
  const ts = String(o.ts ?? Math.floor(clock.now / 1000));
  return app.inject({
    method: 'POST',
    url: '/hooks/chat/slack',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': o.signature ?? slackSignature(o.secret ?? SECRET, ts, body),
    },
    payload: body,
  });
}

describe('Slack interactions', () => {
  it('a signed acknowledge moves a new cluster to triage, audited with the mapped analyst', async () => {
    const res = await slack(slackBody('mid-acknowledge'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ response_type: 'ephemeral' });
    expect(reply(res).text).toContain('triage');
    expect((await triage.getCluster('cl-1'))!.state.status).toBe('triage');
    const audit = await triage.listAudit({ clusterId: 'cl-1' });
    expect(audit.map((a) => [a.actor, a.action])).toEqual([['ana', 'status']]);
  });

  it('refuses a bad signature, a wrong secret and a missing header; nothing changes', async () => {
    const body = slackBody('mid-acknowledge');
    expect((await slack(body, { secret: 'other' })).statusCode).toBe(401);
    expect((await slack(body, { signature: 'v0=00' })).statusCode).toBe(401);
    expect(
      (await slack(`${body}&x=1`, { signature: slackSignature(SECRET, String(Math.floor(clock.now / 1000)), body) }))
        .statusCode,
    ).toBe(401);
    const noHeaders = await app.inject({
      method: 'POST',
      url: '/hooks/chat/slack',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: body,
    });
    expect(noHeaders.statusCode).toBe(401);
    expect((await triage.getCluster('cl-1'))!.state.status).toBe('new');
    expect(await triage.listAudit({ clusterId: 'cl-1' })).toHaveLength(0);
  });

  it('refuses a timestamp older than five minutes (and one from the future)', async () => {
    const now = Math.floor(clock.now / 1000);
    expect((await slack(slackBody('mid-acknowledge'), { ts: now - 301 })).statusCode).toBe(401);
    expect((await slack(slackBody('mid-acknowledge'), { ts: now + 301 })).statusCode).toBe(401);
    expect((await slack(slackBody('mid-acknowledge'), { ts: now - 299 })).statusCode).toBe(200);
  });

  it('refuses a replayed request', async () => {
    const body = slackBody('mid-assign');
    const ts = Math.floor(clock.now / 1000);
    expect((await slack(body, { ts })).statusCode).toBe(200);
    clock.now += 10_000;
    const again = await slack(body, { ts });
    expect(again.statusCode).toBe(401);
    expect(again.json()).toEqual({ error: 'replayed' });
    expect(await triage.listAudit({ clusterId: 'cl-1' })).toHaveLength(1);
  });

  it('assign to me sets the assignee; snooze writes a silence for the cluster and an audit entry', async () => {
    expect((await slack(slackBody('mid-assign'))).statusCode).toBe(200);
    expect((await triage.getCluster('cl-1'))!.state.assignee).toBe('ana');
    clock.now += 1000;
    const res = await slack(slackBody('mid-snooze'));
    expect(reply(res).text).toMatch(/^Snoozed/);
    const silences = (await alertStore.list<Silence>('silence')).map((e) => e.doc);
    expect(silences).toHaveLength(1);
    expect(silences[0]).toMatchObject({
      matchers: { clusterIds: ['cl-1'] },
      createdBy: 'ana',
      startsAtMs: clock.now,
      expiresAtMs: clock.now + 2 * 3_600_000,
    });
    const audit = await triage.listAudit({ clusterId: 'cl-1' });
    expect(audit.map((a) => a.action)).toEqual(['assign', 'snooze']);
  });

  it('an unmapped user or a viewer changes nothing', async () => {
    const r1 = await slack(slackBody('mid-acknowledge', 'U-nobody'));
    expect(reply(r1).text).toMatch(/niet gekoppeld/);
    clock.now += 1000;
    const r2 = await slack(slackBody('mid-acknowledge', 'UV'));
    expect(reply(r2).text).toMatch(/not linked/); // the viewer's language
    expect((await triage.getCluster('cl-1'))!.state.status).toBe('new');
  });
});

describe('Mattermost interactions', () => {
  const mm = (context: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/hooks/chat/mattermost', payload: { user_id: 'm1', context } });

  it('our token assigns; a token for another action or cluster is refused', async () => {
    const token = mattermostActionToken(MM_SECRET, 'cl-1', 'assign');
    expect((await mm({ action: 'snooze', clusterId: 'cl-1', token })).statusCode).toBe(401);
    expect((await mm({ action: 'assign', clusterId: 'cl-2', token })).statusCode).toBe(401);
    expect((await triage.getCluster('cl-1'))!.state.assignee).toBeNull();
    const ok = await mm({ action: 'assign', clusterId: 'cl-1', token });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ephemeral_text: 'Assigned to you.' });
    expect((await triage.getCluster('cl-1'))!.state.assignee).toBe('ana');
  });

  it('the buttons in the message carry tokens the endpoint accepts', async () => {
    const m = buildAlertMessage(alertCluster(), { lang: 'nl', kind: 'new', changes: [], triageUrlTemplate: null });
    const p = slackPayload(m, {
      kind: 'mattermost',
      actionUrl: 'https://mid.example/hooks/chat/mattermost',
      secret: MM_SECRET,
    }) as {
      attachments: Array<{ actions: Array<{ name: string; integration: { context: Record<string, string> } }> }>;
    };
    const actions = p.attachments[0]!.actions;
    expect(actions.map((a) => a.name)).toEqual(['Oppakken', 'Aan mij toewijzen', 'Sluimeren']);
    await triage.updateUser('ana', { lang: 'nl' });
    const ack = await mm(actions[0]!.integration.context);
    expect(reply(ack).ephemeral_text).toMatch(/Opgepakt/);
    expect((await triage.getCluster('cl-1'))!.state.status).toBe('triage');
    const slackButtons = slackPayload(m, { kind: 'slack' }) as {
      blocks: Array<{ type: string; elements?: Array<{ action_id: string; value?: string }> }>;
    };
    const ids = slackButtons.blocks
      .find((b) => b.type === 'actions')!
      .elements!.map((e) => `${e.action_id}=${e.value}`);
    expect(ids).toEqual(['mid-acknowledge=cl-1', 'mid-assign=cl-1', 'mid-snooze=cl-1']);
  });
});
