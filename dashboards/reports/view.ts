// The report laid out as language-specific text and tables, shared by the HTML and Markdown renderers so both show
// the same figures with the same words. Everything here is plain strings; escaping is the HTML renderer's job.
import type { ReportData } from '../../pipelines/report-data.ts';
import { localDay } from '../../pipelines/report-data.ts';
import type { MessageKey, ReportLang } from './messages.ts';
import { formatNumber, formatPercent, hasMessage, t } from './messages.ts';

/** A table: header and rows of cell texts; `numeric` marks right-aligned columns. */
export interface Table {
  head: string[];
  rows: string[][];
  numeric: boolean[];
}

/** A chart's data: one row per day, one series per key, with display names. */
export interface ChartView {
  id: string;
  figure: string;
  numbersCaption: string;
  title: string;
  alt: string;
  rows: Array<{ label: string; values: Record<string, number> }>;
  series: Array<{ key: string; name: string }>;
  table: Table;
}

/** One campaign as text. */
export interface CampaignView {
  heading: string;
  facts: Array<[string, string]>;
  reasons: string[];
  sample: string | null;
  sampleLabel: string;
  episodes: Table | null;
}

/** The whole report as text. */
export interface ReportView {
  lang: ReportLang;
  title: string;
  subtitle: string;
  periodName: string | null;
  periodLine: string;
  generated: string;
  notTruth: string;
  anonymised: string;
  sections: Array<{ id: string; title: string }>;
  labels: { toc: string; reasons: string; episodes: string };
  keyJudgements: string[];
  summary: string | null;
  summaryEmpty: string;
  charts: ChartView[];
  platformTable: Table;
  languageTable: Table;
  campaigns: CampaignView[];
  noCampaigns: string;
  reasonsNote: string;
  narratives: Table | null;
  noNarratives: string;
  factchecks: Table | null;
  factcheckUrls: string[];
  noFactchecks: string;
  triage: Table;
  closeReasons: Table | null;
  pop: Table;
  method: {
    sources: Table;
    methods: Array<[string, string]>;
    thresholds: Table;
    version: string;
    narratives: string;
    caveats: string[];
    labels: Record<'sources' | 'methods' | 'thresholds' | 'caveats', string>;
  };
}

/** A YYYY-MM-DD day as "21 November 2023" / "21 november 2023". */
export function formatDay(lang: ReportLang, day: string): string {
  if (!day) return '';
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(Date.UTC(y, m - 1, d));
}

function formatInstant(lang: ReportLang, iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(iso));
}

function span(lang: ReportLang, start: string, end: string, timeZone: string): string {
  const a = Date.parse(start);
  const b = Date.parse(end);
  if (localDay(a, timeZone) !== localDay(b, timeZone))
    return `${formatInstant(lang, start, timeZone)} – ${formatInstant(lang, end, timeZone)}`;
  const time = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { timeStyle: 'short', timeZone });
  return `${formatDay(lang, localDay(a, timeZone))}, ${time.format(a)}–${time.format(b)}`;
}

const msg = (lang: ReportLang, key: string, fallback: string): string => (hasMessage(key) ? t(lang, key) : fallback);

function change(lang: ReportLang, now: number, before: number): string {
  const d = now - before;
  const abs = `${d > 0 ? '+' : ''}${formatNumber(lang, d)}`;
  return before > 0 ? `${abs} (${d > 0 ? '+' : ''}${formatPercent(lang, d / before)})` : abs;
}

function dayChart(
  lang: ReportLang,
  n: number,
  id: string,
  titleKey: MessageKey,
  rows: ReportData['volume']['postsByDayPlatform'],
  series: string[],
  name: (k: string) => string,
  from: string,
  to: string,
): ChartView {
  const title = t(lang, titleKey);
  const chartRows = rows.map((r) => ({
    label: r.day,
    values: Object.fromEntries(series.map((s) => [s, Number(r[s] ?? 0)])),
  }));
  return {
    id,
    figure: t(lang, 'figure', { n }),
    numbersCaption: t(lang, 'figureNumbers', { n }),
    title,
    alt: t(lang, 'chartAlt', { title, from, to }),
    rows: chartRows,
    series: series.map((key) => ({ key, name: name(key) })),
    table: {
      head: [t(lang, 'day'), ...series.map(name), t(lang, 'total')],
      rows: chartRows.map((r) => [
        formatDay(lang, r.label),
        ...series.map((s) => formatNumber(lang, r.values[s]!)),
        formatNumber(
          lang,
          series.reduce((a, s) => a + r.values[s]!, 0),
        ),
      ]),
      numeric: [false, ...series.map(() => true), true],
    },
  };
}

/** Lays the report data out in a language. */
export function buildView(data: ReportData, lang: ReportLang): ReportView {
  const tz = data.meta.timeZone;
  const first = formatDay(lang, localDay(Date.parse(data.meta.from), tz));
  const last = formatDay(lang, localDay(Date.parse(data.meta.to) - 1, tz));
  const kindName = (k: string) => msg(lang, `kindName_${k}`, k);
  const n = (x: number) => formatNumber(lang, x);
  const v = data.volume;

  const keyJudgements = data.keyJudgements.map((k) => {
    const figures = Object.fromEntries(
      Object.entries(k.figures).map(([name, value]) => [
        name,
        typeof value === 'string' && /^\d{4}-\d\d-\d\d$/.test(value) ? formatDay(lang, value) : value,
      ]),
    );
    const oneDay = k.key === 'top_narrative' && k.figures.firstDay === k.figures.lastDay;
    // "analysts confirmed 0" reads as a verdict when nobody has looked yet; and a previous period without any stored
    // posts is "no data", not "0 clusters".
    const unreviewed = k.key === 'top_narrative' && data.triage.reviewed === 0 ? '_unreviewed' : '';
    const noPrevious = k.key === 'clusters_flagged' && data.periodOverPeriod.previous.posts === 0 ? '_noprev' : '';
    const key = `${oneDay ? 'kj_top_narrative_day' : `kj_${k.key}`}${unreviewed}${noPrevious}`;
    return t(lang, key as MessageKey, figures);
  });

  const campaigns: CampaignView[] = data.campaigns.map((c) => ({
    heading: t(lang, 'c_campaign', { n: c.rank }),
    facts: [
      [t(lang, 'c_members'), n(c.members)],
      [t(lang, 'c_posts'), n(c.posts)],
      [t(lang, 'c_score'), formatNumber(lang, c.score)],
      [
        t(lang, 'c_young'),
        c.youngAccountShare === null ? t(lang, 'unknown') : formatPercent(lang, c.youngAccountShare),
      ],
      [t(lang, 'c_span'), span(lang, c.start, c.end, tz)],
      [t(lang, 'c_platforms'), c.platforms.join(', ')],
      [t(lang, 'c_languages'), c.languages.join(', ')],
      [t(lang, 'c_kinds'), c.kinds.map(kindName).join(', ')],
      [t(lang, 'c_hashtags'), c.hashtags.map((h) => `#${h}`).join(' ') || '–'],
      [t(lang, 'c_domains'), c.domains.join(', ') || '–'],
      [
        t(lang, 'c_triage'),
        `${msg(lang, `status_${c.triage.status}`, c.triage.status)}${c.triage.closeReason ? ` (${msg(lang, `close_${c.triage.closeReason}`, c.triage.closeReason)})` : ''}`,
      ],
    ],
    reasons: lang === 'nl' ? c.reasonsNl : c.reasons,
    sample: c.sampleText,
    sampleLabel: t(lang, 'c_sample', { n: data.method.minSampleAccounts }),
    episodes:
      c.episodes.length > 1
        ? {
            head: [t(lang, 'day'), t(lang, 'c_members'), t(lang, 'c_posts'), t(lang, 'c_score')],
            rows: c.episodes.map((e) => [
              formatDay(lang, e.day),
              n(e.members),
              n(e.posts),
              formatNumber(lang, e.score),
            ]),
            numeric: [false, true, true, true],
          }
        : null,
  }));

  const pc = data.periodOverPeriod.current;
  const pp = data.periodOverPeriod.previous;
  const popRow = (key: MessageKey, a: number, b: number) => [t(lang, key), n(a), n(b), change(lang, a, b)];
  const sourceKey = (p: string) =>
    p === 'atom' ? 'rss' : p.startsWith('claimreview') || p === 'google-factcheck' ? 'claimreview' : p;

  return {
    lang,
    title: t(lang, 'title'),
    subtitle: t(lang, 'subtitle'),
    periodName: data.meta.periodName ? t(lang, 'periodName', { name: data.meta.periodName }) : null,
    periodLine: t(lang, 'periodLine', { from: first, to: last, tz }),
    generated: t(lang, 'generated', { at: formatInstant(lang, data.meta.generatedAt, tz), store: data.meta.store }),
    notTruth: t(lang, 'notTruth'),
    anonymised: t(lang, 'anonymised'),
    sections: (
      ['key', 'summary', 'volume', 'campaigns', 'narratives', 'factchecks', 'triage', 'pop', 'method'] as const
    ).map((id) => ({ id, title: t(lang, `s_${id}` as MessageKey) })),
    labels: { toc: t(lang, 'toc'), reasons: t(lang, 'c_reasons'), episodes: t(lang, 'c_episodes') },
    keyJudgements,
    summary: data.analystSummary,
    summaryEmpty: t(lang, 'summaryEmpty'),
    charts: [
      dayChart(
        lang,
        1,
        'signals-kind',
        'chartSignalsKind',
        v.signalsByDayKind,
        v.kinds.map((k) => k.name),
        kindName,
        first,
        last,
      ),
      dayChart(
        lang,
        2,
        'posts-platform',
        'chartPostsPlatform',
        v.postsByDayPlatform,
        v.platforms.map((p) => p.name),
        (k) => k,
        first,
        last,
      ),
    ],
    platformTable: {
      head: [t(lang, 'platform'), t(lang, 'posts')],
      rows: v.platforms.map((p) => [p.name, n(p.posts)]),
      numeric: [false, true],
    },
    languageTable: {
      head: [t(lang, 'language'), t(lang, 'posts')],
      rows: v.languages.map((p) => [p.name, n(p.posts)]),
      numeric: [false, true],
    },
    campaigns,
    noCampaigns: t(lang, 'noCampaigns'),
    reasonsNote: data.campaigns.every((c) => c.reasonsFromEvidence) ? '' : t(lang, 'reasonsEnglish'),
    narratives:
      data.narratives.length === 0
        ? null
        : {
            head: [
              t(lang, 'n_kind'),
              t(lang, 'n_value'),
              t(lang, 'clusters'),
              t(lang, 'n_accounts'),
              t(lang, 'n_previous'),
              t(lang, 'n_trend'),
              t(lang, 'n_days'),
            ],
            rows: data.narratives.map((x) => [
              t(lang, `kind_${x.kind}`),
              x.value,
              n(x.clusters),
              n(x.accounts),
              n(x.previousClusters),
              t(lang, `trend_${x.trend}`),
              x.firstDay
                ? x.firstDay === x.lastDay
                  ? formatDay(lang, x.firstDay)
                  : `${formatDay(lang, x.firstDay)} – ${formatDay(lang, x.lastDay)}`
                : '–',
            ]),
            numeric: [false, false, true, true, true, false, false],
          },
    noNarratives: t(lang, 'noNarratives'),
    factchecks:
      data.factchecks.length === 0
        ? null
        : {
            head: [t(lang, 'f_publisher'), t(lang, 'f_claim'), t(lang, 'f_rating'), t(lang, 'f_clusters')],
            rows: data.factchecks.map((f) => [f.publisher, f.claim ?? '–', f.rating ?? '–', n(f.clusters)]),
            numeric: [false, false, false, true],
          },
    factcheckUrls: data.factchecks.map((f) => f.url),
    noFactchecks: t(lang, 'noFactchecks'),
    triage: {
      head: [
        t(lang, 't_clusters'),
        t(lang, 't_reviewed'),
        t(lang, 't_escalated'),
        t(lang, 't_confirmed'),
        t(lang, 't_dismissed'),
        t(lang, 't_open'),
      ],
      rows: [
        [
          data.triage.clusters,
          data.triage.reviewed,
          data.triage.escalated,
          data.triage.confirmed,
          data.triage.dismissed,
          data.triage.open,
        ].map(n),
      ],
      numeric: [true, true, true, true, true, true],
    },
    closeReasons:
      data.triage.closeReasons.length === 0
        ? null
        : {
            head: [t(lang, 't_reason'), t(lang, 't_clusters')],
            rows: data.triage.closeReasons.map((r) => [msg(lang, `close_${r.reason}`, r.reason), n(r.clusters)]),
            numeric: [false, true],
          },
    pop: {
      head: [t(lang, 'p_figure'), t(lang, 'p_current'), t(lang, 'p_previous'), t(lang, 'p_change')],
      rows: [
        popRow('p_posts', pc.posts, pp.posts),
        popRow('p_clusters', pc.clusters, pp.clusters),
        popRow('p_campaigns', pc.campaigns, pp.campaigns),
        popRow('p_accounts', pc.accountsInClusters, pp.accountsInClusters),
        popRow('p_postsIn', pc.postsInClusters, pp.postsInClusters),
        popRow('p_factchecks', pc.factchecksLinked, pp.factchecksLinked),
      ],
      numeric: [false, true, true, false],
    },
    method: {
      sources: {
        head: [t(lang, 'm_source'), t(lang, 'm_cannotSee')],
        rows: data.method.platforms.map((p) => [p, msg(lang, `src_${sourceKey(p)}`, t(lang, 'src_other'))]),
        numeric: [false, false],
      },
      methods: (data.method.detectionMethods.length
        ? data.method.detectionMethods
        : (['duplicate_text', 'co_link', 'burst', 'hashtag_push', 'cross_language', 'young_account_cohort'] as const)
      ).map((k) => [kindName(k), msg(lang, `method_${k}`, k)]),
      thresholds: {
        head: [t(lang, 'm_setting'), t(lang, 'm_value')],
        rows: Object.entries(data.method.thresholds).map(([k, x]) => [
          k,
          typeof x === 'number' ? formatNumber(lang, x, 10) : String(x),
        ]),
        numeric: [false, true],
      },
      version: t(lang, 'm_version', { version: data.method.softwareVersion, hash: data.method.configHash }),
      narratives: t(lang, 'm_narratives'),
      caveats: [t(lang, 'caveat1'), t(lang, 'caveat2'), t(lang, 'caveat3', { tz }), t(lang, 'caveat4')],
      labels: {
        sources: t(lang, 'm_sources'),
        methods: t(lang, 'm_methods'),
        thresholds: t(lang, 'm_thresholds'),
        caveats: t(lang, 'm_caveats'),
      },
    },
  };
}
