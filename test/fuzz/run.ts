// `npm run fuzz`: the fuzz properties (test/fuzz/properties.ts) with many cases each (MID_FUZZ_RUNS, default
// 100,000), run by fast-check directly rather than inside vitest, whose reporter timed out (`onTaskUpdate`) on runs of
// several minutes and made the command exit 1 with every property passing. Prints, per parser, the cases run, the
// time taken and the slowest case; exits 1 on a property failure (with fast-check's seed and counterexample) or on a
// case over the per-case budget (MID_FUZZ_CASE_BUDGET_MS, default 5000: a hang). Arguments name parsers to run only
// those; MID_FUZZ_SEED replays a seed.
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { fuzzTargets } from './properties.ts';

const RUNS = Number(process.env.MID_FUZZ_RUNS ?? 100_000);
const SEED = process.env.MID_FUZZ_SEED ? Number(process.env.MID_FUZZ_SEED) : undefined;
const CASE_BUDGET_MS = Number(process.env.MID_FUZZ_CASE_BUDGET_MS ?? 5_000);
const only = process.argv.slice(2);

/** Times every case of a property (generation excluded) while delegating everything to it. */
function timed(p: fc.IRawProperty<unknown[]>, stats: { cases: number; maxMs: number; over: number }) {
  const record = (started: number): void => {
    const ms = performance.now() - started;
    stats.cases++;
    if (ms > stats.maxMs) stats.maxMs = ms;
    if (ms > CASE_BUDGET_MS) stats.over++;
  };
  const wrapped: fc.IRawProperty<unknown[]> = {
    isAsync: () => p.isAsync(),
    generate: (mrng, runId) => p.generate(mrng, runId),
    shrink: (value) => p.shrink(value),
    runBeforeEach: () => p.runBeforeEach(),
    runAfterEach: () => p.runAfterEach(),
    run: ((v: unknown[]) => {
      const started = performance.now();
      const r = p.run(v) as unknown;
      if (r instanceof Promise) return r.finally(() => record(started));
      record(started);
      return r;
    }) as fc.IRawProperty<unknown[]>['run'],
  };
  return wrapped;
}

const targets = fuzzTargets.filter((t) => only.length === 0 || only.includes(t.name));
if (targets.length === 0) {
  console.error(`no such parser; known: ${fuzzTargets.map((t) => t.name).join(', ')}`);
  process.exit(2);
}
let failed = 0;
const started = performance.now();
console.log(`fuzz: ${RUNS} cases per parser, seed ${SEED ?? 'random'}, case budget ${CASE_BUDGET_MS} ms`);
for (const t of targets) {
  const stats = { cases: 0, maxMs: 0, over: 0 };
  const t0 = performance.now();
  const details = await fc.check(timed(t.property, stats), { numRuns: RUNS, seed: SEED });
  const seconds = (performance.now() - t0) / 1000;
  const ok = !details.failed && stats.over === 0;
  if (!ok) failed++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${t.name.padEnd(20)} ${String(details.numRuns).padStart(7)} cases ${seconds.toFixed(1).padStart(7)} s  slowest case ${stats.maxMs.toFixed(0)} ms  over budget ${stats.over}  seed ${details.seed}`,
  );
  if (details.failed) console.log(fc.defaultReportMessage(details));
}
console.log(
  `fuzz: ${targets.length} parsers, ${failed} failed, ${((performance.now() - started) / 1000).toFixed(1)} s in all`,
);
process.exitCode = failed ? 1 : 0;
