// `mid users add|passwd|disable|enable|list`: manages the triage application's local accounts in the triage store
// (<dataDir>/triage.db unless triage.sqliteFile says otherwise). New accounts and password resets get a random
// one-time password printed once; passwords are never taken on the command line (they would stay in shell history).
import { join } from 'node:path';
import { createUserWithPassword, hashPassword, newSecret } from '../../dashboards/triage/auth.ts';
import { SqliteTriageStore } from '../adapters/sqlite-triage-store.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { ROLES } from '../ports/triage-store.ts';
import type { Role } from '../ports/triage-store.ts';
import { parseArgs, str } from './args.ts';

/** One line for `mid help`. */
export const summary =
  'triage accounts: mid users add <name> [--role viewer|analyst|lead|admin] | passwd <name> | disable <name> | enable <name> | list';

const USAGE =
  'usage: mid users add <name> [--role viewer|analyst|lead|admin] | passwd <name> | disable <name> | enable <name> | list [--config file.json]\n';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags, positional } = parseArgs(args);
  const [sub, name] = positional;
  let config;
  try {
    config = loadConfig({ file: str(flags, 'config') });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`mid users: ${err.problems.join('\n  ')}\n`);
      return 2;
    }
    throw err;
  }
  if (!sub || (sub !== 'list' && !name)) {
    process.stderr.write(USAGE);
    return 2;
  }
  const store = new SqliteTriageStore({ file: config.triage.sqliteFile ?? join(config.dataDir, 'triage.db') });
  await store.start();
  const now = Date.now();
  const audit = (action: string, after: unknown) =>
    store.appendAudit({ atMs: now, actor: 'cli', action, clusterId: null, before: null, after });
  try {
    switch (sub) {
      case 'list': {
        for (const u of await store.listUsers()) {
          process.stdout.write(
            `${u.username}\t${u.role}\t${u.disabled ? 'disabled' : u.lockedUntilMs > now ? 'locked' : 'active'}\n`,
          );
        }
        return 0;
      }
      case 'add': {
        const role = (str(flags, 'role') ?? 'viewer') as Role;
        if (!ROLES.includes(role)) {
          process.stderr.write(`mid users: unknown role "${role}" (${ROLES.join(', ')})\n`);
          return 2;
        }
        if (!/^[a-zA-Z0-9._-]{2,40}$/.test(name!)) {
          process.stderr.write('mid users: names are 2-40 letters, digits, dot, dash or underscore\n');
          return 2;
        }
        if (await store.getUser(name!)) {
          process.stderr.write(`mid users: ${name} exists\n`);
          return 1;
        }
        const password = await createUserWithPassword(store, name!, role, now);
        await audit('user-create', { username: name, role });
        process.stdout.write(`Created ${name} (${role}). One-time password: ${password}\n`);
        return 0;
      }
      case 'passwd': {
        const password = newSecret(15);
        if (
          !(await store.updateUser(name!, {
            passwordHash: await hashPassword(password),
            failedLogins: 0,
            lockedUntilMs: 0,
          }))
        ) {
          process.stderr.write(`mid users: no user ${name}\n`);
          return 1;
        }
        await store.deleteSessionsOf(name!);
        await audit('user-change', { username: name, passwordReset: true });
        process.stdout.write(`New one-time password for ${name}: ${password}\n`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        if (!(await store.updateUser(name!, { disabled: sub === 'disable' }))) {
          process.stderr.write(`mid users: no user ${name}\n`);
          return 1;
        }
        if (sub === 'disable') await store.deleteSessionsOf(name!);
        await audit('user-change', { username: name, disabled: sub === 'disable' });
        process.stdout.write(`${name} ${sub}d\n`);
        return 0;
      }
      default:
        process.stderr.write(USAGE);
        return 2;
    }
  } finally {
    await store.stop();
  }
}
