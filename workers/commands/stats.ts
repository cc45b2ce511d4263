// `mid stats [--json]`: counts in the configured signal store — posts, clusters, open clusters, dead letters.
import { createSignalStore } from '../adapters/create-adapters.ts';
import { parseArgs, str } from './args.ts';
import { CONFIG_EXIT_CODE, loadCommandConfig } from './load-config.ts';

/** One line for `mid help`. */
export const summary = 'counts in the signal store (posts, clusters, open clusters, dlq): mid stats [--json]';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags } = parseArgs(args);
  const config = loadCommandConfig('stats', { file: str(flags, 'config') });
  if (!config) return CONFIG_EXIT_CODE;
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
