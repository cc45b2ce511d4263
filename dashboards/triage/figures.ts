// The figures of the evidence view, computed from a cluster's member posts: posts per minute by co-action kind,
// the account-age histogram, languages and platforms. Data first (pure functions, no markup): the templates lay
// the same numbers out as SVG charts and as tables (the text alternative), and the JSON API returns them as they are.
import type { EnrichedPost } from '../../pipelines/types.ts';
import { formatTime, t } from './i18n/index.ts';
import type { Lang, MsgKey } from './i18n/index.ts';
import type { CoactionKind } from './network.ts';

/** Series of the timeline chart. */
export const TIMELINE_KINDS = ['text', 'link', 'repost', 'other'] as const;

/** One minute of the timeline. */
export interface MinuteBin {
  /** Epoch ms of the minute's start. */
  atMs: number;
  counts: Record<(typeof TIMELINE_KINDS)[number], number>;
  total: number;
}

/** One bar of a chart, in SVG user units. */
export interface Bar {
  x: number;
  y: number;
  w: number;
  h: number;
  series: string;
  label: string;
}

/** A laid-out bar chart. */
export interface BarChart {
  width: number;
  height: number;
  bars: Bar[];
  /** Axis tick labels at x positions. */
  xTicks: Array<{ x: number; label: string }>;
  yMax: number;
  /** One sentence describing the chart for screen readers. */
  summary: string;
}

const MAX_MINUTES = 360;

/** Posts per minute by kind; spans longer than 6 h are binned coarser (the bin width is in the result). */
export function postsPerMinute(
  posts: EnrichedPost[],
  kinds: Record<string, CoactionKind | 'other'>,
): { bins: MinuteBin[]; binMs: number } {
  if (!posts.length) return { bins: [], binMs: 60_000 };
  const times = posts.map((p) => p.createdAtMs);
  const start = Math.floor(Math.min(...times) / 60_000) * 60_000;
  const end = Math.max(...times);
  const binMs = Math.max(1, Math.ceil((end - start + 1) / 60_000 / MAX_MINUTES)) * 60_000;
  const n = Math.floor((end - start) / binMs) + 1;
  const bins: MinuteBin[] = Array.from({ length: n }, (_, i) => ({
    atMs: start + i * binMs,
    counts: { text: 0, link: 0, repost: 0, other: 0 },
    total: 0,
  }));
  for (const p of posts) {
    const b = bins[Math.floor((p.createdAtMs - start) / binMs)]!;
    b.counts[kinds[p.id] ?? 'other']++;
    b.total++;
  }
  return { bins, binMs };
}

/** Lays the timeline out as stacked bars, labelled in `lang` with Amsterdam times. Default English. */
export function timelineChart(
  bins: MinuteBin[],
  binMs: number,
  lang: Lang = 'en',
  width = 720,
  height = 180,
): BarChart {
  const hhmm = (ms: number) => formatTime(lang, ms);
  const pad = { l: 32, b: 20, t: 8 };
  const yMax = Math.max(1, ...bins.map((b) => b.total));
  const plotW = width - pad.l - 4;
  const plotH = height - pad.b - pad.t;
  const w = bins.length ? plotW / bins.length : plotW;
  const bars: Bar[] = [];
  bins.forEach((b, i) => {
    let y = pad.t + plotH;
    for (const k of TIMELINE_KINDS) {
      const c = b.counts[k];
      if (!c) continue;
      const h = (c / yMax) * plotH;
      y -= h;
      bars.push({
        x: pad.l + i * w,
        y,
        w: Math.max(w - 1, 0.5),
        h,
        series: k,
        label: t(lang, 'chart.bar', { at: hhmm(b.atMs), n: c, series: t(lang, `series.${k}`) }),
      });
    }
  });
  const step = Math.max(1, Math.ceil(bins.length / 8));
  const xTicks = bins
    .filter((_, i) => i % step === 0)
    .map((b) => ({ x: pad.l + bins.indexOf(b) * w, label: hhmm(b.atMs) }));
  const peak = bins.reduce((m, b) => (b.total > m.total ? b : m), bins[0] ?? { total: 0, atMs: 0 });
  return {
    width,
    height,
    bars,
    xTicks,
    yMax,
    summary: bins.length
      ? t(lang, 'chart.posts', {
          n: bins.reduce((s, b) => s + b.total, 0),
          from: hhmm(bins[0]!.atMs),
          to: hhmm(bins[bins.length - 1]!.atMs + binMs),
          bin: binMs / 60_000,
          peak: peak.total,
          at: hhmm(peak.atMs),
        })
      : t(lang, 'chart.noPosts'),
  };
}

/** Account-age buckets (days at posting time; m = 30 days, y = 365). The last bucket, '?', is unknown age. */
export const AGE_BUCKETS: Array<{ label: string; maxDays: number }> = [
  { label: '<1d', maxDays: 1 },
  { label: '1-7d', maxDays: 7 },
  { label: '7-30d', maxDays: 30 },
  { label: '1-6m', maxDays: 180 },
  { label: '6-12m', maxDays: 365 },
  { label: '1-3y', maxDays: 1095 },
  { label: '>3y', maxDays: Infinity },
];

/** How many member accounts fall in each age bucket (plus unknown), by the age at their first post in the cluster. */
export function accountAges(nodes: Array<{ ageDays: number | null }>): Array<{ label: string; count: number }> {
  const counts = AGE_BUCKETS.map((b) => ({ label: b.label, count: 0 }));
  let unknown = 0;
  for (const n of nodes) {
    if (n.ageDays === null) {
      unknown++;
      continue;
    }
    counts[AGE_BUCKETS.findIndex((b) => n.ageDays! < b.maxDays)]!.count++;
  }
  return [...counts, { label: '?', count: unknown }];
}

/** The account-age bucket label in `lang` (catalogue keys `age.*`). */
export function ageLabel(lang: Lang, label: string): string {
  return `age.${label}` in CATALOGUE_AGE_KEYS ? t(lang, `age.${label}` as MsgKey) : label;
}
const CATALOGUE_AGE_KEYS = Object.fromEntries([...AGE_BUCKETS.map((b) => b.label), '?'].map((l) => [`age.${l}`, true]));

/** Lays the account-age histogram out as bars, bucket labels in `lang`. Default English. */
export function histogramChart(
  buckets: Array<{ label: string; count: number }>,
  lang: Lang = 'en',
  width = 360,
  height = 160,
): BarChart {
  buckets = buckets.map((b) => ({ ...b, label: ageLabel(lang, b.label) }));
  const pad = { l: 28, b: 20, t: 8 };
  const yMax = Math.max(1, ...buckets.map((b) => b.count));
  const w = (width - pad.l - 4) / buckets.length;
  const plotH = height - pad.b - pad.t;
  return {
    width,
    height,
    yMax,
    bars: buckets.map((b, i) => ({
      x: pad.l + i * w + 2,
      y: pad.t + plotH - (b.count / yMax) * plotH,
      w: w - 4,
      h: (b.count / yMax) * plotH,
      series: 'age',
      label: `${b.label}: ${b.count}`,
    })),
    xTicks: buckets.map((b, i) => ({ x: pad.l + i * w + 2, label: b.label })),
    summary: buckets.map((b) => `${b.label}: ${b.count}`).join(', '),
  };
}

/** Counts of a field over posts, most frequent first. */
export function tally(values: string[]): Array<{ value: string; count: number }> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
}
