// `mid config check [--config FILE]`: loads the configuration as every other command would (defaults < file <
// environment), and prints the effective result as JSON with the fields the schemas mark secret redacted; exit 0.
// On problems it prints each with its path on stderr and exits 2. For operators: run it before a deploy.
import { redactConfig } from '../config.ts';
import { parseArgs, str } from './args.ts';
import { CONFIG_EXIT_CODE, loadCommandConfig } from './load-config.ts';

/** One line for `mid help`. */
export const summary =
  'check the configuration and print the effective one, secrets redacted: mid config check [--config file.json]';

const USAGE = 'usage: mid config check [--config file.json]\n';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags, positional } = parseArgs(args);
  if (positional[0] !== 'check' || positional.length > 1 || flags.config === true) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadCommandConfig('config check', { file: str(flags, 'config') });
  if (!config) return CONFIG_EXIT_CODE;
  process.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
  return 0;
}
