import { describe, expect, it } from 'vitest';
import { FactCheckIndex } from '../../pipelines/match-factchecks.ts';
import type { NormalizedFactCheck } from '../../pipelines/types.ts';

const fc = (over: Partial<NormalizedFactCheck>): NormalizedFactCheck => ({
  id: 'fc1',
  source: 'test',
  claim: 'De uitslag in Rotterdam is vervalst door de gemeente en de media zwijgen',
  claimant: null,
  rating: 'Onwaar',
  publisher: 'Nieuwscheckers',
  reviewUrl: 'https://nieuwscheckers.nl/check/1',
  lang: 'nl',
  reviewedAt: null,
  claimDate: null,
  appearances: ['https://www.Waarheid.example/artikel/9?utm_source=x'],
  ...over,
});

describe('FactCheckIndex', () => {
  it('matches by a shared canonical link', () => {
    const idx = new FactCheckIndex();
    idx.add(fc({}));
    expect(idx.match({ links: ['https://waarheid.example/artikel/9'] }).map((r) => r.url)).toEqual([
      'https://nieuwscheckers.nl/check/1',
    ]);
    expect(idx.match({ links: ['https://waarheid.example/artikel/10'] })).toEqual([]);
  });

  it('matches by near-identical claim text and not by unrelated text', () => {
    const idx = new FactCheckIndex();
    idx.add(fc({}));
    expect(
      idx.match({
        links: [],
        text: 'BREAKING: de uitslag in Rotterdam is vervalst door de gemeente en de media zwijgen!!',
      }),
    ).toHaveLength(1);
    expect(
      idx.match({ links: [], text: 'Mooi weer vandaag in Rotterdam, de markt was druk en gezellig' }),
    ).toHaveLength(0);
  });

  it('replaces a re-published review and stays bounded', () => {
    const idx = new FactCheckIndex(2);
    idx.add(fc({}));
    idx.add(fc({ rating: 'Misleidend' }));
    expect(idx.size()).toBe(1);
    idx.add(fc({ reviewUrl: 'https://a.example/2' }));
    idx.add(fc({ reviewUrl: 'https://a.example/3' }));
    expect(idx.size()).toBe(2);
    const restored = FactCheckIndex.from(JSON.parse(JSON.stringify(idx.toJSON())) as ReturnType<typeof idx.toJSON>, 2);
    expect(restored.match({ links: ['https://waarheid.example/artikel/9'] }).map((r) => r.url)).toEqual([
      'https://a.example/2',
      'https://a.example/3',
    ]);
  });
});
