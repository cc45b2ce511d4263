// In-process alert state store (tests, `mid alerts preview`): maps per namespace; apply is atomic because it is
// synchronous.
import type { AlertStore, AlertStoreEntry, AlertStoreOp } from '../ports/alert-store.ts';

/** Memory implementation of the {@link AlertStore} port. */
export class MemoryAlertStore implements AlertStore {
  readonly kind = 'memory' as const;
  private readonly docs = new Map<string, Map<string, { doc: string; dueMs: number | null }>>();

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  private ns(ns: string): Map<string, { doc: string; dueMs: number | null }> {
    let m = this.docs.get(ns);
    if (!m) {
      m = new Map();
      this.docs.set(ns, m);
    }
    return m;
  }

  async get<T>(ns: string, key: string): Promise<T | null> {
    const e = this.ns(ns).get(key);
    return e ? (JSON.parse(e.doc) as T) : null;
  }

  async list<T>(ns: string): Promise<Array<AlertStoreEntry<T>>> {
    return [...this.ns(ns).entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, e]) => ({ key, doc: JSON.parse(e.doc) as T }));
  }

  async due<T>(ns: string, nowMs: number, limit: number): Promise<Array<AlertStoreEntry<T> & { dueMs: number }>> {
    return [...this.ns(ns).entries()]
      .filter(([, e]) => e.dueMs !== null && e.dueMs <= nowMs)
      .sort(([ka, a], [kb, b]) => a.dueMs! - b.dueMs! || ka.localeCompare(kb))
      .slice(0, limit)
      .map(([key, e]) => ({ key, doc: JSON.parse(e.doc) as T, dueMs: e.dueMs! }));
  }

  async apply(ops: AlertStoreOp[]): Promise<void> {
    const encoded = ops.map((o) => (o.op === 'put' ? { ...o, text: JSON.stringify(o.doc) } : o)); // encode first: all or none
    for (const o of encoded) {
      if (o.op === 'put') this.ns(o.ns).set(o.key, { doc: (o as { text: string }).text, dueMs: o.dueMs ?? null });
      else this.ns(o.ns).delete(o.key);
    }
  }
}
