// The one contract every StateStore adapter passes (run by state-store.test.ts against memory and Redis).
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StateStore } from '../../../workers/ports/state-store.ts';
import { LockTimeoutError } from '../../../workers/ports/state-store.ts';

/** Registers the state-store contract for the adapter made by `make` (given a fresh key prefix). */
export function stateStoreContract(name: string, make: (prefix: string) => StateStore): void {
  describe(`StateStore contract: ${name}`, () => {
    let store: StateStore;
    beforeEach(async () => {
      store = make(`test:${randomUUID()}:`);
      await store.start();
    });
    afterEach(async () => {
      await store.stop();
      await store.stop();
    });

    it('gets what was set, null for unknown keys, nothing after delete', async () => {
      expect(await store.get('cursor:a')).toBeNull();
      await store.set('cursor:a', 'v1');
      await store.set('cursor:a', 'v2');
      expect(await store.get('cursor:a')).toBe('v2');
      await store.del('cursor:a');
      await store.del('cursor:a');
      expect(await store.get('cursor:a')).toBeNull();
    });

    it('expires values after their ttl', async () => {
      await store.set('short', 'x', 50);
      expect(await store.get('short')).toBe('x');
      await new Promise((r) => setTimeout(r, 120));
      expect(await store.get('short')).toBeNull();
    });

    it('marks keys as seen: only the first sighting is new, and again after the ttl', async () => {
      expect(await store.markSeen(['a', 'b', 'a'], 100)).toEqual([true, true, false]);
      expect(await store.markSeen(['b', 'c'], 100)).toEqual([false, true]);
      await new Promise((r) => setTimeout(r, 180));
      expect(await store.markSeen(['a'], 100)).toEqual([true]);
    });

    it('runs lock holders one at a time and passes results and errors through', async () => {
      let inside = 0;
      let maxInside = 0;
      const order: number[] = [];
      const work = (i: number) =>
        store.withLock('detector', async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 10));
          order.push(i);
          inside--;
          return i * 2;
        });
      const results = await Promise.all([0, 1, 2, 3, 4].map(work));
      expect(results).toEqual([0, 2, 4, 6, 8]);
      expect(maxInside).toBe(1);
      expect(order.sort()).toEqual([0, 1, 2, 3, 4]);
      await expect(
        store.withLock('detector', async () => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await expect(store.withLock('detector', async () => 'free again')).resolves.toBe('free again');
    });

    it('holds a lease across operations until it is released, and extends it', async () => {
      const lease = await store.acquireLock('lease', { ttlMs: 2000 });
      await expect(store.acquireLock('lease', { waitMs: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
      expect(await lease.extend(2000)).toBe(true);
      await lease.release();
      await lease.release();
      const again = await store.acquireLock('lease', { waitMs: 1000 });
      await again.release();
    });

    it('gives up waiting for a held lock with a LockTimeoutError', async () => {
      let release!: () => void;
      const held = store.withLock(
        'busy',
        () =>
          new Promise<void>((r) => {
            release = r;
          }),
      );
      await new Promise((r) => setTimeout(r, 20));
      await expect(store.withLock('busy', async () => 1, { waitMs: 100 })).rejects.toBeInstanceOf(LockTimeoutError);
      release();
      await held;
      await expect(store.withLock('busy', async () => 2, { waitMs: 1000 })).resolves.toBe(2);
    });
  });
}
