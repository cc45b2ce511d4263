import { describe, expect, it } from 'vitest';
import { CoactionGraph } from '../../pipelines/coaction-graph.ts';
import { CoLinkInterval, recordCoLinks } from '../../pipelines/detect-colinks.ts';
import { DetectionWindow } from '../../pipelines/detection-window.ts';

const base = {
  intervalSeconds: null,
  defaultSeconds: 30,
  minSeconds: 5,
  maxSeconds: 120,
  estimateShares: 4,
  estimateQuantile: 0.1,
  minSamples: 10,
};

describe('CoLinkInterval', () => {
  it('uses a fixed interval when configured', () => {
    expect(new CoLinkInterval({ ...base, intervalSeconds: 12 }).seconds()).toBe(12);
  });

  it('uses the default until enough samples, then the quantile of times-to-k-shares, clamped', () => {
    const i = new CoLinkInterval(base);
    for (let k = 0; k < 9; k++) i.sample(8_000);
    expect(i.seconds()).toBe(30);
    i.sample(8_000);
    expect(i.seconds()).toBe(8);
    const slow = new CoLinkInterval(
      base,
      Array.from({ length: 20 }, () => 3_600_000),
    );
    expect(slow.seconds()).toBe(120);
    const fast = new CoLinkInterval(
      base,
      Array.from({ length: 20 }, () => 100),
    );
    expect(fast.seconds()).toBe(5);
  });
});

describe('recordCoLinks', () => {
  it('pairs accounts by actual time difference, not by bins, and ignores the same account', () => {
    const w = new DetectionWindow();
    const g = new CoactionGraph(64);
    const interval = new CoLinkInterval({ ...base, intervalSeconds: 10 });
    const add = (p: string, a: string, t: number): number => {
      w.addPost(
        p,
        { t, a, l: 'nl', items: ['l:x'], g: null, x: '', tags: [], links: ['x'] },
        { created: null, ageDays: null, posts: null, botScore: 0, botReasons: [] },
      );
      const i = w.addAction('l:x', { t, a, p, l: 'nl', n: 0 });
      return recordCoLinks(w, g, 'l:x', i, interval, 'link', 100);
    };
    expect(add('p1', 'a', 59_000)).toBe(0);
    expect(add('p2', 'b', 61_000)).toBe(1); // 2 s apart across a minute boundary
    expect(add('p3', 'b', 62_000)).toBe(1); // b again: pairs with a only
    expect(add('p4', 'c', 80_000)).toBe(0); // 18 s after the last one
    expect(g.toJSON().edges.map((e) => `${e.a}-${e.b}`)).toEqual(['a-b']);
  });
});
