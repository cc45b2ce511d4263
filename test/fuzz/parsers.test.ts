// The fuzz properties (test/fuzz/properties.ts) in the normal test suite: a few hundred cases per parser. The long
// run (100,000 cases each) is `npm run fuzz` (test/fuzz/run.ts), outside vitest. A failure prints fast-check's seed
// and path (reproduce with MID_FUZZ_SEED=<seed>).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { fuzzTargets } from './properties.ts';

const RUNS = Number(process.env.MID_FUZZ_RUNS ?? 200);
const SEED = process.env.MID_FUZZ_SEED ? Number(process.env.MID_FUZZ_SEED) : undefined;

describe('fuzz', () => {
  for (const t of fuzzTargets) {
    it(`${t.name}: ${t.claim}`, { timeout: 60_000 }, async () => {
      await fc.assert(t.property, { numRuns: RUNS, seed: SEED, verbose: 1 });
    });
  }
});
