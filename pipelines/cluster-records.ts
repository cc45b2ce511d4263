// The coordination detector's clusters: open cluster records (members, posts and the current facts behind them), the
// index from account to the open clusters it belongs to, and the capped archive of retired clusters. Findings join
// the open clusters whose accounts they mostly overlap; when a finding overlaps several, they merge into the one
// anchored earliest. Retired clusters leave their members behind in their campaign (compactly: 32-bit hashes, capped),
// so a cluster of mostly the same accounts that comes back after its earlier episode left the window joins the same
// campaign. Records, archive and campaigns are plain data and go into the detector's snapshot as they are.
import { createHash } from 'node:crypto';
import { keepPeak } from './cluster-findings.ts';
import type { BurstFact, Finding, NetFact } from './cluster-findings.ts';
import type { AccountRecord, PostRecord } from './detection-window.ts';
import type { AccountSummary, CampaignEpisode, Cluster } from './types.ts';

/** An open cluster: its members and the current version of every piece of evidence behind it. */
export interface ClusterRecord {
  id: string;
  /** Earliest post when first flagged (time, id): decides which id survives a merge. */
  anchorT: number;
  anchorP: string;
  startMs: number;
  endMs: number;
  accounts: string[];
  posts: string[];
  /**
   * Ids of member posts beyond `maxClusterPosts` (not listed, only counted), at most {@link MAX_OVERFLOW_IDS};
   * absent until the list is full.
   */
  overflow?: string[];
  net: NetFact | null;
  bursts: Record<string, BurstFact>;
  profiles: Record<string, AccountRecord>;
  links: Record<string, number>;
  tags: Record<string, number>;
  groups: Record<string, number>;
  langs: string[];
  sampleText: string | null;
  cluster: Cluster | null;
  /** The campaign this cluster is an episode of (set when first reported; absent in older snapshots). */
  campaignId?: string;
  /** Posts added per hour (epoch hour -> count), for narrative volume (absent in older snapshots). */
  hours?: Record<string, number>;
}

/** A campaign: the retired episodes of mostly the same accounts, and those accounts in compact form. */
export interface CampaignRecord {
  id: string;
  /** 32-bit hashes of the member accounts of its retired episodes, sorted; the smallest `maxCampaignMembers` kept. */
  members: number[];
  /** End of its latest retired episode (epoch ms); null while its first episode is still open. */
  lastEndMs: number | null;
  /** Retired episodes, oldest first (capped: the first and the latest kept). */
  episodes: CampaignEpisode[];
}

/** A retired cluster: as last reported, with what `accounts()` needs of its members. */
export interface ArchivedCluster {
  cluster: Cluster;
  endMs: number;
  profiles: Record<string, { botScore: number; botReasons: string[]; posts: number }>;
}

/** Limits of the cluster records. */
export interface ClusterRecordsConfig {
  /** Member posts kept per cluster. */
  maxClusterPosts: number;
  /** Retired clusters kept (oldest end dropped first); 0 keeps none. */
  maxRetainedClusters: number;
  /** Campaigns kept (the one whose latest episode ended first is dropped first). */
  maxCampaigns: number;
  /** Campaigns whose latest episode ended longer ago than this (ms) are forgotten. */
  campaignMaxAgeMs: number;
  /** Member hashes kept per campaign. */
  maxCampaignMembers: number;
  /** Retired episodes listed per campaign. */
  maxCampaignEpisodes: number;
}

/** FNV-1a 32-bit: a compact stand-in for an account id in a campaign's member set. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The episode a reported cluster is. */
function episodeOf(c: Cluster, posts: number): CampaignEpisode {
  return {
    clusterId: c.id,
    start: c.start,
    end: c.end,
    posts,
    accounts: c.accounts.length,
    kinds: c.kinds.slice(),
    summary: c.reasons[0] ?? null,
  };
}

/** Most unlisted post ids a cluster remembers to count them (beyond it, the count is a lower bound). */
export const MAX_OVERFLOW_IDS = 100_000;

/** Counts `p` among the unlisted posts of `rec` (once). `seen` is the set view of `rec.overflow`, kept in step. */
function countOverflow(rec: ClusterRecord, seen: Set<string>, p: string): void {
  if (seen.has(p) || seen.size >= MAX_OVERFLOW_IDS) return;
  seen.add(p);
  (rec.overflow ??= []).push(p);
}

function hashId(prefix: string, seed: string): string {
  return `${prefix}-${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`;
}

function sortedUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

/** Open and retired clusters, and which open clusters each account belongs to. */
export class ClusterRecords {
  /** Open clusters by id. */
  readonly open = new Map<string, ClusterRecord>();
  /** Retired clusters by id (capped). */
  readonly archive = new Map<string, ArchivedCluster>();
  /** Campaigns by id (capped, with an age limit). */
  readonly campaigns = new Map<string, CampaignRecord>();
  /** Account -> open clusters it belongs to (derived from `open`). */
  private readonly accountCluster = new Map<string, string[]>();
  /** Open cluster -> the set of its listed posts (derived from `posts`, see {@link postSet}). */
  private readonly postSets = new WeakMap<ClusterRecord, Set<string>>();
  /** Member hash -> campaigns with retired episodes it was in (derived from `campaigns`). */
  private readonly memberCampaigns = new Map<number, string[]>();

  constructor(private readonly cfg: ClusterRecordsConfig) {}

  /** Restores records, archive and campaigns from a snapshot (the objects are taken over, not copied). */
  static from(
    cfg: ClusterRecordsConfig,
    records: ClusterRecord[],
    archive: ArchivedCluster[],
    campaigns: CampaignRecord[] = [],
  ): ClusterRecords {
    const out = new ClusterRecords(cfg);
    for (const r of records) {
      out.open.set(r.id, r);
      for (const a of r.accounts) out.link(a, r.id);
    }
    for (const r of archive) out.archive.set(r.cluster.id, r);
    for (const c of campaigns) {
      out.campaigns.set(c.id, c);
      out.indexMembers(c);
    }
    return out;
  }

  private indexMembers(c: CampaignRecord): void {
    for (const h of c.members) {
      const ids = this.memberCampaigns.get(h);
      if (!ids) this.memberCampaigns.set(h, [c.id]);
      else if (!ids.includes(c.id)) ids.push(c.id);
    }
  }

  private unindexMembers(c: CampaignRecord): void {
    for (const h of c.members) {
      const ids = this.memberCampaigns.get(h);
      if (!ids) continue;
      const i = ids.indexOf(c.id);
      if (i >= 0) ids.splice(i, 1);
      if (ids.length === 0) this.memberCampaigns.delete(h);
    }
  }

  /**
   * The campaign of a cluster being reported: a campaign with retired episodes whose members mostly overlap the
   * cluster's accounts (at least half of the smaller side, and at least 3) and that no other open cluster continues;
   * else a new one. Re-checked while the cluster's campaign has no earlier episode (the cluster may still grow into
   * a known campaign). Sets `rec.campaignId`; returns the campaign's episodes with this cluster as the latest.
   */
  campaignFor(rec: ClusterRecord, c: Cluster): { campaignId: string; episodes: CampaignEpisode[] } {
    let current = rec.campaignId ? this.campaigns.get(rec.campaignId) : undefined;
    if (!current || current.episodes.length === 0) {
      const match = this.matchCampaign(rec);
      if (match && match.id !== current?.id) {
        if (current) this.campaigns.delete(current.id); // a provisional campaign with no episode of its own
        current = match;
      }
      if (!current) {
        const id = hashId('cp', rec.id);
        current = this.campaigns.get(id) ?? { id, members: [], lastEndMs: null, episodes: [] };
        this.campaigns.set(id, current);
      }
      rec.campaignId = current.id;
    }
    return { campaignId: current.id, episodes: [...current.episodes, episodeOf(c, rec.posts.length)] };
  }

  private matchCampaign(rec: ClusterRecord): CampaignRecord | undefined {
    const busy = new Set<string>();
    for (const r of this.open.values()) if (r !== rec && r.campaignId) busy.add(r.campaignId);
    const counts = new Map<string, number>();
    for (const a of rec.accounts)
      for (const id of this.memberCampaigns.get(hash32(a)) ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
    let best: CampaignRecord | undefined;
    let bestN = 0;
    for (const [id, n] of [...counts].sort(([x], [y]) => (x < y ? -1 : 1))) {
      const c = this.campaigns.get(id);
      if (!c || busy.has(id) || n < 3) continue;
      // A capped member set is a sample of the smallest hashes: compare against the accounts that could be in it.
      const full = c.members.length < this.cfg.maxCampaignMembers;
      const limit = full ? Infinity : c.members[c.members.length - 1]!;
      const side = full ? rec.accounts.length : rec.accounts.filter((a) => hash32(a) <= limit).length;
      if (n >= 0.5 * Math.min(side, c.members.length) && n > bestN) {
        best = c;
        bestN = n;
      }
    }
    return best;
  }

  /** Adds a retired cluster to its campaign as an episode. */
  private closeEpisode(rec: ClusterRecord): void {
    const c = rec.campaignId ? this.campaigns.get(rec.campaignId) : undefined;
    if (c && rec.cluster) {
      this.unindexMembers(c);
      c.members = [...new Set([...c.members, ...rec.accounts.map(hash32)])]
        .sort((x, y) => x - y)
        .slice(0, this.cfg.maxCampaignMembers);
      this.indexMembers(c);
      c.episodes.push(episodeOf(rec.cluster, rec.posts.length));
      if (c.episodes.length > this.cfg.maxCampaignEpisodes) c.episodes.splice(1, 1);
      c.lastEndMs = Math.max(c.lastEndMs ?? -Infinity, rec.endMs);
    }
  }

  /**
   * Forgets campaigns no open cluster continues whose latest episode ended more than the age limit before `nowMs`
   * (or that never had a retired episode), then the oldest beyond the cap.
   */
  pruneCampaigns(nowMs: number): void {
    const busy = new Set<string>();
    for (const r of this.open.values()) if (r.campaignId) busy.add(r.campaignId);
    const closed = [...this.campaigns.values()].filter((x) => !busy.has(x.id));
    const forget = (x: CampaignRecord): void => {
      this.unindexMembers(x);
      this.campaigns.delete(x.id);
    };
    for (const x of closed) if (x.lastEndMs === null || x.lastEndMs < nowMs - this.cfg.campaignMaxAgeMs) forget(x); // null: never retired
    const left = closed
      .filter((x) => this.campaigns.has(x.id))
      .sort((x, y) => x.lastEndMs! - y.lastEndMs! || (x.id < y.id ? -1 : 1));
    for (let i = 0; this.campaigns.size > this.cfg.maxCampaigns && i < left.length; i++) forget(left[i]!);
  }

  private link(account: string, id: string): void {
    const ids = this.accountCluster.get(account);
    if (!ids) this.accountCluster.set(account, [id]);
    else if (!ids.includes(id)) ids.push(id);
  }

  private unlink(account: string, id: string): void {
    const ids = this.accountCluster.get(account);
    if (!ids) return;
    const i = ids.indexOf(id);
    if (i >= 0) ids.splice(i, 1);
    if (ids.length === 0) this.accountCluster.delete(account);
  }

  /** Opens a new cluster for a finding that overlaps none (its id derives from the finding's earliest post). */
  create(f: Finding): ClusterRecord {
    // Two findings can share an anchor post without overlapping (a burst and a network through the same post): the
    // second gets a derived id, so no record is overwritten while its accounts still point at it.
    let id = hashId('cl', f.anchorP);
    for (let k = 2; this.open.has(id); k++) id = hashId('cl', `${f.anchorP}#${k}`);
    const rec: ClusterRecord = {
      id,
      anchorT: f.anchorT,
      anchorP: f.anchorP,
      startMs: f.anchorT,
      endMs: f.anchorT,
      accounts: [],
      posts: [],
      net: null,
      bursts: {},
      profiles: {},
      links: {},
      tags: {},
      groups: {},
      langs: [],
      sampleText: null,
      cluster: null,
    };
    this.open.set(rec.id, rec);
    return rec;
  }

  /** Open clusters whose accounts mostly overlap `accounts` (at least half of the smaller side), sorted by id. */
  overlapping(accounts: string[]): ClusterRecord[] {
    const counts = new Map<string, number>();
    for (const a of accounts)
      for (const id of this.accountCluster.get(a) ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
    const out: string[] = [];
    for (const [id, n] of counts) {
      const size = this.open.get(id)?.accounts.length ?? 0;
      if (n >= 0.5 * Math.min(size, accounts.length)) out.push(id);
    }
    return out.sort().map((id) => this.open.get(id)!);
  }

  /** Adds posts (with their times) to a cluster, counting their links, hashtags, text groups and languages. */
  addPosts(
    rec: ClusterRecord,
    posts: Iterable<[string, number]>,
    postOf: (id: string) => PostRecord | undefined,
  ): void {
    const have = this.postSet(rec);
    const langs = new Set(rec.langs);
    let over: Set<string> | null = null;
    for (const [p, t] of posts) {
      if (t < rec.startMs) rec.startMs = t;
      if (t > rec.endMs) rec.endMs = t;
      if (have.has(p)) continue;
      if (rec.posts.length >= this.cfg.maxClusterPosts) {
        over ??= new Set(rec.overflow);
        countOverflow(rec, over, p);
        continue;
      }
      have.add(p);
      rec.posts.push(p);
      const h = String(Math.floor(t / 3_600_000));
      rec.hours ??= {};
      rec.hours[h] = (rec.hours[h] ?? 0) + 1;
      const r = postOf(p);
      if (!r) continue;
      for (const l of r.links) rec.links[l] = (rec.links[l] ?? 0) + 1;
      for (const h of r.tags) rec.tags[h] = (rec.tags[h] ?? 0) + 1;
      if (r.g) rec.groups[r.g] = (rec.groups[r.g] ?? 0) + 1;
      if (r.l !== 'und') langs.add(r.l);
    }
    rec.langs = [...langs].sort();
  }

  /** The set view of `rec.posts`, kept between calls (posts are only ever appended) rather than rebuilt each time. */
  private postSet(rec: ClusterRecord): Set<string> {
    let had = this.postSets.get(rec);
    if (!had || had.size > rec.posts.length) this.postSets.set(rec, (had = new Set(rec.posts)));
    else for (let i = had.size; i < rec.posts.length; i++) had.add(rec.posts[i]!);
    return had;
  }

  /** Adds member accounts to a cluster. */
  addAccounts(rec: ClusterRecord, accounts: Iterable<string>): void {
    const have = new Set(rec.accounts);
    for (const a of accounts) {
      if (have.has(a)) continue;
      have.add(a);
      rec.accounts.push(a);
      this.link(a, rec.id);
    }
    rec.accounts.sort();
  }

  /** Adds a burst's facts to a cluster, keeping the item's peak. */
  addBurst(rec: ClusterRecord, burst: BurstFact): void {
    rec.bursts[burst.key] = keepPeak(rec.bursts[burst.key], burst);
  }

  /** Merges `from` into `into` (the caller picks `into`: the one with the earliest anchor keeps its id). */
  absorb(into: ClusterRecord, from: ClusterRecord): void {
    this.open.delete(from.id);
    for (const a of from.accounts) this.unlink(a, from.id);
    this.addAccounts(into, from.accounts);
    const have = new Set(into.posts);
    const over = new Set(into.overflow);
    for (const p of [...from.posts, ...(from.overflow ?? [])])
      if (have.has(p)) continue;
      else if (into.posts.length < this.cfg.maxClusterPosts) {
        have.add(p);
        into.posts.push(p);
      } else countOverflow(into, over, p);
    into.startMs = Math.min(into.startMs, from.startMs);
    into.endMs = Math.max(into.endMs, from.endMs);
    for (const [k, b] of Object.entries(from.bursts)) into.bursts[k] = keepPeak(into.bursts[k], b);
    for (const [a, pr] of Object.entries(from.profiles)) into.profiles[a] ??= pr;
    for (const [k, n] of Object.entries(from.links)) into.links[k] = (into.links[k] ?? 0) + n;
    for (const [k, n] of Object.entries(from.tags)) into.tags[k] = (into.tags[k] ?? 0) + n;
    for (const [k, n] of Object.entries(from.groups)) into.groups[k] = (into.groups[k] ?? 0) + n;
    into.langs = sortedUnique([...into.langs, ...from.langs]);
    into.sampleText ??= from.sampleText;
    if (!into.net && from.net) into.net = from.net;
    if (from.hours) {
      into.hours ??= {};
      for (const [k, n] of Object.entries(from.hours)) into.hours[k] = (into.hours[k] ?? 0) + n;
    }
    // The surviving cluster keeps its campaign unless only the absorbed one continues a known campaign.
    const mine = into.campaignId ? this.campaigns.get(into.campaignId) : undefined;
    const theirs = from.campaignId ? this.campaigns.get(from.campaignId) : undefined;
    if (theirs && theirs !== mine && theirs.episodes.length > 0 && (!mine || mine.episodes.length === 0)) {
      if (mine) this.campaigns.delete(mine.id);
      into.campaignId = theirs.id;
    } else if (theirs && theirs !== mine && theirs.episodes.length === 0) this.campaigns.delete(theirs.id);
  }

  /** Moves an open cluster to the archive (as last reported; never reported ones are dropped) and its campaign. */
  retire(rec: ClusterRecord): void {
    this.open.delete(rec.id);
    for (const a of rec.accounts) this.unlink(a, rec.id);
    this.closeEpisode(rec);
    if (this.cfg.maxRetainedClusters <= 0 || !rec.cluster) return;
    const profiles: ArchivedCluster['profiles'] = {};
    for (const a of rec.accounts) {
      const p = rec.profiles[a];
      profiles[a] = { botScore: p?.botScore ?? 0, botReasons: p?.botReasons ?? [], posts: p?.n ?? 0 };
    }
    this.archive.set(rec.id, { cluster: rec.cluster, endMs: rec.endMs, profiles });
    if (this.archive.size > this.cfg.maxRetainedClusters) {
      const drop = [...this.archive.values()]
        .sort((x, y) => x.endMs - y.endMs || (x.cluster.id < y.cluster.id ? -1 : 1))
        .slice(0, this.archive.size - this.cfg.maxRetainedClusters);
      for (const d of drop) this.archive.delete(d.cluster.id);
    }
  }

  /** The last reported state of an open or retired cluster. */
  reported(id: string): Cluster | undefined {
    return this.open.get(id)?.cluster ?? this.archive.get(id)?.cluster;
  }

  /** Every reported cluster, open and retired, sorted by id (copies). */
  clusters(): Cluster[] {
    const out = new Map<string, Cluster>();
    for (const a of this.archive.values()) out.set(a.cluster.id, a.cluster);
    for (const r of this.open.values()) if (r.cluster) out.set(r.id, r.cluster);
    return [...out.keys()].sort().map((id) => structuredClone(out.get(id)!));
  }

  /** Per-account summaries of the members of open and retired clusters, sorted by id. */
  accounts(): AccountSummary[] {
    const out = new Map<string, AccountSummary>();
    const add = (clusterId: string, a: string, p: { botScore: number; botReasons: string[]; posts: number }): void => {
      const s = out.get(a) ?? { id: a, botScore: 0, botReasons: [], posts: 0, clusters: [] };
      s.botScore = p.botScore;
      s.botReasons = p.botReasons.slice();
      s.posts = Math.max(s.posts, p.posts);
      if (!s.clusters.includes(clusterId)) s.clusters.push(clusterId);
      out.set(a, s);
    };
    for (const r of [...this.archive.values()].sort((x, y) => x.endMs - y.endMs))
      for (const a of r.cluster.accounts)
        add(r.cluster.id, a, r.profiles[a] ?? { botScore: 0, botReasons: [], posts: 0 });
    for (const r of this.open.values()) {
      for (const a of r.accounts) {
        const p = r.profiles[a];
        add(r.id, a, { botScore: p?.botScore ?? 0, botReasons: p?.botReasons ?? [], posts: p?.n ?? 0 });
      }
    }
    for (const s of out.values()) s.clusters.sort();
    return [...out.keys()].sort().map((k) => out.get(k)!);
  }
}
