// `mid stats [--json]`: counts in the configured signal store — posts, clusters, open clusters, dead letters.
import { createSignalStore } from '../adapters/create-adapters.ts';
import { parseArgs, str } from './args.ts';
import { CONFIG_EXIT_CODE, loadCommandConfig } from './load-config.ts';

/** One line for `mid help`. */
export const summary = 'counts in the signal store (posts, clusters, open clusters, dlq): mid stats [--json]';

function oneLine(err: unknown): string {
  const e = err as Error;
  return `${e?.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e?.message ?? String(err)}`
    .split('\n')[0]!
    .slice(0, 300);
}

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags } = parseArgs(args);
  const config = loadCommandConfig('stats', { file: str(flags, 'config') });
  if (!config) return CONFIG_EXIT_CODE;
  const store = createSignalStore(config);
  try {
    await store.start();
    const counts = await store.counts();
    if (flags.json) process.stdout.write(`${JSON.stringify({ store: store.kind, ...counts })}\n`);
    else
      process.stdout.write(
        `store ${store.kind}: ${counts.posts} posts, ${counts.clusters} clusters (${counts.openClusters} open), ${counts.dlq} dead letters\n`,
      );
  } catch (err) {
    // An unreachable store is an operator's problem to fix, not a crash: one line, no stack trace.
    process.stderr.write(`mid stats: cannot read the ${store.kind} signal store: ${oneLine(err)}\n`);
    return 1;
  } finally {
    await store.stop().catch(() => undefined);
  }
  return 0;
}
