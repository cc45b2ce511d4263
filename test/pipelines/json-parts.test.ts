// JSON in parts: the round trip equals JSON.parse(JSON.stringify(x)), every part parses on its own, and parts stay
// near the size asked for.
import { describe, expect, it } from 'vitest';
import { fromJsonParts, toJsonParts } from '../../pipelines/json-parts.ts';
import { prng } from '../support/prng.ts';

describe('toJsonParts / fromJsonParts', () => {
  it('round-trips nested data exactly as JSON does, whatever the part size and depth', () => {
    const rnd = prng(7);
    const value = {
      version: 2,
      empty: {},
      none: [],
      nothing: null,
      gone: undefined,
      fn: () => 1,
      nan: Number.NaN,
      inf: -Infinity,
      window: {
        posts: Array.from({ length: 500 }, (_, i) => [
          `p${i}`,
          {
            t: i * 1000,
            a: `acct-${Math.floor(rnd() * 50)}`,
            items: ['t:g1', `l:https://x.example/${i % 7}`],
            x: i % 3 === 0 ? undefined : 'é"\\n\u2028',
          },
        ]),
      },
      map: new Map([['a', 1]]),
      dated: new Date(Date.UTC(2025, 9, 20)),
      nested: { a: { b: { c: { d: [1, [2, [3, undefined]]] } } } },
      withToJSON: { toJSON: () => ({ replaced: true }) },
      keys: JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}') as unknown,
    };
    const expected = JSON.parse(JSON.stringify(value)) as unknown;
    for (const [max, depth] of [
      [50, 3],
      [1000, 1],
      [1 << 20, 3],
      [200, 6],
    ] as const) {
      const parts = toJsonParts(value, max, depth);
      for (const p of parts) expect(() => JSON.parse(p) as unknown).not.toThrow();
      expect(fromJsonParts(parts)).toEqual(expected);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(fromJsonParts(toJsonParts([1, 'x']))).toEqual([1, 'x']);
    expect(fromJsonParts(toJsonParts('plain'))).toBe('plain');
  });

  it('keeps parts near the size asked for', () => {
    const value = { rows: Array.from({ length: 2000 }, (_, i) => ({ id: i, text: 'x'.repeat(100) })) };
    const parts = toJsonParts(value, 10_000);
    expect(parts.length).toBeGreaterThan(20);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(10_000);
    // One entry bigger than the limit gets a part of its own rather than being cut.
    const big = toJsonParts({ one: 'y'.repeat(5000) }, 1000, 1);
    expect(big.some((p) => p.length > 5000)).toBe(true);
    expect(fromJsonParts(big)).toEqual({ one: 'y'.repeat(5000) });
  });
});
