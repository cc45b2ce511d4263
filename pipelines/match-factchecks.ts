// Matches posts and clusters to fact-checks by independent fact-checkers: a match is a shared canonical link (the
// fact-check lists where the claim appeared, or the post links to the review itself) or a claim text that is
// near-identical to the post text (MinHash similarity of the same fingerprints the duplicate detector uses). The
// index is bounded (oldest fact-checks drop out first) and is plain data, so it travels with the detector state.
import { canonicalizeLink } from './canonicalize-link.ts';
import { fingerprintText, minhashSimilarity } from './fingerprint-text.ts';
import type { FactCheckRef, NormalizedFactCheck } from './types.ts';

/** One indexed fact-check. */
interface Entry {
  ref: FactCheckRef;
  links: string[];
  minhash: number[];
}

/** Serialised form of a {@link FactCheckIndex}. */
export interface FactCheckIndexState {
  entries: Entry[];
}

/** What to match: canonical links and (optionally) a text. */
export interface MatchInput {
  links: string[];
  text?: string | null;
}

/** A bounded index of fact-checks. */
export class FactCheckIndex {
  private entries: Entry[] = [];

  /** @param maxEntries most fact-checks kept (default 5000); @param textSimilarity claim match threshold (0.5). */
  constructor(
    private readonly maxEntries = 5000,
    private readonly textSimilarity = 0.5,
  ) {}

  /** Adds a fact-check (a second copy of the same review URL replaces the first). */
  add(fc: NormalizedFactCheck): void {
    const links = [fc.reviewUrl, ...fc.appearances].map((u) => canonicalizeLink(u)).filter((u): u is string => !!u);
    const ref: FactCheckRef = {
      url: fc.reviewUrl,
      publisher: fc.publisher,
      rating: fc.rating ?? null,
      claim: fc.claim ?? null,
    };
    this.entries = this.entries.filter((e) => e.ref.url !== fc.reviewUrl);
    this.entries.push({ ref, links: [...new Set(links)], minhash: fingerprintText(fc.claim ?? '').minhash });
    if (this.entries.length > this.maxEntries) this.entries.splice(0, this.entries.length - this.maxEntries);
  }

  /** Number of fact-checks held. */
  size(): number {
    return this.entries.length;
  }

  /** Fact-checks that share a canonical link with the input or whose claim is near-identical to its text. */
  match(input: MatchInput): FactCheckRef[] {
    if (this.entries.length === 0) return [];
    const links = new Set(input.links);
    const mh = input.text ? fingerprintText(input.text).minhash : [];
    const out: FactCheckRef[] = [];
    for (const e of this.entries) {
      const byLink = e.links.some((l) => links.has(l));
      const byText =
        !byLink && mh.length > 0 && e.minhash.length > 0 && minhashSimilarity(mh, e.minhash) >= this.textSimilarity;
      if (byLink || byText) out.push({ ...e.ref });
    }
    return out.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  }

  /** Plain JSON-serialisable snapshot. */
  toJSON(): FactCheckIndexState {
    return { entries: this.entries };
  }

  /** Rebuilds an index from {@link toJSON} output. */
  static from(state: FactCheckIndexState, maxEntries?: number, textSimilarity?: number): FactCheckIndex {
    const idx = new FactCheckIndex(maxEntries, textSimilarity);
    idx.entries = state.entries.slice();
    return idx;
  }
}
