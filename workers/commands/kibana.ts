// `mid kibana export [--out FILE]` writes the generated Kibana saved objects (data views, Lens visualisations,
// dashboards) for the configured index prefix; `mid kibana import [--space ID] [--overwrite]` posts them to Kibana's
// Saved Objects import API. Connection and auth come from the `kibana` config section (MID_KIBANA_* variables).
import { writeFileSync } from 'node:fs';
import { generateSavedObjects, toNdjson } from '../../dashboards/kibana/generate.ts';
import { importSavedObjects, KibanaImportError } from '../../dashboards/kibana/kibana-client.ts';
import { ConfigError, loadConfig } from '../config.ts';
import type { Config } from '../config.ts';
import { parseArgs, str } from './args.ts';

/** One line for `mid help`. */
export const summary =
  'Kibana: mid kibana export [--out FILE] | import [--space ID] [--overwrite] (data views and dashboards)';

const USAGE =
  'usage: mid kibana export [--out FILE] [--config file.json]\n       mid kibana import [--space ID] [--overwrite | --keep-existing] [--config file.json]\n';

/** The NDJSON for this configuration. */
export function exportNdjson(config: Config): string {
  return toNdjson(generateSavedObjects({ prefix: config.store.esPrefix, kibana: config.kibana }));
}

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags, positional } = parseArgs(args);
  const action = positional[0];
  if (action !== 'export' && action !== 'import') {
    process.stderr.write(USAGE);
    return 2;
  }
  let config: Config;
  try {
    const space = str(flags, 'space');
    config = loadConfig({ file: str(flags, 'config'), overrides: space ? { kibana: { space } } : {} });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`mid kibana: ${err.problems.join('\n  ')}\n`);
      return 2;
    }
    throw err;
  }
  const ndjson = exportNdjson(config);
  if (action === 'export') {
    const out = str(flags, 'out');
    if (out) {
      writeFileSync(out, ndjson);
      process.stderr.write(`mid kibana: wrote ${ndjson.trimEnd().split('\n').length} objects to ${out}\n`);
    } else {
      process.stdout.write(ndjson);
    }
    return 0;
  }
  const k = config.kibana;
  try {
    const result = await importSavedObjects(
      {
        url: k.url,
        space: k.space,
        username: k.username,
        password: k.password,
        apiKey: k.apiKey,
        requestTimeoutMs: k.requestTimeoutMs,
      },
      ndjson,
      { overwrite: flags.overwrite === true || flags.overwrite === 'true' },
    );
    process.stdout.write(
      `${JSON.stringify({ ok: true, kibana: result.version, space: k.space ?? 'default', imported: result.successCount })}\n`,
    );
    return 0;
  } catch (err) {
    if (!(err instanceof KibanaImportError)) throw err;
    // --keep-existing (the compose service): objects already there (perhaps edited by analysts) are kept, not an error.
    if (
      flags['keep-existing'] === true &&
      err.objectErrors.length > 0 &&
      err.objectErrors.every((e) => e.error.type === 'conflict')
    ) {
      process.stdout.write(
        `${JSON.stringify({ ok: true, space: k.space ?? 'default', imported: err.successCount, keptExisting: err.objectErrors.length })}\n`,
      );
      return 0;
    }
    process.stderr.write(`mid kibana import failed: ${err.message}\n`);
    return err.retriable ? 75 : 1; // 75 = EX_TEMPFAIL: try again later (compose restarts the service on failure)
  }
}
