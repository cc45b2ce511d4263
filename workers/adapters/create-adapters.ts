// Picks the adapters named in the configuration: bus (memory | kafka), scheduler (memory | bullmq), window-state
// store (memory | redis; "auto" follows the bus and scheduler) and signal store (sqlite | elasticsearch).
import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Bus } from '../ports/bus.ts';
import type { Scheduler } from '../ports/scheduler.ts';
import type { SignalStore } from '../ports/signal-store.ts';
import type { StateStore } from '../ports/state-store.ts';
import { BullmqScheduler } from './bullmq-scheduler.ts';
import { ElasticsearchSignalStore } from './elasticsearch-signal-store.ts';
import { KafkaBus } from './kafka-bus.ts';
import { MemoryBus } from './memory-bus.ts';
import { MemoryScheduler } from './memory-scheduler.ts';
import { MemoryStateStore } from './memory-state-store.ts';
import { RedisStateStore } from './redis-state-store.ts';
import { SqliteSignalStore } from './sqlite-signal-store.ts';
import { ConfigError } from '../config.ts';

/** The bus named by config.bus.kind. */
export function createBus(config: Config, logger: Logger): Bus {
  if (config.bus.kind === 'memory') return new MemoryBus({ partitions: config.bus.memoryPartitions });
  if (config.bus.kafkaBrokers.length === 0)
    throw new ConfigError(['bus.kafkaBrokers: MID_KAFKA_BROKERS must be set when MID_BUS=kafka']);
  return new KafkaBus({
    brokers: config.bus.kafkaBrokers,
    clientId: config.bus.clientId,
    logger: logger.child({ component: 'kafka' }),
    sessionTimeoutMs: config.bus.sessionTimeoutMs,
  });
}

/** The scheduler named by config.scheduler.kind. */
export function createScheduler(config: Config, logger: Logger): Scheduler {
  if (config.scheduler.kind === 'memory') return new MemoryScheduler();
  return new BullmqScheduler({
    redisUrl: config.redis.url,
    prefix: config.redis.keyPrefix,
    logger: logger.child({ component: 'scheduler' }),
  });
}

/** Which state store "auto" resolves to. */
export function stateStoreKind(config: Config): 'memory' | 'redis' {
  if (config.stateStore.kind !== 'auto') return config.stateStore.kind;
  return config.bus.kind === 'kafka' || config.scheduler.kind === 'bullmq' ? 'redis' : 'memory';
}

/** The window-state store (see {@link stateStoreKind}). */
export function createStateStore(config: Config): StateStore {
  if (stateStoreKind(config) === 'memory') return new MemoryStateStore();
  return new RedisStateStore({ url: config.redis.url, prefix: `${config.redis.keyPrefix}:` });
}

/** The signal store named by config.store.kind. */
export function createSignalStore(config: Config): SignalStore {
  if (config.store.kind === 'sqlite') {
    return new SqliteSignalStore({
      file: config.store.sqliteFile ?? join(config.dataDir, 'signals.db'),
      openClusterHours: config.store.openClusterHours,
    });
  }
  if (!config.store.esUrl) throw new ConfigError(['store.esUrl: MID_ES_URL must be set when MID_STORE=elasticsearch']);
  const auth = config.store.esApiKey
    ? { apiKey: config.store.esApiKey }
    : config.store.esUsername
      ? { username: config.store.esUsername, password: config.store.esPassword ?? '' }
      : undefined;
  return new ElasticsearchSignalStore({
    node: config.store.esUrl,
    auth,
    prefix: config.store.esPrefix,
    retentionDays: config.store.retentionDays,
    openClusterHours: config.store.openClusterHours,
  });
}
