// Cluster-mode alert state store on Redis (ioredis): a hash per namespace (key → JSON document) and a sorted set per
// namespace for the due index; apply is one MULTI/EXEC transaction, so it is applied all or none.
import { Redis } from 'ioredis';
import type { AlertStore, AlertStoreEntry, AlertStoreOp } from '../ports/alert-store.ts';

/** Raised when Redis cannot be reached or refuses a write; retriable. */
export class AlertStoreError extends Error {
  override name = 'AlertStoreError';
  readonly retriable = true;
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** ioredis implementation of the {@link AlertStore} port. */
export class RedisAlertStore implements AlertStore {
  readonly kind = 'redis' as const;
  private redis: Redis | null = null;

  constructor(private readonly options: { url: string; prefix: string }) {}

  async start(): Promise<void> {
    if (this.redis) return;
    const r = new Redis(this.options.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    try {
      await r.connect();
    } catch (err) {
      r.disconnect();
      throw new AlertStoreError('cannot connect to Redis', err);
    }
    this.redis = r;
  }

  async stop(): Promise<void> {
    const r = this.redis;
    this.redis = null;
    if (r) await r.quit().catch(() => r.disconnect());
  }

  private get r(): Redis {
    if (!this.redis) throw new AlertStoreError('alert store not started');
    return this.redis;
  }

  private h(ns: string): string {
    return `${this.options.prefix}alerts:${ns}`;
  }
  private z(ns: string): string {
    return `${this.options.prefix}alerts:${ns}:due`;
  }

  async get<T>(ns: string, key: string): Promise<T | null> {
    const v = await this.r.hget(this.h(ns), key);
    return v === null ? null : (JSON.parse(v) as T);
  }

  async list<T>(ns: string): Promise<Array<AlertStoreEntry<T>>> {
    const all = await this.r.hgetall(this.h(ns));
    return Object.keys(all)
      .sort()
      .map((key) => ({ key, doc: JSON.parse(all[key]!) as T }));
  }

  async due<T>(ns: string, nowMs: number, limit: number): Promise<Array<AlertStoreEntry<T> & { dueMs: number }>> {
    const flat = await this.r.zrangebyscore(this.z(ns), '-inf', nowMs, 'WITHSCORES', 'LIMIT', 0, limit);
    const keys: string[] = [];
    const scores: number[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      keys.push(flat[i]!);
      scores.push(Number(flat[i + 1]));
    }
    if (keys.length === 0) return [];
    const docs = await this.r.hmget(this.h(ns), ...keys);
    const out: Array<AlertStoreEntry<T> & { dueMs: number }> = [];
    keys.forEach((key, i) => {
      if (docs[i] != null) out.push({ key, doc: JSON.parse(docs[i]!) as T, dueMs: scores[i]! });
    });
    return out;
  }

  async apply(ops: AlertStoreOp[]): Promise<void> {
    if (ops.length === 0) return;
    const m = this.r.multi();
    for (const o of ops) {
      if (o.op === 'put') {
        m.hset(this.h(o.ns), o.key, JSON.stringify(o.doc));
        if (o.dueMs !== undefined) m.zadd(this.z(o.ns), o.dueMs, o.key);
        else m.zrem(this.z(o.ns), o.key);
      } else {
        m.hdel(this.h(o.ns), o.key);
        m.zrem(this.z(o.ns), o.key);
      }
    }
    const res = await m.exec();
    const failed = res?.find(([err]) => err);
    if (!res || failed) throw new AlertStoreError('alert store transaction failed', failed?.[0]);
  }
}
