// The Kibana objects of mid-monitor, generated from the Elasticsearch field definitions
// (workers/adapters/elasticsearch-mappings.ts) and the configured index prefix: one data view per stored index and
// three dashboards (MID triage, Verkiezingen monitor, Pipeline health) of Lens visualisations and a saved search.
// Pure and deterministic: the same prefix and config give byte-identical NDJSON (the committed file is the default).
import { esIndices } from '../../workers/adapters/elasticsearch-mappings.ts';
import type { KibanaConfig } from './config.ts';
import { col, dashboard, dataView, donut, lens, savedSearch, table, xy } from './saved-objects.ts';
import type { Annotation, Control, SavedObject } from './saved-objects.ts';

/** What the generator needs: the index prefix and the parts of the `kibana` section that shape the objects. */
export interface GenerateOptions {
  /** `store.esPrefix`. Default "mid". */
  prefix?: string;
  /** `kibana.triageUrlTemplate`, `kibana.closedStatuses`, `kibana.events`. */
  kibana: Pick<KibanaConfig, 'triageUrlTemplate' | 'closedStatuses' | 'events'>;
}

/** Id of the data view over the index with this key (posts, clusters, dlq). */
export function dataViewId(prefix: string, key: string): string {
  return `${prefix}-${key}`;
}

/** KQL value, quoted. */
function kqlValue(v: string): string {
  return `"${v.replace(/["\\]/g, '\\$&')}"`;
}

/** All saved objects, data views first (Kibana imports in file order; references point backwards). */
export function generateSavedObjects(options: GenerateOptions): SavedObject[] {
  const p = options.prefix ?? 'mid';
  const k = options.kibana;
  const suffix = p === 'mid' ? '' : ` (${p})`;
  const posts = dataViewId(p, 'posts');
  const clusters = dataViewId(p, 'clusters');
  const dlq = dataViewId(p, 'dlq');

  // The cluster id links to its evidence view in the triage application, in Discover and in tables alike.
  // The young-account share reads as a percentage.
  const clusterFormats = {
    id: {
      id: 'url',
      params: {
        type: 'a',
        urlTemplate: k.triageUrlTemplate.replaceAll('{{id}}', '{{value}}'),
        labelTemplate: '{{value}}',
        openLinkInCurrentTab: false,
      },
    },
    youngShare: { id: 'percent', params: {} },
  };
  const views = esIndices(p).map((ix) =>
    dataView(
      dataViewId(p, ix.key),
      `${ix.index}*`,
      ix.label,
      ix.timeField,
      ix.key === 'clusters' ? clusterFormats : {},
    ),
  );

  const notClosed = k.closedStatuses.length ? `NOT triage.status:(${k.closedStatuses.map(kqlValue).join(' OR ')})` : '';
  const annotations = (layerId: string, dv: string) =>
    k.events.length === 0
      ? undefined
      : {
          layerId,
          dataViewId: dv,
          items: k.events.map((e, i): Annotation => ({
            id: `${p}-event-${i}`,
            at: new Date(e.at).toISOString(),
            label: e.label,
            color: e.color,
          })),
        };

  // Most trend panels have one shape: a count over time, split by the top values of one field, on one layer.
  const trend = (o: {
    id: string;
    title: string;
    description: string;
    dataViewId: string;
    time: [field: string, label: string, interval?: string];
    count: string;
    split: [key: string, field: string, label: string, size: number];
    chart: 'bar_stacked' | 'area_stacked' | 'line';
    query?: string;
    annotate?: boolean;
  }) =>
    lens({
      id: o.id,
      title: o.title,
      visualizationType: 'lnsXY',
      ...(o.query !== undefined ? { query: o.query } : {}),
      description: o.description,
      layers: [
        {
          id: 'l',
          dataViewId: o.dataViewId,
          columns: [
            ['t', col.date(...o.time)],
            ['n', col.count(o.count)],
            [o.split[0], col.terms(o.split[1], o.split[2], o.split[3], 'n')],
          ],
        },
      ],
      visualization: xy('l', o.chart, 't', ['n'], o.split[0]),
      annotations: o.annotate ? annotations('events', o.dataViewId) : undefined,
    });

  // ---- MID triage: which open clusters need an analyst first, and why?
  const openClusters = savedSearch(
    `${p}-triage-open-clusters`,
    'Open clusters: reasons and evidence',
    'Clusters whose last post is in the time range and that are not closed in triage, highest score first, with the reasons an analyst can check. Signals of coordination, never judgements of truth. The id links to the evidence view.',
    clusters,
    [
      'id',
      'score',
      'kinds',
      'size',
      'youngShare',
      'triage.status',
      'triage.assignee',
      'reasons',
      'hashtags',
      'domains',
    ],
    [['score', 'desc']],
    notClosed,
  );
  const ranked = lens({
    id: `${p}-triage-ranked`,
    title: 'Open clusters ranked by score',
    visualizationType: 'lnsDatatable',
    description:
      'One row per open cluster: score, kinds, size (accounts), share of young accounts, triage status and assignee. Click an id to open its evidence.',
    query: notClosed,
    layers: [
      {
        id: 'l',
        dataViewId: clusters,
        columns: [
          ['id', col.terms('id', 'Cluster', 100, 'score')],
          ['score', col.metric('max', 'score', 'Score')],
          ['kinds', col.last('kinds', 'Kinds', 'end')],
          ['size', col.metric('max', 'size', 'Accounts')],
          ['young', col.metric('max', 'youngShare', 'Young-account share')],
          ['status', col.last('triage.status', 'Status', 'end')],
          ['assignee', col.last('triage.assignee', 'Assignee', 'end')],
        ],
      },
    ],
    visualization: table('l', ['id', 'score', 'kinds', 'size', 'young', 'status', 'assignee'], 'score'),
  });
  const byKind = trend({
    id: `${p}-triage-signals-by-kind`,
    title: 'Signals over time by kind',
    description: 'Flagged clusters by the hour they started, split by kind of coordination.',
    dataViewId: clusters,
    time: ['start', 'Cluster start'],
    count: 'Clusters',
    split: ['kind', 'kinds', 'Kind', 10],
    chart: 'bar_stacked',
  });
  const openCount = lens({
    id: `${p}-triage-open-count`,
    title: 'Open clusters',
    visualizationType: 'lnsMetric',
    query: notClosed,
    description: 'Clusters active in the time range that are not closed in triage.',
    layers: [{ id: 'l', dataViewId: clusters, columns: [['n', col.count('Open clusters')]] }],
    visualization: { layerId: 'l', layerType: 'data', metricAccessor: 'n' },
  });
  const triageControls: Control[] = [
    { id: `${p}-c-lang`, title: 'Language', dataViewId: clusters, field: 'languages' },
    { id: `${p}-c-kind`, title: 'Kind', dataViewId: clusters, field: 'kinds' },
    { id: `${p}-c-status`, title: 'Status', dataViewId: clusters, field: 'triage.status' },
    { id: `${p}-c-assignee`, title: 'Assignee', dataViewId: clusters, field: 'triage.assignee' },
  ];
  const drill = {
    name: 'Open evidence in the triage application',
    template: k.triageUrlTemplate.replaceAll('{{id}}', '{{event.value}}'),
  };
  const triage = dashboard(
    `${p}-dashboard-triage`,
    `MID triage${suffix}`,
    'Which open clusters need an analyst first, and why? Ranked by score with reasons, kinds, size, young-account share, status and assignee; the cluster id opens its evidence in the triage application.',
    [
      { object: openCount, x: 0, y: 0, w: 12, h: 8 },
      { object: byKind, x: 12, y: 0, w: 36, h: 8 },
      { object: ranked, x: 0, y: 8, w: 48, h: 16, urlDrilldown: drill },
      { object: openClusters, x: 0, y: 24, w: 48, h: 20 },
    ],
    triageControls,
    'now-24h',
  );

  // ---- Verkiezingen monitor: what is being pushed around the election, where, and is it already fact-checked?
  const postsByPlatform = trend({
    id: `${p}-election-posts-by-platform`,
    title: 'Posts per hour by platform',
    description: 'All monitored posts per hour, by platform, with the configured events (debates, election day).',
    dataViewId: posts,
    time: ['@timestamp', 'Hour', '1h'],
    count: 'Posts',
    split: ['src', 'source', 'Platform', 10],
    chart: 'bar_stacked',
    annotate: true,
  });
  const postsByLang = trend({
    id: `${p}-election-posts-by-language`,
    title: 'Posts per hour by language',
    description: 'All monitored posts per hour, by detected language, with the configured events.',
    dataViewId: posts,
    time: ['@timestamp', 'Hour', '1h'],
    count: 'Posts',
    split: ['lang', 'lang', 'Language', 8],
    chart: 'bar_stacked',
    annotate: true,
  });
  const signalsByLang = trend({
    id: `${p}-election-signals-by-language`,
    title: 'Signals per hour by language',
    description: 'Flagged clusters per hour they started, by the languages of their posts, with the configured events.',
    dataViewId: clusters,
    time: ['start', 'Hour', '1h'],
    count: 'Clusters',
    split: ['lang', 'languages', 'Language', 8],
    chart: 'bar_stacked',
    annotate: true,
  });
  const topIn = (key: string, field: string, title: string, what: string) =>
    lens({
      id: `${p}-election-top-${key}`,
      title,
      visualizationType: 'lnsDatatable',
      description: `The ${what} most often found in flagged clusters, with how many clusters and accounts carry them.`,
      layers: [
        {
          id: 'l',
          dataViewId: clusters,
          columns: [
            [key, col.terms(field, title.replace(/^Top /, ''), 20, 'n')],
            ['n', col.count('Clusters')],
            ['acc', col.metric('sum', 'size', 'Accounts')],
            ['score', col.metric('max', 'score', 'Highest score')],
          ],
        },
      ],
      visualization: table('l', [key, 'n', 'acc', 'score'], 'n'),
    });
  const topHashtags = topIn('hashtags', 'hashtags', 'Top hashtags in flagged clusters', 'hashtags');
  const topDomains = topIn('domains', 'domains', 'Top domains in flagged clusters', 'link domains');
  const topLinks = topIn('links', 'links', 'Top links in flagged clusters', 'links');
  const factchecks = lens({
    id: `${p}-election-factcheck-matches`,
    title: 'Fact-check matches',
    visualizationType: 'lnsDatatable',
    description:
      'Fact-checks by independent fact-checkers that match flagged clusters (the detector attaches them); a match says the claim was checked, not that the cluster is false.',
    layers: [
      {
        id: 'l',
        dataViewId: clusters,
        columns: [
          ['url', col.terms('factchecks.url', 'Fact-check', 20, 'n')],
          ['pub', col.terms('factchecks.publisher', 'Publisher', 3, 'n')],
          ['n', col.count('Clusters')],
          ['score', col.metric('max', 'score', 'Highest score')],
        ],
      },
    ],
    visualization: table('l', ['url', 'pub', 'n', 'score'], 'n'),
  });
  const narratives = trend({
    id: `${p}-election-narratives`,
    title: 'Narratives trending (hashtags of flagged clusters)',
    description:
      'Flagged clusters per hour by hashtag. Clusters have no narrative field; their hashtags stand in for narratives.',
    dataViewId: clusters,
    time: ['start', 'Hour', '1h'],
    count: 'Clusters',
    split: ['tag', 'hashtags', 'Hashtag', 8],
    chart: 'line',
    annotate: true,
  });
  const election = dashboard(
    `${p}-dashboard-election`,
    `Verkiezingen monitor${suffix}`,
    'What is being pushed around the election, on which platforms and in which languages, around which events, and has it been fact-checked? Platform applies to posts, kind and status to clusters (see docs/kibana.md).',
    [
      { object: postsByPlatform, x: 0, y: 0, w: 24, h: 12 },
      { object: postsByLang, x: 24, y: 0, w: 24, h: 12 },
      { object: signalsByLang, x: 0, y: 12, w: 24, h: 12 },
      { object: narratives, x: 24, y: 12, w: 24, h: 12 },
      { object: topHashtags, x: 0, y: 24, w: 16, h: 14 },
      { object: topDomains, x: 16, y: 24, w: 16, h: 14 },
      { object: topLinks, x: 32, y: 24, w: 16, h: 14 },
      { object: factchecks, x: 0, y: 38, w: 48, h: 14 },
    ],
    [
      { id: `${p}-e-platform`, title: 'Platform', dataViewId: posts, field: 'source' },
      { id: `${p}-e-lang`, title: 'Language', dataViewId: posts, field: 'lang' },
      { id: `${p}-e-kind`, title: 'Kind', dataViewId: clusters, field: 'kinds' },
      { id: `${p}-e-status`, title: 'Status', dataViewId: clusters, field: 'triage.status' },
    ],
    'now-7d',
  );

  // ---- Pipeline health: is data coming in from every source, and what is being dropped and why?
  const ingest = trend({
    id: `${p}-health-ingest-by-source`,
    title: 'Ingest rate per source',
    description: 'Stored posts by post time and source; a source that stops shows as a gap.',
    dataViewId: posts,
    time: ['@timestamp', 'Time'],
    count: 'Posts',
    split: ['src', 'source', 'Source', 10],
    chart: 'area_stacked',
  });
  const deadByReason = trend({
    id: `${p}-health-dead-letters-by-reason`,
    title: 'Dead letters by reason',
    description: 'Messages set aside with their reason (invalid input, enrichment or indexing failures).',
    dataViewId: dlq,
    time: ['at', 'Time'],
    count: 'Dead letters',
    split: ['reason', 'reason', 'Reason', 10],
    chart: 'bar_stacked',
  });
  const langMix = lens({
    id: `${p}-health-language-mix`,
    title: 'Enrichment language mix',
    visualizationType: 'lnsPie',
    description:
      'Languages detected by enrichment; a jump in "und" (undetermined) points at a source sending unusual text.',
    layers: [
      {
        id: 'l',
        dataViewId: posts,
        columns: [
          ['lang', col.terms('lang', 'Language', 12, 'n')],
          ['n', col.count('Posts')],
        ],
      },
    ],
    visualization: donut('l', 'lang', 'n'),
  });
  const connectorFailures = trend({
    id: `${p}-health-connector-failures`,
    title: 'Connector failures (unreadable items)',
    description:
      'Items a connector could not read, by source (dead letters of the connectors worker; topic is source:<name>). Whole-source outages are in the Prometheus metrics.',
    dataViewId: dlq,
    time: ['at', 'Time'],
    count: 'Unreadable items',
    split: ['src', 'topic', 'Source', 10],
    chart: 'bar_stacked',
    query: 'worker:"connectors"',
  });
  const deadTable = lens({
    id: `${p}-health-dead-letters-table`,
    title: 'Dead letters by worker and reason',
    visualizationType: 'lnsDatatable',
    description: 'Where messages are set aside, and the newest occurrence.',
    layers: [
      {
        id: 'l',
        dataViewId: dlq,
        columns: [
          ['worker', col.terms('worker', 'Worker', 10, 'n')],
          ['reason', col.terms('reason', 'Reason', 10, 'n')],
          ['n', col.count('Dead letters')],
          ['last', col.metric('max', 'at', 'Newest', 'date')],
        ],
      },
    ],
    visualization: table('l', ['worker', 'reason', 'n', 'last'], 'n'),
  });
  const health = dashboard(
    `${p}-dashboard-health`,
    `Pipeline health${suffix}`,
    'Is data coming in from every source, which languages does enrichment see, and what is being dropped and why? (Operators also have the Prometheus metrics.)',
    [
      { object: ingest, x: 0, y: 0, w: 32, h: 12 },
      { object: langMix, x: 32, y: 0, w: 16, h: 12 },
      { object: deadByReason, x: 0, y: 12, w: 24, h: 12 },
      { object: connectorFailures, x: 24, y: 12, w: 24, h: 12 },
      { object: deadTable, x: 0, y: 24, w: 48, h: 12 },
    ],
    [
      { id: `${p}-h-platform`, title: 'Platform', dataViewId: posts, field: 'source' },
      { id: `${p}-h-lang`, title: 'Language', dataViewId: posts, field: 'lang' },
      { id: `${p}-h-worker`, title: 'Worker', dataViewId: dlq, field: 'worker' },
      { id: `${p}-h-reason`, title: 'Dead-letter reason', dataViewId: dlq, field: 'reason' },
    ],
    'now-24h',
  );

  return [
    ...views,
    openClusters,
    ranked,
    byKind,
    openCount,
    triage,
    postsByPlatform,
    postsByLang,
    signalsByLang,
    topHashtags,
    topDomains,
    topLinks,
    factchecks,
    narratives,
    election,
    ingest,
    deadByReason,
    langMix,
    connectorFailures,
    deadTable,
    health,
  ];
}

/** The objects as export NDJSON: one object a line, keys in a fixed order, a final newline. */
export function toNdjson(objects: SavedObject[]): string {
  return (
    objects
      .map((o) =>
        JSON.stringify({
          type: o.type,
          id: o.id,
          attributes: o.attributes,
          references: o.references,
          coreMigrationVersion: o.coreMigrationVersion,
          typeMigrationVersion: o.typeMigrationVersion,
        }),
      )
      .join('\n') + '\n'
  );
}
