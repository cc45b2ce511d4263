// Redis window-state store (ioredis): values with expiry, SET NX for duplicate suppression, and a lock taken with
// SET NX PX and a random token, released only by its holder (compare-and-delete in Lua). A holder that dies
// loses the lock after ttlMs. Every key carries the configured prefix, so tests and deployments can share a Redis.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { StopOptions } from '../../pipelines/core/lifecycle.ts';
import { LockTimeoutError, withLease } from '../ports/state-store.ts';
import type { LockLease, StateStore } from '../ports/state-store.ts';
import { RetriableError } from '../../pipelines/core/errors.ts';

const EXTEND =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** Options of {@link RedisStateStore}. */
export interface RedisStateStoreOptions {
  /** redis:// URL. */
  url: string;
  /** Prefix of every key. Default "mid:". */
  prefix?: string;
}

/** Raised when Redis cannot be reached; retriable. */
export class StateStoreError extends RetriableError {
  override name = 'StateStoreError';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

/** ioredis implementation of the {@link StateStore} port. */
export class RedisStateStore implements StateStore {
  readonly kind = 'redis' as const;
  private redis: Redis | null = null;
  private readonly prefix: string;

  constructor(private readonly options: RedisStateStoreOptions) {
    this.prefix = options.prefix ?? 'mid:';
  }

  async start(): Promise<void> {
    if (this.redis) return;
    this.redis = new Redis(this.options.url, { lazyConnect: true, maxRetriesPerRequest: 3, enableOfflineQueue: true });
    // ioredis reconnects by itself; without a listener every failed reconnect while Redis restarts is printed as an
    // "Unhandled error event" with a stack. The failures surface where they matter: the commands that fail.
    this.redis.on('error', () => undefined);
    try {
      await this.redis.connect();
    } catch (err) {
      this.redis.disconnect();
      this.redis = null;
      throw new StateStoreError('cannot connect to Redis', err);
    }
  }

  async stop(_options?: StopOptions): Promise<void> {
    const r = this.redis;
    this.redis = null;
    if (r) await r.quit().catch(() => r.disconnect());
  }

  private get r(): Redis {
    if (!this.redis) throw new StateStoreError('state store not started');
    return this.redis;
  }

  async get(key: string): Promise<string | null> {
    return this.r.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs) await this.r.set(this.prefix + key, value, 'PX', ttlMs);
    else await this.r.set(this.prefix + key, value);
  }

  async del(key: string): Promise<void> {
    await this.r.del(this.prefix + key);
  }

  async markSeen(keys: string[], ttlMs: number): Promise<boolean[]> {
    if (keys.length === 0) return [];
    const p = this.r.pipeline();
    for (const k of keys) p.set(this.prefix + k, '1', 'PX', ttlMs, 'NX');
    const res = (await p.exec()) ?? [];
    return res.map(([err, v]) => {
      if (err) throw new StateStoreError('markSeen failed', err);
      return v === 'OK';
    });
  }

  async acquireLock(name: string, options: { ttlMs?: number; waitMs?: number } = {}): Promise<LockLease> {
    const key = `${this.prefix}lock:${name}`;
    const token = randomUUID();
    const ttlMs = options.ttlMs ?? 30_000;
    const until = Date.now() + (options.waitMs ?? 30_000);
    let delay = 5;
    while ((await this.r.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
      if (Date.now() > until) throw new LockTimeoutError(name);
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
      delay = Math.min(delay * 2, 100);
    }
    let held = true;
    return {
      extend: async (ms: number) => held && (await this.r.eval(EXTEND, 1, key, token, String(ms))) === 1,
      release: async () => {
        if (!held) return;
        held = false;
        await this.r.eval(RELEASE, 1, key, token).catch(() => undefined);
      },
    };
  }

  withLock<T>(name: string, fn: () => Promise<T>, options: { ttlMs?: number; waitMs?: number } = {}): Promise<T> {
    return withLease(this, name, fn, options);
  }
}
