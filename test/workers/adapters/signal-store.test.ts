// Runs the signal-store contract against SQLite (in memory and on disk) and, when MID_ES_URL is set, a live Elasticsearch.
import { mkdtempSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { SqliteSignalStore } from '../../../workers/adapters/sqlite-signal-store.ts';
import { ElasticsearchSignalStore } from '../../../workers/adapters/elasticsearch-signal-store.ts';
import { signalStoreContract } from './signal-store.contract.ts';

signalStoreContract('sqlite (memory)', () => new SqliteSignalStore({ file: ':memory:' }));
signalStoreContract(
  'sqlite (file)',
  () => new SqliteSignalStore({ file: join(mkdtempSync(join(tmpdir(), 'mid-store-')), 'signals.db') }),
);
signalStoreContract(
  'elasticsearch (live)',
  () =>
    new ElasticsearchSignalStore({
      node: process.env.MID_ES_URL!,
      prefix: `mid-test-${randomUUID().slice(0, 8)}`,
      retentionDays: 90,
      setupOnStart: true,
    }),
  {
    skip: process.env.MID_ES_URL ? undefined : 'MID_ES_URL is not set',
    refresh: (s) => (s as ElasticsearchSignalStore).refresh(),
  },
);

describe('SqliteSignalStore file permissions', () => {
  it('creates its directory 0700 and the database 0600', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mid-perm-')), 'data');
    const s = new SqliteSignalStore({ file: join(dir, 'signals.db') });
    await s.start();
    await s.stop();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'signals.db')).mode & 0o777).toBe(0o600);
  });
});
