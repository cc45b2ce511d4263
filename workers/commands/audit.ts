// `mid audit verify|export`: checks the triage audit log's hash chain (exit 1 and the first bad entry when an entry
// was edited, removed or reordered), or writes the log as JSON or CSV.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditCsv } from '../../dashboards/triage/evidence.ts';
import { SqliteTriageStore } from '../adapters/sqlite-triage-store.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { parseArgs, str } from './args.ts';

/** One line for `mid help`. */
export const summary = 'triage audit log: mid audit verify | export [--format json|csv] [--cluster id] [--out file]';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags, positional } = parseArgs(args);
  let config;
  try {
    config = loadConfig({ file: str(flags, 'config') });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`mid audit: ${err.problems.join('\n  ')}\n`);
      return 2;
    }
    throw err;
  }
  const sub = positional[0];
  if (sub !== 'verify' && sub !== 'export') {
    process.stderr.write(`usage: ${summary.replace('triage audit log: ', '')}\n`);
    return 2;
  }
  const store = new SqliteTriageStore({
    file: str(flags, 'file') ?? config.triage.sqliteFile ?? join(config.dataDir, 'triage.db'),
  });
  await store.start();
  try {
    if (sub === 'verify') {
      const v = await store.verifyAudit();
      if (v.ok) {
        process.stdout.write(`Audit log intact: ${v.checked} entries checked.\n`);
        return 0;
      }
      process.stdout.write(`Audit log BROKEN at entry ${v.firstBadSeq} (${v.checked} entries before it are intact).\n`);
      return 1;
    }
    const entries = await store.listAudit({ clusterId: str(flags, 'cluster') });
    const body = str(flags, 'format') === 'csv' ? auditCsv(entries) : `${JSON.stringify({ entries }, null, 2)}\n`;
    const out = str(flags, 'out');
    if (out) writeFileSync(out, body, { mode: 0o600 });
    else process.stdout.write(body);
    return 0;
  } finally {
    await store.stop();
  }
}
