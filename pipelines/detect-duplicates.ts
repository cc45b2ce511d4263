// Near-duplicate text grouping for the coordination detector. Each post with enough words is put into a text group:
// the group of an identical normalised text if one is in the window, else the group whose representative signature
// is most similar (MinHash estimate of Jaccard over word uni+bigrams, at least `similarity`), found through LSH band
// keys, else a new group. The fingerprint already ignores emoji, case, punctuation, links and mentions; the Jaccard
// threshold absorbs added prefixes/suffixes and small edits; up to `maxRepresentatives` members that differ from the
// first one become extra representatives, so chains of short paraphrases stay in one group. Only representatives are
// indexed, so memory grows with the number of distinct messages, not posts. State is plain data (see `toJSON`).
import { lshBandKeys } from './fingerprint-text.ts';
import type { TextFingerprint } from './types.ts';

/** Settings of {@link DuplicateIndex}. */
export interface DuplicateConfig {
  /** Minimum estimated Jaccard similarity to join a group. */
  similarity: number;
  /** Posts with fewer normalised words are not grouped ("Goedemorgen!" is not a message). */
  minTokens: number;
  /** LSH bands over the 64-value signature. */
  bands: number;
  /** Most representatives (indexed signatures) per group. */
  maxRepresentatives: number;
}

interface Group {
  /** Signatures of the representatives. */
  reps: number[][];
  /** LSH keys under which the group is listed (to unindex on expiry; a key it was evicted from is removed). */
  bands: string[];
  /** Insertion sequence number of each entry of `bands` (restores the buckets in the same order). */
  seqs: number[];
  /** Exact hashes that point at this group (capped). */
  exacts: string[];
  /** Latest post time in the group, ms. */
  last: number;
  /** Text of the first post (truncated), for cluster samples. */
  text: string;
  /** Posts in the group so far. */
  posts: number;
}

/** Serialised form of a {@link DuplicateIndex}. */
export interface DuplicateIndexState {
  groups: [string, Group][];
  queue: [number, string][];
  seq: number;
}

const MAX_EXACTS = 32;
/**
 * Most groups listed under one LSH band key (the newest are kept). A key shared by that many distinct messages is
 * made of common words and says nothing about near-duplication; without a cap, every post would be compared with
 * all of them.
 */
const MAX_BUCKET = 64;
const SAMPLE_CHARS = 280;
/** Members at least this similar to a representative add nothing new as representatives. */
const NEW_REP_BELOW = 0.8;

/**
 * MinHash similarity of `a` and `b` when it is at least `floor`, else -1 (stops as soon as too many positions
 * differ, which is what makes long LSH candidate lists cheap). Same value as `minhashSimilarity` when returned.
 */
function similarityAtLeast(a: number[], b: number[], floor: number): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return floor <= 0 ? 0 : -1;
  const maxMisses = n - Math.ceil(floor * n - 1e-9);
  let misses = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i] && ++misses > maxMisses) return -1;
  }
  return (n - misses) / n;
}

/** Groups near-identical texts; `assign` returns the group key of a post (or null when it has too few words). */
export class DuplicateIndex {
  private groups = new Map<string, Group>();
  private byExact = new Map<string, string>();
  private byBand = new Map<string, string[]>();
  /** [touched at, group] in arrival order; drives expiry. */
  private queue: [number, string][] = [];
  private head = 0;
  /** Bucket insertions so far. */
  private seq = 0;

  constructor(private readonly config: DuplicateConfig) {}

  /** Assigns a post to a text group and returns the group key, or null when the text is too short to compare. */
  assign(fp: TextFingerprint, tMs: number, text: string): string | null {
    if (!fp || fp.tokenCount < this.config.minTokens || fp.exact === '') return null;
    let key = this.byExact.get(fp.exact) ?? null;
    let bestSim = 1;
    if (key === null && fp.minhash.length > 0) {
      const seen = new Set<string>();
      bestSim = 0;
      for (const band of lshBandKeys(fp.minhash, this.config.bands)) {
        for (const cand of this.byBand.get(band) ?? []) {
          if (seen.has(cand)) continue;
          seen.add(cand);
          const g = this.groups.get(cand);
          if (!g) continue;
          for (const rep of g.reps) {
            // Only a candidate at least as similar as the best so far (and as the threshold) can win.
            const s = similarityAtLeast(fp.minhash, rep, Math.max(bestSim, this.config.similarity));
            if (s < 0) continue;
            // Ties go to the lexicographically smaller key so the outcome never depends on Map order.
            if (s > bestSim || (s === bestSim && key !== null && cand < key)) {
              bestSim = s;
              key = cand;
            }
          }
        }
      }
      if (bestSim < this.config.similarity) key = null;
    }
    if (key === null) {
      key = `g${fp.exact.slice(0, 16)}`;
      if (!this.groups.has(key)) {
        this.groups.set(key, {
          reps: [],
          bands: [],
          seqs: [],
          exacts: [],
          last: tMs,
          text: text.slice(0, SAMPLE_CHARS),
          posts: 0,
        });
        bestSim = 0;
      } else {
        bestSim = 1;
      }
    }
    const g = this.groups.get(key)!;
    g.posts++;
    if (tMs > g.last) g.last = tMs;
    if (!this.byExact.has(fp.exact) && g.exacts.length < MAX_EXACTS) {
      g.exacts.push(fp.exact);
      this.byExact.set(fp.exact, key);
    }
    if (fp.minhash.length > 0 && bestSim < NEW_REP_BELOW && g.reps.length < this.config.maxRepresentatives) {
      g.reps.push(fp.minhash.slice());
      for (const band of lshBandKeys(fp.minhash, this.config.bands)) {
        const list = this.byBand.get(band);
        if (list && list.includes(key)) continue;
        g.bands.push(band);
        g.seqs.push(this.seq++);
        if (!list) this.byBand.set(band, [key]);
        else {
          list.push(key);
          if (list.length > MAX_BUCKET) this.evict(band, list.shift()!);
        }
      }
    }
    this.queue.push([tMs, key]);
    return key;
  }

  /** Records that `key` is no longer listed under `band` (its bucket overflowed). */
  private evict(band: string, key: string): void {
    const g = this.groups.get(key);
    if (!g) return;
    for (let i = g.bands.length - 1; i >= 0; i--) {
      if (g.bands[i] === band) {
        g.bands.splice(i, 1);
        g.seqs.splice(i, 1);
      }
    }
  }

  /** Text of the group's first post, or null when the group is not in the window. */
  sampleText(key: string): string | null {
    return this.groups.get(key)?.text ?? null;
  }

  /** Number of groups currently held. */
  size(): number {
    return this.groups.size;
  }

  /** Drops groups whose latest post is older than `cutoffMs`. */
  expire(cutoffMs: number): void {
    while (this.head < this.queue.length && this.queue[this.head]![0] < cutoffMs) {
      const key = this.queue[this.head]![1];
      this.head++;
      const g = this.groups.get(key);
      if (!g || g.last >= cutoffMs) continue;
      this.groups.delete(key);
      for (const e of g.exacts) if (this.byExact.get(e) === key) this.byExact.delete(e);
      for (const band of g.bands) {
        const list = this.byBand.get(band);
        if (!list) continue;
        const i = list.indexOf(key);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.byBand.delete(band);
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Plain JSON-serialisable snapshot. */
  toJSON(): DuplicateIndexState {
    return { groups: [...this.groups.entries()], queue: this.queue.slice(this.head), seq: this.seq };
  }

  /** Rebuilds an index from {@link toJSON} output (the indexes are derived from the groups). */
  static from(config: DuplicateConfig, state: DuplicateIndexState): DuplicateIndex {
    const d = new DuplicateIndex(config);
    const entries: [number, string, string][] = [];
    for (const [key, g] of state.groups) {
      g.seqs ??= g.bands.map((_, i) => i);
      d.groups.set(key, g);
      for (const e of g.exacts) d.byExact.set(e, key);
      g.bands.forEach((band, i) => entries.push([g.seqs[i]!, band, key]));
    }
    entries.sort((x, y) => x[0] - y[0]);
    for (const [, band, key] of entries) {
      const list = d.byBand.get(band);
      if (!list) d.byBand.set(band, [key]);
      else if (!list.includes(key)) list.push(key);
    }
    d.queue = state.queue.map(([t, k]) => [t, k]);
    d.seq = state.seq ?? entries.length;
    return d;
  }
}
