// The one backoff formula: doubling per attempt, the cap, full jitter and spread jitter, whole milliseconds.
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../connectors/backoff.ts';

const fixed = (r: number) => () => r;

describe('backoffDelayMs', () => {
  it('doubles per attempt and draws full jitter from [0, delay]', () => {
    const base = { baseMs: 400, random: fixed(0.5) };
    expect([0, 1, 2, 3].map((a) => backoffDelayMs(a, base))).toEqual([200, 400, 800, 1600]);
    expect(backoffDelayMs(2, { ...base, random: fixed(0) })).toBe(0);
    expect(backoffDelayMs(2, { ...base, random: fixed(0.999) })).toBe(1598);
  });

  it('caps the delay before jitter at maxMs', () => {
    expect(backoffDelayMs(10, { baseMs: 500, maxMs: 60_000, random: fixed(0.5) })).toBe(30_000);
    expect(backoffDelayMs(10, { baseMs: 500, random: fixed(0.5) })).toBe(256_000); // no cap by default
  });

  it('with a spread, stays within delay × (1 ± spread)', () => {
    const o = { baseMs: 1000, maxMs: 3_600_000, jitter: { spread: 0.25 } } as const;
    expect(backoffDelayMs(1, { ...o, random: fixed(0) })).toBe(1500);
    expect(backoffDelayMs(1, { ...o, random: fixed(0.5) })).toBe(2000);
    expect(backoffDelayMs(1, { ...o, random: fixed(0.9999) })).toBe(2500);
    expect(backoffDelayMs(1, { ...o, jitter: { spread: 0.5 }, random: fixed(0) })).toBe(1000);
  });

  it('rounds to whole milliseconds', () => {
    expect(backoffDelayMs(0, { baseMs: 3, random: fixed(0.5) })).toBe(2); // 1.5 rounds up
  });
});
