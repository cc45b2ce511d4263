// The SQLite triage store (better-sqlite3, WAL): one file of its own in dataDir, created with mode 0600 because it
// holds password hashes and the audit log. The audit table refuses UPDATE and DELETE by trigger and every row
// carries sha256(prevHash + canonical JSON of the row), so an edit made behind the store's back (trigger dropped,
// file patched) breaks the chain and `verifyAudit` names the first bad row. Several processes on one host may share
// the file (WAL + busy timeout); two hosts may not (SQLite over a network file system is not safe).
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Cluster } from '../../pipelines/types.ts';
import type { StopOptions } from '../../pipelines/core/lifecycle.ts';
import { TriageError } from '../ports/triage-store.ts';
import type {
  ApiToken,
  AuditEntry,
  AuditInput,
  AuditVerification,
  ClusterIngest,
  ClusterPage,
  ClusterQuery,
  ClusterRow,
  Label,
  Note,
  Reminder,
  Reopened,
  SavedView,
  Session,
  ShiftEntry,
  StatePatch,
  TriageState,
  TriageStore,
  User,
} from '../ports/triage-store.ts';

// Every column a list filter reads, carried in each sort index so that counting and filtering never read the
// table rows (each row holds the whole cluster document, about a page of disk): only the rows of the page shown are
// read. Measured with test/bench/triage-list.bench.ts; the plans are pinned by test/workers/adapters/
// sqlite-triage-store-plan.test.ts.
const FILTER_COLUMNS = ['start_ms', 'end_ms', 'score', 'kinds', 'langs', 'platforms'];
const sortIndex = (name: string, col: string) =>
  `CREATE INDEX IF NOT EXISTS ${name} ON clusters(${[col, 'id', ...FILTER_COLUMNS.filter((c) => c !== col)].join(', ')});`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS clusters (
  id TEXT PRIMARY KEY, score REAL NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, n_posts INTEGER NOT NULL,
  first_seen_ms INTEGER NOT NULL, watermark_ms INTEGER NOT NULL, kinds TEXT NOT NULL, langs TEXT NOT NULL, platforms TEXT NOT NULL,
  doc TEXT NOT NULL);
DROP INDEX IF EXISTS clusters_end;
DROP INDEX IF EXISTS clusters_score;
DROP INDEX IF EXISTS clusters_posts;
DROP INDEX IF EXISTS clusters_seen;
${sortIndex('clusters_end_cov', 'end_ms')}
${sortIndex('clusters_score_cov', 'score')}
${sortIndex('clusters_posts_cov', 'n_posts')}
${sortIndex('clusters_seen_cov', 'first_seen_ms')}
CREATE TABLE IF NOT EXISTS cluster_posts (post_id TEXT NOT NULL, cluster_id TEXT NOT NULL, PRIMARY KEY (post_id, cluster_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cluster_posts_cluster ON cluster_posts(cluster_id);
CREATE TABLE IF NOT EXISTS state (
  cluster_id TEXT PRIMARY KEY, status TEXT NOT NULL DEFAULT 'new', close_reason TEXT, assignee TEXT, watchers TEXT NOT NULL DEFAULT '[]',
  labels TEXT NOT NULL DEFAULT '[]', reopen_reason TEXT, closed_posts INTEGER, merged_into TEXT, merged_from TEXT NOT NULL DEFAULT '[]',
  updated_ms INTEGER);
DROP INDEX IF EXISTS state_status;
DROP INDEX IF EXISTS state_assignee;
CREATE INDEX IF NOT EXISTS state_filter ON state(cluster_id, status, assignee);
CREATE TABLE IF NOT EXISTS labels (cluster_id TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (name, cluster_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, cluster_id TEXT NOT NULL, author TEXT NOT NULL, at_ms INTEGER NOT NULL, markdown TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS notes_cluster ON notes(cluster_id);
CREATE TABLE IF NOT EXISTS reminders (id INTEGER PRIMARY KEY, cluster_id TEXT, user TEXT NOT NULL, due_ms INTEGER NOT NULL, text TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS shift_log (id INTEGER PRIMARY KEY, author TEXT NOT NULL, at_ms INTEGER NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS views (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, params TEXT NOT NULL, shared INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  username TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0, locked_until_ms INTEGER NOT NULL DEFAULT 0, lang TEXT NOT NULL DEFAULT 'nl', created_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, username TEXT NOT NULL, created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
  id INTEGER PRIMARY KEY, username TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL, revoked_ms INTEGER);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, cluster_id TEXT,
  before TEXT, after TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_cluster ON audit(cluster_id, seq);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
`;

/** Hash of the first entry's predecessor. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level, so the same row always hashes the same. */
export function canonicalJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** The chain hash of an audit row. */
export function auditHash(prevHash: string, e: Omit<AuditEntry, 'hash' | 'prevHash'>): string {
  return createHash('sha256')
    .update(prevHash)
    .update(
      canonicalJson({
        seq: e.seq,
        atMs: e.atMs,
        actor: e.actor,
        action: e.action,
        clusterId: e.clusterId,
        before: e.before ?? null,
        after: e.after ?? null,
      }),
    )
    .digest('hex');
}

/** Options of {@link SqliteTriageStore}. */
export interface SqliteTriageStoreOptions {
  /** Database file; ":memory:" for tests. */
  file: string;
}

interface StateRow {
  cluster_id: string;
  status: string;
  close_reason: string | null;
  assignee: string | null;
  watchers: string;
  labels: string;
  reopen_reason: string | null;
  closed_posts: number | null;
  merged_from: string;
  updated_ms: number | null;
}
interface ClusterDbRow {
  doc: string;
  platforms: string;
  first_seen_ms: number;
  watermark_ms: number;
  id: string;
  score: number;
  end_ms: number;
  n_posts: number;
}
interface AuditRow {
  seq: number;
  at_ms: number;
  actor: string;
  action: string;
  cluster_id: string | null;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}
interface UserRow {
  username: string;
  role: string;
  password_hash: string;
  disabled: number;
  failed_logins: number;
  locked_until_ms: number;
  lang: string;
  created_ms: number;
}
interface TokenRow {
  id: number;
  username: string;
  name: string;
  role: string;
  hash: string;
  created_ms: number;
  revoked_ms: number | null;
}

function defaultState(clusterId: string): TriageState {
  return {
    clusterId,
    status: 'new',
    closeReason: null,
    assignee: null,
    watchers: [],
    labels: [],
    reopenReason: null,
    closedPosts: null,
    mergedFrom: [],
    updatedAtMs: null,
  };
}

function toState(r: StateRow | undefined, clusterId: string): TriageState {
  if (!r) return defaultState(clusterId);
  return {
    clusterId,
    status: r.status as TriageState['status'],
    closeReason: r.close_reason as TriageState['closeReason'],
    assignee: r.assignee,
    watchers: JSON.parse(r.watchers) as string[],
    labels: JSON.parse(r.labels) as Label[],
    reopenReason: r.reopen_reason,
    closedPosts: r.closed_posts,
    mergedFrom: JSON.parse(r.merged_from) as string[],
    updatedAtMs: r.updated_ms,
  };
}

function toAudit(r: AuditRow): AuditEntry {
  return {
    seq: r.seq,
    atMs: r.at_ms,
    actor: r.actor,
    action: r.action,
    clusterId: r.cluster_id,
    before: r.before === null ? null : JSON.parse(r.before),
    after: r.after === null ? null : JSON.parse(r.after),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

function toUser(r: UserRow): User {
  return {
    username: r.username,
    role: r.role as User['role'],
    passwordHash: r.password_hash,
    disabled: r.disabled === 1,
    failedLogins: r.failed_logins,
    lockedUntilMs: r.locked_until_ms,
    lang: r.lang === 'nl' ? 'nl' : 'en',
    createdAtMs: r.created_ms,
  };
}

function toToken(r: TokenRow): ApiToken {
  return {
    id: r.id,
    username: r.username,
    name: r.name,
    role: r.role as ApiToken['role'],
    hash: r.hash,
    createdAtMs: r.created_ms,
    revokedAtMs: r.revoked_ms,
  };
}

const SORT_COLUMNS = { end: 'end_ms', score: 'score', posts: 'n_posts', seen: 'first_seen_ms' } as const;

function bars(values: string[]): string {
  return `|${values.join('|')}|`;
}

function msOf(iso: string): number {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
}

/** better-sqlite3 implementation of the {@link TriageStore} port. */
export class SqliteTriageStore implements TriageStore {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | null = null;

  constructor(private readonly options: SqliteTriageStoreOptions) {}

  async start(): Promise<void> {
    if (this.db) return;
    const { file } = this.options;
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true });
      // Create the file 0600 before SQLite does (it would use the umask), and tighten an older one.
      if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
      chmodSync(file, 0o600);
    }
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    // Table statistics for the planner (SQLite's advice for long-lived connections): with them it picks the
    // covering indexes of the list filters; analysis_limit keeps this to milliseconds on large tables.
    db.pragma('analysis_limit = 400');
    db.pragma('optimize');
    this.db = db;
  }

  async stop(_options?: StopOptions): Promise<void> {
    const db = this.db;
    this.db = null;
    db?.close();
  }

  private get d(): Database.Database {
    if (!this.db) throw new Error('triage store not started');
    return this.db;
  }

  /** A write transaction, IMMEDIATE so that two processes sharing the file never both read the same last audit row. */
  private tx<T>(fn: () => T): T {
    return this.d.transaction(fn).immediate();
  }

  // ---- read model ----

  async ingestClusters(
    items: ClusterIngest[],
    options: { nowMs: number; reopenGrowthShare: number },
  ): Promise<Reopened[]> {
    const up = this.d
      .prepare(`INSERT INTO clusters (id, score, start_ms, end_ms, n_posts, first_seen_ms, watermark_ms, kinds, langs, platforms, doc)
      VALUES (@id, @score, @start, @end, @n, @seen, @wm, @kinds, @langs, @platforms, @doc)
      ON CONFLICT(id) DO UPDATE SET score = excluded.score, start_ms = excluded.start_ms, end_ms = excluded.end_ms, n_posts = excluded.n_posts,
        watermark_ms = excluded.watermark_ms, kinds = excluded.kinds, langs = excluded.langs, platforms = excluded.platforms, doc = excluded.doc
      WHERE excluded.watermark_ms >= clusters.watermark_ms`);
    const delPosts = this.d.prepare('DELETE FROM cluster_posts WHERE cluster_id = ?');
    const addPost = this.d.prepare('INSERT OR IGNORE INTO cluster_posts (post_id, cluster_id) VALUES (?, ?)');
    const reopened: Reopened[] = [];
    this.tx(() => {
      for (const { cluster: c, watermarkMs, platforms } of items) {
        const changed = up.run({
          id: c.id,
          score: c.score,
          start: msOf(c.start),
          end: msOf(c.end),
          n: c.posts.length,
          seen: options.nowMs,
          wm: watermarkMs,
          kinds: bars(c.kinds),
          langs: bars(c.languages),
          platforms: bars(platforms),
          doc: JSON.stringify(c),
        }).changes;
        if (changed === 0) continue;
        delPosts.run(c.id);
        for (const p of c.posts) addPost.run(p, c.id);
        const st = this.readState(c.id);
        // A closed cluster that grew by the configured share is reopened, with the reason on the cluster and in the log.
        if (
          st.status === 'closed' &&
          st.closedPosts !== null &&
          c.posts.length >= Math.ceil(st.closedPosts * (1 + options.reopenGrowthShare)) &&
          c.posts.length > st.closedPosts
        ) {
          const reason = `Reopened: grew from ${st.closedPosts} to ${c.posts.length} posts after it was closed (${st.closeReason ?? 'no reason'}).`;
          const after: TriageState = {
            ...st,
            status: 'triage',
            closeReason: null,
            reopenReason: reason,
            closedPosts: null,
            updatedAtMs: options.nowMs,
          };
          this.writeState(after);
          this.append({
            atMs: options.nowMs,
            actor: 'system',
            action: 'reopen',
            clusterId: c.id,
            before: { status: st.status, closeReason: st.closeReason },
            after: { status: 'triage', reason },
          });
          reopened.push({ clusterId: c.id, reason });
        }
      }
    });
    return reopened;
  }

  async recordMerge(id: string, into: string, atMs: number): Promise<void> {
    this.tx(() => {
      const absorbed = this.readState(id);
      const survivor = this.readState(into);
      const mergedFrom = [...new Set([...survivor.mergedFrom, id, ...absorbed.mergedFrom])];
      if (!survivor.mergedFrom.includes(id)) {
        this.writeState({ ...survivor, mergedFrom, updatedAtMs: survivor.updatedAtMs });
        this.append({
          atMs,
          actor: 'system',
          action: 'merge',
          clusterId: into,
          before: { mergedFrom: survivor.mergedFrom },
          after: { mergedFrom, absorbed: id, absorbedStatus: absorbed.status },
        });
      }
      this.d
        .prepare(
          'INSERT INTO state (cluster_id, merged_into) VALUES (?, ?) ON CONFLICT(cluster_id) DO UPDATE SET merged_into = excluded.merged_into',
        )
        .run(id, into);
      this.d.prepare('DELETE FROM cluster_posts WHERE cluster_id = ?').run(id);
      this.d.prepare('DELETE FROM clusters WHERE id = ?').run(id);
    });
  }

  async queryClusters(q: ClusterQuery): Promise<ClusterPage> {
    const { countSql, args, pageSql, pageArgs } = this.clusterQuerySql(q);
    const total = (this.d.prepare(countSql).get(...args) as { n: number }).n;
    const rows = this.d.prepare(pageSql).all(...pageArgs) as Array<ClusterDbRow & StateRow>;
    const limit = pageArgs[pageArgs.length - 1] as number;
    const more = rows.length > limit - 1;
    const page = rows.slice(0, limit - 1);
    const last = page[page.length - 1];
    const sortKey = { end: 'end_ms', score: 'score', posts: 'n_posts', seen: 'first_seen_ms' } as const;
    const next =
      more && last
        ? Buffer.from(JSON.stringify([last[sortKey[q.sort ?? 'end']], last.id])).toString('base64url')
        : null;
    return { items: page.map((r) => this.toRow(r, r.cluster_id ? r : undefined)), next, total };
  }

  /**
   * SQLite's plan (EXPLAIN QUERY PLAN detail lines) of the count and page statements of a list query: for tests
   * that pin the plans (covering indexes, no sort in a temporary b-tree) and for looking at a slow filter.
   */
  explainQueryClusters(q: ClusterQuery): { count: string[]; page: string[] } {
    const { countSql, args, pageSql, pageArgs } = this.clusterQuerySql(q);
    const plan = (sql: string, a: unknown[]) =>
      (this.d.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...a) as Array<{ detail: string }>).map((r) => r.detail);
    return { count: plan(countSql, args), page: plan(pageSql, pageArgs) };
  }

  /** The count and page statements of a list query (the page's last argument is its LIMIT, one more than shown). */
  private clusterQuerySql(q: ClusterQuery): {
    countSql: string;
    args: unknown[];
    pageSql: string;
    pageArgs: unknown[];
  } {
    const where: string[] = [];
    const args: unknown[] = [];
    const statusExpr = "coalesce(s.status, 'new')";
    if (q.status?.length) {
      where.push(`${statusExpr} IN (${q.status.map(() => '?').join(',')})`);
      args.push(...q.status);
    }
    if (q.assignee === null) where.push('s.assignee IS NULL');
    else if (q.assignee !== undefined) {
      where.push('s.assignee = ?');
      args.push(q.assignee);
    }
    if (q.kind) {
      where.push('instr(c.kinds, ?) > 0');
      args.push(`|${q.kind}|`);
    }
    if (q.language) {
      where.push('instr(c.langs, ?) > 0');
      args.push(`|${q.language}|`);
    }
    if (q.platform) {
      where.push('instr(c.platforms, ?) > 0');
      args.push(`|${q.platform}|`);
    }
    if (q.minScore !== undefined) {
      where.push('c.score >= ?');
      args.push(q.minScore);
    }
    if (q.maxScore !== undefined) {
      where.push('c.score <= ?');
      args.push(q.maxScore);
    }
    if (q.fromMs !== undefined) {
      where.push('c.end_ms >= ?');
      args.push(q.fromMs);
    }
    if (q.toMs !== undefined) {
      where.push('c.start_ms <= ?');
      args.push(q.toMs);
    }
    if (q.label) {
      where.push('EXISTS (SELECT 1 FROM labels l WHERE l.name = ? AND l.cluster_id = c.id)');
      args.push(q.label);
    }
    if (q.postIds) {
      where.push('c.id IN (SELECT cluster_id FROM cluster_posts WHERE post_id IN (SELECT value FROM json_each(?)))');
      args.push(JSON.stringify(q.postIds));
    }
    const from = 'FROM clusters c LEFT JOIN state s ON s.cluster_id = c.id';
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const countSql = `SELECT count(*) AS n ${from} ${filter}`;
    const col = `c.${SORT_COLUMNS[q.sort ?? 'end']}`;
    const desc = (q.order ?? 'desc') === 'desc';
    const pageWhere = [...where];
    const pageArgs = [...args];
    if (q.after) {
      let cursor: [number, string] | null;
      try {
        cursor = JSON.parse(Buffer.from(q.after, 'base64url').toString('utf8')) as [number, string];
      } catch {
        cursor = null;
      }
      if (!Array.isArray(cursor) || typeof cursor[0] !== 'number' || typeof cursor[1] !== 'string')
        throw new TriageError('bad cursor', 'invalid');
      // Keyset paging: (sort value, id) strictly after the last row of the previous page, so deep pages stay as fast as the first.
      pageWhere.push(desc ? `(${col} < ? OR (${col} = ? AND c.id < ?))` : `(${col} > ? OR (${col} = ? AND c.id > ?))`);
      pageArgs.push(cursor[0], cursor[0], cursor[1]);
    }
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
    const pageSql = `SELECT c.id, c.doc, c.platforms, c.first_seen_ms, c.watermark_ms, c.score, c.end_ms, c.n_posts, s.* ${from}
      ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''} ORDER BY ${col} ${desc ? 'DESC' : 'ASC'}, c.id ${desc ? 'DESC' : 'ASC'} LIMIT ?`;
    return { countSql, args, pageSql, pageArgs: [...pageArgs, limit + 1] };
  }

  private toRow(r: ClusterDbRow, st: StateRow | undefined): ClusterRow {
    const cluster = JSON.parse(r.doc) as Cluster;
    return {
      cluster,
      state: toState(st, cluster.id),
      platforms: r.platforms.split('|').filter(Boolean),
      firstSeenMs: r.first_seen_ms,
      watermarkMs: r.watermark_ms,
    };
  }

  async getCluster(id: string): Promise<ClusterRow | null> {
    const r = this.d
      .prepare(
        'SELECT id, doc, platforms, first_seen_ms, watermark_ms, score, end_ms, n_posts FROM clusters WHERE id = ?',
      )
      .get(id) as ClusterDbRow | undefined;
    if (!r) return null;
    return this.toRow(r, this.d.prepare('SELECT * FROM state WHERE cluster_id = ?').get(id) as StateRow | undefined);
  }

  async countNewSince(sinceMs: number): Promise<number> {
    return (this.d.prepare('SELECT count(*) AS n FROM clusters WHERE first_seen_ms > ?').get(sinceMs) as { n: number })
      .n;
  }

  // ---- triage state ----

  private readState(id: string): TriageState {
    return toState(this.d.prepare('SELECT * FROM state WHERE cluster_id = ?').get(id) as StateRow | undefined, id);
  }

  private writeState(s: TriageState): void {
    this.d
      .prepare(
        `INSERT INTO state (cluster_id, status, close_reason, assignee, watchers, labels, reopen_reason, closed_posts, merged_from, updated_ms)
      VALUES (@id, @status, @close, @assignee, @watchers, @labels, @reopen, @closedPosts, @mergedFrom, @updated)
      ON CONFLICT(cluster_id) DO UPDATE SET status = @status, close_reason = @close, assignee = @assignee, watchers = @watchers, labels = @labels,
        reopen_reason = @reopen, closed_posts = @closedPosts, merged_from = @mergedFrom, updated_ms = @updated`,
      )
      .run({
        id: s.clusterId,
        status: s.status,
        close: s.closeReason,
        assignee: s.assignee,
        watchers: JSON.stringify(s.watchers),
        labels: JSON.stringify(s.labels),
        reopen: s.reopenReason,
        closedPosts: s.closedPosts,
        mergedFrom: JSON.stringify(s.mergedFrom),
        updated: s.updatedAtMs,
      });
    this.d.prepare('DELETE FROM labels WHERE cluster_id = ?').run(s.clusterId);
    const ins = this.d.prepare('INSERT OR IGNORE INTO labels (cluster_id, name) VALUES (?, ?)');
    for (const l of s.labels) ins.run(s.clusterId, l.name);
  }

  async updateState(
    clusterId: string,
    patch: StatePatch,
    audit: { actor: string; action: string; atMs: number; note?: string },
  ): Promise<{ before: TriageState; after: TriageState }> {
    return this.tx(() => {
      const c = this.d.prepare('SELECT n_posts FROM clusters WHERE id = ?').get(clusterId) as
        { n_posts: number } | undefined;
      if (!c) throw new TriageError(`no cluster ${clusterId}`, 'not-found');
      const before = this.readState(clusterId);
      const after: TriageState = { ...before, ...patch, updatedAtMs: audit.atMs };
      if (patch.status && patch.status !== 'closed') after.closeReason = null;
      if (after.status === 'closed') {
        if (!after.closeReason) throw new TriageError('closing needs a close reason', 'invalid');
        if (before.status !== 'closed') after.closedPosts = c.n_posts;
        after.reopenReason = null;
      } else after.closedPosts = null;
      if (patch.status && patch.status !== 'closed' && before.status === 'closed') after.reopenReason = null;
      this.writeState(after);
      const pick = (s: TriageState) =>
        Object.fromEntries(Object.keys(patch).map((k) => [k, s[k as keyof TriageState]]));
      this.append({
        atMs: audit.atMs,
        actor: audit.actor,
        action: audit.action,
        clusterId,
        before: pick(before),
        after: { ...pick(after), ...(audit.note ? { note: audit.note } : {}) },
      });
      return { before, after };
    });
  }

  async addNote(clusterId: string, author: string, markdown: string, atMs: number): Promise<Note> {
    return this.tx(() => {
      const id = Number(
        this.d
          .prepare('INSERT INTO notes (cluster_id, author, at_ms, markdown) VALUES (?, ?, ?, ?)')
          .run(clusterId, author, atMs, markdown).lastInsertRowid,
      );
      this.append({ atMs, actor: author, action: 'note', clusterId, before: null, after: { noteId: id, markdown } });
      return { id, clusterId, author, atMs, markdown };
    });
  }

  /** The cluster and every cluster merged into it (transitively). */
  private family(clusterId: string): string[] {
    const seen = new Set<string>([clusterId]);
    const queue = [clusterId];
    while (queue.length) {
      const id = queue.pop()!;
      for (const m of this.readState(id).mergedFrom)
        if (!seen.has(m)) {
          seen.add(m);
          queue.push(m);
        }
    }
    return [...seen];
  }

  async listNotes(clusterId: string): Promise<Note[]> {
    const ids = this.family(clusterId);
    return (
      this.d
        .prepare('SELECT * FROM notes WHERE cluster_id IN (SELECT value FROM json_each(?)) ORDER BY at_ms, id')
        .all(JSON.stringify(ids)) as Array<{
        id: number;
        cluster_id: string;
        author: string;
        at_ms: number;
        markdown: string;
      }>
    ).map((r) => ({ id: r.id, clusterId: r.cluster_id, author: r.author, atMs: r.at_ms, markdown: r.markdown }));
  }

  async addReminder(r: Omit<Reminder, 'id' | 'done'>, atMs: number): Promise<Reminder> {
    return this.tx(() => {
      const id = Number(
        this.d
          .prepare('INSERT INTO reminders (cluster_id, user, due_ms, text) VALUES (?, ?, ?, ?)')
          .run(r.clusterId, r.user, r.dueMs, r.text).lastInsertRowid,
      );
      this.append({
        atMs,
        actor: r.user,
        action: 'reminder',
        clusterId: r.clusterId,
        before: null,
        after: { reminderId: id, dueMs: r.dueMs, text: r.text },
      });
      return { ...r, id, done: false };
    });
  }

  async listReminders(user: string): Promise<Reminder[]> {
    return (
      this.d.prepare('SELECT * FROM reminders WHERE user = ? AND done = 0 ORDER BY due_ms, id').all(user) as Array<{
        id: number;
        cluster_id: string | null;
        user: string;
        due_ms: number;
        text: string;
        done: number;
      }>
    ).map((r) => ({
      id: r.id,
      clusterId: r.cluster_id,
      user: r.user,
      dueMs: r.due_ms,
      text: r.text,
      done: r.done === 1,
    }));
  }

  async completeReminder(id: number, user: string, atMs: number): Promise<boolean> {
    return this.tx(() => {
      const r = this.d
        .prepare('SELECT cluster_id FROM reminders WHERE id = ? AND user = ? AND done = 0')
        .get(id, user) as { cluster_id: string | null } | undefined;
      if (!r) return false;
      this.d.prepare('UPDATE reminders SET done = 1 WHERE id = ?').run(id);
      this.append({
        atMs,
        actor: user,
        action: 'reminder-done',
        clusterId: r.cluster_id,
        before: { reminderId: id, done: false },
        after: { reminderId: id, done: true },
      });
      return true;
    });
  }

  async addShiftEntry(author: string, text: string, atMs: number): Promise<ShiftEntry> {
    return this.tx(() => {
      const id = Number(
        this.d.prepare('INSERT INTO shift_log (author, at_ms, text) VALUES (?, ?, ?)').run(author, atMs, text)
          .lastInsertRowid,
      );
      this.append({
        atMs,
        actor: author,
        action: 'shift-log',
        clusterId: null,
        before: null,
        after: { entryId: id, text },
      });
      return { id, author, atMs, text };
    });
  }

  async listShiftLog(limit: number): Promise<ShiftEntry[]> {
    return (
      this.d.prepare('SELECT * FROM shift_log ORDER BY at_ms DESC, id DESC LIMIT ?').all(limit) as Array<{
        id: number;
        author: string;
        at_ms: number;
        text: string;
      }>
    ).map((r) => ({ id: r.id, author: r.author, atMs: r.at_ms, text: r.text }));
  }

  async saveView(v: Omit<SavedView, 'id'>): Promise<SavedView> {
    const id = Number(
      this.d
        .prepare('INSERT INTO views (owner, name, params, shared) VALUES (?, ?, ?, ?)')
        .run(v.owner, v.name, JSON.stringify(v.params), v.shared ? 1 : 0).lastInsertRowid,
    );
    return { ...v, id };
  }

  async listViews(user: string): Promise<SavedView[]> {
    return (
      this.d.prepare('SELECT * FROM views WHERE owner = ? OR shared = 1 ORDER BY name, id').all(user) as Array<{
        id: number;
        owner: string;
        name: string;
        params: string;
        shared: number;
      }>
    ).map((r) => ({
      id: r.id,
      owner: r.owner,
      name: r.name,
      params: JSON.parse(r.params) as Record<string, string>,
      shared: r.shared === 1,
    }));
  }

  async deleteView(id: number, user: string): Promise<boolean> {
    return this.d.prepare('DELETE FROM views WHERE id = ? AND owner = ?').run(id, user).changes === 1;
  }

  // ---- users, sessions, tokens ----

  async createUser(u: User): Promise<void> {
    try {
      this.d
        .prepare(
          'INSERT INTO users (username, role, password_hash, disabled, failed_logins, locked_until_ms, lang, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          u.username,
          u.role,
          u.passwordHash,
          u.disabled ? 1 : 0,
          u.failedLogins,
          u.lockedUntilMs,
          u.lang,
          u.createdAtMs,
        );
    } catch (err) {
      throw new TriageError(`user ${u.username} exists`, 'conflict', err);
    }
  }

  async getUser(username: string): Promise<User | null> {
    const r = this.d.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return r ? toUser(r) : null;
  }

  async listUsers(): Promise<User[]> {
    return (this.d.prepare('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  async updateUser(username: string, patch: Partial<Omit<User, 'username' | 'createdAtMs'>>): Promise<boolean> {
    const cols: Record<string, string> = {
      role: 'role',
      passwordHash: 'password_hash',
      disabled: 'disabled',
      failedLogins: 'failed_logins',
      lockedUntilMs: 'locked_until_ms',
      lang: 'lang',
    };
    const sets: string[] = [];
    const args: unknown[] = [];
    for (const [k, v] of Object.entries(patch)) {
      const col = cols[k];
      if (!col || v === undefined) continue;
      sets.push(`${col} = ?`);
      args.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    }
    if (!sets.length) return (await this.getUser(username)) !== null;
    return (
      this.d.prepare(`UPDATE users SET ${sets.join(', ')} WHERE username = ?`).run(...args, username).changes === 1
    );
  }

  async createSession(s: Session): Promise<void> {
    this.d
      .prepare('INSERT INTO sessions (id, username, created_ms, expires_ms) VALUES (?, ?, ?, ?)')
      .run(s.id, s.username, s.createdAtMs, s.expiresAtMs);
  }

  async getSession(id: string, nowMs: number): Promise<Session | null> {
    const r = this.d.prepare('SELECT * FROM sessions WHERE id = ? AND expires_ms > ?').get(id, nowMs) as
      { id: string; username: string; created_ms: number; expires_ms: number } | undefined;
    return r ? { id: r.id, username: r.username, createdAtMs: r.created_ms, expiresAtMs: r.expires_ms } : null;
  }

  async deleteSession(id: string): Promise<void> {
    this.d.prepare('DELETE FROM sessions WHERE id = ?').run(id);
  }

  async deleteSessionsOf(username: string): Promise<void> {
    this.d.prepare('DELETE FROM sessions WHERE username = ?').run(username);
  }

  async createToken(t: Omit<ApiToken, 'id'>): Promise<ApiToken> {
    const id = Number(
      this.d
        .prepare('INSERT INTO tokens (username, name, role, hash, created_ms, revoked_ms) VALUES (?, ?, ?, ?, ?, ?)')
        .run(t.username, t.name, t.role, t.hash, t.createdAtMs, t.revokedAtMs).lastInsertRowid,
    );
    return { ...t, id };
  }

  async findToken(hash: string): Promise<ApiToken | null> {
    const r = this.d.prepare('SELECT * FROM tokens WHERE hash = ? AND revoked_ms IS NULL').get(hash) as
      TokenRow | undefined;
    return r ? toToken(r) : null;
  }

  async listTokens(username?: string): Promise<ApiToken[]> {
    const rows = (
      username === undefined
        ? this.d.prepare('SELECT * FROM tokens ORDER BY id').all()
        : this.d.prepare('SELECT * FROM tokens WHERE username = ? ORDER BY id').all(username)
    ) as TokenRow[];
    return rows.map(toToken);
  }

  async revokeToken(id: number, atMs: number): Promise<boolean> {
    return (
      this.d.prepare('UPDATE tokens SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL').run(atMs, id).changes === 1
    );
  }

  // ---- audit ----

  /** Appends inside the caller's transaction (or its own), linking to the last row. */
  private append(e: AuditInput): AuditEntry {
    const last = this.d.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as
      { seq: number; hash: string } | undefined;
    const seq = (last?.seq ?? 0) + 1;
    const prevHash = last?.hash ?? GENESIS_HASH;
    const entry = {
      seq,
      atMs: e.atMs,
      actor: e.actor,
      action: e.action,
      clusterId: e.clusterId,
      before: e.before ?? null,
      after: e.after ?? null,
    };
    const hash = auditHash(prevHash, entry);
    this.d
      .prepare(
        'INSERT INTO audit (seq, at_ms, actor, action, cluster_id, before, after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        seq,
        e.atMs,
        e.actor,
        e.action,
        e.clusterId,
        JSON.stringify(entry.before),
        JSON.stringify(entry.after),
        prevHash,
        hash,
      );
    return { ...entry, prevHash, hash };
  }

  async appendAudit(e: AuditInput): Promise<AuditEntry> {
    return this.tx(() => this.append(e));
  }

  async listAudit(options: { clusterId?: string; afterSeq?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    const limit = options.limit ?? 1_000_000;
    const after = options.afterSeq ?? 0;
    const rows = options.clusterId
      ? this.d
          .prepare(
            'SELECT * FROM audit WHERE cluster_id IN (SELECT value FROM json_each(?)) AND seq > ? ORDER BY seq LIMIT ?',
          )
          .all(JSON.stringify(this.family(options.clusterId)), after, limit)
      : this.d.prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?').all(after, limit);
    return (rows as AuditRow[]).map(toAudit);
  }

  async verifyAudit(): Promise<AuditVerification> {
    let prev = GENESIS_HASH;
    let expectSeq = 1;
    let checked = 0;
    for (const r of this.d.prepare('SELECT * FROM audit ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
      const e = toAudit(r);
      if (e.seq !== expectSeq || e.prevHash !== prev || auditHash(prev, e) !== e.hash)
        return { ok: false, checked, firstBadSeq: e.seq };
      prev = e.hash;
      expectSeq++;
      checked++;
    }
    return { ok: true, checked, firstBadSeq: null };
  }
}
