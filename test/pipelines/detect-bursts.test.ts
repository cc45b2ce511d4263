import { describe, expect, it } from 'vitest';
import {
  baselineCohortShare,
  burstEnd,
  composition,
  evaluateBurst,
  isCohortAccount,
  logCreationCluster,
  type BurstConfig,
} from '../../pipelines/detect-bursts.ts';
import { DetectionWindow } from '../../pipelines/detection-window.ts';

const cfg: BurstConfig = {
  windowSeconds: 6 * 3600,
  burstWindowSeconds: 1800,
  priorPerHour: 1,
  minSurprise: 6,
  minPosts: 10,
  minAccounts: 8,
  youngAccountDays: 30,
  noHistoryPosts: 5,
  creationClusterDays: 3,
  cohortMinShare: 0,
  cohortAlpha: 1e-6,
  excessCap: 3,
  longWindowSeconds: 3600,
};
const DAY = 86_400_000;
const NOW = 10 * 3_600_000;

function addPost(
  w: DetectionWindow,
  p: string,
  a: string,
  t: number,
  key: string,
  ageDays: number,
  posts: number,
): void {
  w.addPost(
    p,
    { t, a, l: 'nl', items: [key], g: null, x: '', tags: [], links: [] },
    { created: t - ageDays * DAY, ageDays, posts, botScore: 0, botReasons: [] },
  );
  w.addAction(key, { t, a, p, l: 'nl', n: 0 });
}

/** 400 established accounts chatting over five hours (the window population). */
function population(): DetectionWindow {
  const w = new DetectionWindow();
  for (let i = 0; i < 400; i++)
    addPost(w, `bg${i}`, `bg${i}`, NOW - 5 * 3_600_000 + i * 40_000, `h:chat${i % 7}`, 800 + i, 2000);
  return w;
}

describe('bursts', () => {
  it('flags a new hashtag pushed by accounts created within days of each other', () => {
    const w = population();
    for (let i = 0; i < 30; i++)
      addPost(w, `c${i}`, `fresh${i}`, NOW - 20 * 60_000 + i * 30_000, 'h:stopdefraude', 10 + (i % 3) * 0.5, 2);
    const f = evaluateBurst(w, 'h:stopdefraude', NOW, cfg, baselineCohortShare(w, cfg));
    expect(f).not.toBeNull();
    expect(f!.composition.cohort).toHaveLength(30);
    expect(f!.surprise).toBeGreaterThan(6);
    expect(f!.composition.creationCluster!.count).toBe(30);
  });

  it('does not flag a debate hashtag trending among established accounts', () => {
    const w = population();
    for (let i = 0; i < 300; i++) addPost(w, `d${i}`, `bg${i}`, NOW - 25 * 60_000 + i * 5000, 'h:debat', 900 + i, 5000);
    expect(evaluateBurst(w, 'h:debat', NOW, cfg, baselineCohortShare(w, cfg))).toBeNull();
  });

  it('does not flag fresh accounts posting at the rate the item always had', () => {
    const w = population();
    // Same rate throughout five hours: 30 posts per half hour.
    for (let i = 0; i < 300; i++)
      addPost(w, `s${i}`, `fresh${i % 40}`, NOW - 5 * 3_600_000 + i * 60_000, 'h:steady', 5, 2);
    expect(evaluateBurst(w, 'h:steady', NOW, cfg, baselineCohortShare(w, cfg))).toBeNull();
  });

  /** The population plus 20 young accounts chatting (a window-wide cohort share of about 5%). */
  function withSomeYoung(): DetectionWindow {
    const w = population();
    for (let i = 0; i < 20; i++) addPost(w, `y${i}`, `young${i}`, NOW - 4 * 3_600_000 + i * 60_000, 'h:chat', 12, 40);
    return w;
  }

  it('flags a ring sharing a fresh link within a minute whose young share is only 56% (no hard share gate)', () => {
    const w = withSomeYoung();
    for (let i = 0; i < 25; i++)
      addPost(w, `r${i}`, `ring${i}`, NOW - 5 * 60_000 + i * 2000, 'l:fresh', i < 14 ? 8 + i : 600 + i, 300);
    const f = evaluateBurst(w, 'l:fresh', NOW, cfg, baselineCohortShare(w, cfg));
    expect(f).not.toBeNull();
    expect(f!.composition.cohort).toHaveLength(14);
    expect(f!.logPJoint).toBeLessThan(Math.log(1e-6));
    // The old gate (at least 60% young or without history) dropped it by the luck of its young share.
    expect(evaluateBurst(w, 'l:fresh', NOW, { ...cfg, cohortMinShare: 0.6 }, baselineCohortShare(w, cfg))).toBeNull();
  });

  it('does not let a sharp burst excuse an ordinary cohort (a story breaking among mostly established accounts)', () => {
    const w = withSomeYoung();
    for (let i = 0; i < 200; i++)
      addPost(
        w,
        `n${i}`,
        `news${i}`,
        NOW - 20 * 60_000 + i * 5000,
        'l:story',
        // The young readers were created on different days (not one batch: that is evidence of its own, below).
        i % 10 === 0 ? 1 + ((i * 7) % 29) : 700 + i,
        3000,
      );
    const f = evaluateBurst(w, 'l:story', NOW, cfg, baselineCohortShare(w, cfg));
    expect(f).toBeNull();
  });

  /** A fresh hashtag pushed by 36 accounts of which 9 are young, the young ones created `spreadDays` apart in turn. */
  function modestPush(spreadDays: number): DetectionWindow {
    const w = withSomeYoung();
    for (let i = 0; i < 36; i++)
      addPost(
        w,
        `h${i}`,
        `push${i}`,
        NOW - 25 * 60_000 + i * 40_000,
        'h:nooitmeer',
        i % 4 === 0 ? 2 + (((i / 4) * spreadDays) % 27) : 900 + i,
        i % 4 === 0 ? 10 : 3000,
      );
    return w;
  }

  it('flags a push whose young minority was created in one batch, and lists all its posters (item born in the burst)', () => {
    const w = modestPush(0.2);
    const f = evaluateBurst(w, 'h:nooitmeer', NOW, cfg, baselineCohortShare(w, cfg));
    expect(f).not.toBeNull();
    expect(f!.composition.cohort).toHaveLength(9);
    expect(new Set(f!.posts).size).toBe(36);
    expect(logCreationCluster(w, f!.composition.cohort, cfg)).toBeLessThan(Math.log(1e-6));
    // Without the whole-item listing only the cohort's posts are listed.
    expect(
      evaluateBurst(w, 'h:nooitmeer', NOW, { ...cfg, wholeNewItem: false }, baselineCohortShare(w, cfg))!.posts,
    ).toHaveLength(9);
  });

  it('does not flag the same push when its young accounts were created weeks apart', () => {
    const w = modestPush(3.1);
    expect(
      logCreationCluster(
        w,
        composition(
          w,
          Array.from({ length: 36 }, (_, i) => `push${i}`),
          cfg,
        ).cohort,
        cfg,
      ),
    ).toBeGreaterThan(Math.log(0.05));
    expect(evaluateBurst(w, 'h:nooitmeer', NOW, cfg, baselineCohortShare(w, cfg))).toBeNull();
  });

  /** 12 accounts created within two days, 14 posts of a fresh hashtag in two minutes, 75 minutes before NOW. */
  function shortPush(w: DetectionWindow): void {
    for (let i = 0; i < 14; i++)
      addPost(w, `sp${i}`, `fresh${i % 12}`, NOW - 75 * 60_000 + i * 9000, 'h:wegmetdestem', 12 + (i % 12) / 6, 3);
  }

  it('judges a burst at its peak since the previous evaluation, however seldom evaluations run', () => {
    const w = withSomeYoung();
    shortPush(w);
    const base = baselineCohortShare(w, cfg);
    // Evaluated 73 minutes after the push ended, neither burst window (30 and 60 minutes) holds any of it.
    expect(evaluateBurst(w, 'h:wegmetdestem', NOW, cfg, base)).toBeNull();
    // With the previous evaluation before the push, the window ends at the push's last post.
    const f = evaluateBurst(w, 'h:wegmetdestem', NOW, cfg, base, NOW - 80 * 60_000);
    expect(f).not.toBeNull();
    expect(f!.observed).toBe(14);
    expect(f!.lastMs).toBe(NOW - 75 * 60_000 + 13 * 9000);
    expect(f!.composition.cohort).toHaveLength(12);
    // An evaluation after the push (nothing new since) judges the window ending now, as before.
    expect(evaluateBurst(w, 'h:wegmetdestem', NOW, cfg, base, NOW - 70 * 60_000)).toBeNull();
  });

  it('does not flag a debate hashtag at its peak between evaluations', () => {
    const w = withSomeYoung();
    for (let i = 0; i < 300; i++)
      addPost(
        w,
        `d${i}`,
        `bg${i}`,
        NOW - 80 * 60_000 + i * 5000,
        'h:debat',
        i % 25 === 0 ? 1 + (i % 29) : 900 + i,
        5000,
      );
    const base = baselineCohortShare(w, cfg);
    expect(burstEnd(w.items.get('h:debat')!.acts, NOW - 90 * 60_000, NOW, 1_800_000)).toBeLessThan(NOW);
    expect(evaluateBurst(w, 'h:debat', NOW, cfg, base, NOW - 90 * 60_000)).toBeNull();
  });

  it('judges a push spread over 50 minutes on all its posters (the long span), not on the part 30 minutes hold', () => {
    const w = withSomeYoung();
    // 30 accounts post a fresh hashtag once each, 100 s apart; every fifth is young (6, created within two days).
    for (let i = 0; i < 30; i++)
      addPost(
        w,
        `lp${i}`,
        `slow${i}`,
        NOW - 50 * 60_000 + i * 100_000,
        'h:eerlijkestem',
        i % 5 === 0 ? 10 + (i % 3) * 0.7 : 900 + i,
        i % 5 === 0 ? 10 : 3000,
      );
    const base = baselineCohortShare(w, cfg);
    // The last 30 minutes hold 18 posters of whom 3 are young: not unusual enough.
    expect(evaluateBurst(w, 'h:eerlijkestem', NOW, { ...cfg, longWindowSeconds: 0 }, base)).toBeNull();
    const f = evaluateBurst(w, 'h:eerlijkestem', NOW, cfg, base);
    expect(f).not.toBeNull();
    expect(f!.windowSeconds).toBe(3600);
    expect(f!.composition).toMatchObject({ accounts: 30, young: 6 });
    expect(new Set(f!.posts).size).toBe(30);
  });

  it('does not flag an organic hashtag trending for an hour with the young share of the window', () => {
    const w = withSomeYoung();
    // 150 posts over 55 minutes by 112 established accounts and 8 young ones created on different days.
    for (let i = 0; i < 150; i++) {
      const k = Math.floor(i / 20);
      if (i % 20 === 7)
        addPost(w, `o${i}`, `newbie${k}`, NOW - 55 * 60_000 + i * 22_000, 'h:hittegolf', 1 + ((k * 11) % 28), 40);
      else addPost(w, `o${i}`, `bg${(i * 13) % 112}`, NOW - 55 * 60_000 + i * 22_000, 'h:hittegolf', 900 + i, 2000);
    }
    const base = baselineCohortShare(w, cfg);
    expect(evaluateBurst(w, 'h:hittegolf', NOW, cfg, base)).toBeNull();
    expect(evaluateBurst(w, 'h:hittegolf', NOW, cfg, base, NOW - 60 * 60_000)).toBeNull();
  });

  it('ends the burst window at the latest action with the most actions before it, else now', () => {
    const acts = [0, 10, 20, 30, 100, 105].map((t) => ({ t }));
    // Spans of 50: ending at 30 holds 4, at 100 holds 1, at 105 holds 2.
    expect(burstEnd(acts, -Infinity, 200, 50)).toBe(30);
    // Only actions after sinceMs can end the window.
    expect(burstEnd(acts, 30, 200, 50)).toBe(105);
    // Ties go to the latest; the current end counts when it holds as many.
    expect(burstEnd(acts, 30, 140, 50)).toBe(140);
    expect(burstEnd(acts, 200, 300, 50)).toBe(300);
    expect(burstEnd(acts, null, 300, 50)).toBe(300);
  });

  it('measures composition: young, no history, creation-date clustering', () => {
    const w = new DetectionWindow();
    addPost(w, 'p1', 'a', 0, 'h:x', 3, 100);
    addPost(w, 'p2', 'b', 0, 'h:x', 400, 2);
    addPost(w, 'p3', 'c', 0, 'h:x', 401, 5000);
    const c = composition(w, ['a', 'b', 'c', 'unknown'], cfg);
    expect(c).toMatchObject({ accounts: 3, young: 1, noHistory: 1, cohort: ['a', 'b'] });
    expect(c.creationCluster!.count).toBe(2);
  });

  it('keeps the window-wide cohort count up to date as accounts post, change profile and expire', () => {
    const tracked = new DetectionWindow((r) => isCohortAccount(r, cfg));
    const plain = new DetectionWindow();
    const feed = (w: DetectionWindow): void => {
      addPost(w, 'p1', 'young', 1000, 'h:x', 3, 100); // young
      addPost(w, 'p2', 'old', 2000, 'h:x', 900, 5000); // established
      addPost(w, 'p3', 'nohist', 3000, 'h:x', 900, 1); // no history
      addPost(w, 'p4', 'old', 4000, 'h:x', 900, 5000);
      addPost(w, 'p5', 'nohist', 5000, 'h:x', 900, 6); // now has history: leaves the cohort
    };
    feed(tracked);
    feed(plain);
    expect(tracked.cohortAccounts).toBe(1); // only 'young'
    expect(baselineCohortShare(tracked, cfg)).toBeCloseTo(1 / 3);
    expect(baselineCohortShare(plain, cfg)).toBeCloseTo(1 / 3);
    tracked.expire(2500); // 'young' (p1) leaves; 'old' keeps p4
    expect(tracked.cohortAccounts).toBe(0);
    expect(tracked.accounts.size).toBe(2);
    const restored = DetectionWindow.from(
      JSON.parse(JSON.stringify(tracked.toJSON())) as ReturnType<typeof tracked.toJSON>,
      (r) => isCohortAccount(r, cfg),
    );
    expect(restored.cohortAccounts).toBe(0);
  });
});
