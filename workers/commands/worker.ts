// `mid worker <connectors|enrich|detect|index|triage|all> [more names]`: runs the named workers (or all) in this
// process with the configured adapters, serving /healthz, /readyz and /metrics on PORT, until SIGTERM. `triage`
// also serves the triage application on triage.host (env MID_HTTP_HOST).
import { ConfigError, loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { Runtime, WORKER_NAMES } from '../runtime.ts';
import type { WorkerName } from '../runtime.ts';
import { runUntilSignal } from '../run-until-signal.ts';
import { parseArgs, str } from './args.ts';

/** One line for `mid help`. */
export const summary = 'run streaming workers: mid worker <connectors|enrich|detect|index|triage|all> [more names] [--config file.json]';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags, positional } = parseArgs(args);
  const names = positional.includes('all') ? [...WORKER_NAMES] : [...new Set(positional)];
  const unknown = names.filter((n) => !(WORKER_NAMES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    process.stderr.write(`${unknown.length ? `mid worker: unknown worker ${unknown.join(', ')}\n` : ''}usage: mid worker <${WORKER_NAMES.join('|')}|all> [more names] [--config file.json]\n`);
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
    runtime = new Runtime({ config, logger, workers: names as WorkerName[], announce: (line) => process.stdout.write(`${line}\n`) });
  } catch (err) {
    if (err instanceof ConfigError) { process.stderr.write(`mid worker: ${err.problems.join('\n  ')}\n`); return 2; }
    throw err;
  }
  return runUntilSignal(runtime, logger);
}
