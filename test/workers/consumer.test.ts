// The consumer-group part of the enrich and index workers, on the in-process bus: start subscribes once, lag counts
// what the group has not committed, stop is safe twice and before start, and `stopping` holds from stop on.
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../workers/adapters/memory-bus.ts';
import { GroupConsumer } from '../../workers/consumer.ts';
import type { IncomingMessage } from '../../workers/ports/bus.ts';
import { waitFor } from './wait-for.ts';

describe('GroupConsumer', () => {
  it('subscribes once, reports lag, and stops safely', async () => {
    const bus = new MemoryBus();
    await bus.start();
    const got: IncomingMessage[] = [];
    let hold: Promise<void> | null = null;
    let subscribed = 0;
    const subscribe = bus.subscribe.bind(bus);
    bus.subscribe = (o) => {
      subscribed++;
      return subscribe(o);
    };
    const c = new GroupConsumer({
      bus,
      topics: ['t'],
      groupId: 'g',
      eachBatch: async (b) => {
        await hold;
        got.push(...b);
      },
    });
    await c.stop(); // before start: nothing to stop
    expect([c.running, c.active, await c.lag()]).toEqual([false, false, 0]);

    await c.start();
    await c.start(); // no effect: already running
    expect([subscribed, c.running, c.stopping, c.active]).toEqual([1, true, false, true]);
    let release!: () => void;
    hold = new Promise<void>((r) => {
      release = r;
    });
    await bus.publish('t', [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    await waitFor(async () => (await c.lag()) === 2, 'lag of the held batch');
    release();
    await waitFor(() => got.length === 2, 'both messages');
    await waitFor(async () => (await c.lag()) === 0, 'lag back to 0');

    await c.stop();
    expect([c.running, c.stopping, c.active, await c.lag()]).toEqual([false, true, false, 0]);
    await c.stop();
    await c.start();
    expect(c.stopping).toBe(false);
    await c.stop();
    await bus.stop();
  });
});
