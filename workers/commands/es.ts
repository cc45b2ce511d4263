// `mid es setup`: installs the Elasticsearch ILM policy, component and index templates and indices (idempotent).
import { ElasticsearchSignalStore } from '../adapters/elasticsearch-signal-store.ts';
import { createSignalStore } from '../adapters/create-adapters.ts';
import { parseArgs, str } from './args.ts';
import { CONFIG_EXIT_CODE, loadCommandConfig, reportConfigError } from './load-config.ts';

/** One line for `mid help`. */
export const summary = 'Elasticsearch: mid es setup (templates, ILM policy, indices; safe to repeat)';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags, positional } = parseArgs(args);
  if (positional[0] !== 'setup') {
    process.stderr.write('usage: mid es setup [--config file.json]\n');
    return 2;
  }
  const config = loadCommandConfig('es', {
    file: str(flags, 'config'),
    overrides: { store: { kind: 'elasticsearch' } },
  });
  if (!config) return CONFIG_EXIT_CODE;
  let store;
  try {
    store = createSignalStore(config);
  } catch (err) {
    if (reportConfigError('es', err)) return CONFIG_EXIT_CODE;
    throw err;
  }
  if (!(store instanceof ElasticsearchSignalStore)) return 2;
  try {
    await store.setup();
    process.stdout.write(`${JSON.stringify({ ok: true, installed: store.names })}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`mid es setup failed: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store.stop();
  }
}
