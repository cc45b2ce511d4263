// Alert rules, pure: which routes a cluster update goes to, when, as a new alert or a follow-up, and why anything
// was held back. Modelled on Prometheus Alertmanager (routes with matchers, group wait and interval, silences,
// inhibition, quiet periods) with the cluster id as group key. No I/O and no clock: `now` and every piece of state
// come in as arguments and the new state goes out in the decision, so the worker can store state and the outgoing
// message in one transaction (that is what makes a restart neither lose nor repeat an alert).
import { clusterReasonsIn } from './render-reasons.ts';
import type { Cluster, ClusterKind, FactCheckRef } from './types.ts';

/** Why an alert was not sent (the fixed set used for metrics and logs). */
export const SUPPRESS_REASONS = ['dedupe', 'silence', 'inhibition', 'quiet_hours', 'rate_limit'] as const;
/** One of {@link SUPPRESS_REASONS}. */
export type SuppressReason = (typeof SUPPRESS_REASONS)[number];

/** Triage statuses after which a cluster is never alerted again. */
export const FINAL_TRIAGE_STATUSES = ['closed', 'dismissed'] as const;

/** A named narrative: any of its terms (words, or hashtags when they start with #) matches. */
export interface Narrative {
  name: string;
  terms: string[];
}

/** Watchlists, matched case- and accent-insensitively on member posts. */
export interface Watchlists {
  /** Narratives (named term lists). */
  narratives: Narrative[];
  /** Words or phrases, matched on word boundaries in post text (a hashtag #stembus does not match the word stembus). */
  keywords: string[];
  /** Hashtags without #, matched on the posts' hashtags only. */
  hashtags: string[];
  /** Domains; a link matches its domain and every subdomain. */
  domains: string[];
}

/** Matchers of a route or a silence: all given ones must hold; an empty list or absent bound means "any". */
export interface AlertMatchers {
  /** Only this cluster (silences). */
  clusterIds: string[];
  minScore: number;
  minAccounts: number;
  minPosts: number;
  /** Any of these kinds. */
  kinds: ClusterKind[];
  /** Any of these languages (ISO 639-1). */
  languages: string[];
  /** Any of these platforms (post source names, e.g. mastodon, bluesky, telegram). */
  platforms: string[];
  /** Any of these triage statuses; "new" stands for clusters without a triage status. */
  triageStatuses: string[];
  /** When any watchlist is non-empty, at least one entry must match. */
  watch: Watchlists;
}

/** Daily quiet period of a route, in local wall time. */
export interface QuietHours {
  /** Start, HH:MM local. */
  from: string;
  /** End, HH:MM local (before `from` means across midnight). */
  to: string;
  /** IANA time zone. */
  timeZone: string;
  /** Send a digest of what was held when the quiet period ends. */
  digestAtEnd: boolean;
}

/** When an alerted cluster is alerted again (as a follow-up). */
export interface RealertRules {
  /** Posts or accounts grew by at least this factor since the last alert. */
  growthFactor: number;
  /** A kind was added. */
  onNewKind: boolean;
  /** A fact-check got attached. */
  onFactCheck: boolean;
}

/** A route: where matching clusters go and how often. */
export interface AlertRoute {
  name: string;
  /** Message language. */
  language: 'nl' | 'en';
  match: AlertMatchers;
  /** Wait after a cluster first matches before the alert goes (it collects more posts meanwhile). */
  groupWaitMs: number;
  /** Least time between two messages about the same cluster. */
  groupIntervalMs: number;
  realert: RealertRules;
  quietHours: QuietHours | null;
  /** Digest mode: no message per cluster, a digest every this many hours instead. Null: per-cluster alerts. */
  digestEveryHours: number | null;
  /** Most new-cluster alerts per hour; beyond it they wait for the next digest (follow-ups are not counted). */
  maxAlertsPerHour: number;
}

/** A period with shorter waits (election day). */
export interface ElectionPeriod {
  name: string;
  /** ISO date-time. */
  from: string;
  /** ISO date-time. */
  to: string;
  groupWaitMs: number;
  groupIntervalMs: number;
}

/** A silence: matching clusters are not alerted until it expires. */
export interface Silence {
  id: string;
  matchers: Partial<AlertMatchers>;
  /** Only these routes; empty means all. */
  routes: string[];
  createdBy: string;
  comment: string;
  startsAtMs: number;
  expiresAtMs: number;
}

/** One member post, as far as rules look at it. */
export interface MemberPost {
  text: string;
  hashtags: string[];
  links: string[];
  /** Platform (post source). */
  source: string;
}

/** What rules look at: the cluster, some of its member posts and its triage status. */
export interface AlertSubject {
  cluster: Cluster;
  /** Member posts when the store has them; otherwise the cluster's sample text, hashtags and links stand in. */
  posts: MemberPost[];
  /** Triage status from the triage application; undefined = never triaged. */
  triageStatus: string | undefined;
}

/** What has been decided for one cluster on one route (kept by the worker). */
export interface RouteClusterState {
  /** Version of the last alert decided (1 = the first); 0 = never alerted. */
  version: number;
  /** Sizes, kinds and fact-checks at the last alert. */
  posts: number;
  accounts: number;
  kinds: string[];
  factchecks: string[];
  /** When the last alert was decided (ms). */
  decidedAtMs: number;
}

/** Per-route counters for the rate limit. */
export interface RouteRateState {
  windowStartMs: number;
  count: number;
}

/** What changed since the last alert (for the follow-up's wording). */
export type AlertChange = 'grew' | 'new_kind' | 'factcheck' | 'merged' | 'returned';

/** The decision for one route. */
export type RouteDecision =
  | {
      route: string;
      action: 'send';
      kind: 'new' | 'update';
      version: number;
      notBeforeMs: number;
      changes: AlertChange[];
      state: RouteClusterState;
    }
  | { route: string; action: 'suppress'; reason: SuppressReason; detail: string; hold: boolean }
  | { route: string; action: 'digest' }
  | { route: string; action: 'none' };

/** Inputs of {@link decideAlerts}. */
export interface DecideInput {
  subject: AlertSubject;
  routes: AlertRoute[];
  /** State per route name for this cluster. */
  states: Record<string, RouteClusterState | undefined>;
  /** Rate state per route name. */
  rates: Record<string, RouteRateState | undefined>;
  silences: Silence[];
  /** The cluster this one was merged into, when it was (its alerts are inhibited by the absorbing cluster's). */
  absorbedInto: string | undefined;
  /** Clusters this one absorbed (a merge): the follow-up says so. */
  absorbedCount: number;
  electionPeriods: ElectionPeriod[];
  now: number;
  /**
   * The cluster had ended (left the detector's window; its "ended" notice went out) and is active again, or is a new
   * episode of such a cluster's campaign: routes that alerted about it follow up in its thread. Default false.
   */
  returned?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Text matching

/** Lower case, accents removed (NFKD, combining marks dropped), so "Vaccín" and "vaccin" compare equal. */
export function foldText(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/**
 * True when `term` (folded) occurs in `text` (folded) as a whole word or phrase: not inside a longer word and not
 * preceded by # (a hashtag is not the word) or @ (a mention is not the word).
 */
export function containsWord(foldedText: string, foldedTerm: string): boolean {
  if (!foldedTerm) return false;
  let i = foldedText.indexOf(foldedTerm);
  while (i >= 0) {
    const before = i > 0 ? foldedText[i - 1]! : ' ';
    const afterIdx = i + foldedTerm.length;
    const after = afterIdx < foldedText.length ? foldedText[afterIdx]! : ' ';
    if (!WORD_CHAR.test(before) && before !== '#' && before !== '＃' && before !== '@' && !WORD_CHAR.test(after))
      return true;
    i = foldedText.indexOf(foldedTerm, i + 1);
  }
  return false;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return null;
  }
}

/** True when the link's host is `domain` or a subdomain of it. */
export function linkInDomain(url: string, domain: string): boolean {
  const host = hostOf(url);
  const d = domain
    .toLowerCase()
    .replace(/^www\./, '')
    .replace(/^\.+/, '');
  return host !== null && d.length > 0 && (host === d || host.endsWith(`.${d}`));
}

/** Which watchlist entries match the posts (labels like "keyword:stembus", "hashtag:5g", "narrative:5G"). */
export function watchHits(posts: MemberPost[], watch: Watchlists): string[] {
  const texts = posts.map((p) => foldText(p.text));
  const tags = new Set(posts.flatMap((p) => p.hashtags.map((h) => foldText(h.replace(/^[#＃]/, '')))));
  const links = posts.flatMap((p) => p.links);
  const word = (t: string) => texts.some((x) => containsWord(x, foldText(t.trim())));
  const tag = (t: string) => tags.has(foldText(t.trim().replace(/^[#＃]/, '')));
  const hits: string[] = [];
  for (const n of watch.narratives) {
    if (n.terms.some((t) => (/^[#＃]/.test(t.trim()) ? tag(t) : word(t)))) hits.push(`narrative:${n.name}`);
  }
  for (const k of watch.keywords) if (word(k)) hits.push(`keyword:${k}`);
  for (const h of watch.hashtags) if (tag(h)) hits.push(`hashtag:${h.replace(/^[#＃]/, '')}`);
  for (const d of watch.domains) if (links.some((l) => linkInDomain(l, d))) hits.push(`domain:${d}`);
  return hits;
}

// ---------------------------------------------------------------------------------------------------------------
// Matchers

/** The posts rules look at: member posts, else the cluster's own sample text, hashtags and links. */
export function subjectPosts(subject: AlertSubject): MemberPost[] {
  if (subject.posts.length > 0) return subject.posts;
  const c = subject.cluster;
  return [{ text: c.sampleText ?? '', hashtags: c.hashtags, links: c.links, source: '' }];
}

/** Platforms of the subject's member posts (the post source's first segment, e.g. "mastodon:social.nl" → mastodon). */
export function subjectPlatforms(subject: AlertSubject): string[] {
  return [...new Set(subject.posts.map((p) => p.source.split(/[:/]/)[0]!.toLowerCase()).filter(Boolean))].sort();
}

/** True when every given matcher holds for the subject. Missing or empty matchers mean "any". */
export function matches(subject: AlertSubject, m: Partial<AlertMatchers>): boolean {
  const c = subject.cluster;
  if (m.clusterIds?.length && !m.clusterIds.includes(c.id)) return false;
  if (m.minScore !== undefined && c.score < m.minScore) return false;
  if (m.minAccounts !== undefined && c.accounts.length < m.minAccounts) return false;
  if (m.minPosts !== undefined && c.posts.length < m.minPosts) return false;
  if (m.kinds?.length && !c.kinds.some((k) => m.kinds!.includes(k))) return false;
  if (
    m.languages?.length &&
    !c.languages.some((l) => m.languages!.map((x) => x.toLowerCase()).includes(l.toLowerCase()))
  )
    return false;
  if (m.platforms?.length) {
    const ps = subjectPlatforms(subject);
    if (!ps.some((p) => m.platforms!.map((x) => x.toLowerCase()).includes(p))) return false;
  }
  if (m.triageStatuses?.length && !m.triageStatuses.includes(subject.triageStatus ?? 'new')) return false;
  const w = m.watch;
  if (w && (w.narratives.length || w.keywords.length || w.hashtags.length || w.domains.length)) {
    if (watchHits(subjectPosts(subject), w).length === 0) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Time: quiet hours in a time zone (Intl only), election periods

function parseHm(hm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hm);
  if (!m) throw new RangeError(`not HH:MM: ${hm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function dtf(timeZone: string): Intl.DateTimeFormat {
  let f = dtfCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    dtfCache.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at instant `t`, in ms (Europe/Amsterdam: +1 h in winter, +2 h in summer). */
export function zoneOffsetMs(t: number, timeZone: string): number {
  const parts = Object.fromEntries(
    dtf(timeZone)
      .formatToParts(new Date(t))
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** Minutes since local midnight at instant `t`. */
function localMinutes(t: number, timeZone: string): number {
  const local = t + zoneOffsetMs(t, timeZone);
  return Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
}

/**
 * Whether `now` is inside the quiet period, and when that period ends (ms). Works across midnight and across DST
 * changes: the end is the next instant whose local wall time is `to` (on a spring-forward night a `to` inside the
 * skipped hour ends at the first instant after the gap).
 */
export function quietPeriod(now: number, q: QuietHours): { quiet: boolean; endsAtMs: number | null } {
  const from = parseHm(q.from);
  const to = parseHm(q.to);
  if (from === to) return { quiet: false, endsAtMs: null };
  const m = localMinutes(now, q.timeZone);
  const quiet = from < to ? m >= from && m < to : m >= from || m < to;
  if (!quiet) return { quiet, endsAtMs: null };
  // Wall-clock distance to `to`, then corrected by the offset change in between (DST), then snapped so that the
  // result is the first minute at or after the wall time `to`.
  const wallMinutes = (to - m + 1440) % 1440;
  const base = Math.floor(now / 60_000) * 60_000;
  let end = base + wallMinutes * 60_000;
  end -= zoneOffsetMs(end, q.timeZone) - zoneOffsetMs(now, q.timeZone);
  // When `to` falls in a skipped hour the correction overshoots backwards into the quiet period: step forward.
  while (end <= now || quietAt(end, from, to, q.timeZone)) end += 60_000;
  return { quiet, endsAtMs: end };
}

function quietAt(t: number, from: number, to: number, tz: string): boolean {
  const m = localMinutes(t, tz);
  return from < to ? m >= from && m < to : m >= from || m < to;
}

/** The election period `now` falls in, if any. */
export function activeElectionPeriod(now: number, periods: ElectionPeriod[]): ElectionPeriod | undefined {
  return periods.find((p) => Date.parse(p.from) <= now && now < Date.parse(p.to));
}

/** True when the silence is active at `now` and matches the subject on `route`. */
export function silenceApplies(s: Silence, subject: AlertSubject, route: string, now: number): boolean {
  if (now < s.startsAtMs || now >= s.expiresAtMs) return false;
  if (s.routes.length && !s.routes.includes(route)) return false;
  return matches(subject, s.matchers);
}

// ---------------------------------------------------------------------------------------------------------------
// The decision

function factcheckKeys(fcs: FactCheckRef[]): string[] {
  return [...new Set(fcs.map((f) => f.url))].sort();
}

/** What changed since `prev` that warrants a follow-up under `rules`. */
export function changesSince(prev: RouteClusterState, cluster: Cluster, rules: RealertRules): AlertChange[] {
  const out: AlertChange[] = [];
  const grew = (now: number, then: number) => then > 0 && now >= then * rules.growthFactor;
  if (grew(cluster.posts.length, prev.posts) || grew(cluster.accounts.length, prev.accounts)) out.push('grew');
  if (rules.onNewKind && cluster.kinds.some((k) => !prev.kinds.includes(k))) out.push('new_kind');
  if (rules.onFactCheck && factcheckKeys(cluster.factchecks).some((u) => !prev.factchecks.includes(u)))
    out.push('factcheck');
  return out;
}

function stateOf(cluster: Cluster, version: number, now: number): RouteClusterState {
  return {
    version,
    posts: cluster.posts.length,
    accounts: cluster.accounts.length,
    kinds: [...cluster.kinds].sort(),
    factchecks: factcheckKeys(cluster.factchecks),
    decidedAtMs: now,
  };
}

/**
 * Decides, per route, what to do with one cluster update: send a new alert or a follow-up (with its version, the
 * earliest send time and the state to store), put it into the route's digest, suppress it with a reason from
 * {@link SUPPRESS_REASONS} (`hold: true` = it goes into the next digest), or nothing (not matched).
 */
export function decideAlerts(input: DecideInput): RouteDecision[] {
  const { subject, now } = input;
  const c = subject.cluster;
  const election = activeElectionPeriod(now, input.electionPeriods);
  const out: RouteDecision[] = [];
  for (const route of input.routes) {
    const prev = input.states[route.name];
    const name = route.name;
    if (input.absorbedInto !== undefined) {
      out.push({
        route: name,
        action: 'suppress',
        reason: 'inhibition',
        detail: `merged into ${input.absorbedInto}`,
        hold: false,
      });
      continue;
    }
    if ((FINAL_TRIAGE_STATUSES as readonly string[]).includes(subject.triageStatus ?? '')) {
      if (prev)
        out.push({
          route: name,
          action: 'suppress',
          reason: 'dedupe',
          detail: `triage status ${subject.triageStatus}`,
          hold: false,
        });
      else out.push({ route: name, action: 'none' });
      continue;
    }
    // A cluster alerted before stays in its thread even if it no longer matches (e.g. score dipped).
    if (!prev && !matches(subject, route.match)) {
      out.push({ route: name, action: 'none' });
      continue;
    }
    const changes: AlertChange[] = prev ? changesSince(prev, c, route.realert) : [];
    if (prev && input.absorbedCount > 0 && changes.length > 0) changes.push('merged');
    if (prev && input.returned) changes.unshift('returned');
    if (prev && changes.length === 0) {
      out.push({
        route: name,
        action: 'suppress',
        reason: 'dedupe',
        detail: `version ${prev.version} already covers this state`,
        hold: false,
      });
      continue;
    }
    const silence = input.silences.find((s) => silenceApplies(s, subject, name, now));
    if (silence) {
      out.push({ route: name, action: 'suppress', reason: 'silence', detail: `silence ${silence.id}`, hold: false });
      continue;
    }
    if (route.digestEveryHours !== null) {
      out.push({ route: name, action: 'digest' });
      continue;
    }
    if (route.quietHours) {
      const q = quietPeriod(now, route.quietHours);
      if (q.quiet) {
        out.push({
          route: name,
          action: 'suppress',
          reason: 'quiet_hours',
          detail: `until ${new Date(q.endsAtMs!).toISOString()}`,
          hold: route.quietHours.digestAtEnd,
        });
        continue;
      }
    }
    if (!prev) {
      const rate = input.rates[name];
      const used = rate && now - rate.windowStartMs < 3_600_000 ? rate.count : 0;
      if (used >= route.maxAlertsPerHour) {
        out.push({
          route: name,
          action: 'suppress',
          reason: 'rate_limit',
          detail: `${route.maxAlertsPerHour} alerts per hour`,
          hold: true,
        });
        continue;
      }
    }
    const groupWaitMs = election ? Math.min(election.groupWaitMs, route.groupWaitMs) : route.groupWaitMs;
    const groupIntervalMs = election
      ? Math.min(election.groupIntervalMs, route.groupIntervalMs)
      : route.groupIntervalMs;
    const version = (prev?.version ?? 0) + 1;
    const notBeforeMs = prev ? Math.max(now, prev.decidedAtMs + groupIntervalMs) : now + groupWaitMs;
    out.push({
      route: name,
      action: 'send',
      kind: prev ? 'update' : 'new',
      version,
      notBeforeMs,
      changes,
      state: stateOf(c, version, now),
    });
  }
  return out;
}

/** The rate state after a new-cluster alert was decided at `now`. */
export function countAlert(rate: RouteRateState | undefined, now: number): RouteRateState {
  if (!rate || now - rate.windowStartMs >= 3_600_000) return { windowStartMs: now, count: 1 };
  return { windowStartMs: rate.windowStartMs, count: rate.count + 1 };
}

// ---------------------------------------------------------------------------------------------------------------
// Digests

/** One cluster in a digest (what was known of it when it was held). */
export interface DigestItem {
  clusterId: string;
  kinds: string[];
  score: number;
  posts: number;
  accounts: number;
  links: string[];
  /** When it was held (ms). */
  atMs: number;
}

/** A digest: the top clusters and the most co-shared links of a period. */
export interface Digest {
  fromMs: number;
  toMs: number;
  /** Clusters in the period (distinct). */
  clusterCount: number;
  top: DigestItem[];
  /** Links shared in the most clusters (then by accounts). */
  links: Array<{ url: string; clusters: number; accounts: number }>;
}

/** Builds a digest from the items held in [fromMs, toMs): newest state per cluster, top by score then size. */
export function buildDigest(items: DigestItem[], fromMs: number, toMs: number, top = 10, topLinks = 5): Digest {
  const latest = new Map<string, DigestItem>();
  for (const it of items) {
    if (it.atMs < fromMs || it.atMs >= toMs) continue;
    const prev = latest.get(it.clusterId);
    if (!prev || it.atMs >= prev.atMs) latest.set(it.clusterId, it);
  }
  const all = [...latest.values()].sort(
    (a, b) => b.score - a.score || b.accounts - a.accounts || a.clusterId.localeCompare(b.clusterId),
  );
  const byLink = new Map<string, { clusters: number; accounts: number }>();
  for (const it of all) {
    for (const url of new Set(it.links)) {
      const e = byLink.get(url) ?? { clusters: 0, accounts: 0 };
      e.clusters++;
      e.accounts += it.accounts;
      byLink.set(url, e);
    }
  }
  const links = [...byLink.entries()]
    .map(([url, e]) => ({ url, ...e }))
    .sort((a, b) => b.clusters - a.clusters || b.accounts - a.accounts || a.url.localeCompare(b.url))
    .slice(0, topLinks);
  return { fromMs, toMs, clusterCount: all.length, top: all.slice(0, top), links };
}

/** The digest item for a cluster at `now`. */
export function digestItem(cluster: Cluster, now: number): DigestItem {
  return {
    clusterId: cluster.id,
    kinds: [...cluster.kinds],
    score: cluster.score,
    posts: cluster.posts.length,
    accounts: cluster.accounts.length,
    links: cluster.links.slice(0, 20),
    atMs: now,
  };
}

/**
 * Whether a route's digest is due at `now`: in digest mode every `digestEveryHours` after the last one; with quiet
 * hours (and items held), once the quiet period is over.
 */
export function digestDue(route: AlertRoute, lastDigestAtMs: number, heldItems: number, now: number): boolean {
  if (route.digestEveryHours !== null) return now - lastDigestAtMs >= route.digestEveryHours * 3_600_000;
  if (heldItems === 0) return false;
  if (route.quietHours) return !quietPeriod(now, route.quietHours).quiet;
  return now - lastDigestAtMs >= 3_600_000; // held by the rate limit: at most one digest an hour
}

/** The top two reasons of a cluster in `lang`, clock times in Amsterdam time as the rest of the message. */
export function alertReasons(cluster: Cluster, lang: 'nl' | 'en'): string[] {
  return clusterReasonsIn(cluster, lang, { timeZone: 'Europe/Amsterdam' }).slice(0, 2);
}
