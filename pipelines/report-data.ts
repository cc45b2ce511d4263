// Report data for election-period reports: pure functions from the store's aggregates of a period (and of the
// previous period of equal length) to one JSON-serialisable object that HTML, PDF, Markdown and JSON are all laid out
// from. No I/O, no clock (generatedAt is passed in). Everything that leaves here is anonymised: no account ids or
// handles, no post ids or post URLs; texts go through `scrubText` (mentions removed, links reduced to their domain)
// and a cluster's sample text only when at least `minSampleAccounts` accounts posted it. Wording is left to the
// renderer's message catalogue: key judgements are a message key with figures, never a sentence.
import { clusterReasonsIn } from './render-reasons.ts';
import type { ClusterEvidence } from './types.ts';
import type { ClusterKind, FactCheckRef } from './types.ts';

/** One hour bucket of stored posts (the store groups by UTC hour; days are folded here in the report's time zone). */
export interface PostHourBucket {
  /** Start of the UTC hour, epoch ms. */
  hourMs: number;
  /** Source name (platform). */
  platform: string;
  /** Detected language. */
  lang: string;
  posts: number;
}

/** A cluster as the report source hands it over: the stored cluster plus a few figures computed from its posts. */
export interface ReportClusterInput {
  id: string;
  kinds: ClusterKind[];
  score: number;
  /** ISO date-time. */
  start: string;
  end: string;
  /** Member accounts (pseudonyms): used only to group recurring campaigns, never output. */
  accounts: string[];
  posts: number;
  /** Reasons in English as stored. */
  reasons: string[];
  /** Structured evidence behind the reasons, when the cluster has it. */
  evidence?: ClusterEvidence[];
  sampleText: string | null;
  /** Distinct accounts that posted the cluster's campaign text (its most common exact text, or a near-identical version). */
  sampleTextAccounts: number;
  /** Members younger than the young-account threshold, among members whose age is known. */
  youngAccounts: number;
  /** Members whose account age is known. */
  accountsWithAge: number;
  platforms: string[];
  languages: string[];
  hashtags: string[];
  links: string[];
  factchecks: FactCheckRef[];
  /** Optional campaign id set by detection (later); clusters with the same one are one campaign. */
  campaignId?: string | null;
}

/** Aggregates of one period, as a report source returns them. */
export interface PeriodAggregates {
  /** ISO date-time, inclusive. */
  from: string;
  /** ISO date-time, exclusive. */
  to: string;
  postHours: PostHourBucket[];
  /** Clusters whose activity overlaps the period. */
  clusters: ReportClusterInput[];
}

/** Triage status of a cluster as the triage store knows it. */
export type TriageStatus = 'new' | 'in_review' | 'escalated' | 'confirmed' | 'dismissed';

/** The triage outcome of one cluster. */
export interface TriageOutcome {
  status: TriageStatus;
  /** Why it was closed (dismissed / confirmed), free text from the fixed list of the triage app. */
  closeReason: string | null;
  reviewed: boolean;
}

/** Metadata and settings of a report. */
export interface ReportMeta {
  /** Period name from config, e.g. TK2023; null for an ad-hoc period. */
  periodName: string | null;
  /** ISO date-time the report was generated (passed in: pipelines have no clock). */
  generatedAt: string;
  /** IANA time zone the days are counted in. Default Europe/Amsterdam. */
  timeZone?: string;
  /** Thresholds the detector ran with (from the config), shown in the method section. */
  thresholds: Record<string, number | string | boolean>;
  /** Hash of the effective configuration. */
  configHash: string;
  /** Software version. */
  softwareVersion: string;
  /** Store the figures come from. */
  store: string;
  /** How many top campaigns to list. Default 10. */
  topCampaigns?: number;
  /** Sample text only when posted by at least this many accounts. Default 10. */
  minSampleAccounts?: number;
  /** Analysts' summary (editable slot); null leaves the slot empty. */
  analystSummary?: string | null;
}

/** A key judgement: a message key and the figures the renderer puts into it. */
export interface KeyJudgement {
  n: number;
  key:
    | 'clusters_flagged'
    | 'top_narrative'
    | 'young_accounts'
    | 'factchecked'
    | 'triage'
    | 'cross_platform'
    | 'no_clusters';
  figures: Record<string, number | string>;
}

/** One row of a per-day series. */
export interface DayCount {
  day: string;
  [series: string]: number | string;
}

/** One campaign episode (one stored cluster). */
export interface CampaignEpisode {
  day: string;
  start: string;
  end: string;
  members: number;
  posts: number;
  score: number;
}

/** A campaign: one cluster or several recurring clusters that share most accounts. */
export interface Campaign {
  /** Rank by size then score (1 = largest). */
  rank: number;
  kinds: ClusterKind[];
  score: number;
  members: number;
  posts: number;
  /** Share 0..1 of members with known age that were younger than the threshold; null when no ages known. */
  youngAccountShare: number | null;
  start: string;
  end: string;
  platforms: string[];
  languages: string[];
  hashtags: string[];
  domains: string[];
  /** Reasons in English, scrubbed. */
  reasons: string[];
  /** The same reasons in Dutch (rendered from the clusters' evidence; the English sentences for clusters without). */
  reasonsNl: string[];
  /** Whether every cluster of the campaign had structured evidence (so `reasonsNl` is really Dutch). */
  reasonsFromEvidence: boolean;
  /** Scrubbed sample text, only when posted by enough accounts. */
  sampleText: string | null;
  episodes: CampaignEpisode[];
  triage: { status: TriageStatus | 'unknown'; closeReason: string | null; reviewed: boolean };
}

/** Direction of a narrative versus the previous period. */
export type Trend = 'new' | 'up' | 'same' | 'down';

/** A hashtag, domain or claim the clusters pushed. */
export interface NarrativeItem {
  kind: 'hashtag' | 'domain' | 'claim';
  value: string;
  clusters: number;
  accounts: number;
  previousClusters: number;
  trend: Trend;
  /** First and last local day it was pushed. */
  firstDay: string;
  lastDay: string;
}

/** A fact-check linked to clusters. */
export interface LinkedFactCheck {
  publisher: string;
  claim: string | null;
  /** Rating as the fact-checker gave it. */
  rating: string | null;
  url: string;
  clusters: number;
}

/** Figures of one period (used for both periods in period over period). */
export interface PeriodFigures {
  posts: number;
  clusters: number;
  campaigns: number;
  accountsInClusters: number;
  postsInClusters: number;
  factchecksLinked: number;
}

/** The whole report. */
export interface ReportData {
  schemaVersion: 1;
  meta: {
    periodName: string | null;
    from: string;
    to: string;
    previousFrom: string;
    previousTo: string;
    timeZone: string;
    generatedAt: string;
    store: string;
  };
  keyJudgements: KeyJudgement[];
  analystSummary: string | null;
  volume: {
    days: string[];
    postsByDayPlatform: DayCount[];
    postsByDayLanguage: DayCount[];
    signalsByDayKind: DayCount[];
    platforms: Array<{ name: string; posts: number }>;
    languages: Array<{ name: string; posts: number }>;
    kinds: Array<{ name: ClusterKind; clusters: number }>;
  };
  campaigns: Campaign[];
  narratives: NarrativeItem[];
  factchecks: LinkedFactCheck[];
  triage: {
    clusters: number;
    reviewed: number;
    escalated: number;
    confirmed: number;
    dismissed: number;
    open: number;
    closeReasons: Array<{ reason: string; clusters: number }>;
  };
  periodOverPeriod: { current: PeriodFigures; previous: PeriodFigures };
  method: {
    platforms: string[];
    detectionMethods: ClusterKind[];
    thresholds: Record<string, number | string | boolean>;
    configHash: string;
    softwareVersion: string;
    minSampleAccounts: number;
    narrativeSource: 'cluster_hashtags_domains_factchecks';
  };
}

const DEFAULT_TZ = 'Europe/Amsterdam';

/** The previous period of equal length: [from - (to - from), from). */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const f = Date.parse(from);
  const t = Date.parse(to);
  return { from: new Date(f - (t - f)).toISOString(), to: new Date(f).toISOString() };
}

/** The local calendar day (YYYY-MM-DD) of an instant in a time zone; DST-correct through Intl. */
export function localDay(ms: number, timeZone = DEFAULT_TZ): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(ms),
  );
}

/** Every local day from `from` (inclusive) to `to` (exclusive). */
export function daysOf(from: string, to: string, timeZone = DEFAULT_TZ): string[] {
  const out: string[] = [];
  const end = Date.parse(to);
  // Step by hour so DST days (23 or 25 hours) are neither skipped nor repeated.
  for (let t = Date.parse(from); t < end; t += 3_600_000) {
    const d = localDay(t, timeZone);
    if (out[out.length - 1] !== d) out.push(d);
  }
  return out;
}

const URL_RE = /\bhttps?:\/\/[^\s<>"')\]]+/gi;
const MENTION_RE = /(^|[^\w@])@[\w.-]+(@[\w.-]+)?/g;
const PSEUDONYM_RE = /\bp:[0-9a-f]{8,}\b/gi;

/** The host of a URL without "www.", or null when it is not an http(s) URL. */
export function domainOf(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.hostname.replace(/^www\./, '').toLowerCase();
  } catch {
    return null;
  }
}

/**
 * Removes what could identify an ordinary account from a text: @mentions (also user@instance), pseudonyms, and
 * links, which become their bare domain in brackets (a post URL names its author on most platforms).
 */
export function scrubText(text: string): string {
  return text
    .replace(URL_RE, (u) => `[${domainOf(u) ?? 'link'}]`)
    .replace(MENTION_RE, '$1')
    .replace(PSEUDONYM_RE, '[account]')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/**
 * The reasons of a cluster in a language, scrubbed, rendered from its evidence (the stored English sentences for
 * clusters without evidence), clock times in the report's time zone.
 */
export function clusterReasons(
  cluster: Pick<ReportClusterInput, 'reasons' | 'evidence'>,
  lang: 'en' | 'nl',
  timeZone = DEFAULT_TZ,
): string[] {
  return clusterReasonsIn(cluster, lang, { timeZone }).map(scrubText);
}

function overlapShare(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n / Math.max(1, Math.min(a.size, b.size));
}

/**
 * Groups clusters into campaigns: clusters with the same campaign id, or on different local days sharing more than
 * `minShare` of the smaller one's accounts, are one campaign (union-find, so chains join).
 */
export function groupCampaigns(
  clusters: ReportClusterInput[],
  timeZone = DEFAULT_TZ,
  minShare = 0.5,
): ReportClusterInput[][] {
  const parent = clusters.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const sets = clusters.map((c) => new Set(c.accounts));
  const days = clusters.map((c) => localDay(Date.parse(c.start), timeZone));
  for (let i = 0; i < clusters.length; i++) {
    for (let j = i + 1; j < clusters.length; j++) {
      const a = clusters[i]!;
      const b = clusters[j]!;
      const sameId = a.campaignId != null && a.campaignId === b.campaignId;
      if (sameId || (days[i] !== days[j] && overlapShare(sets[i]!, sets[j]!) > minShare)) parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, ReportClusterInput[]>();
  clusters.forEach((c, i) => {
    const r = find(i);
    groups.set(r, [...(groups.get(r) ?? []), c]);
  });
  return [...groups.values()].map((g) => g.sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id)));
}

const sortedUnion = (lists: string[][]): string[] => [...new Set(lists.flat())].sort();

function campaignOf(
  group: ReportClusterInput[],
  triage: Map<string, TriageOutcome>,
  timeZone: string,
  minSample: number,
): Omit<Campaign, 'rank'> {
  const members = new Set(group.flatMap((c) => c.accounts)).size;
  const young = group.reduce((s, c) => s + c.youngAccounts, 0);
  const withAge = group.reduce((s, c) => s + c.accountsWithAge, 0);
  const best = [...group].sort((a, b) => b.sampleTextAccounts - a.sampleTextAccounts)[0]!;
  // The campaign's triage: the most advanced status of its episodes (confirmed > escalated > dismissed > in review > new).
  const order: Array<TriageStatus> = ['confirmed', 'escalated', 'dismissed', 'in_review', 'new'];
  const outcomes = group.map((c) => triage.get(c.id)).filter((t): t is TriageOutcome => t !== undefined);
  const top = outcomes.sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status))[0];
  return {
    kinds: sortedUnion(group.map((c) => c.kinds)) as ClusterKind[],
    score: Math.max(...group.map((c) => c.score)),
    members,
    posts: group.reduce((s, c) => s + c.posts, 0),
    youngAccountShare: withAge > 0 ? young / withAge : null,
    start: group.map((c) => c.start).sort()[0]!,
    end: group
      .map((c) => c.end)
      .sort()
      .reverse()[0]!,
    platforms: sortedUnion(group.map((c) => c.platforms)),
    languages: sortedUnion(group.map((c) => c.languages)),
    hashtags: sortedUnion(group.map((c) => c.hashtags)),
    domains: sortedUnion(group.map((c) => c.links.map(domainOf).filter((d): d is string => d !== null))),
    reasons: [...new Set(group.flatMap((c) => clusterReasons(c, 'en', timeZone)))],
    reasonsNl: [...new Set(group.flatMap((c) => clusterReasons(c, 'nl', timeZone)))],
    reasonsFromEvidence: group.every((c) => (c.evidence?.length ?? 0) > 0),
    sampleText: best.sampleText && best.sampleTextAccounts >= minSample ? scrubText(best.sampleText) : null,
    episodes: group.map((c) => ({
      day: localDay(Date.parse(c.start), timeZone),
      start: c.start,
      end: c.end,
      members: c.accounts.length,
      posts: c.posts,
      score: c.score,
    })),
    triage: top
      ? { status: top.status, closeReason: top.closeReason, reviewed: outcomes.some((o) => o.reviewed) }
      : { status: 'unknown', closeReason: null, reviewed: false },
  };
}

interface NarrativeTally {
  clusters: number;
  accounts: Set<string>;
  days: string[];
}

function tallyNarratives(clusters: ReportClusterInput[], timeZone: string): Map<string, NarrativeTally> {
  const out = new Map<string, NarrativeTally>();
  const add = (key: string, c: ReportClusterInput) => {
    const t = out.get(key) ?? { clusters: 0, accounts: new Set<string>(), days: [] };
    t.clusters++;
    for (const a of c.accounts) t.accounts.add(a);
    t.days.push(localDay(Date.parse(c.start), timeZone));
    out.set(key, t);
  };
  for (const c of clusters) {
    for (const h of new Set(c.hashtags)) add(`hashtag\t#${h}`, c);
    for (const d of new Set(c.links.map(domainOf).filter((x): x is string => x !== null))) add(`domain\t${d}`, c);
    for (const claim of new Set(c.factchecks.map((f) => f.claim).filter((x): x is string => !!x)))
      add(`claim\t${scrubText(claim)}`, c);
  }
  return out;
}

function trendOf(now: number, before: number): Trend {
  if (before === 0) return 'new';
  if (now > before) return 'up';
  if (now < before) return 'down';
  return 'same';
}

function figuresOf(agg: PeriodAggregates, campaigns: number): PeriodFigures {
  const fcs = new Set(agg.clusters.flatMap((c) => c.factchecks.map((f) => f.url)));
  return {
    posts: agg.postHours.reduce((s, b) => s + b.posts, 0),
    clusters: agg.clusters.length,
    campaigns,
    accountsInClusters: new Set(agg.clusters.flatMap((c) => c.accounts)).size,
    postsInClusters: agg.clusters.reduce((s, c) => s + c.posts, 0),
    factchecksLinked: fcs.size,
  };
}

function totals(pairs: Array<[string, number]>): Array<{ name: string; posts: number }> {
  const m = new Map<string, number>();
  for (const [k, v] of pairs) m.set(k, (m.get(k) ?? 0) + v);
  return [...m]
    .map(([name, posts]) => ({ name, posts }))
    .sort((a, b) => b.posts - a.posts || a.name.localeCompare(b.name));
}

function byDay(days: string[], rows: Array<{ day: string; series: string; n: number }>, series: string[]): DayCount[] {
  return days.map((day) => {
    const row: DayCount = { day };
    for (const s of series) row[s] = 0;
    for (const r of rows) if (r.day === day) row[r.series] = (row[r.series] as number) + r.n;
    return row;
  });
}

/**
 * Builds the report from the aggregates of the period and of the previous period of equal length.
 * Pure: the same input gives the same output (generatedAt comes from `meta`).
 */
export function buildReportData(
  current: PeriodAggregates,
  previous: PeriodAggregates,
  triageOutcomes: Map<string, TriageOutcome>,
  meta: ReportMeta,
): ReportData {
  const tz = meta.timeZone ?? DEFAULT_TZ;
  const minSample = meta.minSampleAccounts ?? 10;
  const days = daysOf(current.from, current.to, tz);

  // Volume.
  const hourRows = current.postHours.map((b) => ({ ...b, day: localDay(b.hourMs, tz) }));
  const platforms = totals(hourRows.map((b) => [b.platform, b.posts]));
  const languages = totals(hourRows.map((b) => [b.lang, b.posts]));
  const kindRows = current.clusters.flatMap((c) =>
    c.kinds.map((k) => ({ day: localDay(Date.parse(c.start), tz), series: k, n: 1 })),
  );
  const kinds = totals(kindRows.map((r) => [r.series, 1])).map((k) => ({
    name: k.name as ClusterKind,
    clusters: k.posts,
  }));

  // Campaigns, ranked by size then score.
  const groups = groupCampaigns(current.clusters, tz);
  const campaigns = groups
    .map((g) => campaignOf(g, triageOutcomes, tz, minSample))
    .sort((a, b) => b.members - a.members || b.score - a.score || a.start.localeCompare(b.start))
    .map((c, i) => ({ rank: i + 1, ...c }));

  // Narratives versus the previous period.
  const now = tallyNarratives(current.clusters, tz);
  const before = tallyNarratives(previous.clusters, tz);
  const narratives: NarrativeItem[] = [...now].map(([key, t]) => {
    const [kind, value] = key.split('\t') as [NarrativeItem['kind'], string];
    const prev = before.get(key)?.clusters ?? 0;
    const sortedDays = [...t.days].sort();
    return {
      kind,
      value,
      clusters: t.clusters,
      accounts: t.accounts.size,
      previousClusters: prev,
      trend: trendOf(t.clusters, prev),
      firstDay: sortedDays[0]!,
      lastDay: sortedDays[sortedDays.length - 1]!,
    };
  });
  for (const [key, t] of before) {
    if (now.has(key)) continue;
    const [kind, value] = key.split('\t') as [NarrativeItem['kind'], string];
    narratives.push({
      kind,
      value,
      clusters: 0,
      accounts: 0,
      previousClusters: t.clusters,
      trend: 'down',
      firstDay: '',
      lastDay: '',
    });
  }
  narratives.sort(
    (a, b) =>
      b.clusters - a.clusters ||
      b.accounts - a.accounts ||
      b.previousClusters - a.previousClusters ||
      a.value.localeCompare(b.value),
  );

  // Fact-checks linked, de-duplicated by review URL.
  const fcMap = new Map<string, LinkedFactCheck>();
  for (const c of current.clusters) {
    for (const f of c.factchecks) {
      const e = fcMap.get(f.url) ?? {
        publisher: f.publisher,
        claim: f.claim ? scrubText(f.claim) : null,
        rating: f.rating ?? null,
        url: f.url,
        clusters: 0,
      };
      e.clusters++;
      fcMap.set(f.url, e);
    }
  }
  const factchecks = [...fcMap.values()].sort(
    (a, b) => b.clusters - a.clusters || a.publisher.localeCompare(b.publisher) || a.url.localeCompare(b.url),
  );

  // Triage outcomes per cluster.
  const outcomes = current.clusters.map((c) => triageOutcomes.get(c.id));
  const count = (s: TriageStatus) => outcomes.filter((o) => o?.status === s).length;
  const reasons = totals(outcomes.filter((o): o is TriageOutcome => !!o?.closeReason).map((o) => [o.closeReason!, 1]));
  const triage = {
    clusters: current.clusters.length,
    reviewed: outcomes.filter((o) => o?.reviewed).length,
    escalated: count('escalated'),
    confirmed: count('confirmed'),
    dismissed: count('dismissed'),
    open: outcomes.filter((o) => !o || o.status === 'new' || o.status === 'in_review').length,
    closeReasons: reasons.map((r) => ({ reason: r.name, clusters: r.posts })),
  };

  const prevGroups = groupCampaigns(previous.clusters, tz);
  const cur = figuresOf(current, groups.length);
  const prev = figuresOf(previous, prevGroups.length);

  // Key judgements, each backed by a figure.
  const kj: Array<Omit<KeyJudgement, 'n'>> = [];
  if (current.clusters.length === 0) kj.push({ key: 'no_clusters', figures: { posts: cur.posts } });
  else {
    kj.push({
      key: 'clusters_flagged',
      figures: {
        clusters: cur.clusters,
        campaigns: cur.campaigns,
        accounts: cur.accountsInClusters,
        previousClusters: prev.clusters,
      },
    });
    const top =
      narratives.find((n) => n.kind === 'hashtag' && n.clusters > 0) ?? narratives.find((n) => n.clusters > 0);
    if (top) {
      const ids = current.clusters
        .filter((c) => tallyNarratives([c], tz).has(`${top.kind}\t${top.value}`))
        .map((c) => c.id);
      const confirmed = ids.filter((id) => triageOutcomes.get(id)?.status === 'confirmed').length;
      kj.push({
        key: 'top_narrative',
        figures: {
          value: top.value,
          clusters: top.clusters,
          accounts: top.accounts,
          firstDay: top.firstDay,
          lastDay: top.lastDay,
          confirmed,
        },
      });
    }
    const youngMajority = campaigns.filter((c) => c.youngAccountShare !== null && c.youngAccountShare > 0.5).length;
    if (youngMajority > 0)
      kj.push({ key: 'young_accounts', figures: { campaigns: youngMajority, total: campaigns.length } });
    const multi = campaigns.filter((c) => c.platforms.length > 1).length;
    if (multi > 0) kj.push({ key: 'cross_platform', figures: { campaigns: multi, total: campaigns.length } });
    const fcClusters = current.clusters.filter((c) => c.factchecks.length > 0).length;
    if (fcClusters > 0)
      kj.push({
        key: 'factchecked',
        figures: {
          clusters: fcClusters,
          factchecks: factchecks.length,
          publishers: [...new Set(factchecks.map((f) => f.publisher))].sort().join(', '),
        },
      });
    kj.push({
      key: 'triage',
      figures: {
        reviewed: triage.reviewed,
        clusters: triage.clusters,
        confirmed: triage.confirmed,
        dismissed: triage.dismissed,
      },
    });
  }

  const prevRange = { from: previous.from, to: previous.to };
  return {
    schemaVersion: 1,
    meta: {
      periodName: meta.periodName,
      from: current.from,
      to: current.to,
      previousFrom: prevRange.from,
      previousTo: prevRange.to,
      timeZone: tz,
      generatedAt: meta.generatedAt,
      store: meta.store,
    },
    keyJudgements: kj.map((k, i) => ({ n: i + 1, ...k })),
    analystSummary: meta.analystSummary ?? null,
    volume: {
      days,
      postsByDayPlatform: byDay(
        days,
        hourRows.map((b) => ({ day: b.day, series: b.platform, n: b.posts })),
        platforms.map((p) => p.name),
      ),
      postsByDayLanguage: byDay(
        days,
        hourRows.map((b) => ({ day: b.day, series: b.lang, n: b.posts })),
        languages.map((p) => p.name),
      ),
      signalsByDayKind: byDay(
        days,
        kindRows,
        kinds.map((k) => k.name),
      ),
      platforms,
      languages,
      kinds,
    },
    campaigns: campaigns.slice(0, meta.topCampaigns ?? 10),
    narratives,
    factchecks,
    triage,
    periodOverPeriod: { current: cur, previous: prev },
    method: {
      platforms: platforms.map((p) => p.name),
      detectionMethods: kinds.map((k) => k.name),
      thresholds: meta.thresholds,
      configHash: meta.configHash,
      softwareVersion: meta.softwareVersion,
      minSampleAccounts: minSample,
      narrativeSource: 'cluster_hashtags_domains_factchecks',
    },
  };
}

function tzOffsetMs(ms: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant (epoch ms) local midnight starts a YYYY-MM-DD day in a time zone (DST-correct). */
export function localMidnight(day: string, timeZone = DEFAULT_TZ): number {
  return localInstant(day, 0, timeZone);
}

/** The instant of a local wall-clock hour on a day (DST-correct; an hour skipped by DST maps to the next one). */
export function localInstant(day: string, hour: number, timeZone = DEFAULT_TZ): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d, hour);
  const first = guess - tzOffsetMs(guess, timeZone);
  const second = guess - tzOffsetMs(first, timeZone);
  return second;
}

/** The day after a YYYY-MM-DD day. */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** A period of whole local days, `fromDay` to `toDay` inclusive, as [from, to) instants. */
export function periodBounds(fromDay: string, toDay: string, timeZone = DEFAULT_TZ): { from: string; to: string } {
  return {
    from: new Date(localMidnight(fromDay, timeZone)).toISOString(),
    to: new Date(localMidnight(nextDay(toDay), timeZone)).toISOString(),
  };
}
