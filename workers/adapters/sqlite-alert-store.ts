// Embedded alert state store: one SQLite table (better-sqlite3, WAL) of JSON documents by namespace and key, with a
// due column indexed for the outbox. apply runs in one transaction, so a decision and its deliveries are stored
// together or not at all, and a committed transaction survives the process being killed.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AlertStore, AlertStoreEntry, AlertStoreOp } from '../ports/alert-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alert_docs (ns TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL, due_ms INTEGER, PRIMARY KEY (ns, key));
CREATE INDEX IF NOT EXISTS alert_docs_due ON alert_docs(ns, due_ms) WHERE due_ms IS NOT NULL;
`;

/** better-sqlite3 implementation of the {@link AlertStore} port. */
export class SqliteAlertStore implements AlertStore {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | null = null;

  constructor(private readonly file: string) {}

  async start(): Promise<void> {
    if (this.db) return;
    if (this.file !== ':memory:') {
      // Owner only, like the other stores: it holds silences (analysts' names and comments) and cluster content.
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      if (!existsSync(this.file)) closeSync(openSync(this.file, 'a', 0o600));
      chmodSync(this.file, 0o600);
    }
    const db = new Database(this.file);
    db.pragma('journal_mode = WAL');
    if (this.file !== ':memory:')
      for (const f of [`${this.file}-wal`, `${this.file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    this.db = db;
  }

  async stop(): Promise<void> {
    const db = this.db;
    this.db = null;
    db?.close();
  }

  private get d(): Database.Database {
    if (!this.db) throw new Error('alert store not started');
    return this.db;
  }

  async get<T>(ns: string, key: string): Promise<T | null> {
    const row = this.d.prepare('SELECT doc FROM alert_docs WHERE ns = ? AND key = ?').get(ns, key) as
      { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as T) : null;
  }

  async list<T>(ns: string): Promise<Array<AlertStoreEntry<T>>> {
    const rows = this.d.prepare('SELECT key, doc FROM alert_docs WHERE ns = ? ORDER BY key').all(ns) as Array<{
      key: string;
      doc: string;
    }>;
    return rows.map((r) => ({ key: r.key, doc: JSON.parse(r.doc) as T }));
  }

  async due<T>(ns: string, nowMs: number, limit: number): Promise<Array<AlertStoreEntry<T> & { dueMs: number }>> {
    const rows = this.d
      .prepare(
        'SELECT key, doc, due_ms FROM alert_docs WHERE ns = ? AND due_ms IS NOT NULL AND due_ms <= ? ORDER BY due_ms, key LIMIT ?',
      )
      .all(ns, nowMs, limit) as Array<{ key: string; doc: string; due_ms: number }>;
    return rows.map((r) => ({ key: r.key, doc: JSON.parse(r.doc) as T, dueMs: r.due_ms }));
  }

  async apply(ops: AlertStoreOp[]): Promise<void> {
    const put = this.d.prepare(
      'INSERT INTO alert_docs (ns, key, doc, due_ms) VALUES (?, ?, ?, ?) ON CONFLICT(ns, key) DO UPDATE SET doc = excluded.doc, due_ms = excluded.due_ms',
    );
    const del = this.d.prepare('DELETE FROM alert_docs WHERE ns = ? AND key = ?');
    this.d.transaction(() => {
      for (const o of ops) {
        if (o.op === 'put') put.run(o.ns, o.key, JSON.stringify(o.doc), o.dueMs ?? null);
        else del.run(o.ns, o.key);
      }
    })();
  }
}
