// The embedded signal store: one SQLite file (better-sqlite3, WAL) in dataDir with posts, clusters and dead letters,
// and an FTS5 index over post text. Writes are idempotent: INSERT OR IGNORE by post id (a repeat counts as a
// duplicate), upsert by cluster id (last state wins, unless it is older by watermark), dead letters by
// topic/partition/offset. `purge` implements retention (run daily by the index worker).
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Cluster, EnrichedPost } from '../../pipelines/types.ts';
import type { DeadLetterMessage } from '../../pipelines/core/envelopes.ts';
import type { StopOptions } from '../../pipelines/core/lifecycle.ts';
import type {
  ListClustersOptions,
  SignalStore,
  StoreCounts,
  StoredCluster,
  WriteResult,
} from '../ports/signal-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS posts (
  id TEXT PRIMARY KEY, source TEXT NOT NULL, created_at_ms INTEGER NOT NULL, lang TEXT, author_id TEXT, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS posts_created ON posts(created_at_ms);
CREATE VIRTUAL TABLE IF NOT EXISTS posts_fts USING fts5(id UNINDEXED, text, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS clusters (
  id TEXT PRIMARY KEY, score REAL NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, watermark_ms INTEGER NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS clusters_end ON clusters(end_ms);
CREATE TABLE IF NOT EXISTS dlq (
  uid TEXT PRIMARY KEY, topic TEXT, reason TEXT NOT NULL, detail TEXT, worker TEXT, at TEXT, key TEXT, value TEXT);
`;

/** Options of {@link SqliteSignalStore}. */
export interface SqliteSignalStoreOptions {
  /** Database file; ":memory:" for tests. */
  file: string;
  /** A cluster is open while its end is within this many hours of the newest cluster end. Default 24. */
  openClusterHours?: number;
}

function msOf(iso: string): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
}

/** better-sqlite3 implementation of the {@link SignalStore} port. */
export class SqliteSignalStore implements SignalStore {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | null = null;
  private readonly openWindowMs: number;

  constructor(private readonly options: SqliteSignalStoreOptions) {
    this.openWindowMs = (options.openClusterHours ?? 24) * 3_600_000;
  }

  async start(): Promise<void> {
    if (this.db) return;
    if (this.options.file !== ':memory:') mkdirSync(dirname(this.options.file), { recursive: true, mode: 0o700 });
    const db = new Database(this.options.file);
    if (this.options.file !== ':memory:') {
      // Posts and clusters are personal data: owner only, also for the WAL and shared-memory files.
      chmodSync(this.options.file, 0o600);
      chmodSync(dirname(this.options.file), 0o700);
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    if (this.options.file !== ':memory:')
      for (const f of [`${this.options.file}-wal`, `${this.options.file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    this.db = db;
  }

  async stop(_options?: StopOptions): Promise<void> {
    const db = this.db;
    this.db = null;
    db?.close();
  }

  private get d(): Database.Database {
    if (!this.db) throw new Error('signal store not started');
    return this.db;
  }

  async writePosts(posts: EnrichedPost[]): Promise<WriteResult> {
    const insert = this.d.prepare(
      'INSERT OR IGNORE INTO posts (id, source, created_at_ms, lang, author_id, doc) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const fts = this.d.prepare('INSERT INTO posts_fts (id, text) VALUES (?, ?)');
    const result: WriteResult = { written: 0, duplicates: 0, rejected: [] };
    this.d.transaction(() => {
      for (const p of posts) {
        if (typeof p?.id !== 'string' || p.id === '') {
          result.rejected.push({ id: String(p?.id), reason: 'post without id' });
          continue;
        }
        const changes = insert.run(
          p.id,
          p.source,
          p.createdAtMs,
          p.lang,
          p.author?.id ?? null,
          JSON.stringify(p),
        ).changes;
        if (changes === 1) {
          fts.run(p.id, p.text ?? '');
          result.written++;
        } else result.duplicates++;
      }
    })();
    return result;
  }

  async deletePost(id: string): Promise<boolean> {
    return this.d.transaction(() => {
      this.d.prepare('DELETE FROM posts_fts WHERE id = ?').run(id);
      return this.d.prepare('DELETE FROM posts WHERE id = ?').run(id).changes === 1;
    })();
  }

  async deleteCluster(id: string): Promise<boolean> {
    return this.d.prepare('DELETE FROM clusters WHERE id = ?').run(id).changes === 1;
  }

  async upsertClusters(clusters: Array<{ cluster: Cluster; watermarkMs: number }>): Promise<WriteResult> {
    // An older state (lower watermark) never replaces a newer one, so a replayed update changes nothing.
    const up = this.d
      .prepare(`INSERT INTO clusters (id, score, start_ms, end_ms, watermark_ms, doc) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET score = excluded.score, start_ms = excluded.start_ms, end_ms = excluded.end_ms,
        watermark_ms = excluded.watermark_ms, doc = excluded.doc WHERE excluded.watermark_ms >= clusters.watermark_ms`);
    const result: WriteResult = { written: 0, duplicates: 0, rejected: [] };
    this.d.transaction(() => {
      for (const { cluster: c, watermarkMs } of clusters) {
        if (typeof c?.id !== 'string') {
          result.rejected.push({ id: String(c?.id), reason: 'cluster without id' });
          continue;
        }
        up.run(c.id, c.score, msOf(c.start), msOf(c.end), watermarkMs, JSON.stringify(c));
        result.written++;
      }
    })();
    return result;
  }

  async writeDeadLetters(letters: DeadLetterMessage[]): Promise<void> {
    const ins = this.d.prepare(
      'INSERT OR IGNORE INTO dlq (uid, topic, reason, detail, worker, at, key, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.d.transaction(() => {
      for (const l of letters) {
        const uid =
          l.offset !== null ? `${l.topic}:${l.partition}:${l.offset}` : `${l.topic}:${l.key}:${l.at}:${l.reason}`;
        ins.run(uid, l.topic, l.reason, l.detail, l.worker, l.at, l.key, l.value);
      }
    })();
  }

  private maxEnd(): number {
    return (this.d.prepare('SELECT max(end_ms) AS m FROM clusters').get() as { m: number | null }).m ?? 0;
  }

  async listClusters(options: ListClustersOptions = {}): Promise<StoredCluster[]> {
    const openFrom = this.maxEnd() - this.openWindowMs;
    const rows = this.d
      .prepare(
        `SELECT doc, end_ms, watermark_ms FROM clusters ${options.openOnly ? 'WHERE end_ms >= ?' : ''}
      ORDER BY end_ms DESC, score DESC, id LIMIT ?`,
      )
      .all(...(options.openOnly ? [openFrom] : []), options.limit ?? 100) as Array<{
      doc: string;
      end_ms: number;
      watermark_ms: number;
    }>;
    return rows.map((r) => ({
      ...(JSON.parse(r.doc) as Cluster),
      watermarkMs: r.watermark_ms,
      open: r.end_ms >= openFrom,
    }));
  }

  async searchPosts(query: string, limit = 20, options: { ranked?: boolean } = {}): Promise<string[]> {
    // Quote every term so user input cannot form FTS5 syntax.
    // FTS5 rejects a NUL inside a string ("unterminated string"), so NUL and other C0 controls separate terms.
    const terms = query
      // eslint-disable-next-line no-control-regex -- the C0 controls are exactly what must go
      .replace(/[\u0000-\u001f]/g, ' ')
      .split(/\s+/)
      .filter(Boolean)
      .map((t) => `"${t.replace(/"/g, '""')}"`)
      .join(' ');
    if (!terms) return [];
    return (
      (
        this.d
          // bm25 ranking of every match costs several times the match itself; unranked callers skip it.
          .prepare(
            `SELECT id FROM posts_fts WHERE posts_fts MATCH ? ${options.ranked === false ? '' : 'ORDER BY rank'} LIMIT ?`,
          )
          .all(terms, limit) as Array<{ id: string }>
      ).map((r) => r.id)
    );
  }

  async getPosts(ids: string[]): Promise<EnrichedPost[]> {
    const get = this.d.prepare('SELECT doc FROM posts WHERE id = ?');
    const out: EnrichedPost[] = [];
    for (const id of ids) {
      const r = get.get(id) as { doc: string } | undefined;
      if (r) out.push(JSON.parse(r.doc) as EnrichedPost);
    }
    return out;
  }

  async counts(): Promise<StoreCounts> {
    const n = (sql: string, ...a: unknown[]) => (this.d.prepare(sql).get(...a) as { n: number }).n;
    return {
      posts: n('SELECT count(*) AS n FROM posts'),
      clusters: n('SELECT count(*) AS n FROM clusters'),
      openClusters: n('SELECT count(*) AS n FROM clusters WHERE end_ms >= ?', this.maxEnd() - this.openWindowMs),
      dlq: n('SELECT count(*) AS n FROM dlq'),
    };
  }

  async purge(cutoffMs: number): Promise<number> {
    return this.d.transaction(() => {
      this.d.prepare('DELETE FROM posts_fts WHERE id IN (SELECT id FROM posts WHERE created_at_ms < ?)').run(cutoffMs);
      const n = this.d.prepare('DELETE FROM posts WHERE created_at_ms < ?').run(cutoffMs).changes;
      this.d.prepare('DELETE FROM clusters WHERE end_ms < ?').run(cutoffMs);
      this.d.prepare('DELETE FROM dlq WHERE at < ?').run(new Date(cutoffMs).toISOString()); // dead letters expire too
      return n;
    })();
  }
}
