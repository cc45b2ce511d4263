// `mid worker <connectors|enrich|index|all>`: runs one worker (or all three) in this process with the configured
// adapters, serving /healthz, /readyz and /metrics on PORT, until SIGTERM.
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { Runtime, WORKER_NAMES } from '../runtime.ts';
import type { WorkerName } from '../runtime.ts';
import { runUntilSignal } from '../run-until-signal.ts';
import { parseArgs, str } from './args.ts';

/** One line for `mid help`. */
export const summary = 'run a streaming worker: mid worker <connectors|enrich|index|all> [--config file.json]';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags, positional } = parseArgs(args);
  const which = positional[0];
  if (!which || (which !== 'all' && !(WORKER_NAMES as readonly string[]).includes(which))) {
    process.stderr.write(`usage: mid worker <${WORKER_NAMES.join('|')}|all> [--config file.json]\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig({ file: str(flags, 'config') });
  } catch (err) {
    if (err instanceof ConfigError) { process.stderr.write(`mid worker: ${err.problems.join('\n  ')}\n`); return 2; }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let runtime: Runtime;
  try {
    runtime = new Runtime({ config, logger, workers: which === 'all' ? [...WORKER_NAMES] : [which as WorkerName] });
  } catch (err) {
    if (err instanceof ConfigError) { process.stderr.write(`mid worker: ${err.problems.join('\n  ')}\n`); return 2; }
    throw err;
  }
  return runUntilSignal(runtime, logger);
}
