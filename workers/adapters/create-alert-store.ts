// Picks the alert state store: SQLite in dataDir (embedded), Redis (cluster mode: scheduler bullmq or bus kafka),
// or memory (tests, previews), following config.alerts.store.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { AlertStore } from '../ports/alert-store.ts';
import { MemoryAlertStore } from './memory-alert-store.ts';
import { RedisAlertStore } from './redis-alert-store.ts';
import { SqliteAlertStore } from './sqlite-alert-store.ts';

/** Which alert store "auto" resolves to. */
export function alertStoreKind(config: Config): 'memory' | 'sqlite' | 'redis' {
  if (config.alerts.store !== 'auto') return config.alerts.store;
  return config.bus.kind === 'kafka' || config.scheduler.kind === 'bullmq' ? 'redis' : 'sqlite';
}

/** The alert store for the configuration. */
export function createAlertStore(config: Config): AlertStore {
  const kind = alertStoreKind(config);
  if (kind === 'memory') return new MemoryAlertStore();
  if (kind === 'redis') return new RedisAlertStore({ url: config.redis.url, prefix: `${config.redis.keyPrefix}:` });
  return new SqliteAlertStore(config.alerts.sqliteFile ?? join(config.dataDir, 'alerts.db'));
}
