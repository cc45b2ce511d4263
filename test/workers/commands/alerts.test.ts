// `mid alerts test --route NAME` against local receivers for every channel type, `mid alerts silence` round trip,
// and a clear error for an unknown route or a missing secret.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receiver, slackBody, teamsBody } from '../alerts/harness.ts';

const run = promisify(execFile);
const rx = new Receiver();
let smtp: SMTPServer;
let smtpPort = 0;
const mails: string[] = [];
let dir = '';
let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  await rx.start();
  rx.fallback = (r) => (r.method === 'PUT' ? { status: 200, body: '{"event_id":"$t1"}' } : { status: 200 });
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(s, _x, cb) {
      let t = '';
      s.on('data', (d: Buffer) => {
        t += d.toString();
      });
      s.on('end', () => {
        mails.push(t);
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as { port: number }).port;
  dir = mkdtempSync(join(tmpdir(), 'mid-alerts-cli-'));
  const config = {
    dataDir: dir,
    alerts: {
      routes: [
        { name: 'slack', channel: { format: 'slack', urlEnv: 'T_SLACK' } },
        { name: 'mattermost', channel: { format: 'mattermost', urlEnv: 'T_SLACK' } },
        { name: 'teams', language: 'en', channel: { format: 'teams', urlEnv: 'T_TEAMS' } },
        {
          name: 'matrix',
          channel: { format: 'matrix', urlEnv: 'T_MX', roomId: '!r:example.org', secretFile: join(dir, 'mx-token') },
        },
        { name: 'json', channel: { format: 'json', urlEnv: 'T_JSON', secretEnv: 'T_JSON_SECRET' } },
        {
          name: 'mail',
          channel: { format: 'email', urlEnv: 'T_SMTP', from: 'mid <a@mid.example>', to: ['desk@example.nl'] },
        },
      ],
    },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'mx-token'), 'syt_file_token\n');
  env = {
    ...process.env,
    MID_CONFIG: join(dir, 'config.json'),
    MID_LOG_LEVEL: 'silent',
    T_SLACK: `${rx.url}/slack`,
    T_TEAMS: `${rx.url}/teams`,
    T_MX: rx.url,
    T_JSON: `${rx.url}/json`,
    T_JSON_SECRET: 's3cret',
    T_SMTP: `smtp://127.0.0.1:${smtpPort}`,
  };
});
afterAll(async () => {
  await rx.stop();
  await new Promise<void>((r) => smtp.close(() => r()));
});

const mid = (args: string[], e: NodeJS.ProcessEnv = env) =>
  run(process.execPath, ['workers/bin/mid.mjs', 'alerts', ...args], { env: e }).then(
    (r) => ({ code: 0, ...r }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );

describe('mid alerts', () => {
  it('test sends a test message on every channel type', { timeout: 240_000 }, async () => {
    for (const route of ['slack', 'mattermost', 'teams', 'matrix', 'json', 'mail']) {
      const r = await mid(['test', '--route', route]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`Test message sent on route "${route}"`);
    }
    const by = (p: string) => rx.requests.filter((q) => q.url.startsWith(p));
    expect(by('/slack')).toHaveLength(2);
    expect(slackBody.parse(JSON.parse(by('/slack')[0]!.body)).blocks[0]?.text?.text).toBe(
      'Testbericht: Signaal van gecoördineerd gedrag',
    );
    expect(teamsBody.parse(JSON.parse(by('/teams')[0]!.body)).attachments[0]?.content.body[0]?.text).toBe(
      'Test message: Signal of coordinated behaviour',
    );
    const mx = by('/_matrix/client/v3/rooms/!r%3Aexample.org/send/m.room.message/');
    expect(mx).toHaveLength(1);
    expect(mx[0]!.headers.authorization).toBe('Bearer syt_file_token');
    expect(by('/json')[0]!.headers['x-mid-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/^Subject: =\?UTF-8\?Q\?Testbericht/m);
  });

  it('refuses an unknown route and names a missing secret without printing secrets', { timeout: 120_000 }, async () => {
    const unknown = await mid(['test', '--route', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no alert route "nope"');
    const missing = await mid(['test', '--route', 'json'], { ...env, T_JSON: '', T_SLACK: '' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('alerts route "json": the webhook URL is not set');
    expect(missing.stderr).not.toContain('s3cret');
  });

  it('silence add, list and expire', { timeout: 180_000 }, async () => {
    const added = await mid([
      'silence',
      'add',
      '--comment',
      'bekende actie',
      '--hashtag',
      'stemfraude',
      '--hours',
      '2',
      '--by',
      'analist',
    ]);
    expect(added.code).toBe(0);
    const id = /Silence (\S+) added/.exec(added.stdout)![1]!;
    expect((await mid(['silence', 'list'])).stdout).toMatch(
      new RegExp(`${id}\\s+active .* by analist .*stemfraude.*"bekende actie"`),
    );
    expect((await mid(['silence', 'expire', id])).code).toBe(0);
    expect((await mid(['silence', 'list'])).stdout).toMatch(new RegExp(`${id}\\s+expired`));
    expect((await mid(['silence', 'add', '--comment', 'x'])).code).toBe(2); // no matcher
  });
});
