// `mid worker <connectors|enrich|detect|index|triage|alerts|reports|all> [more names]`: runs the named workers (or all) in this
// process with the configured adapters, serving /healthz, /readyz and /metrics on PORT, until SIGTERM. `triage`
// also serves the triage application on http.host (env MID_HTTP_HOST); `reports` runs the report schedules.
import { createLogger } from '../logger.ts';
import { Runtime, WORKER_NAMES } from '../runtime.ts';
import type { WorkerName } from '../runtime.ts';
import { runUntilSignal } from '../run-until-signal.ts';
import { parseArgs, str } from './args.ts';
import { CONFIG_EXIT_CODE, loadCommandConfig, reportConfigError } from './load-config.ts';

/** One line for `mid help`. */
export const summary =
  'run streaming workers: mid worker <connectors|enrich|detect|index|alerts|triage|reports|all> [more names] [--config file.json]';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags, positional } = parseArgs(args);
  const names = positional.includes('all') ? [...WORKER_NAMES] : [...new Set(positional)];
  const unknown = names.filter((n) => !(WORKER_NAMES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    process.stderr.write(
      `${unknown.length ? `mid worker: unknown worker ${unknown.join(', ')}\n` : ''}usage: mid worker <${WORKER_NAMES.join('|')}|all> [more names] [--config file.json]\n`,
    );
    return 2;
  }
  const config = loadCommandConfig('worker', { file: str(flags, 'config') });
  if (!config) return CONFIG_EXIT_CODE;
  const logger = createLogger(config.log.level);
  let runtime: Runtime;
  try {
    runtime = new Runtime({
      config,
      logger,
      workers: names as WorkerName[],
      announce: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (err) {
    if (reportConfigError('worker', err)) return CONFIG_EXIT_CODE;
    throw err;
  }
  return runUntilSignal(runtime, logger, config.stopDeadlineMs);
}
