// Where the key for pseudonymising account ids comes from: config / MID_PSEUDONYM_KEY, or, in embedded mode only,
// a random key made once and kept in dataDir so ids stay stable across runs. Cluster mode refuses to start without
// an explicit key, so that several processes never pseudonymise with different keys.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.ts';
import type { Config } from './config.ts';

/** File in dataDir that holds the generated embedded-mode key. */
export const KEY_FILE = 'pseudonym.key';

/** Returns the pseudonymisation key, or null when pseudonymisation is switched off in the config. */
export function resolvePseudonymKey(config: Config): string | null {
  if (!config.enrich.pseudonymize.enabled) return null;
  if (config.enrich.pseudonymize.key) return config.enrich.pseudonymize.key;
  if (config.bus.kind !== 'memory') {
    throw new ConfigError([
      'enrich.pseudonymize.key: MID_PSEUDONYM_KEY must be set in cluster mode (a shared secret of at least 16 characters)',
    ]);
  }
  const file = join(config.dataDir, KEY_FILE);
  try {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 16) return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // `mode` applies only when the file is created: a replaced short key kept its old mode
  return key;
}
