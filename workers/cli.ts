// The `mid` command: parses the sub-command and hands over to its module in workers/commands/.
// Only this file and workers/bin/mid.mjs decide exit codes; commands return them.

/** What a command module exports. */
export interface CommandModule {
  /** One line for `mid help`. */
  summary: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  analyze: () => import('./commands/analyze.ts'),
  normalize: () => import('./commands/normalize.ts'),
  publish: () => import('./commands/publish.ts'),
  worker: () => import('./commands/worker.ts'),
  start: () => import('./commands/start.ts'),
  stats: () => import('./commands/stats.ts'),
  es: () => import('./commands/es.ts'),
  kibana: () => import('./commands/kibana.ts'),
  config: () => import('./commands/config.ts'),
  alerts: () => import('./commands/alerts.ts'),
  report: () => import('./commands/report.ts'),
  users: () => import('./commands/users.ts'),
  audit: () => import('./commands/audit.ts'),
};

async function help(): Promise<void> {
  const lines = ['usage: mid <command> [options]', '', 'commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const summary = await load().then(
      (m) => m.summary,
      () => '(not available in this build)',
    );
    lines.push(`  ${name.padEnd(10)} ${summary}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Runs `mid` with the given arguments and resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    await help();
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`mid: unknown command "${name}" (try: mid help)\n`);
    return 2;
  }
  let mod: CommandModule;
  try {
    mod = await load();
  } catch (err) {
    process.stderr.write(`mid: command "${name}" is not available: ${(err as Error).message}\n`);
    return 2;
  }
  return mod.run(rest);
}
