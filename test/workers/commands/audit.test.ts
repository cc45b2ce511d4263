// `mid audit verify` on a triage store whose audit log was edited behind the application's back: exit 1 and the
// first bad entry; `mid audit export --format csv` writes the log with its hashes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { run } from '../../../workers/commands/audit.ts';

describe('mid audit', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('verifies the chain, exports it, and finds an edited entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mid-audit-'));
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ dataDir: dir }));
    const store = new SqliteTriageStore({ file: join(dir, 'triage.db') });
    await store.start();
    for (let i = 0; i < 3; i++)
      await store.appendAudit({
        atMs: i,
        actor: 'ann',
        action: 'status',
        clusterId: 'c1',
        before: { status: 'new' },
        after: { status: 'triage' },
      });
    await store.stop();
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });

    expect(await run(['verify', '--config', config])).toBe(0);
    expect(out.join('')).toContain('intact: 3 entries');
    expect(await run(['export', '--format', 'csv', '--out', join(dir, 'audit.csv'), '--config', config])).toBe(0);
    expect(readFileSync(join(dir, 'audit.csv'), 'utf8').split('\r\n').filter(Boolean)).toHaveLength(4);

    const raw = new Database(join(dir, 'triage.db'));
    raw.exec('DROP TRIGGER audit_no_update');
    raw.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 2").run();
    raw.close();
    out.length = 0;
    expect(await run(['verify', '--config', config])).toBe(1);
    expect(out.join('')).toContain('BROKEN at entry 2');
  });
});
