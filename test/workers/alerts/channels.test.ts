// Every channel format against a real local receiver: exact payload shape, signature, threads and follow-ups,
// 429 with Retry-After, 500 then success, a permanent 400 to the dead-letter list, and the metrics.
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { verifySignature } from '../../../workers/notifiers/json-webhook.ts';
import { alertCluster, merged, Receiver, signal, slackBody, teamsBody, testWorker, webhookBody } from './harness.ts';

const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.stop();
});
async function receiver(): Promise<Receiver> {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
}

const grown = alertCluster({
  posts: Array.from({ length: 12 }, (_, i) => `post-${i}`),
  accounts: Array.from({ length: 12 }, (_, i) => `p:${i}`),
});
const route = (name: string, channel: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name,
  channel,
  ...extra,
});

describe('signed JSON webhook', () => {
  it('sends once after the group wait, signed, then a follow-up in the same thread when the cluster doubles', async () => {
    const rx = await receiver();
    const { worker, clock } = testWorker(
      {
        routes: [route('desk', { format: 'json', urlEnv: 'HOOK', secretEnv: 'HOOK_SECRET' })],
        triageUrlTemplate: 'https://mid.example/clusters/{clusterId}',
      },
      { HOOK: `${rx.url}/hook?token=secret-in-url`, HOOK_SECRET: 'shh-very-secret' },
    );
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    clock.now += 9_999;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(0); // group wait (10 s) not over
    clock.now += 1;
    await worker.handleBatch([signal(alertCluster(), 1)]); // a redelivered or unchanged update adds nothing
    await worker.deliverDue();
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
    const r = rx.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/hook?token=secret-in-url');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-mid-idempotency-key']).toBe('cl-1:desk:v1');
    expect(
      verifySignature(
        'shh-very-secret',
        String(r.headers['x-mid-timestamp']),
        r.body,
        String(r.headers['x-mid-signature']),
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(true);
    expect(
      verifySignature(
        'wrong',
        String(r.headers['x-mid-timestamp']),
        r.body,
        String(r.headers['x-mid-signature']),
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(false);
    const body = rx.json(0, webhookBody);
    expect(Object.keys(body).sort()).toEqual([
      'idempotencyKey',
      'message',
      'route',
      'schemaVersion',
      'threadKey',
      'type',
      'version',
    ]);
    expect(body).toMatchObject({
      type: 'mid.alert',
      schemaVersion: 1,
      idempotencyKey: 'cl-1:desk:v1',
      route: 'desk',
      version: 1,
      threadKey: null,
    });
    expect(body.message.title).toBe(
      'Signaal van gecoördineerd gedrag: dezelfde tekst, gelijktijdig gedeelde links (6 accounts)',
    );
    expect(body.message.reasons).toHaveLength(2);
    expect(body.message.sample).toBe('kijk dit! De stembussen zijn gemanipuleerd #stemfraude');
    expect(body.message.links).toEqual([{ url: 'https://stemfraude.example/bewijs', domain: 'stemfraude.example' }]);
    expect(body.message.triageUrl).toBe('https://mid.example/clusters/cl-1');
    // Grows by the factor (2): one follow-up, after the group interval, threaded on the first key.
    clock.now += 60_000;
    await worker.handleBatch([signal(grown, 2)]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
    clock.now += 300_000;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(2);
    expect(rx.json(1)).toMatchObject({ idempotencyKey: 'cl-1:desk:v2', version: 2, threadKey: 'cl-1:desk:v1' });
    expect(rx.json(1, webhookBody).message.title).toMatch(
      /^Update: Signaal van gecoördineerd gedrag: .* \(12 accounts\)$/,
    );
    expect(rx.json(1, webhookBody).message.changes).toEqual(['gegroeid']);
  });
});

describe('Slack-compatible webhook', () => {
  it('posts text and blocks; a follow-up is a new message titled Update (no threads on incoming webhooks)', async () => {
    const rx = await receiver();
    const { worker, clock } = testWorker(
      {
        routes: [
          route(
            'slack',
            { format: 'slack', urlEnv: 'SLACK_URL' },
            { language: 'en', groupWaitMs: 0, groupIntervalMs: 0 },
          ),
        ],
      },
      { SLACK_URL: `${rx.url}/services/T0/B0/x` },
    );
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    const p = rx.json(0, slackBody);
    expect(Object.keys(p).sort()).toEqual(['blocks', 'text']);
    expect(p.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: 'Signal of coordinated behaviour: duplicate text, co-shared links (6 accounts)',
        emoji: false,
      },
    });
    expect(p.blocks[1]?.type).toBe('section');
    expect(p.blocks[1]?.fields?.[0]).toEqual({ type: 'mrkdwn', text: '*posts*\n6' });
    expect((p.blocks as Array<{ type: string }>).map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'section',
      'context',
    ]);
    expect((p.blocks as Array<{ elements: Array<{ text: string }> }>).at(-1)!.elements[0]!.text).toMatch(
      /not about whether the content is true/,
    );
    expect(p.text).toContain('Signal of coordinated behaviour');
    clock.now += 1000;
    await worker.handleBatch([signal(alertCluster({ kinds: ['duplicate_text', 'co_link', 'burst'] }), 1)]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(2);
    expect(rx.json(1, slackBody).blocks[0]?.text?.text).toMatch(/^Update: Signal of coordinated behaviour/);
    expect(rx.json(1).thread_ts).toBeUndefined();
  });
});

describe('Slack Web API with a bot token', () => {
  // Slack's answers: HTTP 200 with ok true (chat.postMessage: channel, ts, message; chat.update: channel, ts, text,
  // message), or HTTP 200 with ok false and an error code; 429 with Retry-After when rate limited.
  function slackApi(rx: Receiver): void {
    let n = 0;
    rx.fallback = (r) => {
      const body = JSON.parse(r.body) as { channel: string; ts?: string; text: string };
      if (r.url === '/api/chat.postMessage') {
        const ts = `1503435956.00024${n++}`;
        return {
          status: 200,
          body: JSON.stringify({
            ok: true,
            channel: body.channel,
            ts,
            message: { type: 'message', subtype: 'bot_message', text: body.text, bot_id: 'B0', ts },
          }),
        };
      }
      if (r.url === '/api/chat.update')
        return {
          status: 200,
          body: JSON.stringify({
            ok: true,
            channel: body.channel,
            ts: body.ts,
            text: body.text,
            message: { text: body.text, user: 'U0' },
          }),
        };
      return { status: 404, body: '{"ok":false,"error":"unknown_method"}' };
    };
  }
  /** The Block Kit header's text of a recorded request body. */
  const header = (body: Record<string, unknown>) => (body.blocks as Array<{ text: { text: string } }>)[0]!.text.text;
  const bot = (rx: Receiver, extra: Record<string, unknown> = {}) =>
    testWorker(
      {
        routes: [
          route(
            'slack',
            { format: 'slack', botTokenEnv: 'SLACK_BOT', channelId: 'C0123ABCDEF', slackApiUrl: `${rx.url}/api` },
            { language: 'en', groupWaitMs: 0, groupIntervalMs: 0 },
          ),
        ],
        backoffBaseMs: 2000,
        ...extra,
      },
      { SLACK_BOT: 'xoxb-test-token' },
    );

  it('posts the first alert, edits it with chat.update and replies in its thread; honours 429 Retry-After', async () => {
    const rx = await receiver();
    slackApi(rx);
    const { worker, clock } = bot(rx);
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    expect(rx.requests.map((r) => r.url)).toEqual(['/api/chat.postMessage']);
    expect(rx.requests[0]!.headers.authorization).toBe('Bearer xoxb-test-token');
    const first = rx.json(0);
    expect(first.channel).toBe('C0123ABCDEF');
    expect(first.thread_ts).toBeUndefined();
    expect(header(first)).toBe('Signal of coordinated behaviour: duplicate text, co-shared links (6 accounts)');

    clock.now += 1000;
    rx.script = [{ status: 429, headers: { 'retry-after': '3' }, body: '{"ok":false,"error":"ratelimited"}' }];
    await worker.handleBatch([signal(grown, 1)]);
    await worker.deliverDue();
    expect(rx.requests.map((r) => r.url).slice(1)).toEqual(['/api/chat.update']);
    clock.now += 2_999;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(2);
    clock.now += 1;
    await worker.deliverDue();
    expect(rx.requests.map((r) => r.url).slice(2)).toEqual(['/api/chat.update', '/api/chat.postMessage']);
    const edit = rx.json(2);
    expect(edit).toMatchObject({ channel: 'C0123ABCDEF', ts: '1503435956.000240' });
    expect(header(edit)).toMatch(/^Update: Signal of coordinated behaviour.*\(12 accounts\)$/);
    const reply = rx.json(3);
    expect(reply).toMatchObject({ channel: 'C0123ABCDEF', thread_ts: '1503435956.000240' });
    expect(reply.text).toContain('12 accounts');
  });

  it('an edit Slack no longer allows still replies; ok:false with HTTP 200 goes to the dead-letter list', async () => {
    const rx = await receiver();
    slackApi(rx);
    const { worker, clock } = bot(rx);
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    clock.now += 1000;
    rx.script = [{ status: 200, body: '{"ok":false,"error":"message_not_found"}' }];
    await worker.handleBatch([signal(grown, 1)]);
    await worker.deliverDue();
    expect(rx.requests.map((r) => r.url)).toEqual([
      '/api/chat.postMessage',
      '/api/chat.update',
      '/api/chat.postMessage',
    ]);
    expect(rx.json(2).thread_ts).toBe('1503435956.000240');

    rx.script = [{ status: 200, body: '{"ok":false,"error":"channel_not_found"}' }];
    await worker.handleBatch([signal(alertCluster({ id: 'cl-2' }), 2)]);
    await worker.deliverDue();
    clock.now += 600_000;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(4);
    const dead = await worker.deadLetters();
    expect(dead.map((d) => [d.delivery.key, d.reason, d.status])).toEqual([
      ['cl-2:slack:v1', 'Slack chat.postMessage failed: channel_not_found', 200],
    ]);
    expect(JSON.stringify(dead)).not.toContain('xoxb');
  });

  it('Mattermost has no bot path: a channel id there is refused at start', async () => {
    const { worker } = testWorker(
      { routes: [route('mm', { format: 'mattermost', urlEnv: 'MM', channelId: 'C0123ABCDEF' })] },
      { MM: 'http://127.0.0.1:9/hooks/x' },
    );
    await expect(worker.start()).rejects.toThrow(/botTokenEnv\/channelId are for Slack/);
  });
});

describe('Teams Workflows webhook', () => {
  it('posts a message with one Adaptive Card and an Open URL action into triage', async () => {
    const rx = await receiver();
    rx.fallback = () => ({ status: 202, body: '' });
    const { worker } = testWorker(
      {
        routes: [route('teams', { format: 'teams', urlEnv: 'TEAMS_URL' }, { groupWaitMs: 0 })],
        triageUrlTemplate: 'https://mid.example/c/{clusterId}',
      },
      { TEAMS_URL: `${rx.url}/workflows/abc` },
    );
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    const p = rx.json(0, teamsBody);
    expect(p.type).toBe('message');
    expect(p.attachments).toHaveLength(1);
    expect(p.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(p.attachments[0]?.contentUrl).toBeNull();
    const card = p.attachments[0]!.content;
    expect(card).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
    });
    expect(card.body[0]).toMatchObject({
      type: 'TextBlock',
      weight: 'Bolder',
    });
    expect(card.body[0]?.text).toMatch(/^Signaal van gecoördineerd gedrag/);
    expect(card.body[1]?.type).toBe('FactSet');
    expect(card.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Beoordelen in mid-monitor', url: 'https://mid.example/c/cl-1' },
    ]);
  });
});

describe('Matrix client-server API', () => {
  it('PUTs with the idempotency key as txnId and the token as bearer; the follow-up is a thread reply', async () => {
    const rx = await receiver();
    let n = 0;
    rx.fallback = () => ({ status: 200, body: JSON.stringify({ event_id: `$event${++n}` }) });
    const { worker, clock } = testWorker(
      {
        routes: [
          route(
            'mx',
            {
              format: 'matrix',
              url: 'http://placeholder.invalid',
              urlEnv: 'MX_URL',
              secretEnv: 'MX_TOKEN',
              roomId: '!room:example.org',
            },
            { groupWaitMs: 0, groupIntervalMs: 0 },
          ),
        ],
      },
      { MX_URL: rx.url, MX_TOKEN: 'syt_token' },
    );
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    const r = rx.requests[0]!;
    expect(r.method).toBe('PUT');
    expect(r.url).toBe('/_matrix/client/v3/rooms/!room%3Aexample.org/send/m.room.message/cl-1%3Amx%3Av1');
    expect(r.headers.authorization).toBe('Bearer syt_token');
    const c = rx.json(0);
    expect(Object.keys(c).sort()).toEqual(['body', 'format', 'formatted_body', 'msgtype']);
    expect(c).toMatchObject({ msgtype: 'm.text', format: 'org.matrix.custom.html' });
    expect(c.formatted_body).toMatch(/^<h3>Signaal van gecoördineerd gedrag/);
    clock.now += 1000;
    await worker.handleBatch([
      signal(
        alertCluster({
          factchecks: [{ url: 'https://factcheck.example/stembus', publisher: 'Nieuwscheckers', rating: 'Onwaar' }],
        }),
        1,
      ),
    ]);
    await worker.deliverDue();
    const f = rx.json(1);
    expect(rx.requests[1]!.url).toMatch(/\/send\/m\.room\.message\/cl-1%3Amx%3Av2$/);
    expect(f['m.relates_to']).toEqual({
      rel_type: 'm.thread',
      event_id: '$event1',
      is_falling_back: true,
      'm.in_reply_to': { event_id: '$event1' },
    });
    expect(f.body).toContain('Nieuwscheckers: https://factcheck.example/stembus');
    expect(f.body).not.toContain('Onwaar'); // no truth verdict
  });
});

describe('e-mail over SMTP', () => {
  it('sends text and HTML; the follow-up refers to the first Message-ID', async () => {
    const mails: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, cb) {
        let s = '';
        stream.on('data', (d: Buffer) => {
          s += d.toString();
        });
        stream.on('end', () => {
          mails.push(s);
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    const port = (smtp.server.address() as { port: number }).port;
    try {
      const { worker, clock } = testWorker(
        {
          routes: [
            route(
              'mail',
              { format: 'email', urlEnv: 'SMTP_URL', from: 'mid <alerts@mid.example>', to: ['desk@example.nl'] },
              { groupWaitMs: 0, groupIntervalMs: 0 },
            ),
          ],
        },
        { SMTP_URL: `smtp://127.0.0.1:${port}` },
      );
      await worker.handleBatch([signal(alertCluster())]);
      await worker.deliverDue();
      clock.now += 1000;
      await worker.handleBatch([signal(grown, 1)]);
      await worker.deliverDue();
      expect(mails).toHaveLength(2);
      expect(mails[0]).toMatch(/^Message-ID: <cl-1_mail_v1@mid\.example>/m);
      expect(mails[0]).toMatch(/^Subject: /m);
      expect(mails[0]).toContain('Content-Type: text/html');
      expect(mails[1]).toMatch(/^In-Reply-To: <cl-1_mail_v1@mid\.example>/m);
      expect(mails[1]).toMatch(/^X-Mid-Idempotency-Key: cl-1:mail:v2/m);
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  });
});

describe('delivery failures', () => {
  const json = (extra: Record<string, unknown> = {}) => ({
    routes: [route('desk', { format: 'json', urlEnv: 'HOOK' }, { groupWaitMs: 0 })],
    backoffBaseMs: 2000,
    ...extra,
  });

  it('429 with Retry-After waits exactly that long (random 0), then delivers', async () => {
    const rx = await receiver();
    rx.script = [{ status: 429, headers: { 'retry-after': '7' } }];
    const { worker, clock, deps } = testWorker(json(), { HOOK: rx.url });
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
    clock.now += 6_999;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
    clock.now += 1;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(2);
    expect(rx.requests[1]!.headers['x-mid-idempotency-key']).toBe('cl-1:desk:v1');
    const text = await deps.metrics.registry.metrics();
    expect(text).toMatch(/mid_alerts_failed_total\{channel="json",outcome="retry"\} 1/);
    expect(text).toMatch(/mid_alerts_sent_total\{channel="json",kind="new"\} 1/);
    expect(text).toMatch(/mid_alert_delivery_seconds_count\{channel="json"\} 1/);
  });

  it('500 then success: exponential back-off with jitter, then delivered once', async () => {
    const rx = await receiver();
    rx.script = [{ status: 500 }, { status: 503 }];
    const { worker, clock } = testWorker(json(), { HOOK: rx.url });
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    clock.now += 999; // attempt 1: 2000 ms base, equal jitter with random 0 → 1000 ms
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
    clock.now += 1;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(2);
    clock.now += 2000; // attempt 2: 4000 ms → 2000 ms
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(3);
    clock.now += 600_000;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(3);
    expect(await worker.deadLetters()).toEqual([]);
  });

  it('a permanent 400 goes to the dead-letter list with the reason, at once', async () => {
    const rx = await receiver();
    rx.script = [{ status: 400, body: '{"error":"bad"}' }];
    const { worker, clock, deps } = testWorker(json(), { HOOK: `${rx.url}/secret-path` });
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    clock.now += 3_600_000;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
    const dead = await worker.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      status: 400,
      delivery: { key: 'cl-1:desk:v1' },
    });
    expect(dead[0]!.reason).toContain('answered 400');
    expect(dead[0]!.reason).not.toContain('secret-path');
    expect(await deps.metrics.registry.metrics()).toMatch(
      /mid_alerts_failed_total\{channel="json",outcome="dead_letter"\} 1/,
    );
  });

  it('gives up after maxAttempts of retriable failures', async () => {
    const rx = await receiver();
    rx.fallback = () => ({ status: 502 });
    const { worker, clock } = testWorker(json({ maxAttempts: 3 }), { HOOK: rx.url });
    await worker.handleBatch([signal(alertCluster())]);
    for (let i = 0; i < 5; i++) {
      await worker.deliverDue();
      clock.now += 600_000;
    }
    expect(rx.requests).toHaveLength(3);
    expect((await worker.deadLetters())[0]!.reason).toMatch(/^gave up after 3 attempts/);
  });

  it('the per-channel rate limit delays, never drops', async () => {
    const rx = await receiver();
    const routes = [route('desk', { format: 'json', urlEnv: 'HOOK', ratePerMinute: 2 }, { groupWaitMs: 0 })];
    const { worker, clock } = testWorker({ routes }, { HOOK: rx.url });
    await worker.handleBatch([1, 2, 3].map((i) => signal(alertCluster({ id: `cl-${i}` }), i)));
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(2);
    clock.now += 30_000; // one token per 30 s
    await worker.deliverDue();
    expect(rx.requests.map((r) => r.headers['x-mid-idempotency-key']).sort()).toEqual([
      'cl-1:desk:v1',
      'cl-2:desk:v1',
      'cl-3:desk:v1',
    ]);
  });
});

describe('silences, quiet hours digest, merges', () => {
  it('a silenced cluster is alerted once the silence expires', async () => {
    const rx = await receiver();
    const { worker, clock } = testWorker(
      { routes: [route('desk', { format: 'json', urlEnv: 'HOOK' }, { groupWaitMs: 0 })] },
      { HOOK: rx.url },
    );
    await worker.addSilence({
      matchers: { kinds: ['co_link'] },
      routes: [],
      createdBy: 'analist',
      comment: 'bekend',
      startsAtMs: clock.now,
      expiresAtMs: clock.now + 3_600_000,
    });
    await worker.handleBatch([signal(alertCluster())]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(0);
    clock.now += 3_600_000;
    await worker.handleBatch([signal(alertCluster(), 1)]);
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
  });

  it('clusters held in quiet hours come as one digest when they end', async () => {
    const rx = await receiver();
    const { worker, clock } = testWorker(
      { routes: [route('desk', { format: 'json', urlEnv: 'HOOK' }, { quietHours: { from: '22:00', to: '07:00' } })] },
      { HOOK: rx.url },
    );
    clock.now = Date.parse('2026-03-01T22:30:00Z'); // 23:30 in Amsterdam
    await worker.checkDigests();
    await worker.handleBatch([
      signal(alertCluster({ id: 'a', links: ['https://x.example/1'] })),
      signal(alertCluster({ id: 'b', links: ['https://x.example/1'] }), 1),
    ]);
    await worker.checkDigests();
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(0);
    clock.now = Date.parse('2026-03-02T06:00:00Z'); // 07:00
    await worker.checkDigests();
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
    const m = rx.json(0, webhookBody).message;
    expect(m.kind).toBe('digest');
    expect(m.title).toBe('Overzicht signalen van gecoördineerd gedrag (2 clusters)');
    expect(m.links).toEqual([{ url: 'https://x.example/1', domain: 'x.example' }]);
    await worker.checkDigests();
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
  });

  it("a merge is one message in the absorbed cluster's thread, and the absorbed cluster is inhibited", async () => {
    const rx = await receiver();
    const { worker, clock } = testWorker(
      { routes: [route('desk', { format: 'json', urlEnv: 'HOOK' }, { groupWaitMs: 30_000 })] },
      { HOOK: rx.url },
    );
    await worker.handleBatch([signal(alertCluster({ id: 'B' }))]);
    clock.now += 30_000;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(1);
    await worker.handleBatch([
      signal(alertCluster({ id: 'A', posts: grown.posts, accounts: grown.accounts })),
      merged('B', 'A', 1),
    ]);
    await worker.handleBatch([signal(alertCluster({ id: 'B', kinds: ['burst'] }), 2)]);
    clock.now += 60_000;
    await worker.deliverDue();
    expect(rx.requests).toHaveLength(2);
    expect(rx.json(1)).toMatchObject({ idempotencyKey: 'A:desk:v2', threadKey: 'B:desk:v1', version: 2 });
    expect(rx.json(1, webhookBody).message.changes).toEqual(['samengevoegd met eerdere signalen']);
  });
});
