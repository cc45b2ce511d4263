import { describe, expect, it } from 'vitest';
import { CoactionGraph } from '../../pipelines/coaction-graph.ts';
import { differentLanguages, recordCrossLanguage } from '../../pipelines/detect-cross-language.ts';
import { DetectionWindow } from '../../pipelines/detection-window.ts';

describe('cross-language co-actions', () => {
  it('knows when two languages differ', () => {
    expect(differentLanguages('nl', 'en')).toBe(true);
    expect(differentLanguages('nl', 'nl')).toBe(false);
    expect(differentLanguages('und', 'en')).toBe(false);
  });

  it('pairs only posts of the same link in different known languages within the interval', () => {
    const w = new DetectionWindow();
    const g = new CoactionGraph(64);
    const add = (p: string, a: string, t: number, l: string): number => {
      w.addPost(
        p,
        { t, a, l, items: ['l:x'], g: null, x: '', tags: [], links: ['x'] },
        { created: null, ageDays: null, posts: null, botScore: 0, botReasons: [] },
      );
      return recordCrossLanguage(w, g, 'l:x', w.addAction('l:x', { t, a, p, l, n: 0 }), 600, 100);
    };
    expect(add('p1', 'a', 0, 'nl')).toBe(0);
    expect(add('p2', 'b', 60_000, 'nl')).toBe(0);
    expect(add('p3', 'b', 120_000, 'en')).toBe(1); // pairs with a's Dutch post, not with b's own
    expect(add('p4', 'c', 900_000, 'de')).toBe(0); // too late for the interval
    expect(add('p5', 'd', 130_000, 'und')).toBe(0);
    expect(g.toJSON().edges.map((e) => `${e.a}-${e.b}:${e.ev[0]!.kinds.join()}`)).toEqual(['a-b:xlang']);
  });
});
