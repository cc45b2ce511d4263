// `mid analyze` over 100,000 posts: throughput of the whole batch path (parse, validate, enrich, detect, write) and
// memory over the run, sampled every second, to show it stays flat. The input is the bundled sample replayed 45
// times, each copy six hours later with fresh ids.
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFile } from '../../workers/commands/analyze.ts';
import { loadConfig } from '../../workers/config.ts';
import type { NormalizedPost } from '../../pipelines/types.ts';

const TARGET = Number(process.env.BENCH_POSTS ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'mid-bench-analyze-'));
const input = join(dir, 'posts.jsonl');
const sample = readFileSync(join(import.meta.dirname, '../../connectors/data/sample-posts.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as NormalizedPost);
const out = createWriteStream(input);
let written = 0;
for (let copy = 0; written < TARGET; copy++) {
  const shiftMs = copy * 6 * 3_600_000;
  for (const p of sample) {
    if (written >= TARGET) break;
    const q = {
      ...p,
      id: `${p.id}#${copy}`,
      createdAt: new Date(Date.parse(p.createdAt) + shiftMs).toISOString(),
      author: { ...p.author, id: `${p.author.id}#${copy % 3}` },
    };
    if (!out.write(`${JSON.stringify(q)}\n`)) await once(out, 'drain');
    written++;
  }
}
out.end();
await once(out, 'finish');

const samples: { s: number; rssMiB: number; heapMiB: number }[] = [];
const t0 = performance.now();
const timer = setInterval(() => {
  const m = process.memoryUsage();
  samples.push({
    s: Math.round((performance.now() - t0) / 1000),
    rssMiB: Math.round(m.rss / 2 ** 20),
    heapMiB: Math.round(m.heapUsed / 2 ** 20),
  });
}, 1000);
const config = loadConfig({ env: { MID_DATA_DIR: join(dir, 'data'), MID_LOG_LEVEL: 'silent' } });
const result = await analyzeFile({ input, outDir: join(dir, 'out'), config });
clearInterval(timer);
const seconds = (performance.now() - t0) / 1000;
const enrichedLines = readFileSync(join(dir, 'out', 'enriched.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean).length;
process.stdout.write(
  `analyze: ${result.posts} posts in ${seconds.toFixed(1)} s = ${Math.round(result.posts / seconds)} posts/s; ${enrichedLines} enriched lines written; ${result.rejected} rejected; ${result.clusters} clusters\n`,
);
process.stdout.write(`memory (MiB) over the run, one sample a second:\n`);
const step = Math.max(1, Math.floor(samples.length / 12));
for (let i = 0; i < samples.length; i += step)
  process.stdout.write(`  t=${samples[i]!.s}s rss=${samples[i]!.rssMiB} heapUsed=${samples[i]!.heapMiB}\n`);
if (samples.length) {
  const heaps = samples.map((s) => s.heapMiB);
  process.stdout.write(
    `  heapUsed min/max: ${Math.min(...heaps)}/${Math.max(...heaps)} MiB; rss max ${Math.max(...samples.map((s) => s.rssMiB))} MiB\n`,
  );
}
