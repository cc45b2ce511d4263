// Report aggregates from the embedded SQLite signal store (the file SqliteSignalStore writes): posts counted per UTC
// hour, source and language with one GROUP BY over the created-at index; clusters overlapping the period read from
// the clusters table, and per cluster one query over its member posts (json_each of the stored post ids) for the
// platforms, young members and the accounts behind the campaign text (the most common exact text or a
// near-identical version). Opened read-only: reporting never
// writes to the store and can run next to the index worker (WAL).
import Database from 'better-sqlite3';
import type { PostHourBucket, ReportClusterInput } from '../../pipelines/report-data.ts';
import type { Cluster } from '../../pipelines/types.ts';
import type { StopOptions } from '../../pipelines/core/lifecycle.ts';
import type { ReportClusterQuery, ReportSource } from '../ports/report-source.ts';

/** Options of {@link SqliteReportSource}. */
export interface SqliteReportSourceOptions {
  /** The signal store's database file. */
  file: string;
}

/** The fields of a member post the figures need. */
export interface MemberRow {
  source: string;
  author_id: string | null;
  age: number | null;
  fp: string | null;
  minhash: number[] | null;
}

/** Near-identical: MinHash agreement at least this share (the detector's default duplicateSimilarity). */
const NEAR_IDENTICAL = 0.5;

function near(a: MemberRow, b: MemberRow): boolean {
  if (a.fp !== null && a.fp === b.fp) return true;
  if (!a.minhash?.length || a.minhash.length !== b.minhash?.length) return false;
  let same = 0;
  for (let i = 0; i < a.minhash.length; i++) if (a.minhash[i] === b.minhash[i]) same++;
  return same / a.minhash.length >= NEAR_IDENTICAL;
}

/** Computes per-cluster figures from its member posts' rows. */
export function clusterFigures(
  c: Cluster,
  rows: MemberRow[],
  youngAccountDays: number,
): Omit<ReportClusterInput, keyof Cluster | 'posts'> & { posts: number } {
  const ageOf = new Map<string, number>();
  for (const r of rows) {
    if (r.author_id === null || r.age === null) continue;
    // An account is young when it was young at its first post in the cluster: take its smallest age.
    ageOf.set(r.author_id, Math.min(ageOf.get(r.author_id) ?? Infinity, r.age));
  }
  // The campaign text: the most common exact text; it counts every account that posted it or a near-identical
  // version (small edits are how copy-paste campaigns dodge exact matching).
  const byFp = new Map<string, number>();
  for (const r of rows) if (r.fp) byFp.set(r.fp, (byFp.get(r.fp) ?? 0) + 1);
  const topFp = [...byFp].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  const ref = rows.find((r) => r.fp === topFp);
  const sampleAccounts = new Set<string>();
  if (ref) for (const r of rows) if (r.author_id !== null && near(ref, r)) sampleAccounts.add(r.author_id);
  return {
    posts: c.posts.length,
    platforms: [...new Set(rows.map((r) => r.source))].sort(),
    youngAccounts: [...ageOf.values()].filter((a) => a < youngAccountDays).length,
    accountsWithAge: ageOf.size,
    sampleTextAccounts: sampleAccounts.size,
  };
}

/** Turns a stored cluster and its member figures into the report input. */
export function toReportCluster(c: Cluster, figures: ReturnType<typeof clusterFigures>): ReportClusterInput {
  return {
    id: c.id,
    kinds: c.kinds,
    score: c.score,
    start: c.start,
    end: c.end,
    accounts: c.accounts,
    reasons: c.reasons,
    ...(c.evidence ? { evidence: c.evidence } : {}),
    sampleText: c.sampleText,
    languages: c.languages,
    hashtags: c.hashtags,
    links: c.links,
    factchecks: c.factchecks,
    ...figures,
  };
}

/** better-sqlite3 implementation of the {@link ReportSource} port. */
export class SqliteReportSource implements ReportSource {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | null = null;

  constructor(private readonly options: SqliteReportSourceOptions) {}

  async start(): Promise<void> {
    if (this.db) return;
    this.db = new Database(this.options.file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
  }

  async stop(_options?: StopOptions): Promise<void> {
    const db = this.db;
    this.db = null;
    db?.close();
  }

  private get d(): Database.Database {
    if (!this.db) throw new Error('report source not started');
    return this.db;
  }

  async postHours(fromMs: number, toMs: number): Promise<PostHourBucket[]> {
    const rows = this.d
      .prepare(
        `SELECT (created_at_ms / 3600000) * 3600000 AS h, source, coalesce(lang, 'und') AS lang, count(*) AS n
      FROM posts WHERE created_at_ms >= ? AND created_at_ms < ? GROUP BY h, source, lang ORDER BY h, source, lang`,
      )
      .all(fromMs, toMs) as Array<{ h: number; source: string; lang: string; n: number }>;
    return rows.map((r) => ({ hourMs: r.h, platform: r.source, lang: r.lang, posts: r.n }));
  }

  async clusters(fromMs: number, toMs: number, query: ReportClusterQuery): Promise<ReportClusterInput[]> {
    const docs = this.d
      .prepare('SELECT doc FROM clusters WHERE start_ms < ? AND end_ms >= ? ORDER BY start_ms, id')
      .all(toMs, fromMs) as Array<{ doc: string }>;
    const members = this.d.prepare(`SELECT source, author_id, json_extract(doc, '$.accountSignals.ageDays') AS age,
      nullif(json_extract(doc, '$.fingerprint.exact'), '') AS fp,
      json_extract(doc, '$.fingerprint.minhash') AS minhash FROM posts WHERE id IN (SELECT value FROM json_each(?))`);
    return docs.map(({ doc }) => {
      const c = JSON.parse(doc) as Cluster;
      const rows = (
        members.all(JSON.stringify(c.posts)) as Array<Omit<MemberRow, 'minhash'> & { minhash: string | null }>
      ).map((r) => ({ ...r, minhash: r.minhash ? (JSON.parse(r.minhash) as number[]) : null }));
      return toReportCluster(c, clusterFigures(c, rows, query.youngAccountDays));
    });
  }
}
