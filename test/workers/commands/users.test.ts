// `mid users`: add prints a one-time password that logs in, passwd replaces it and unlocks, disable refuses the
// login, list shows role and state; nothing is taken from the command line as a password.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { authenticate } from '../../../dashboards/triage/auth.ts';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { run } from '../../../workers/commands/users.ts';

const POLICY = { lockoutFailures: 2, lockoutMinutes: 15 };

describe('mid users', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('adds, resets, disables and lists accounts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mid-users-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ dataDir: dir }));
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const store = new SqliteTriageStore({ file: join(dir, 'triage.db') });
    const check = async (password: string) => {
      await store.start();
      try {
        return await authenticate(store, 'ann', password, Date.now(), POLICY);
      } finally {
        await store.stop();
      }
    };

    expect(await run(['add', 'ann', '--role', 'analyst', '--config', config])).toBe(0);
    const first = /One-time password: (\S+)/.exec(out.join(''))![1]!;
    expect((await check(first)).ok).toBe(true);
    expect(await run(['add', 'ann', '--config', config])).toBe(1);
    expect(await run(['add', 'bob', '--role', 'root', '--config', config])).toBe(2);
    await check('wrong');
    expect((await check('wrong')).ok).toBe(false);
    expect(await check(first)).toEqual({ ok: false, reason: 'locked' });
    out.length = 0;
    expect(await run(['passwd', 'ann', '--config', config])).toBe(0);
    const second = /for ann: (\S+)/.exec(out.join(''))![1]!;
    expect(second).not.toBe(first);
    expect((await check(second)).ok).toBe(true);
    expect(await run(['disable', 'ann', '--config', config])).toBe(0);
    expect(await check(second)).toEqual({ ok: false, reason: 'disabled' });
    out.length = 0;
    expect(await run(['list', '--config', config])).toBe(0);
    expect(out.join('')).toBe('ann\tanalyst\tdisabled\n');
  });
});
