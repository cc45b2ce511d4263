// Tiny flag parser shared by the streaming commands: --name value, --name=value and bare --flag (true).

/** Parsed flags and positional arguments. */
export interface ParsedArgs {
  flags: Record<string, string | true>;
  positional: string[];
}

/** Parses `--name value`, `--name=value` and `--flag`; a flag followed by another flag (or nothing) is true. */
export function parseArgs(args: string[]): ParsedArgs {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) {
      flags[a.slice(2, eq)] = a.slice(eq + 1);
      continue;
    }
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      flags[a.slice(2)] = next;
      i++;
    } else flags[a.slice(2)] = true;
  }
  return { flags, positional };
}

/** A string flag or undefined. */
export function str(flags: ParsedArgs['flags'], name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}
