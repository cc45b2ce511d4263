// `mid stats [--json]`: counts in the configured signal store — posts, clusters, open clusters, dead letters.
import { createSignalStore } from '../adapters/create-adapters.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { parseArgs, str } from './args.ts';

/** One line for `mid help`. */
export const summary = 'counts in the signal store (posts, clusters, open clusters, dlq): mid stats [--json]';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags } = parseArgs(args);
  let config;
  try {
    config = loadConfig({ file: str(flags, 'config') });
  } catch (err) {
    if (err instanceof ConfigError) { process.stderr.write(`mid stats: ${err.problems.join('\n  ')}\n`); return 2; }
    throw err;
  }
  const store = createSignalStore(config);
  await store.start();
  try {
    const counts = await store.counts();
    if (flags.json) process.stdout.write(`${JSON.stringify({ store: store.kind, ...counts })}\n`);
    else process.stdout.write(`store ${store.kind}: ${counts.posts} posts, ${counts.clusters} clusters (${counts.openClusters} open), ${counts.dlq} dead letters\n`);
  } finally {
    await store.stop();
  }
  return 0;
}
