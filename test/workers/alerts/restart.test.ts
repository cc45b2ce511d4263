// Restart mid-delivery: the process is killed between the job's start and its acknowledgement (while the receiver
// holds the request, and right after the receiver's 2xx). After restarts, exactly one message per cluster version
// arrives at a receiver that dedupes by X-Mid-Idempotency-Key, and nothing is lost or sent for a third time.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Receiver } from './harness.ts';
import { waitFor } from '../wait-for.ts';

const CHILD = new URL('./restart-child.ts', import.meta.url).pathname;
const receivers: Receiver[] = [];
afterAll(async () => {
  for (const r of receivers) await r.stop();
});

function child(
  env: Record<string, string>,
  killOnRequest: Receiver | null = null,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    c.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    c.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    if (killOnRequest)
      killOnRequest.onRequest = () => {
        c.kill('SIGKILL');
        killOnRequest.onRequest = null;
      };
    c.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

describe('alerts: restart mid-delivery', () => {
  it('gives exactly one message per cluster version', { timeout: 300_000 }, async () => {
    const rx = await new Receiver().start();
    receivers.push(rx);
    const delivered = new Map<string, number>(); // what a deduping receiver shows: one per key
    rx.fallback = (r) => {
      const key = String(r.headers['x-mid-idempotency-key']);
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
      return { status: 200 };
    };
    const db = join(mkdtempSync(join(tmpdir(), 'mid-alerts-restart-')), 'alerts.db');
    const env = { ALERTS_DB: db, HOOK: `${rx.url}/hook` };

    // 1. Killed while the receiver holds the request (no answer yet).
    rx.script = [{ status: 0 }];
    const first = await child(env, rx);
    expect(first.signal).toBe('SIGKILL');
    await waitFor(() => rx.requests.length === 1, 'the held request');
    // 2. Restart: the batch comes again (no commit); the decision is already stored, the delivery is still due.
    expect((await child(env)).out).toContain('done');
    // 3. The cluster doubles; killed right after the receiver's 2xx, before the delivery was recorded.
    const third = await child({ ...env, SIZE: '12', CRASH: 'after-send' });
    expect(third.signal).toBe('SIGKILL');
    // 4. Restart: the same v2 again (same key), then nothing more.
    expect((await child({ ...env, SIZE: '12' })).out).toContain('done');
    // 5. Another restart with the same state: nothing is sent.
    expect((await child({ ...env, SIZE: '12' })).out).toContain('done');

    const keys = rx.requests.map((r) => String(r.headers['x-mid-idempotency-key']));
    expect([...new Set(keys)].sort()).toEqual(['cl-1:desk:v1', 'cl-1:desk:v2']);
    expect(keys).toEqual(['cl-1:desk:v1', 'cl-1:desk:v1', 'cl-1:desk:v2', 'cl-1:desk:v2']); // the at-least-once window, both times
    expect([...delivered.entries()].sort()).toEqual([
      ['cl-1:desk:v1', 1],
      ['cl-1:desk:v2', 2],
    ]);
  });
});
