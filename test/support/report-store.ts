// Loads an analysis directory (enriched.jsonl + signals.json from `mid analyze`) into a SQLite signal store file, so
// report tests and the docs run `mid report` on the bundled sample and on the evaluation generator's data.
import { readFileSync } from 'node:fs';
import type { EnrichedPost, SignalsFile } from '../../pipelines/types.ts';
import { SqliteSignalStore } from '../../workers/adapters/sqlite-signal-store.ts';

/** Writes the posts and clusters of `dir` into the SQLite store at `file`; returns the counts. */
export async function loadAnalysisIntoStore(dir: string, file: string): Promise<{ posts: number; clusters: number }> {
  const store = new SqliteSignalStore({ file });
  await store.start();
  try {
    const lines = readFileSync(`${dir}/enriched.jsonl`, 'utf8').split('\n').filter(Boolean);
    let posts = 0;
    for (let i = 0; i < lines.length; i += 1000) {
      posts += (await store.writePosts(lines.slice(i, i + 1000).map((l) => JSON.parse(l) as EnrichedPost))).written;
    }
    const signals = JSON.parse(readFileSync(`${dir}/signals.json`, 'utf8')) as SignalsFile;
    await store.upsertClusters(signals.clusters.map((cluster) => ({ cluster, watermarkMs: Date.parse(cluster.end) })));
    return { posts, clusters: signals.clusters.length };
  } finally {
    await store.stop();
  }
}

// `tsx test/support/report-store.ts DIR FILE` for the docs.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [dir, file] = process.argv.slice(2);
  if (dir && file) console.log(await loadAnalysisIntoStore(dir, file));
}
