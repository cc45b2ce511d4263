// Runs the triage-store contract against SQLite, and checks what only the SQLite adapter promises: the file is
// private (0600), the audit table refuses edits, and an edit made behind its back is found by verifyAudit.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { triageStoreContract } from './triage-store.contract.ts';

triageStoreContract('sqlite (memory)', () => new SqliteTriageStore({ file: ':memory:' }));
triageStoreContract(
  'sqlite (file)',
  () => new SqliteTriageStore({ file: join(mkdtempSync(join(tmpdir(), 'mid-triage-')), 'triage.db') }),
);

describe('SqliteTriageStore', () => {
  it('creates its file readable by the owner only, and detects an audit row edited behind its back', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mid-triage-')), 'triage.db');
    const store = new SqliteTriageStore({ file });
    await store.start();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    for (let i = 0; i < 4; i++)
      await store.appendAudit({
        atMs: i,
        actor: 'ann',
        action: 'status',
        clusterId: 'c1',
        before: { status: 'new' },
        after: { status: 'closed' },
      });
    expect((await store.verifyAudit()).ok).toBe(true);
    const raw = new Database(file);
    expect(() => raw.prepare("UPDATE audit SET actor = 'eve' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM audit WHERE seq = 4').run()).toThrow(/append-only/);
    raw.exec('DROP TRIGGER audit_no_update');
    raw.prepare(`UPDATE audit SET after = '{"status":"triage"}' WHERE seq = 3`).run();
    raw.close();
    expect(await store.verifyAudit()).toEqual({ ok: false, checked: 2, firstBadSeq: 3 });
    await store.stop();
  });
});
