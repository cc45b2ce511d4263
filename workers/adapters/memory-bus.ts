// The in-process bus for embedded mode: partitioned topics kept in memory, consumer groups with committed offsets,
// and the same delivery rules as Kafka (keys pick the partition, a batch is committed only after its handler
// resolves, a handler that throws gets the same batch again after a back-off). Messages every group has committed
// are dropped beyond a retained count, so memory stays bounded while consumers keep up. Nothing survives the process: embedded mode relies on
// idempotent writes to the SQLite store and a replayable source instead.
import type { Bus, IncomingMessage, OutgoingMessage, SubscribeOptions, Subscription } from '../ports/bus.ts';
import type { StopOptions } from '../../pipelines/core/lifecycle.ts';
import { keyPartition } from './key-partition.ts';

interface StoredMessage {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}
interface Partition {
  base: number;
  messages: StoredMessage[];
}
interface Member {
  id: number;
  assigned: Array<[string, number]>;
  wake: () => void;
  pos: Map<string, number>;
}
interface Group {
  committed: Map<string, number>;
  members: Member[];
  topics: Set<string>;
  fromBeginning: boolean;
}

/** Options of {@link MemoryBus}. */
export interface MemoryBusOptions {
  /** Partitions per topic. Default 4. */
  partitions?: number;
  /** Most messages handed to one batch. Default 500. */
  maxBatch?: number;
  /** Back-off before a failed batch is delivered again, in ms. Default 200. */
  retryBackoffMs?: number;
  /** Messages kept per partition once every group has committed them (like Kafka retention). Default 10000. */
  retainPerPartition?: number;
}

/** In-process implementation of the {@link Bus} port. */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly topics = new Map<string, Partition[]>();
  private readonly groups = new Map<string, Group>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly partitions: number;
  private readonly maxBatch: number;
  private readonly retryBackoffMs: number;
  private readonly retainPerPartition: number;
  private nextMember = 1;
  private roundRobin = 0;
  private stopped = false;

  constructor(options: MemoryBusOptions = {}) {
    this.partitions = options.partitions ?? 4;
    this.maxBatch = options.maxBatch ?? 500;
    this.retryBackoffMs = options.retryBackoffMs ?? 200;
    this.retainPerPartition = options.retainPerPartition ?? 10_000;
  }

  async start(): Promise<void> {
    this.stopped = false;
  }

  async stop(_options?: StopOptions): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }

  private topic(name: string): Partition[] {
    let t = this.topics.get(name);
    if (!t) {
      t = Array.from({ length: this.partitions }, () => ({ base: 0, messages: [] }));
      this.topics.set(name, t);
    }
    return t;
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.stopped) throw new Error('bus stopped');
    const parts = this.topic(topic);
    for (const m of messages) {
      const p =
        m.partition !== undefined
          ? m.partition % parts.length
          : m.key === null
            ? this.roundRobin++ % parts.length
            : keyPartition(m.key, parts.length);
      parts[p]!.messages.push({ key: m.key, value: m.value, headers: { ...(m.headers ?? {}) } });
    }
    for (const g of this.groups.values()) if (g.topics.has(topic)) for (const member of g.members) member.wake();
  }

  private rebalance(g: Group): void {
    const all: Array<[string, number]> = [];
    for (const t of [...g.topics].sort()) for (let p = 0; p < this.topic(t).length; p++) all.push([t, p]);
    // Uncommitted positions are forgotten on a rebalance: what was not committed is delivered again.
    g.members.forEach((m) => {
      m.assigned = [];
      m.pos.clear();
    });
    all.forEach((tp, i) => g.members[i % g.members.length]?.assigned.push(tp));
    g.members.forEach((m) => m.wake());
  }

  private committed(g: Group, topic: string, p: number): number {
    const k = `${topic}:${p}`;
    let c = g.committed.get(k);
    if (c === undefined) {
      const part = this.topic(topic)[p]!;
      c = g.fromBeginning ? part.base : part.base + part.messages.length;
      g.committed.set(k, c);
    }
    return c;
  }

  /** Drops the oldest messages beyond the retained count, but never one a group has not committed yet. */
  private trim(topic: string, p: number): void {
    const part = this.topic(topic)[p]!;
    let min = part.base + part.messages.length - this.retainPerPartition;
    for (const g of this.groups.values()) if (g.topics.has(topic)) min = Math.min(min, this.committed(g, topic, p));
    if (min <= part.base) return;
    part.messages.splice(0, min - part.base);
    part.base = min;
  }

  async partitionCount(topic: string): Promise<number> {
    return this.topic(topic).length;
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.stopped) throw new Error('bus stopped');
    let g = this.groups.get(options.groupId);
    if (!g) {
      g = { committed: new Map(), members: [], topics: new Set(), fromBeginning: options.fromBeginning ?? true };
      this.groups.set(options.groupId, g);
    }
    const group = g;
    for (const t of options.topics) {
      group.topics.add(t);
      this.topic(t);
    }
    // Take the starting offsets now, so a group that starts "from the end" does not miss what is published next.
    for (const t of options.topics) for (let p = 0; p < this.topic(t).length; p++) this.committed(group, t, p);
    let running = true;
    let sleeping: (() => void) | null = null;
    const member: Member = {
      id: this.nextMember++,
      assigned: [],
      wake: () => {
        sleeping?.();
      },
      pos: new Map(),
    };
    const manual = options.commit === 'manual';
    group.members.push(member);
    this.rebalance(group);

    const loop = async (): Promise<void> => {
      while (running) {
        let didWork = false;
        for (const [topic, p] of member.assigned) {
          if (!running) break;
          const part = this.topic(topic)[p]!;
          const from = member.pos.get(`${topic}:${p}`) ?? this.committed(group, topic, p);
          const end = part.base + part.messages.length;
          if (from >= end) continue;
          const slice = part.messages.slice(from - part.base, Math.min(end, from + this.maxBatch) - part.base);
          const batch: IncomingMessage[] = slice.map((m, i) => ({
            topic,
            partition: p,
            offset: String(from + i),
            key: m.key,
            value: m.value,
            headers: m.headers,
          }));
          try {
            await options.eachBatch(batch);
          } catch {
            await new Promise((r) => setTimeout(r, this.retryBackoffMs));
            didWork = true;
            continue;
          }
          // Still a member of the group with this partition? Then commit.
          if (member.assigned.some(([t, q]) => t === topic && q === p)) {
            if (manual) member.pos.set(`${topic}:${p}`, from + batch.length);
            else group.committed.set(`${topic}:${p}`, from + batch.length);
          }
          this.trim(topic, p);
          didWork = true;
        }
        if (!didWork && running)
          await new Promise<void>((r) => {
            sleeping = r;
          });
        sleeping = null;
      }
    };
    const done = loop();
    const sub: Subscription = {
      stop: async () => {
        if (!running) return done;
        running = false;
        sleeping?.();
        await done;
        group.members = group.members.filter((m) => m !== member);
        if (group.members.length > 0) this.rebalance(group);
        this.subscriptions.delete(sub);
        return undefined;
      },
      commit: async () => {
        for (const [k, v] of member.pos) if (v > (group.committed.get(k) ?? 0)) group.committed.set(k, v);
        for (const [t, p] of member.assigned) this.trim(t, p);
      },
      lag: async () => {
        let lag = 0;
        for (const t of group.topics)
          this.topic(t).forEach((part, p) => {
            lag += part.base + part.messages.length - this.committed(group, t, p);
          });
        return lag;
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }
}
