// The enrichment pool of `mid analyze` (workers/enrich-pool.ts): enriching on worker threads gives byte-identical
// output to enriching in the main thread (enriched.jsonl, rejected.jsonl, signals.json but for its generation time),
// with bad and future-dated lines among the posts and more batches than threads, so results come back out of order.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../workers/commands/analyze.ts';
import { loadConfig } from '../../workers/config.ts';
import { EnrichPool, EnrichPoolError, resolvePoolThreads } from '../../workers/enrich-pool.ts';
import { enrichConfigSchema } from '../../pipelines/enrich-config.ts';

const SAMPLE = join(import.meta.dirname, '../../connectors/data/sample-posts.jsonl');
const NOW = Date.parse('2030-01-01T00:00:00Z');

function outputs(dir: string): Record<string, string> {
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    enriched: read('enriched.jsonl'),
    rejected: read('rejected.jsonl'),
    signals: read('signals.json').replace(/"generatedAt": "[^"]*"/, ''),
  };
}

describe('enrichment pool', () => {
  it('gives byte-identical output on 2 threads and in the main thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mid-enrich-pool-'));
    const lines = readFileSync(SAMPLE, 'utf8').split('\n').filter(Boolean);
    // Bad lines spread over several batches: invalid JSON, a schema failure, a blank line, a post dated after NOW.
    lines.splice(300, 0, '{"id": "broken"');
    lines.splice(900, 0, '');
    lines.splice(1500, 0, JSON.stringify({ id: 'x', source: 'test', text: 'hoi', createdAt: 'not a date' }));
    const future = JSON.parse(lines[2000]!) as Record<string, unknown>;
    lines.splice(2000, 0, JSON.stringify({ ...future, id: 'future-1', createdAt: '2099-01-01T00:00:00Z' }));
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, `${lines.join('\n')}\n`);

    const run = async (threads: number) => {
      const config = loadConfig({
        env: { MID_DATA_DIR: join(dir, 'data') },
        overrides: { enrich: { poolThreads: threads } },
      });
      const out = join(dir, `out-${threads}`);
      const result = await analyzeFile({ input, outDir: out, config, nowMs: NOW });
      return { result, files: outputs(out) };
    };
    const inProcess = await run(0);
    const pooled = await run(2);
    expect(inProcess.result.rejected).toBe(3);
    expect(inProcess.result.clusters).toBeGreaterThan(0);
    expect(pooled.result).toEqual(inProcess.result);
    expect(pooled.files.rejected).toBe(inProcess.files.rejected);
    expect(pooled.files.signals).toBe(inProcess.files.signals);
    expect(pooled.files.enriched).toBe(inProcess.files.enriched);
  }, 600_000);

  it('rejects batches after stop, and stop is safe twice and before start', async () => {
    const pool = new EnrichPool(1, {
      enrichment: enrichConfigSchema.parse({}),
      pseudonymKey: null,
      limits: {},
      nowMs: NOW,
    });
    await pool.stop();
    await expect(pool.enrich([[1, '{}']])).rejects.toBeInstanceOf(EnrichPoolError);
    await pool.stop();
  });

  it('resolves the thread count: configured, or one less than the cores and at least 1', () => {
    expect(resolvePoolThreads(0)).toBe(0);
    expect(resolvePoolThreads(3)).toBe(3);
    expect(resolvePoolThreads(null)).toBe(availableParallelism() >= 2 ? 1 : 0);
  });
});
