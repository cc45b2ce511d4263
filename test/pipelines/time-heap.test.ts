// The time heap against a sorted list: random pushes and pops come out in time order, and a heap rebuilt from its
// pairs (a snapshot) pops the same sequence.
import { describe, expect, it } from 'vitest';
import { TimeHeap } from '../../pipelines/time-heap.ts';

describe('TimeHeap', () => {
  it('pops in time order, also after a round trip through its pairs', () => {
    let seed = 3;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const h = new TimeHeap();
    const model: number[] = [];
    let n = 0;
    for (let i = 0; i < 3000; i++) {
      if (next() < 0.6 || h.size === 0) {
        const t = 1.7e12 + Math.floor(next() * 1e6);
        h.push(t, `k${n++}:${t}`);
        model.push(t);
      } else {
        model.sort((x, y) => x - y);
        expect(h.peekTime()).toBe(model[0]);
        const key = h.pop();
        expect(Number(key.split(':')[1])).toBe(model.shift());
      }
      expect(h.size).toBe(model.length);
    }
    const copy = TimeHeap.from(JSON.parse(JSON.stringify(h.pairs())) as Array<[number, string]>);
    const drain = (x: TimeHeap): string[] => {
      const out: string[] = [];
      while (x.size > 0) out.push(x.pop());
      return out;
    };
    const a = drain(copy);
    expect(a.map((k) => Number(k.split(':')[1]))).toEqual(model.sort((x, y) => x - y));
    expect(drain(h)).toEqual(a);
  });
});
