// Near-duplicate text grouping for the coordination detector. Each post with enough words is put into a text group:
// the group of an identical normalised text if one is in the window (a hash lookup: the common case for stock
// phrases that many accounts write), else the group whose representative signature is most similar (MinHash
// estimate of Jaccard over word uni+bigrams, at least `similarity`), else, for a longer text, the group of a
// paraphrase (stemmed content words, any order; see `paraphraseSignature`), else a new group. Candidates come from
// LSH band keys; each bucket keeps only its newest groups and only the groups sharing the most bands with the post are
// compared, so a post costs a bounded number of comparisons however many texts share its common words. The fingerprint
// ignores emoji, case, punctuation, links and mentions; up to `maxRepresentatives` members that differ from the first
// one become extra representatives, so chains of short paraphrases stay in one group. Paraphrase signatures live in a
// separate size-capped index that outlives the window (`paraphraseRetentionMs`), so a claim reworded every few hours
// over a day comes back to its group. Memory grows with the number of distinct messages (capped), not posts. State is
// plain data (see `toJSON`).
import { lshBandKeys, paraphraseSignatureOf, paraphraseWords, wordJaccard } from './fingerprint-text.ts';
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
  /** Minimum estimated Jaccard of the stemmed content-word sets for a paraphrase to join a group; 0 turns paraphrase matching off. Default 0.5. */
  paraphraseSimilarity?: number;
  /** Texts with fewer distinct stemmed content words are not matched as paraphrases. Default 8. */
  paraphraseMinWords?: number;
  /** How long a group's paraphrase signature stays findable after its latest post, ms. Default 86,400,000 (24 h). */
  paraphraseRetentionMs?: number;
  /** Most paraphrase signatures kept (least recently used dropped first). Default 20,000. */
  paraphraseMaxGroups?: number;
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

/** A group's paraphrase signature in the long-lived index. */
interface ParaphraseRep {
  sig: number[];
  /** Latest post time of the group, ms. */
  last: number;
  /** Text of the group's first post, to restore the group's sample when it comes back. */
  text: string;
  /**
   * Stemmed content words of the group's first post: a MinHash match is confirmed by their exact Jaccard (absent in
   * states written before; those groups are matched on the estimate alone).
   */
  words?: string[];
}

/** A post's paraphrase signature and the stemmed content words it is taken over. */
interface Paraphrase {
  sig: number[];
  words: string[];
}

/** Serialised form of a {@link DuplicateIndex}. */
export interface DuplicateIndexState {
  groups: [string, Group][];
  queue: [number, string][];
  seq: number;
  /** Paraphrase signatures in least-recently-used order (absent in states written before they existed). */
  para?: [string, ParaphraseRep][];
  /** Paraphrase LSH buckets, each in insertion order. */
  paraBuckets?: [string, string[]][];
  /** Latest post time seen, ms. */
  latest?: number;
}

const MAX_EXACTS = 32;
/**
 * Most groups listed under one LSH band key (the newest are kept). A key shared by that many distinct messages is
 * made of common words and says nothing about near-duplication; without a cap, every post would be compared with
 * all of them.
 */
const MAX_BUCKET = 64;
/**
 * Most groups compared with one post: those sharing the most band keys with it (ties by key). A near-duplicate at
 * the threshold shares ~2.6 of 21 bands, an unrelated text that only shares common words shares one, so the top of
 * this ranking holds the real candidates and the cost per post stays bounded in dense streams.
 */
const MAX_CANDIDATES = 24;
/** Newest groups read from one band bucket when collecting candidates. */
const READ_BUCKET = 16;
/** LSH bands over the 48-value paraphrase signature (2 rows each: ~99.9% recall at Jaccard 0.5). */
const PARA_BANDS = 24;
/** Most groups listed under one paraphrase band key. */
const MAX_PARA_BUCKET = 32;
const SAMPLE_CHARS = 280;
/**
 * How far below `paraphraseSimilarity` a MinHash estimate may fall and still be checked exactly: the estimate only
 * proposes candidates (its standard error near 0.5 is ~0.07 with 48 values), the exact word Jaccard decides.
 */
const PARA_ESTIMATE_SLACK = 0.15;
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

/**
 * A group as listed in the MinHash band buckets: its key and a hit counter stamped with the post being matched, so
 * counting a post's candidates is a field update per listed group instead of a map update, and a bucket's membership
 * test compares references instead of key strings (derived, one per indexed group, never serialised).
 */
interface Slot {
  key: string;
  /** Band keys the post being matched shares with the group (valid when `epoch` is the current one). */
  hits: number;
  epoch: number;
}

/** Groups near-identical texts; `assign` returns the group key of a post (or null when it has too few words). */
export class DuplicateIndex {
  private groups = new Map<string, Group>();
  private byExact = new Map<string, string>();
  /**
   * MinHash band key -> the groups listed under it, oldest first: the slot itself while it is the only one (most band
   * keys of a dense window list one group, and a one-slot list would cost an array and its backing store each).
   */
  private byBand = new Map<string, Slot | Slot[]>();
  /** The slot of each group listed in `byBand` (derived). */
  private slots = new Map<string, Slot>();
  /** Candidate searches so far: the stamp of the current one (derived). */
  private epoch = 0;
  /** [touched at, group] in arrival order; drives expiry. */
  private queue: [number, string][] = [];
  private head = 0;
  /** Bucket insertions so far. */
  private seq = 0;
  /** Paraphrase signature per group, least recently used first (Map order). */
  private para = new Map<string, ParaphraseRep>();
  /** Paraphrase band key -> the groups listed under it, oldest first (serialised as their keys). */
  private paraByBand = new Map<string, Slot[]>();
  /** The slot of each group listed in `paraByBand` (derived; apart from `slots`: the two outlive groups differently). */
  private paraSlots = new Map<string, Slot>();
  /** Latest post time seen; paraphrase signatures expire relative to it. */
  private latest = -Infinity;
  private readonly paraSimilarity: number;
  private readonly paraMinWords: number;
  private readonly paraRetentionMs: number;
  private readonly paraMaxGroups: number;

  constructor(private readonly config: DuplicateConfig) {
    this.paraSimilarity = config.paraphraseSimilarity ?? 0.5;
    this.paraMinWords = config.paraphraseMinWords ?? 8;
    this.paraRetentionMs = config.paraphraseRetentionMs ?? 86_400_000;
    this.paraMaxGroups = config.paraphraseMaxGroups ?? 20_000;
  }

  /**
   * The groups listed under `keys` that share the most keys with the post, at most {@link MAX_CANDIDATES}, in
   * first-seen order (keys in band order, each bucket newest first): counting is one field update per listed group
   * (its slot, stamped with this search) and only the newest {@link READ_BUCKET} groups of a bucket are read;
   * comparing costs up to 64 steps per representative. The order depends only on the index state, so the outcome is
   * deterministic.
   */
  private candidates(keys: readonly string[], index: ReadonlyMap<string, Slot | Slot[]>): string[] {
    const epoch = ++this.epoch;
    const seen: Slot[] = [];
    for (const band of keys) {
      const list = index.get(band);
      if (!list) continue;
      if (!Array.isArray(list)) {
        if (list.epoch !== epoch) {
          list.epoch = epoch;
          list.hits = 0;
          seen.push(list);
        }
        list.hits++;
        continue;
      }
      for (let i = list.length - 1, stop = Math.max(0, list.length - READ_BUCKET); i >= stop; i--) {
        const slot = list[i]!;
        if (slot.epoch !== epoch) {
          slot.epoch = epoch;
          slot.hits = 0;
          seen.push(slot);
        }
        slot.hits++;
      }
    }
    if (seen.length <= MAX_CANDIDATES) return seen.map((x) => x.key);
    // The smallest hit count that still fits: everything above it, then ties at it in first-seen order.
    const histogram = new Array<number>(keys.length + 2).fill(0);
    for (const x of seen) histogram[x.hits]!++;
    let floor = keys.length + 1;
    let above = 0;
    while (floor > 1 && above + histogram[floor - 1]! <= MAX_CANDIDATES) above += histogram[--floor]!;
    const out: string[] = [];
    for (const x of seen) if (x.hits >= floor) out.push(x.key);
    if (floor > 1) for (const x of seen) if (x.hits === floor - 1 && out.length < MAX_CANDIDATES) out.push(x.key);
    return out;
  }

  /** The slot of a group in the MinHash buckets (made when it is first listed). */
  private slotOf(key: string): Slot {
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { key, hits: 0, epoch: 0 }));
    return slot;
  }

  /** The slot of a group in the paraphrase buckets (made when it is first listed). */
  private paraSlotOf(key: string): Slot {
    let slot = this.paraSlots.get(key);
    if (!slot) this.paraSlots.set(key, (slot = { key, hits: 0, epoch: 0 }));
    return slot;
  }

  /** The paraphrase signature of a post (empty when paraphrase matching is off or the text is short). */
  private paraphraseOf(fp: TextFingerprint, text: string, lang: string | null): Paraphrase {
    if (this.paraSimilarity <= 0 || fp.tokenCount < this.paraMinWords) return { sig: [], words: [] };
    const words = paraphraseWords(text, lang);
    return { sig: paraphraseSignatureOf(words, this.paraMinWords), words };
  }

  /**
   * Keeps a group's paraphrase signature fresh: moves it to the most recently used end, or indexes `sig` for a new
   * group; then drops signatures past their retention or over the cap.
   */
  private touchParaphrase(key: string, tMs: number, para: Paraphrase | null, text: string): void {
    const rep = this.para.get(key);
    if (rep) {
      this.para.delete(key);
      if (tMs > rep.last) rep.last = tMs;
      this.para.set(key, rep);
    } else if (para && para.sig.length > 0) {
      this.para.set(key, { sig: para.sig, last: tMs, text: text.slice(0, SAMPLE_CHARS), words: para.words });
      const slot = this.paraSlotOf(key);
      for (const band of lshBandKeys(para.sig, PARA_BANDS)) {
        const list = this.paraByBand.get(band);
        if (!list) this.paraByBand.set(band, [slot]);
        else if (!list.includes(slot)) {
          list.push(slot);
          if (list.length > MAX_PARA_BUCKET) list.shift();
        }
      }
    }
    const cutoff = this.latest - this.paraRetentionMs;
    for (const [k, r] of this.para) {
      if (this.para.size <= this.paraMaxGroups && r.last >= cutoff) break;
      this.dropParaphrase(k, r);
    }
  }

  private dropParaphrase(key: string, rep: ParaphraseRep): void {
    this.para.delete(key);
    const slot = this.paraSlots.get(key);
    this.paraSlots.delete(key);
    for (const band of lshBandKeys(rep.sig, PARA_BANDS)) {
      const list = this.paraByBand.get(band);
      if (!list || !slot) continue;
      const i = list.indexOf(slot);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.paraByBand.delete(band);
    }
  }

  /** Assigns a post to a text group and returns the group key, or null when the text is too short to compare. */
  assign(fp: TextFingerprint, tMs: number, text: string, lang: string | null = null): string | null {
    if (!fp || fp.tokenCount < this.config.minTokens || fp.exact === '') return null;
    let key = this.byExact.get(fp.exact) ?? null;
    let bestSim = 1;
    let bands: string[] | null = null;
    let para: Paraphrase | null = null;
    if (tMs > this.latest) this.latest = tMs;
    if (key === null && fp.minhash.length > 0) {
      bands = lshBandKeys(fp.minhash, this.config.bands);
      bestSim = 0;
      for (const cand of this.candidates(bands, this.byBand)) {
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
      if (bestSim < this.config.similarity) key = null;
    }
    let restored: ParaphraseRep | null = null;
    if (key === null && this.paraSimilarity > 0 && fp.tokenCount >= this.paraMinWords) {
      para = this.paraphraseOf(fp, text, lang);
      if (para.sig.length > 0) {
        let best = 0;
        for (const cand of this.candidates(lshBandKeys(para.sig, PARA_BANDS), this.paraByBand)) {
          const rep = this.para.get(cand);
          if (!rep) continue;
          // The estimate proposes (with some slack when the exact words are there to decide), the words confirm.
          const floor = rep.words ? Math.max(0, this.paraSimilarity - PARA_ESTIMATE_SLACK) : this.paraSimilarity;
          const est = similarityAtLeast(para.sig, rep.sig, floor);
          if (est < 0) continue;
          const s = rep.words ? wordJaccard(para.words, rep.words) : est;
          if (s < this.paraSimilarity) continue;
          if (s > best || (s === best && key !== null && cand < key)) {
            best = s;
            key = cand;
          }
        }
        if (key !== null) {
          // A paraphrase adds its own wording as a representative, so later copies of it match directly.
          bestSim = 0;
          if (!this.groups.has(key)) restored = this.para.get(key)!;
        }
      }
    }
    let created = false;
    if (key === null) {
      // One flat string: a template would keep a concatenation over a slice that holds the whole exact hash alive.
      key = ['g', fp.exact.slice(0, 16)].join('');
      if (!this.groups.has(key)) {
        created = true;
        bestSim = 0;
      } else {
        bestSim = 1;
      }
    }
    if (!this.groups.has(key)) {
      // A new group, or one that left the window and came back through its paraphrase signature (same key, so
      // the detector sees one text group across the gap).
      this.groups.set(key, {
        reps: [],
        bands: [],
        seqs: [],
        exacts: [],
        last: tMs,
        text: (restored?.text ?? text).slice(0, SAMPLE_CHARS),
        posts: 0,
      });
    }
    this.touchParaphrase(key, tMs, created ? (para ?? this.paraphraseOf(fp, text, lang)) : null, text);
    const g = this.groups.get(key)!;
    g.posts++;
    if (tMs > g.last) g.last = tMs;
    if (!this.byExact.has(fp.exact) && g.exacts.length < MAX_EXACTS) {
      g.exacts.push(fp.exact);
      this.byExact.set(fp.exact, key);
    }
    if (fp.minhash.length > 0 && bestSim < NEW_REP_BELOW && g.reps.length < this.config.maxRepresentatives) {
      g.reps.push(fp.minhash.slice());
      const slot = this.slotOf(key);
      for (const band of bands ?? lshBandKeys(fp.minhash, this.config.bands)) {
        const list = this.byBand.get(band);
        if (list === slot || (Array.isArray(list) && list.includes(slot))) continue;
        g.bands.push(band);
        g.seqs.push(this.seq++);
        if (!list) this.byBand.set(band, slot);
        else if (!Array.isArray(list)) this.byBand.set(band, [list, slot]);
        else {
          list.push(slot);
          if (list.length > MAX_BUCKET) this.evict(band, list.shift()!.key);
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
      const slot = this.slots.get(key);
      this.slots.delete(key);
      for (const band of g.bands) {
        const list = this.byBand.get(band);
        if (!list || !slot) continue;
        if (!Array.isArray(list)) {
          if (list === slot) this.byBand.delete(band);
          continue;
        }
        const i = list.indexOf(slot);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.byBand.delete(band);
        else if (list.length === 1) this.byBand.set(band, list[0]!);
      }
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** Plain JSON-serialisable snapshot. */
  toJSON(): DuplicateIndexState {
    return {
      groups: [...this.groups.entries()],
      queue: this.queue.slice(this.head),
      seq: this.seq,
      para: [...this.para.entries()],
      paraBuckets: [...this.paraByBand].map(([band, list]): [string, string[]] => [band, list.map((x) => x.key)]),
      latest: Number.isFinite(this.latest) ? this.latest : undefined,
    };
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
      const slot = d.slotOf(key);
      if (!list) d.byBand.set(band, slot);
      else if (!Array.isArray(list)) {
        if (list !== slot) d.byBand.set(band, [list, slot]);
      } else if (!list.includes(slot)) list.push(slot);
    }
    d.queue = state.queue.map(([t, k]) => [t, k]);
    d.seq = state.seq ?? entries.length;
    for (const [k, r] of state.para ?? []) d.para.set(k, r);
    for (const [band, keys] of state.paraBuckets ?? [])
      d.paraByBand.set(
        band,
        keys.map((k) => d.paraSlotOf(k)),
      );
    d.latest = state.latest ?? -Infinity;
    return d;
  }
}
