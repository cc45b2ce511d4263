// The one contract every Bus adapter passes (run by bus.test.ts against the in-process bus and Kafka).
// The in-process bus runs on fake timers; Kafka keeps real time (sessions, rebalances and fetch waits run in the
// broker and in kafkajs against it, where fake timers cannot reach) and the clock polls for it (test-clock.ts).
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus, IncomingMessage, Subscription } from '../../../workers/ports/bus.ts';
import type { TestClock } from '../test-clock.ts';

/** Registers the bus contract for the adapter made by `make`. */
export function busContract(name: string, make: () => Bus, clock: TestClock, timeoutMs = 30_000): void {
  describe(`Bus contract: ${name}`, { timeout: timeoutMs }, () => {
    let bus: Bus;
    const subs: Subscription[] = [];
    const id = () => randomUUID().slice(0, 8);
    beforeEach(async () => {
      clock.install();
      bus = make();
      await bus.start();
    });
    afterEach(async () => {
      for (const s of subs.splice(0)) await s.stop();
      await bus.stop({ deadlineMs: 10_000 });
      clock.uninstall();
    });

    it('delivers every message once to a group and keeps the order of messages with the same key', async () => {
      const topic = `t-${id()}`;
      const msgs = Array.from({ length: 300 }, (_, i) => ({
        key: `k${i % 7}`,
        value: JSON.stringify({ k: `k${i % 7}`, i }),
      }));
      await bus.publish(topic, msgs.slice(0, 100));
      const seen: Array<{ k: string; i: number }> = [];
      subs.push(
        await bus.subscribe({
          topics: [topic],
          groupId: `g-${id()}`,
          eachBatch: async (b) => {
            for (const m of b) seen.push(JSON.parse(m.value) as (typeof seen)[number]);
          },
        }),
      );
      await bus.publish(topic, msgs.slice(100));
      await clock.until(() => seen.length >= 300, '300 messages');
      expect(new Set(seen.map((s) => s.i)).size).toBe(300);
      for (let k = 0; k < 7; k++) {
        const order = seen.filter((s) => s.k === `k${k}`).map((s) => s.i);
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }
    });

    it('knows how many partitions a topic has, and the same number every time', async () => {
      const topic = `t-${id()}`;
      const n = await bus.partitionCount(topic);
      expect(n).toBeGreaterThanOrEqual(1);
      await bus.publish(topic, [{ key: 'a', value: '1' }]);
      expect(await bus.partitionCount(topic)).toBe(n);
    });

    it('gives every consumer group every message and carries keys and headers', async () => {
      const topic = `t-${id()}`;
      await bus.publish(topic, [
        { key: 'a', value: 'one', headers: { h: 'x' } },
        { key: null, value: 'two' },
      ]);
      const a: IncomingMessage[] = [];
      const b: IncomingMessage[] = [];
      subs.push(
        await bus.subscribe({
          topics: [topic],
          groupId: `ga-${id()}`,
          eachBatch: async (m) => {
            a.push(...m);
          },
        }),
      );
      subs.push(
        await bus.subscribe({
          topics: [topic],
          groupId: `gb-${id()}`,
          eachBatch: async (m) => {
            b.push(...m);
          },
        }),
      );
      await clock.until(() => a.length >= 2 && b.length >= 2, 'both groups');
      for (const got of [a, b]) {
        expect(got.map((m) => m.value).sort()).toEqual(['one', 'two']);
        const one = got.find((m) => m.value === 'one')!;
        expect(one.key).toBe('a');
        expect(one.headers.h).toBe('x');
        expect(one.topic).toBe(topic);
      }
    });

    it('delivers a batch again when its handler throws, and loses nothing', async () => {
      const topic = `t-${id()}`;
      await bus.publish(
        topic,
        Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: String(i) })),
      );
      let failures = 0;
      const handled = new Map<string, number>();
      subs.push(
        await bus.subscribe({
          topics: [topic],
          groupId: `g-${id()}`,
          eachBatch: async (batch) => {
            if (failures < 2) {
              failures++;
              throw new Error('transient');
            }
            for (const m of batch) handled.set(m.value, (handled.get(m.value) ?? 0) + 1);
          },
        }),
      );
      await clock.until(() => handled.size >= 50, 'all 50 after failures');
      expect(failures).toBe(2);
      expect([...handled.keys()].map(Number).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it('commits after the handler: a group that rejoins continues after what it committed', async () => {
      const topic = `t-${id()}`;
      const groupId = `g-${id()}`;
      await bus.publish(
        topic,
        Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `a${i}` })),
      );
      const first: string[] = [];
      const s1 = await bus.subscribe({
        topics: [topic],
        groupId,
        eachBatch: async (b) => {
          first.push(...b.map((m) => m.value));
        },
      });
      await clock.until(() => first.length >= 20, 'first 20');
      await s1.stop();
      await bus.publish(
        topic,
        Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `b${i}` })),
      );
      const second: string[] = [];
      subs.push(
        await bus.subscribe({
          topics: [topic],
          groupId,
          eachBatch: async (b) => {
            second.push(...b.map((m) => m.value));
          },
        }),
      );
      await clock.until(() => second.length >= 5, 'next 5', timeoutMs);
      await clock.pass(300);
      expect(second.sort()).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    });

    it('in manual mode commits only when told: uncommitted batches come again to a member that rejoins', async () => {
      const topic = `t-${id()}`;
      const groupId = `g-${id()}`;
      await bus.publish(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `a${i}` })),
      );
      const first: string[] = [];
      const s1 = await bus.subscribe({
        topics: [topic],
        groupId,
        commit: 'manual',
        eachBatch: async (b) => {
          first.push(...b.map((m) => m.value));
        },
      });
      await clock.until(() => first.length >= 10, 'first 10', timeoutMs);
      await s1.stop();
      const second: string[] = [];
      const s2 = await bus.subscribe({
        topics: [topic],
        groupId,
        commit: 'manual',
        eachBatch: async (b) => {
          second.push(...b.map((m) => m.value));
        },
      });
      await clock.until(() => second.length >= 10, 'the same 10 again', timeoutMs);
      await clock.pass(200);
      await s2.commit();
      await s2.stop();
      await bus.publish(topic, [{ key: 'k0', value: 'b0' }]);
      const third: string[] = [];
      subs.push(
        await bus.subscribe({
          topics: [topic],
          groupId,
          commit: 'manual',
          eachBatch: async (b) => {
            third.push(...b.map((m) => m.value));
          },
        }),
      );
      await clock.until(() => third.length >= 1, 'the new one', timeoutMs);
      await clock.pass(300);
      expect(second.sort()).toEqual(first.sort());
      expect(third).toEqual(['b0']);
    });

    it('reports consumer lag while a batch is held and none once it is committed', async () => {
      const topic = `t-${id()}`;
      await bus.publish(
        topic,
        Array.from({ length: 10 }, (_, i) => ({ key: 'same', value: String(i) })),
      );
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let got = 0;
      const sub = await bus.subscribe({
        topics: [topic],
        groupId: `g-${id()}`,
        eachBatch: async (b) => {
          await gate;
          got += b.length;
        },
      });
      subs.push(sub);
      await clock.until(async () => (await sub.lag()) === 10, 'lag 10');
      release();
      await clock.until(() => got >= 10, 'all handled');
      await clock.until(async () => (await sub.lag()) === 0, 'lag 0');
    });

    it('shares a group between two members without losing messages', async () => {
      const topic = `t-${id()}`;
      const groupId = `g-${id()}`;
      await bus.publish(topic, [{ key: 'warm', value: 'w' }]);
      const seen = new Set<string>();
      subs.push(
        await bus.subscribe({
          topics: [topic],
          groupId,
          eachBatch: async (b) => {
            for (const m of b) seen.add(m.value);
          },
        }),
      );
      subs.push(
        await bus.subscribe({
          topics: [topic],
          groupId,
          eachBatch: async (b) => {
            for (const m of b) seen.add(m.value);
          },
        }),
      );
      await bus.publish(
        topic,
        Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: String(i) })),
      );
      await clock.until(() => seen.size >= 201, 'all 201', timeoutMs);
      expect(seen.size).toBe(201);
    });
  });
}
