// The alerts worker reads no environment itself: the config loader maps MID_ALERT_WEBHOOK_* to `alerts.webhook`
// and copies the variables a channel names (urlEnv, secretEnv) into its secret fields; `mid config check` redacts
// them. Behaviour is unchanged: MID_ALERT_WEBHOOK_URL alone still adds the one default route.
import { createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveAlertRoutes } from '../../../workers/alerts-config.ts';
import { loadConfig, redactConfig } from '../../../workers/config.ts';
import { Receiver, testWorker } from './harness.ts';

const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.stop();
});

describe('alerts config from the environment', () => {
  it('MID_ALERT_WEBHOOK_URL alone adds one json route, its value redacted by config check', () => {
    const config = loadConfig({ env: { MID_ALERT_WEBHOOK_URL: ' https://hooks.example/T0/secret-token ' } });
    expect(config.alerts.webhook).toMatchObject({ url: 'https://hooks.example/T0/secret-token', format: 'json' });
    const routes = resolveAlertRoutes(config.alerts);
    expect(routes).toHaveLength(1);
    expect(routes[0]!.name).toBe('webhook');
    expect(routes[0]!.channel).toMatchObject({
      format: 'json',
      urlValue: 'https://hooks.example/T0/secret-token',
    });
    expect(routes[0]!.channel.secretValue).toBeUndefined();
    const shown = JSON.stringify(redactConfig(config));
    expect(shown).not.toContain('secret-token');
    expect(shown).toContain('"url":"[redacted]"');
  });

  it('format, secret and the Matrix room and token map to alerts.webhook', () => {
    const env = {
      MID_ALERT_WEBHOOK_URL: 'https://matrix.example',
      MID_ALERT_WEBHOOK_FORMAT: 'matrix',
      MID_ALERT_MATRIX_ROOM: '!room:example.org',
      MID_ALERT_MATRIX_TOKEN: 'syt_token',
      MID_ALERT_WEBHOOK_SECRET: 'hmac-secret',
    };
    const config = loadConfig({ env });
    const [route] = resolveAlertRoutes(config.alerts);
    expect(route!.channel).toMatchObject({
      format: 'matrix',
      roomId: '!room:example.org',
      secretValue: 'syt_token',
    });
    const shown = JSON.stringify(redactConfig(config));
    for (const secret of ['syt_token', 'hmac-secret', 'matrix.example']) expect(shown).not.toContain(secret);
    expect(() => loadConfig({ env: { MID_ALERT_WEBHOOK_FORMAT: 'fax' } })).toThrow(/alerts\.webhook\.format/);
  });

  it("a Slack route's botTokenEnv fills botTokenValue, redacted by config check", () => {
    const config = loadConfig({
      env: { SLACK_BOT: ' xoxb-1-secret-bot ' },
      overrides: {
        alerts: {
          routes: [{ name: 'desk', channel: { format: 'slack', botTokenEnv: 'SLACK_BOT', channelId: 'C0123ABCDEF' } }],
        },
      },
    });
    expect(config.alerts.routes[0]!.channel).toMatchObject({ botTokenValue: 'xoxb-1-secret-bot' });
    const shown = JSON.stringify(redactConfig(config));
    expect(shown).not.toContain('xoxb-1-secret-bot');
    expect(shown).toContain('"botTokenValue":"[redacted]"');
  });

  it('configured routes win over the variable', () => {
    const config = loadConfig({
      env: { MID_ALERT_WEBHOOK_URL: 'https://hooks.example/x', DESK: 'https://desk.example/hook' },
      overrides: { alerts: { routes: [{ name: 'desk', channel: { format: 'json', urlEnv: 'DESK' } }] } },
    });
    expect(resolveAlertRoutes(config.alerts).map((r) => r.name)).toEqual(['desk']);
  });

  it("urlEnv and secretEnv are resolved by the loader (the caller's overrides stay untouched) and redacted", () => {
    const overrides = {
      alerts: { routes: [{ name: 'desk', channel: { format: 'json', urlEnv: 'DESK', secretEnv: 'DESK_KEY' } }] },
    };
    const before = JSON.stringify(overrides);
    const config = loadConfig({ env: { DESK: 'https://desk.example/hook?t=abc', DESK_KEY: 'k3y' }, overrides });
    expect(config.alerts.routes[0]!.channel).toMatchObject({
      urlValue: 'https://desk.example/hook?t=abc',
      secretValue: 'k3y',
    });
    expect(JSON.stringify(overrides)).toBe(before);
    const shown = JSON.stringify(redactConfig(config));
    expect(shown).not.toContain('t=abc');
    expect(shown).not.toContain('k3y');
    expect(shown).toContain('"urlEnv":"DESK"');
  });

  it('the default route delivers a signed json message', async () => {
    const rx = await new Receiver().start();
    receivers.push(rx);
    const { worker } = testWorker({}, { MID_ALERT_WEBHOOK_URL: `${rx.url}/hook`, MID_ALERT_WEBHOOK_SECRET: 's3' });
    expect(worker.routeNames()).toEqual(['webhook']);
    await worker.sendTest('webhook');
    expect(rx.requests).toHaveLength(1);
    const r = rx.requests[0]!;
    expect(r.url).toBe('/hook');
    const ts = String(r.headers['x-mid-timestamp']);
    const expected = createHmac('sha256', 's3').update(`${ts}.${r.body}`).digest('hex');
    expect(String(r.headers['x-mid-signature'])).toContain(expected);
  });

  it('no alerts source file reads process.env', () => {
    const root = join(import.meta.dirname, '../../../workers');
    const files = [
      'alerts-worker.ts',
      'alerts-config.ts',
      ...readdirSync(join(root, 'notifiers')).map((f) => `notifiers/${f}`),
    ];
    for (const f of files) expect(readFileSync(join(root, f), 'utf8'), f).not.toMatch(/\bprocess\.env\b(?!`)/);
  });
});
