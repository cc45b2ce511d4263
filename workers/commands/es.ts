// `mid es setup`: installs the Elasticsearch ILM policy, component and index templates and indices (idempotent).
import { ElasticsearchSignalStore } from '../adapters/elasticsearch-signal-store.ts';
import { createSignalStore } from '../adapters/create-adapters.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { parseArgs, str } from './args.ts';

/** One line for `mid help`. */
export const summary = 'Elasticsearch: mid es setup (templates, ILM policy, indices; safe to repeat)';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags, positional } = parseArgs(args);
  if (positional[0] !== 'setup') { process.stderr.write('usage: mid es setup [--config file.json]\n'); return 2; }
  let store;
  try {
    const config = loadConfig({ file: str(flags, 'config'), overrides: { store: { kind: 'elasticsearch' } } });
    store = createSignalStore(config);
  } catch (err) {
    if (err instanceof ConfigError) { process.stderr.write(`mid es: ${err.problems.join('\n  ')}\n`); return 2; }
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
