// Embedded mode: `mid start` with only MID_ALERT_WEBHOOK_URL set (no config file) replays the bundled sample and
// the planted campaign produces exactly one alert, within a minute of the replay starting, without handles.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Receiver } from './harness.ts';
import { oneTimePassword, sessionClient } from '../../support/session-client.ts';
import { waitFor } from '../wait-for.ts';

const children: ChildProcess[] = [];
const receivers: Receiver[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const r of receivers) await r.stop();
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

describe('alerts in embedded mode', () => {
  it('the sample campaign gives exactly one message within a minute', { timeout: 200_000 }, async () => {
    const rx = await new Receiver().start();
    receivers.push(rx);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MID_DATA_DIR: mkdtempSync(join(tmpdir(), 'mid-alerts-start-')),
      PORT: String(port),
      MID_LOG_LEVEL: 'warn',
      MID_ALERT_WEBHOOK_URL: `${rx.url}/hook`,
    };
    for (const k of [
      'MID_BUS',
      'MID_SCHEDULER',
      'MID_STORE',
      'MID_CONFIG',
      'MID_PSEUDONYM_KEY',
      'MID_ALERT_WEBHOOK_FORMAT',
    ])
      delete env[k];
    const child = spawn(process.execPath, ['workers/bin/mid.mjs', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.resume();
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    children.push(child);
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.status,
          () => 0,
        )) === 200,
      '/healthz',
      60_000,
      200,
    );
    const t0 = Date.now(); // the replay source starts with the scheduler, just before /healthz answers
    const client = sessionClient();
    expect(await client.signIn(`http://127.0.0.1:${port}`, oneTimePassword(stdout) ?? '')).toBe(200);
    await waitFor(() => rx.requests.length > 0, 'the first alert', 90_000, 200);
    const latencyMs = Date.now() - t0;
    process.stdout.write(`first alert ${latencyMs} ms after /healthz\n`); // a figure, not an assertion (shared CPU)
    // Let the replay finish (the sample's clusters are all on /api/clusters and stable) before counting.
    let last = '';
    let stableSince = Date.now();
    await waitFor(
      async () => {
        const body = (await client.get(`http://127.0.0.1:${port}/api/clusters`)).body;
        if (body !== last) {
          last = body;
          stableSince = Date.now();
        }
        return Date.now() - stableSince > 20_000;
      },
      'stable clusters',
      120_000,
      1000,
    );
    const bodies = rx.requests.map(
      (r) =>
        JSON.parse(r.body) as {
          idempotencyKey: string;
          version: number;
          message: { title: string; clusterId: string };
        },
    );
    const clusters = (JSON.parse(last) as { clusters: Array<{ id: string; kinds: string[] }> }).clusters;
    const campaign = clusters.find((c) => c.kinds.includes('duplicate_text'))!;
    expect(campaign).toBeDefined();
    const forCampaign = bodies.filter((b) => b.message.clusterId === campaign.id);
    expect(forCampaign.map((b) => b.idempotencyKey)).toEqual([`${campaign.id}:webhook:v1`]);
    expect(new Set(bodies.map((b) => b.idempotencyKey)).size).toBe(bodies.length); // nothing twice
    for (const r of rx.requests) {
      expect(r.body).not.toMatch(/(?<![\w.])@[\w.-]+/);
      expect(r.body).not.toMatch(/\bp:[0-9a-f]{6,}/);
    }
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  });
});
