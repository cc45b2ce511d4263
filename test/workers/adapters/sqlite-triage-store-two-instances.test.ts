// Two triage instances on one SQLite file (cluster mode on one host): two processes change the same clusters at
// the same time through their own stores. WAL and the busy timeout serialise the writes; every write is an
// IMMEDIATE transaction, so no change is lost and the audit hash chain stays one valid line, as
// `mid audit verify` confirms. (Instances on different hosts would need a network database: the PostgreSQL
// adapter is not built; see docs/triage.md.)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { cluster } from '../fixtures.ts';

const N = 150;
const dir = mkdtempSync(join(tmpdir(), 'mid-triage-two-'));
const file = join(dir, 'triage.db');

function writer(name: string, other: string): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/workers/adapters/triage-store-writer.ts', file, name, String(N), other],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
}

describe('two triage instances on one SQLite file', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lose no change and keep the audit chain valid', { timeout: 180_000 }, async () => {
    const setup = new SqliteTriageStore({ file });
    await setup.start();
    await setup.ingestClusters(
      Array.from({ length: 5 }, (_, i) => ({
        cluster: cluster(`c${i}`, [`p${i}`], '2025-10-20T12:00:00.000Z'),
        watermarkMs: 1,
        platforms: ['mastodon'],
      })),
      { nowMs: 1, reopenGrowthShare: 0.5 },
    );
    await setup.stop();

    const done = Promise.all([writer('ann', 'bob'), writer('bob', 'ann')]);
    // A barrier between processes (not a timing assumption): go once both have opened the database.
    await vi.waitFor(() => expect(existsSync(`${file}.ann.ready`) && existsSync(`${file}.bob.ready`)).toBe(true), {
      timeout: 120_000,
      interval: 50,
    });
    writeFileSync(`${file}.go`, '');
    expect(await done).toEqual([0, 0]);

    const store = new SqliteTriageStore({ file });
    await store.start();
    try {
      const notes = (await Promise.all([0, 1, 2, 3, 4].map((i) => store.listNotes(`c${i}`)))).flat();
      for (const name of ['ann', 'bob'])
        expect(
          notes
            .filter((x) => x.author === name)
            .map((x) => Number(x.markdown.split(' ')[1]))
            .sort((a, b) => a - b),
        ).toEqual(Array.from({ length: N }, (_, i) => i));
      const audit = await store.listAudit({ limit: 10_000 });
      const changes = audit.filter((e) => e.action === 'status');
      expect(changes.filter((e) => e.actor === 'ann')).toHaveLength(N);
      expect(changes.filter((e) => e.actor === 'bob')).toHaveLength(N);
      // The two wrote in the same stretches (the writers meet at a checkpoint every 10 changes): their entries
      // interleave, at least once in each of the N / 10 stretches.
      const switches = audit.filter((e, i) => i > 0 && e.actor !== audit[i - 1]!.actor).length;
      expect(switches).toBeGreaterThanOrEqual(N / 10 - 1);
      // One line: every entry links to the one before it.
      expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => audit[0]!.seq + i));
      expect(await store.verifyAudit()).toMatchObject({ ok: true });
      // Each cluster's state is the one its last audit entry says.
      for (let i = 0; i < 5; i++) {
        const last = changes.filter((e) => e.clusterId === `c${i}`).at(-1)!;
        expect((await store.getCluster(`c${i}`))!.state).toMatchObject(last.after as object);
      }
    } finally {
      await store.stop();
    }
    const cli = spawnSync(process.execPath, ['workers/bin/mid.mjs', 'audit', 'verify', '--file', file], {
      encoding: 'utf8',
      env: { ...process.env, MID_CONFIG: '' },
    });
    expect(cli.stdout).toMatch(/Audit log intact: \d+ entries checked/);
    expect(cli.status).toBe(0);
  });
});
