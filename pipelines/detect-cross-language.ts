// Cross-language pushes: the same link posted in different languages by different accounts within minutes
// (one account typically posts the link in Dutch, English and German, and so do the others). A pair co-acts here
// when the two posts carry the same canonical link, lie within `intervalSeconds`, and are in different known
// languages. The co-action graph then asks for repetition over several links, as for every other kind.
import type { CoactionGraph } from './coaction-graph.ts';
import type { DetectionWindow } from './detection-window.ts';

/** True when both languages are known and differ. */
export function differentLanguages(a: string, b: string): boolean {
  return a !== b && a !== 'und' && b !== 'und' && a !== '' && b !== '';
}

/** Records cross-language co-actions of the action at `index` of link item `key`; returns the pairs found. */
export function recordCrossLanguage(
  window: DetectionWindow,
  graph: CoactionGraph | null,
  key: string,
  index: number,
  intervalSeconds: number,
  partnerLimit: number,
): number {
  const me = window.items.get(key)!.acts[index]!;
  if (me.l === 'und') return 0;
  let n = 0;
  for (const o of window.neighbours(key, index, intervalSeconds * 1000, partnerLimit)) {
    if (!differentLanguages(me.l, o.l)) continue;
    n++;
    if (graph) graph.add(me.a, me.p, me.t, o.a, o.p, o.t, key, 'xlang');
  }
  return n;
}
