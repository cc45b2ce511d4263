// Bursts: a hashtag, link or text group whose rate in the last `burstWindowSeconds` is far above its own baseline
// (its rate earlier in the window, floored by a prior rate), judged by the Poisson surprise -log10 P(X >= observed).
// A burst alone is news (a debate makes a hashtag trend); it is flagged only when the composition of who posts it
// is also unlikely: the share of young accounts or accounts without history, tested against the share among all
// accounts active in the window (binomial tail), and whether the young ones were created within a few days of each
// other (a batch). The three are judged jointly (Fisher's method over the cohort p-value, the creation-batch p-value
// and the burst's surprise beyond `minSurprise`, credited up to `excessCap` orders of magnitude), not by hard gates,
// so a ring with 56% young accounts is not dropped while one with 60% is: a sharper burst or a tighter creation batch
// needs a less unusual cohort, and no burst excuses an ordinary one.
import type { AccountRecord, Action, DetectionWindow } from './detection-window.ts';
import { logBinomialTail, logFisherCombined, logPoissonTail } from './tail-probability.ts';

/** Settings of the burst detector. */
export interface BurstConfig {
  windowSeconds: number;
  burstWindowSeconds: number;
  priorPerHour: number;
  minSurprise: number;
  minPosts: number;
  minAccounts: number;
  youngAccountDays: number;
  noHistoryPosts: number;
  creationClusterDays: number;
  cohortMinShare: number;
  cohortAlpha: number;
  /** Orders of magnitude of burst surprise beyond `minSurprise` credited to the joint test. */
  excessCap: number;
  /** List every poster of an item born in the burst, not only the cohort (default true). */
  wholeNewItem?: boolean;
  /** A second, longer span bursts are also judged over, in seconds (0 or unset: none). */
  longWindowSeconds?: number;
}

/** Who posted a set of posts: counts an analyst can check against the profiles. */
export interface Composition {
  accounts: number;
  young: number;
  noHistory: number;
  /** Accounts that are young or have no history. */
  cohort: string[];
  /** Most accounts created within `creationClusterDays` of each other, and that span (ms). */
  creationCluster: { count: number; fromMs: number; toMs: number } | null;
}

/** A flagged burst. */
export interface BurstFinding {
  key: string;
  observed: number;
  expected: number;
  /** -log10 of the rate p-value. */
  surprise: number;
  /** The span the burst was judged over (`burstWindowSeconds` or `longWindowSeconds`). */
  windowSeconds: number;
  composition: Composition;
  /** Natural log of the composition p-value. */
  logPComposition: number;
  /** Natural log of the joint (burst and composition) p-value the burst was flagged on. */
  logPJoint: number;
  /** Posts on the key within the burst window: of the cohort accounts, or of every poster when the item was born in the burst. */
  posts: string[];
  /** Times of the first and last post (any account) counted in `observed`. */
  firstMs: number;
  lastMs: number;
  startMs: number;
  endMs: number;
}

/** Anything that maps account ids to profile records: the window, or a cluster's stored member profiles. */
export interface AccountLookup {
  accounts: { get(id: string): Pick<AccountRecord, 'created' | 'ageDays' | 'posts'> | undefined };
}

/** True when an account is young or has no history (the cohort a burst is judged by). */
export function isCohortAccount(
  r: Pick<AccountRecord, 'ageDays' | 'posts'>,
  cfg: Pick<BurstConfig, 'youngAccountDays' | 'noHistoryPosts'>,
): boolean {
  return (
    (r.ageDays !== null && r.ageDays < cfg.youngAccountDays) || (r.posts !== null && r.posts <= cfg.noHistoryPosts)
  );
}

/** Measures the composition of `accounts` from account records (the window's, or stored profiles). */
export function composition(window: AccountLookup, accounts: Iterable<string>, cfg: BurstConfig): Composition {
  let n = 0;
  let young = 0;
  let noHistory = 0;
  const cohort: string[] = [];
  const created: number[] = [];
  for (const a of accounts) {
    const r = window.accounts.get(a);
    if (!r) continue;
    n++;
    const isYoung = r.ageDays !== null && r.ageDays < cfg.youngAccountDays;
    const isNew = r.posts !== null && r.posts <= cfg.noHistoryPosts;
    if (isYoung) young++;
    if (isNew) noHistory++;
    if (isYoung || isNew) cohort.push(a);
    if (r.created !== null) created.push(r.created);
  }
  created.sort((x, y) => x - y);
  let best: Composition['creationCluster'] = null;
  const span = cfg.creationClusterDays * 86_400_000;
  for (let i = 0, j = 0; j < created.length; j++) {
    while (created[j]! - created[i]! > span) i++;
    const count = j - i + 1;
    if (!best || count > best.count) best = { count, fromMs: created[i]!, toMs: created[j]! };
  }
  return { accounts: n, young, noHistory, cohort: cohort.sort(), creationCluster: best };
}

/**
 * Share of window accounts that are young or without history (the composition null), floored at 1%. Uses the
 * window's incremental count when it was built with a cohort classifier, else scans the accounts.
 */
export function baselineCohortShare(window: DetectionWindow, cfg: BurstConfig): number {
  const n = window.accounts.size;
  let c = 0;
  if (window.isCohort) c = window.cohortAccounts;
  else for (const r of window.accounts.values()) if (isCohortAccount(r, cfg)) c++;
  return n === 0 ? 0.01 : Math.max(0.01, c / n);
}

/**
 * Natural log of the chance that the young accounts among `cohort` were created as close together as they were: the
 * most of them created within `creationClusterDays` of each other (c of n), against creation dates spread evenly over
 * the `youngAccountDays` that make an account young (each falls in a given span with q = creationClusterDays /
 * youngAccountDays), a scan over the youngAccountDays / creationClusterDays spans (Bonferroni): accounts made in one
 * batch are what a push is run from. 0 (p = 1) when fewer than three young accounts have a creation date.
 */
export function logCreationCluster(
  window: AccountLookup,
  cohort: Iterable<string>,
  cfg: Pick<BurstConfig, 'youngAccountDays' | 'creationClusterDays'>,
): number {
  const created: number[] = [];
  for (const a of cohort) {
    const r = window.accounts.get(a);
    if (r && r.created !== null && r.ageDays !== null && r.ageDays < cfg.youngAccountDays) created.push(r.created);
  }
  if (created.length < 3 || cfg.creationClusterDays >= cfg.youngAccountDays) return 0;
  created.sort((x, y) => x - y);
  const span = cfg.creationClusterDays * 86_400_000;
  let c = 0;
  for (let i = 0, j = 0; j < created.length; j++) {
    while (created[j]! - created[i]! > span) i++;
    c = Math.max(c, j - i + 1);
  }
  const q = cfg.creationClusterDays / cfg.youngAccountDays;
  return Math.min(0, Math.log(cfg.youngAccountDays / cfg.creationClusterDays) + logBinomialTail(c, created.length, q));
}

/**
 * Index of the first action at or after `t` (`after`: strictly after) in actions sorted by time; their length when
 * there is none.
 */
function firstFrom(acts: readonly { t: number }[], t: number, after = false): number {
  let lo = 0;
  let hi = acts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (acts[mid]!.t < t || (after && acts[mid]!.t === t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * End of the burst window to judge item `acts` by at an evaluation at `nowMs` whose previous evaluation was at
 * `sinceMs`: the time of the action after `sinceMs` with the most actions in the burst window ending at it (the
 * latest of equals), else `nowMs`. So a burst is judged at its peak however seldom evaluations run: a two-minute push
 * between two evaluations half an hour apart used to be seen only when the later one still held it in its last
 * `burstWindowSeconds`, and then against a baseline that already counted part of it.
 */
export function burstEnd(
  acts: readonly { t: number }[],
  sinceMs: number | null,
  nowMs: number,
  spanMs: number,
): number {
  if (sinceMs === null || sinceMs >= nowMs) return nowMs;
  const hi = firstFrom(acts, nowMs, true);
  let j = firstFrom(acts, sinceMs, true);
  if (j >= hi) return nowMs;
  let best = nowMs;
  let bestCount = -1;
  // Two pointers: i is the first action inside [acts[j].t - spanMs, acts[j].t] (the span evaluateBurst counts).
  let i = firstFrom(acts, acts[j]!.t - spanMs);
  for (; j < hi; j++) {
    const t = acts[j]!.t;
    while (acts[i]!.t < t - spanMs) i++;
    // Several actions at one time: count up to the last of them.
    if (j + 1 < hi && acts[j + 1]!.t === t) continue;
    const count = j - i + 1;
    if (count >= bestCount) {
      bestCount = count;
      best = t;
    }
  }
  // The current end counts too when it holds as many (an item whose actions stopped keeps being judged at nowMs).
  const atNow = hi - firstFrom(acts, nowMs - spanMs);
  return atNow >= bestCount ? nowMs : best;
}

/**
 * Evaluates item `key` at `nowMs`; returns a finding when its rate is surprising and its posters are an unlikely
 * cohort. `baseShare` comes from {@link baselineCohortShare} (computed once per evaluation round). `sinceMs`, the
 * time of the previous evaluation, lets the burst window end at the item's peak since then ({@link burstEnd});
 * without it the window ends at `nowMs`. The burst is judged over `burstWindowSeconds` and, when set, over
 * `longWindowSeconds` too (a push whose posts are spread over most of an hour is judged on all of its posters, not on
 * the half a shorter window holds); the span with the lowest joint p-value is kept, the p-value multiplied by the
 * number of spans (Bonferroni).
 */
export function evaluateBurst(
  window: DetectionWindow,
  key: string,
  nowMs: number,
  cfg: BurstConfig,
  baseShare: number,
  sinceMs: number | null = null,
): BurstFinding | null {
  const item = window.items.get(key);
  if (!item || item.acts.length < cfg.minPosts || item.distinct < cfg.minAccounts) return null;
  const spans = [cfg.burstWindowSeconds];
  if (cfg.longWindowSeconds && cfg.longWindowSeconds > cfg.burstWindowSeconds) spans.push(cfg.longWindowSeconds);
  let best: BurstFinding | null = null;
  for (const span of spans) {
    const f = judgeSpan(window, key, item.acts, nowMs, span, cfg, baseShare, sinceMs);
    if (f && (!best || f.logPJoint < best.logPJoint)) best = f;
  }
  if (!best) return null;
  best.logPJoint = Math.min(0, best.logPJoint + Math.log(spans.length));
  return best.logPJoint > Math.log(cfg.cohortAlpha) ? null : best;
}

/** {@link evaluateBurst} over one span of `spanSeconds`: the finding with its joint p-value (not yet tested), or null when a precondition fails. */
function judgeSpan(
  window: DetectionWindow,
  key: string,
  acts: readonly Action[],
  nowMs: number,
  spanSeconds: number,
  cfg: BurstConfig,
  baseShare: number,
  sinceMs: number | null,
): BurstFinding | null {
  const endMs = burstEnd(acts, sinceMs, nowMs, spanSeconds * 1000);
  const from = endMs - spanSeconds * 1000;
  // Actions are sorted by time: the recent ones are one slice, found by binary search (a busy hashtag holds tens of
  // thousands of actions and is evaluated at every advance).
  const recent = acts.slice(firstFrom(acts, from), firstFrom(acts, endMs, true));
  if (recent.length < cfg.minPosts) return null;
  const older = acts.length - recent.length;
  const windowStart = Math.max(nowMs - cfg.windowSeconds * 1000, window.firstMs ?? nowMs);
  const historyHours = Math.max(0, (from - windowStart) / 3_600_000);
  const rate = Math.max(cfg.priorPerHour, historyHours > 0 ? older / historyHours : 0);
  const expected = rate * (spanSeconds / 3600);
  const surprise = -logPoissonTail(recent.length, expected) / Math.LN10;
  if (surprise < cfg.minSurprise) return null;
  const accounts = new Set(recent.map((x) => x.a));
  if (accounts.size < cfg.minAccounts) return null;
  const comp = composition(window, accounts, cfg);
  // The cohort's size is judged by the joint test below, not by a hard count (a push of 20 accounts of which 6 are
  // fresh is as unlikely as one of 8 fresh accounts); two are needed for a cohort at all.
  if (comp.cohort.length < 2 || comp.cohort.length < cfg.cohortMinShare * comp.accounts) return null;
  const logPComposition = logBinomialTail(comp.cohort.length, comp.accounts, baseShare);
  const excess = Math.max(0, Math.min(cfg.excessCap, surprise - cfg.minSurprise)) * Math.LN10;
  const logPCreation = logCreationCluster(window, comp.cohort, cfg);
  const logPJoint = logFisherCombined([-excess, logPComposition, logPCreation]);
  // An item born in this burst (nothing of it earlier in the window) that an unlikely cohort pushed is the push
  // itself: all its posters in the burst are listed, not only the cohort (a push by 30% fresh accounts is still
  // one push). An item with a history lists the cohort only (the others may be the public it reached).
  // Born: its first post in the window is at most one burst window before the recent span (a push spread over more
  // than one burst window is still one push), and the window saw a burst window of history before that.
  const firstT = acts[0]!.t;
  // Hashtags and links only: a text group's membership is fuzzy (a stray paraphrase match would be listed too).
  const born =
    cfg.wholeNewItem !== false &&
    (key.startsWith('h:') || key.startsWith('l:')) &&
    firstT >= from - cfg.burstWindowSeconds * 1000 &&
    firstT - windowStart >= cfg.burstWindowSeconds * 1000;
  const cohort = new Set(comp.cohort);
  const posts = born ? acts.filter((x) => x.t <= nowMs) : recent.filter((x) => cohort.has(x.a));
  return {
    key,
    observed: recent.length,
    expected,
    surprise,
    windowSeconds: spanSeconds,
    composition: comp,
    logPComposition,
    logPJoint,
    posts: posts.map((x) => x.p),
    startMs: posts[0]!.t,
    endMs: posts[posts.length - 1]!.t,
    firstMs: recent[0]!.t,
    lastMs: recent[recent.length - 1]!.t,
  };
}
