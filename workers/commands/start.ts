// `mid start` (= `npm start`): embedded mode in one process with no servers — the in-process bus and scheduler,
// in-memory window state, the SQLite store in dataDir, all four workers, the bundled sample replayed as a source
// next to the configured public sources (which back off quietly without network), and the HTTP server with
// /healthz, /readyz, /metrics and the triage application (dashboards/triage) on 127.0.0.1 unless configured
// otherwise. The first start prints a one-time admin password.
import { fileURLToPath } from 'node:url';
import { createLogger } from '../logger.ts';
import { Runtime, WORKER_NAMES } from '../runtime.ts';
import { runUntilSignal } from '../run-until-signal.ts';
import { parseArgs, str } from './args.ts';
import { CONFIG_EXIT_CODE, loadCommandConfig, reportConfigError } from './load-config.ts';

/** The bundled sample with a planted campaign, replayed by default. */
export const SAMPLE_FILE = fileURLToPath(new URL('../../connectors/data/sample-posts.jsonl', import.meta.url));

/** One line for `mid help`. */
export const summary =
  'embedded mode: connectors, enrichment, detection, SQLite and the triage application in one process [--no-sample] [--config file.json]';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags } = parseArgs(args);
  const loaded = loadCommandConfig('start', {
    file: str(flags, 'config'),
    overrides: { bus: { kind: 'memory' }, scheduler: { kind: 'memory' } },
  });
  if (!loaded) return CONFIG_EXIT_CODE;
  // The bundled sample is replayed unless --no-sample or another replay file is configured.
  const config =
    flags['no-sample'] || loaded.replay.file ? loaded : { ...loaded, replay: { ...loaded.replay, file: SAMPLE_FILE } };
  const logger = createLogger(config.log.level);
  let runtime: Runtime;
  try {
    runtime = new Runtime({
      config,
      logger,
      workers: [...WORKER_NAMES],
      ui: config.triage.enabled,
      announce: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (err) {
    if (reportConfigError('start', err)) return CONFIG_EXIT_CODE;
    throw err;
  }
  return runUntilSignal(runtime, logger, config.stopDeadlineMs);
}
