// The one way a command loads the configuration and reports a bad one: every problem on its own line, with its
// path, on stderr, and exit code 2. Commands also pass ConfigErrors raised later (adapters refusing a setting) here.
import { ConfigError, loadConfig } from '../config.ts';
import type { Config, LoadConfigOptions } from '../config.ts';

/** Exit code of a command refused because of its configuration. */
export const CONFIG_EXIT_CODE = 2;

/**
 * Writes `err`'s problems to `out` when it is a {@link ConfigError} and returns true; returns false (and writes
 * nothing) for any other error, which the caller rethrows.
 */
export function reportConfigError(command: string, err: unknown, out: NodeJS.WritableStream = process.stderr): boolean {
  if (!(err instanceof ConfigError)) return false;
  const n = err.problems.length;
  out.write(
    `mid ${command}: the configuration has ${n} problem${n === 1 ? '' : 's'}:\n${err.problems.map((p) => `  - ${p}\n`).join('')}`,
  );
  return true;
}

/** Loads the configuration for `command`; on problems reports them (see {@link reportConfigError}) and returns null. */
export function loadCommandConfig(command: string, options: LoadConfigOptions = {}): Config | null {
  try {
    return loadConfig(options);
  } catch (err) {
    if (reportConfigError(command, err)) return null;
    throw err;
  }
}
