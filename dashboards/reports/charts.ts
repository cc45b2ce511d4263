// Server-side SVG charts for reports: a stacked bar chart per day, built with d3-scale (band and linear scales, nice
// ticks) and d3-shape (stack). No canvas, no browser, nothing fetched at view time: the SVG is inline in the report.
// Colours are the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies; each series also
// has a legend entry (in the page, where long names wrap) and the numbers go in a table next to the chart.
import { scaleBand, scaleLinear } from 'd3-scale';
import { stack } from 'd3-shape';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';

/** Okabe-Ito colours (without black, used for text). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];

/** Input of {@link stackedBarChart}. */
export interface StackedBarInput {
  /** One row per category (day): label and a value per series. */
  rows: Array<{ label: string; values: Record<string, number> }>;
  /** Series in stacking order, with display names. */
  series: Array<{ key: string; name: string }>;
  /** Text alternative (aria-label and <title>). */
  title: string;
  width?: number;
  height?: number;
  /** BCP-47 locale of axis numbers and day labels. Default en-GB. */
  locale?: string;
}

/** A stacked bar chart as an inline SVG element. */
export function stackedBarChart(input: StackedBarInput): SafeHtml {
  const width = input.width ?? 680;
  const height = input.height ?? 220;
  const m = { top: 10, right: 10, bottom: 24, left: 48 };
  const keys = input.series.map((s) => s.key);
  const data = input.rows.map(
    (r) => Object.fromEntries(keys.map((k) => [k, r.values[k] ?? 0])) as Record<string, number>,
  );
  const layers = stack<Record<string, number>>().keys(keys)(data);
  const max = Math.max(1, ...data.map((d) => keys.reduce((s, k) => s + d[k]!, 0)));
  const x = scaleBand()
    .domain(input.rows.map((r) => r.label))
    .range([m.left, width - m.right])
    .padding(0.15);
  const y = scaleLinear()
    .domain([0, max])
    .nice()
    .range([height - m.bottom, m.top]);
  const every = Math.max(1, Math.ceil(input.rows.length / 12));
  const locale = input.locale ?? 'en-GB';
  const fmt = (n: number) => new Intl.NumberFormat(locale).format(n);
  // Row labels are YYYY-MM-DD days: shown as "21 nov" / "21 Nov".
  const dayFmt = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const label = (l: string) => (/^\d{4}-\d\d-\d\d$/.test(l) ? dayFmt.format(Date.parse(`${l}T00:00:00Z`)) : l);
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    viewBox="0 0 ${width} ${height}"
    width="100%"
    role="img"
    aria-label="${input.title}"
    font-family="sans-serif"
    font-size="11"
  >
    <title>${input.title}</title>
    ${y.ticks(5).map((t) => html`<g><line x1="${m.left}" x2="${width - m.right}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd" /><text x="${m.left - 6}" y="${y(t) + 4}" text-anchor="end" fill="#222">${fmt(t)}</text></g>`)}
    ${layers.map(
      (layer, i) =>
        html`<g fill="${PALETTE[i % PALETTE.length]!}"
          >${layer.map((seg, j) => {
            const h = y(seg[0]) - y(seg[1]);
            return h > 0
              ? html`<rect x="${x(input.rows[j]!.label)!}" y="${y(seg[1])}" width="${x.bandwidth()}" height="${h}" />`
              : null;
          })}</g
        >`,
    )}
    <line x1="${m.left}" x2="${width - m.right}" y1="${y(0)}" y2="${y(0)}" stroke="#222" />
    ${input.rows.map((r, j) => (j % every === 0 ? html`<text x="${x(r.label)! + x.bandwidth() / 2}" y="${height - m.bottom + 14}" text-anchor="middle" fill="#222">${label(r.label)}</text>` : null))}
  </svg>`;
}
