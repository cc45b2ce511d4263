// The alert store contract, run against every adapter: memory, SQLite (a file, reopened) and Redis (real server
// from the global setup, a fresh key prefix per run).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryAlertStore } from '../../../workers/adapters/memory-alert-store.ts';
import { RedisAlertStore } from '../../../workers/adapters/redis-alert-store.ts';
import { SqliteAlertStore } from '../../../workers/adapters/sqlite-alert-store.ts';
import type { AlertStore } from '../../../workers/ports/alert-store.ts';

const adapters: Array<[string, () => AlertStore]> = [
  ['memory', () => new MemoryAlertStore()],
  ['sqlite', () => new SqliteAlertStore(join(mkdtempSync(join(tmpdir(), 'mid-alert-store-')), 'a.db'))],
  ['redis', () => new RedisAlertStore({ url: process.env.MID_REDIS_URL!, prefix: `t${randomUUID().slice(0, 8)}:` })],
];

describe.each(adapters)('alert store contract: %s', (_name, make) => {
  it('puts, gets, lists and deletes documents per namespace', async () => {
    const s = make();
    await s.start();
    try {
      expect(await s.get('a', 'x')).toBeNull();
      await s.apply([
        { op: 'put', ns: 'a', key: 'x', doc: { n: 1 } },
        { op: 'put', ns: 'a', key: 'w', doc: [1, 'ü'] },
        { op: 'put', ns: 'b', key: 'x', doc: 'other' },
      ]);
      expect(await s.get('a', 'x')).toEqual({ n: 1 });
      expect(await s.list('a')).toEqual([
        { key: 'w', doc: [1, 'ü'] },
        { key: 'x', doc: { n: 1 } },
      ]);
      await s.apply([
        { op: 'put', ns: 'a', key: 'x', doc: { n: 2 } },
        { op: 'del', ns: 'a', key: 'w' },
        { op: 'del', ns: 'a', key: 'absent' },
      ]);
      expect(await s.list('a')).toEqual([{ key: 'x', doc: { n: 2 } }]);
      expect(await s.get('b', 'x')).toBe('other');
    } finally {
      await s.stop();
    }
  });

  it('answers due documents earliest first, up to a limit; a put without dueMs leaves the index', async () => {
    const s = make();
    await s.start();
    try {
      await s.apply([
        { op: 'put', ns: 'o', key: 'late', doc: 3, dueMs: 300 },
        { op: 'put', ns: 'o', key: 'early', doc: 1, dueMs: 100 },
        { op: 'put', ns: 'o', key: 'mid', doc: 2, dueMs: 200 },
        { op: 'put', ns: 'o', key: 'never', doc: 0 },
      ]);
      expect(await s.due('o', 99, 10)).toEqual([]);
      expect(await s.due('o', 250, 10)).toEqual([
        { key: 'early', doc: 1, dueMs: 100 },
        { key: 'mid', doc: 2, dueMs: 200 },
      ]);
      expect((await s.due('o', 1000, 2)).map((d) => d.key)).toEqual(['early', 'mid']);
      await s.apply([
        { op: 'put', ns: 'o', key: 'early', doc: 1 },
        { op: 'put', ns: 'o', key: 'mid', doc: 2, dueMs: 500 },
        { op: 'del', ns: 'o', key: 'late' },
      ]);
      expect((await s.due('o', 1000, 10)).map((d) => [d.key, d.dueMs])).toEqual([['mid', 500]]);
      expect(await s.get('o', 'early')).toBe(1);
    } finally {
      await s.stop();
    }
  });

  it('applies all or nothing', async () => {
    const s = make();
    await s.start();
    try {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic; // cannot be encoded: the whole apply must fail and leave no trace
      await expect(
        s.apply([
          { op: 'put', ns: 'c', key: 'ok', doc: 1 },
          { op: 'put', ns: 'c', key: 'bad', doc: cyclic },
        ]),
      ).rejects.toThrow();
      expect(await s.list('c')).toEqual([]);
    } finally {
      await s.stop();
    }
  });

  it('stop is safe twice and before start', async () => {
    const s = make();
    await s.stop();
    await s.start();
    await s.stop();
    await s.stop();
  });
});

describe('SQLite alert store file', () => {
  it('is readable by its owner only (it holds silences and cluster content)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mid-alert-store-')), 'sub', 'alerts.db');
    const s = new SqliteAlertStore(file);
    await s.start();
    try {
      await s.apply([{ op: 'put', ns: 'silence', key: 'x', doc: { comment: 'c' } }]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    } finally {
      await s.stop();
    }
  });
});
