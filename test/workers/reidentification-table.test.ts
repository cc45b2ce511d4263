// The re-identification table in docs/security.md lists every field we store per post, cluster and dead letter, with
// whether it can lead back to a person and what we do about it. This test walks what is really stored — the SQLite
// signal store's tables and columns, the enriched post (its JSON Schema and real enriched posts of the bundled
// sample) and the clusters flagged on it — and fails when a field is missing from the table, so a new field cannot
// be stored without a decision about it (and when the table names a field that no longer exists).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { EnrichedPost, SignalsFile } from '../../pipelines/types.ts';
import { SqliteSignalStore } from '../../workers/adapters/sqlite-signal-store.ts';
import { analyzeFile } from '../../workers/commands/analyze.ts';
import { loadConfig } from '../../workers/config.ts';

const ROOT = join(import.meta.dirname, '../..');
/** Fields documented as a whole: their inner structure is described in their row. */
const OPAQUE = new Set(['cluster.evidence']);

/** The field names in the first column of the table under "## Re-identification table". */
function documented(): Set<string> {
  const md = readFileSync(join(ROOT, 'docs/security.md'), 'utf8');
  const section = md.split(/^## /m).find((s) => s.startsWith('Re-identification table'));
  if (!section) throw new Error('docs/security.md has no "## Re-identification table" section');
  const out = new Set<string>();
  for (const row of section.split('\n').filter((l) => l.startsWith('| `'))) {
    const first = row.split('|')[1]!;
    for (const m of first.matchAll(/`([^`]+)`/g)) out.add(m[1]!);
  }
  return out;
}

/** Dotted paths of every key in `v` (array elements as `[]`), below `prefix`. */
function paths(v: unknown, prefix: string, out: Set<string>): void {
  if (OPAQUE.has(prefix)) return;
  if (Array.isArray(v)) {
    for (const x of v) if (x && typeof x === 'object') paths(x, `${prefix}[]`, out);
    return;
  }
  if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.add(`${prefix}.${k}`);
      paths(x, `${prefix}.${k}`, out);
    }
}

/** Property paths of a JSON Schema (object properties and array items), below `prefix`. */
function schemaPaths(schema: Record<string, unknown>, prefix: string, out: Set<string>): void {
  const props = schema.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [k, s] of Object.entries(props ?? {})) {
    out.add(`${prefix}.${k}`);
    schemaPaths(s, `${prefix}.${k}`, out);
  }
  if (schema.items && typeof schema.items === 'object')
    schemaPaths(schema.items as Record<string, unknown>, `${prefix}[]`, out);
}

describe('the re-identification table in docs/security.md', () => {
  it('lists every field stored per post, cluster and dead letter', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mid-reid-'));
    // The sample up to just after its campaign: real enriched posts and a real flagged cluster.
    const lines = readFileSync(join(ROOT, 'connectors/data/sample-posts.jsonl'), 'utf8').split('\n').slice(0, 1300);
    // One post over the text cap, so the optional textTruncatedFrom is there too.
    const long = { ...(JSON.parse(lines[0]!) as { text: string }) };
    long.text = `${long.text} ${'x'.repeat(30_000)}`;
    writeFileSync(join(dir, 'in.jsonl'), [...lines, JSON.stringify({ ...long, id: 'sample:post/long' })].join('\n'));
    const config = loadConfig({ env: { MID_PSEUDONYM_KEY: 'reid-key-0123456789abcdef' } });
    await analyzeFile({ input: join(dir, 'in.jsonl'), outDir: join(dir, 'out'), config });
    const enriched = readFileSync(join(dir, 'out/enriched.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as EnrichedPost);
    const signals = JSON.parse(readFileSync(join(dir, 'out/signals.json'), 'utf8')) as SignalsFile;
    expect(signals.clusters.length).toBeGreaterThan(0);

    const stored = new Set<string>();
    for (const p of enriched) paths(p, 'post', stored);
    const postSchema = JSON.parse(
      readFileSync(join(ROOT, 'pipelines/contracts/enriched-post.schema.json'), 'utf8'),
    ) as Record<string, unknown>;
    schemaPaths(postSchema, 'post', stored);
    for (const c of signals.clusters) paths(c, 'cluster', stored);
    for (const a of signals.accounts ?? []) paths(a, 'account', stored);
    const signalsSchema = JSON.parse(
      readFileSync(join(ROOT, 'pipelines/contracts/signals.schema.json'), 'utf8'),
    ) as Record<string, unknown>;
    const fromSignals = new Set<string>();
    schemaPaths(signalsSchema, 'signals', fromSignals);
    for (const p of fromSignals) {
      if (p.startsWith('signals.clusters[].')) stored.add(p.replace('signals.clusters[]', 'cluster'));
      if (p.startsWith('signals.accounts[].')) stored.add(p.replace('signals.accounts[]', 'account'));
    }

    // The SQLite signal store's tables and columns (FTS5's own shadow tables are the index of posts_fts).
    const store = new SqliteSignalStore({ file: join(dir, 'signals.db') });
    await store.start();
    await store.stop();
    const db = new Database(join(dir, 'signals.db'), { readonly: true });
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'posts_fts_%'`)
      .all() as Array<{ name: string }>;
    for (const { name } of tables)
      for (const col of db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as Array<{ name: string }>)
        stored.add(`sqlite ${name}.${col.name}`);
    db.close();
    expect(stored.has('sqlite posts.author_id')).toBe(true);
    expect(stored.has('post.textTruncatedFrom')).toBe(true);

    const table = documented();
    expect([...stored].filter((f) => !table.has(f)).sort(), 'stored but not in the table').toEqual([]);
    expect([...table].filter((f) => !stored.has(f)).sort(), 'in the table but not stored').toEqual([]);
  });
});
