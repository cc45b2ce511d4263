// Narratives: flagged clusters that push the same claim, grouped across accounts, platforms, languages and time. Two
// clusters belong to one narrative when they share a key: a fact-check they match, a canonical link, their sample
// text's near-duplicate band (MinHash bands, so a paraphrase or the same message a day later still meets it) or their
// hashtag set. A narrative keeps a stable id (from the first cluster that opened it; when two narratives meet, the
// older id stays), a machine-made label from its most characteristic terms (TF-IDF-like against the other narratives
// held), its member clusters and its volume per hour and per day. Pure and plain data: the detector keeps the state
// in its snapshot; narratives no cluster touched within the age limit are forgotten, and their number is capped.
import { createHash } from 'node:crypto';
import { fingerprintText } from './fingerprint-text.ts';
import type { Cluster, Narrative } from './types.ts';

/** What the index keeps of one member cluster. */
interface MemberRecord {
  keys: string[];
  /** Epoch hour -> posts. */
  hours: Record<string, number>;
  terms: Record<string, number>;
  posts: number;
  accounts: number;
  langs: string[];
  startMs: number;
  endMs: number;
}

/** One narrative in the state. */
interface NarrativeRecord {
  id: string;
  /** Order of creation, so the older narrative keeps its id when two meet. */
  seq: number;
  lastMs: number;
  members: Record<string, MemberRecord>;
}

/** Plain-data state of the index (in the detector's snapshot). */
export interface NarrativeIndexState {
  seq: number;
  narratives: NarrativeRecord[];
}

/** Limits of the index. */
export interface NarrativeConfig {
  /** Narratives kept (the one touched longest ago is dropped first). */
  maxNarratives: number;
  /** Narratives no cluster touched for longer than this (ms) are forgotten. */
  maxAgeMs: number;
  /** Member clusters kept per narrative (the latest). */
  maxClustersPerNarrative: number;
}

/** What the detector tells the index about a reported cluster. */
export interface NarrativeInput {
  cluster: Cluster;
  /** Posts added per epoch hour (ClusterRecord.hours). */
  hours: Record<string, number>;
  /** Post count (uncapped by the listing). */
  posts: number;
  /** Time the cluster was reported (its latest post). */
  nowMs: number;
}

const STOPWORDS = new Set(
  (
    'de het een en van in is dat op te zijn met voor niet aan er maar om ook als dan bij nog uit wel naar kan over geen ' +
    'die dit deze wat wie hoe waar door zonder tegen omdat want toch alleen heel echt wordt worden zijn was waren heeft hebben zal zou moet kunnen alle meer veel ' +
    'the a an and or of in on to is are was were be been for with that this these those it its as at by from not but ' +
    'have has had will would can could should all more about what who how their they them you your our we ' +
    'der die das und ist nicht mit den dem ein eine zu von für auf les des une est pas pour que qui dans sur avec'
  ).split(' '),
);

/** Terms of a cluster: content words of its sample text (4+ letters, no stop words) and its hashtags. */
function termsOf(c: Cluster): Record<string, number> {
  const out: Record<string, number> = {};
  const words = (c.sampleText ?? '')
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, ' ')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 4 && !STOPWORDS.has(w) && !/^\d+$/.test(w));
  for (const w of words) out[w] = (out[w] ?? 0) + 1;
  for (const h of c.hashtags.slice(0, 5)) out[`#${h}`] = (out[`#${h}`] ?? 0) + 2;
  return Object.fromEntries(
    Object.entries(out)
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, 40),
  );
}

/** MinHash bands of 4 rows over the sample text's 64-value signature: near-duplicates share one with high probability. */
const BAND_ROWS = 4;

/** The keys a cluster can share with another cluster of the same narrative. */
export function narrativeKeys(c: Cluster): string[] {
  const keys = new Set<string>();
  for (const f of c.factchecks) keys.add(`factcheck:${f.url}`);
  for (const l of c.links.slice(0, 10)) keys.add(`link:${l}`);
  if (c.hashtags.length > 0) keys.add(`hashtags:${c.hashtags.slice(0, 3).sort().join(' ')}`);
  if (c.sampleText) {
    const sig = fingerprintText(c.sampleText).minhash;
    for (let b = 0; b + BAND_ROWS <= sig.length; b += BAND_ROWS)
      keys.add(`text:${b / BAND_ROWS}:${sig.slice(b, b + BAND_ROWS).join('.')}`);
  }
  return [...keys].sort();
}

function hashId(seed: string): string {
  return `nr-${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`;
}

/** Narratives over the clusters the detector reports. */
export class NarrativeIndex {
  private seq = 0;
  private readonly narratives = new Map<string, NarrativeRecord>();
  /** Key -> narrative (derived). */
  private readonly byKey = new Map<string, string>();
  /** Cluster id -> narrative (derived). */
  private readonly byCluster = new Map<string, string>();

  constructor(private readonly cfg: NarrativeConfig) {}

  /** Restores from `toJSON()` (the objects are taken over). */
  static from(cfg: NarrativeConfig, state: NarrativeIndexState | undefined): NarrativeIndex {
    const out = new NarrativeIndex(cfg);
    if (!state) return out;
    out.seq = state.seq;
    for (const n of state.narratives) {
      out.narratives.set(n.id, n);
      out.indexNarrative(n);
    }
    return out;
  }

  /** The state as plain data (shares objects with the live index: serialise it before anything changes). */
  toJSON(): NarrativeIndexState {
    return { seq: this.seq, narratives: [...this.narratives.values()] };
  }

  private indexNarrative(n: NarrativeRecord): void {
    for (const [cid, m] of Object.entries(n.members)) {
      this.byCluster.set(cid, n.id);
      for (const k of m.keys) this.byKey.set(k, n.id);
    }
  }

  private unindexNarrative(n: NarrativeRecord): void {
    for (const [cid, m] of Object.entries(n.members)) {
      if (this.byCluster.get(cid) === n.id) this.byCluster.delete(cid);
      for (const k of m.keys) if (this.byKey.get(k) === n.id) this.byKey.delete(k);
    }
  }

  /** The narrative a cluster is in, if any. */
  narrativeOf(clusterId: string): string | undefined {
    return this.byCluster.get(clusterId);
  }

  /** Adds or updates a reported cluster; returns its narrative's id. Narratives that share a key merge into the oldest. */
  observe(input: NarrativeInput): string {
    const c = input.cluster;
    const keys = narrativeKeys(c);
    const hit = new Set<string>();
    const own = this.byCluster.get(c.id);
    if (own) hit.add(own);
    for (const k of keys) {
      const n = this.byKey.get(k);
      if (n) hit.add(n);
    }
    const found = [...hit]
      .map((id) => this.narratives.get(id))
      .filter((n): n is NarrativeRecord => n !== undefined) // an index entry can outlive its narrative (eval:real)
      .sort((x, y) => x.seq - y.seq);
    let target = found[0];
    if (!target) {
      target = { id: hashId(c.id), seq: this.seq++, lastMs: input.nowMs, members: {} };
      this.narratives.set(target.id, target);
    }
    for (const other of found.slice(1)) {
      this.unindexNarrative(other);
      this.narratives.delete(other.id);
      Object.assign(target.members, other.members);
      target.lastMs = Math.max(target.lastMs, other.lastMs);
      this.indexNarrative(target);
    }
    target.members[c.id] = {
      keys,
      hours: { ...input.hours },
      terms: termsOf(c),
      posts: input.posts,
      accounts: c.accounts.length,
      langs: c.languages.slice(),
      startMs: Date.parse(c.start),
      endMs: Date.parse(c.end),
    };
    target.lastMs = Math.max(target.lastMs, input.nowMs);
    const ids = Object.keys(target.members);
    if (ids.length > this.cfg.maxClustersPerNarrative) {
      const drop = ids
        .sort((x, y) => target.members[x]!.endMs - target.members[y]!.endMs || (x < y ? -1 : 1))
        .slice(0, ids.length - this.cfg.maxClustersPerNarrative);
      this.unindexNarrative(target);
      for (const d of drop) delete target.members[d];
    }
    this.indexNarrative(target);
    return target.id;
  }

  /** Drops a cluster that merged into another (the survivor carries its posts). */
  removeCluster(clusterId: string): void {
    const id = this.byCluster.get(clusterId);
    const n = id ? this.narratives.get(id) : undefined;
    if (!n) return;
    this.unindexNarrative(n);
    delete n.members[clusterId];
    if (Object.keys(n.members).length === 0) this.narratives.delete(n.id);
    else this.indexNarrative(n);
  }

  /** Forgets narratives untouched for longer than the age limit before `nowMs`, then the oldest beyond the cap. */
  prune(nowMs: number): void {
    const drop = (n: NarrativeRecord): void => {
      this.unindexNarrative(n);
      this.narratives.delete(n.id);
    };
    for (const n of [...this.narratives.values()]) if (n.lastMs < nowMs - this.cfg.maxAgeMs) drop(n);
    if (this.narratives.size > this.cfg.maxNarratives) {
      const old = [...this.narratives.values()].sort((x, y) => x.lastMs - y.lastMs || x.seq - y.seq);
      for (const n of old.slice(0, this.narratives.size - this.cfg.maxNarratives)) drop(n);
    }
  }

  /** Every narrative held, sorted by id; labels weigh each term by how few other narratives use it. */
  list(): Narrative[] {
    const all = [...this.narratives.values()];
    const termsOfN = all.map((n) => {
      const t: Record<string, number> = {};
      for (const m of Object.values(n.members)) for (const [k, v] of Object.entries(m.terms)) t[k] = (t[k] ?? 0) + v;
      return t;
    });
    const df = new Map<string, number>();
    for (const t of termsOfN) for (const k of Object.keys(t)) df.set(k, (df.get(k) ?? 0) + 1);
    const out = all.map((n, i): Narrative => {
      const members = Object.values(n.members);
      const idf = (k: string): number => Math.log((1 + all.length) / (1 + df.get(k)!)) + 1;
      const terms = Object.entries(termsOfN[i]!)
        .map(([k, v]) => [k, v * idf(k)] as const)
        .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
        .slice(0, 5)
        .map(([k]) => k);
      const hours = new Map<number, number>();
      for (const m of members) for (const [h, v] of Object.entries(m.hours)) hours.set(+h, (hours.get(+h) ?? 0) + v);
      const hourly = [...hours].sort((x, y) => x[0] - y[0]);
      const days = new Map<string, number>();
      for (const [h, v] of hourly) {
        const d = new Date(h * 3_600_000).toISOString().slice(0, 10);
        days.set(d, (days.get(d) ?? 0) + v);
      }
      const shared = new Map<string, number>();
      for (const m of members)
        for (const k of new Set(m.keys.map((k) => (k.startsWith('text:') ? 'text' : k))))
          shared.set(k, (shared.get(k) ?? 0) + 1);
      return {
        id: n.id,
        label: terms.slice(0, 3).join(' · '),
        labelMachineMade: true,
        terms,
        clusters: Object.keys(n.members).sort(),
        shared: [...shared]
          .filter(([, v]) => v > 1 || members.length === 1)
          .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
          .slice(0, 20)
          .map(([k]) => k),
        posts: members.reduce((s, m) => s + m.posts, 0),
        accounts: members.reduce((s, m) => s + m.accounts, 0),
        languages: [...new Set(members.flatMap((m) => m.langs))].sort(),
        start: new Date(Math.min(...members.map((m) => m.startMs))).toISOString(),
        end: new Date(Math.max(...members.map((m) => m.endMs))).toISOString(),
        volume: {
          hourly: hourly.map(([h, v]) => ({ hour: new Date(h * 3_600_000).toISOString(), posts: v })),
          daily: [...days].map(([day, v]) => ({ day, posts: v })),
        },
      };
    });
    return out.filter((n) => n.clusters.length > 0).sort((x, y) => (x.id < y.id ? -1 : 1));
  }
}
