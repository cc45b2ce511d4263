// `npm run bench [name ...]`: runs every test/bench/*.bench.ts (or the named ones) one after another, each in its
// own process so one benchmark's heap and JIT state do not colour the next. Benchmarks print numbers; nothing here
// passes or fails on speed.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
if (benches.length === 0) {
  process.stderr.write(`no benchmarks match ${wanted.join(' ')}\n`);
  process.exit(2);
}
let failed = 0;
for (const f of benches) {
  process.stdout.write(`\n=== ${f} ===\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(dir, f)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`${f} exited with ${r.status ?? r.signal}\n`);
  }
}
process.exit(failed ? 1 : 0);
