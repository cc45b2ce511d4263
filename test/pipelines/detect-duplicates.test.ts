import { describe, expect, it } from 'vitest';
import { DuplicateIndex } from '../../pipelines/detect-duplicates.ts';
import { fingerprintText } from '../../pipelines/fingerprint-text.ts';

const cfg = { similarity: 0.5, minTokens: 6, bands: 21, maxRepresentatives: 4 };
const BASE = 'De uitslag in Rotterdam is vervalst en de media zwijgen erover want niemand durft het te zeggen';

function assign(idx: DuplicateIndex, text: string, t = 0): string | null {
  return idx.assign(fingerprintText(text), t, text);
}

describe('DuplicateIndex', () => {
  it('puts copies with emoji, prefixes, suffixes, case changes and a small edit in one group', () => {
    const idx = new DuplicateIndex(cfg);
    const g = assign(idx, BASE);
    expect(g).not.toBeNull();
    for (const v of [
      `🔥🔥 ${BASE} 🇳🇱`,
      `Deel dit!! ${BASE}!!!`,
      BASE.toUpperCase(),
      BASE.replace('vervalst', 'gemanipuleerd'),
      `${BASE} https://x.example/a`,
    ]) {
      expect(assign(idx, v)).toBe(g);
    }
  });

  it('keeps different messages on the same topic apart', () => {
    const idx = new DuplicateIndex(cfg);
    const g = assign(idx, BASE);
    expect(assign(idx, 'In Rotterdam was de opkomst hoog en de media berichten er uitgebreid over vanavond')).not.toBe(
      g,
    );
  });

  it('does not group short generic posts', () => {
    const idx = new DuplicateIndex(cfg);
    expect(assign(idx, 'Goedemorgen!')).toBeNull();
    expect(assign(idx, 'Gefeliciteerd 🎉🎉')).toBeNull();
    expect(assign(idx, '')).toBeNull();
  });

  it('forgets groups older than the cutoff', () => {
    const idx = new DuplicateIndex(cfg);
    const g = assign(idx, BASE, 1000);
    idx.expire(2000);
    expect(idx.size()).toBe(0);
    // A new group for the same text gets the same evidence-derived key.
    expect(assign(idx, `${BASE}!`, 3000)).toBe(g);
  });

  it('round-trips through JSON and keeps assigning the same way', () => {
    const a = new DuplicateIndex(cfg);
    const g = assign(a, BASE);
    const b = DuplicateIndex.from(cfg, JSON.parse(JSON.stringify(a.toJSON())));
    expect(assign(b, `RT ${BASE} !!`)).toBe(g);
    expect(b.sampleText(g!)).toBe(BASE);
  });
});
