// Builders for the Kibana saved objects the generator writes: data views, Lens visualisations (columns, layers,
// references), saved searches and dashboards with a control group. Only the shapes mid-monitor uses, each as Kibana
// 8.9 exports it, so the objects can say they need no migration older than that (see MIGRATION_VERSIONS).

/** One saved object as a line of the export NDJSON. */
export interface SavedObject {
  type: 'index-pattern' | 'lens' | 'search' | 'dashboard';
  id: string;
  attributes: Record<string, unknown>;
  references: Array<{ type: string; id: string; name: string }>;
  coreMigrationVersion: string;
  typeMigrationVersion: string;
}

/**
 * The oldest Kibana these objects import into is 8.9.0: `coreMigrationVersion` 8.8.0 is the first release with
 * split migration versions, and lens and dashboard objects in Kibana 8.9 exports carry 8.9.0 (the last migration of
 * those types before model versions). Saved searches last migrated in 7.9.3 and data views in 8.0.0. A Kibana older
 * than a type's version refuses the object; a newer one (8.9+ and 9.x) migrates it on import.
 */
export const MIGRATION_VERSIONS = {
  core: '8.8.0',
  'index-pattern': '8.0.0',
  search: '7.9.3',
  lens: '8.9.0',
  dashboard: '8.9.0',
} as const;

/** The Kibana version the objects were written for (the panels' `version`). */
export const MIN_KIBANA_VERSION = '8.9.0';

function saved(
  type: SavedObject['type'],
  id: string,
  attributes: Record<string, unknown>,
  references: SavedObject['references'] = [],
): SavedObject {
  return {
    type,
    id,
    attributes,
    references,
    coreMigrationVersion: MIGRATION_VERSIONS.core,
    typeMigrationVersion: MIGRATION_VERSIONS[type],
  };
}

/** A data view over `title` (an index pattern) with its time field and optional field formats. */
export function dataView(
  id: string,
  title: string,
  name: string,
  timeFieldName: string,
  fieldFormatMap: Record<string, unknown> = {},
): SavedObject {
  return saved('index-pattern', id, {
    title,
    name,
    timeFieldName,
    allowNoIndex: true,
    fieldFormatMap: JSON.stringify(fieldFormatMap),
    fieldAttrs: '{}',
    runtimeFieldMap: '{}',
    sourceFilters: '[]',
  });
}

/** A Lens column (form-based data source). */
export type Column = {
  label: string;
  dataType: 'date' | 'string' | 'number';
  operationType: 'date_histogram' | 'terms' | 'count' | 'max' | 'sum' | 'average' | 'unique_count' | 'last_value';
  sourceField: string;
  isBucketed: boolean;
  scale: 'interval' | 'ordinal' | 'ratio';
  params?: Record<string, unknown>;
  customLabel?: boolean;
};

/** Lens column builders. */
export const col = {
  /** Buckets by time; `interval` "auto" or an ES calendar/fixed interval such as "1h". */
  date(field: string, label: string, interval = 'auto'): Column {
    return {
      label,
      customLabel: true,
      dataType: 'date',
      operationType: 'date_histogram',
      sourceField: field,
      isBucketed: true,
      scale: 'interval',
      params: { interval, includeEmptyRows: true, dropPartials: false },
    };
  },
  /** Top `size` values of a keyword field, ordered by the metric column `orderBy`. */
  terms(field: string, label: string, size: number, orderBy: string): Column {
    return {
      label,
      customLabel: true,
      dataType: 'string',
      operationType: 'terms',
      sourceField: field,
      isBucketed: true,
      scale: 'ordinal',
      params: {
        size,
        orderBy: { type: 'column', columnId: orderBy },
        orderDirection: 'desc',
        otherBucket: false,
        missingBucket: false,
        parentFormat: { id: 'terms' },
      },
    };
  },
  /** Number of documents. */
  count(label: string): Column {
    return {
      label,
      customLabel: true,
      dataType: 'number',
      operationType: 'count',
      sourceField: '___records___',
      isBucketed: false,
      scale: 'ratio',
      params: { emptyAsNull: false },
    };
  },
  /** max / sum / average / unique_count of a field (max of a date field is a date). */
  metric(
    operationType: 'max' | 'sum' | 'average' | 'unique_count',
    field: string,
    label: string,
    dataType: 'number' | 'date' = 'number',
  ): Column {
    return {
      label,
      customLabel: true,
      dataType,
      operationType,
      sourceField: field,
      isBucketed: false,
      scale: 'ratio',
      params: { emptyAsNull: true },
    };
  },
  /** The value of `field` in the newest document by `sortField` (all values of an array field). */
  last(field: string, label: string, sortField: string, dataType: Column['dataType'] = 'string'): Column {
    return {
      label,
      customLabel: true,
      dataType,
      operationType: 'last_value',
      sourceField: field,
      isBucketed: false,
      scale: dataType === 'number' ? 'ratio' : 'ordinal',
      params: { sortField, showArrayValues: true },
    };
  },
};

/** One data layer of a Lens visualisation: its data view and ordered columns. */
export interface Layer {
  id: string;
  dataViewId: string;
  columns: Array<[string, Column]>;
}

/** An annotation drawn on a time chart. */
export interface Annotation {
  id: string;
  at: string;
  label: string;
  color: string;
}

/** Options of {@link lens}. */
export interface LensOptions {
  id: string;
  title: string;
  description: string;
  visualizationType: 'lnsXY' | 'lnsDatatable' | 'lnsPie' | 'lnsMetric';
  layers: Layer[];
  visualization: Record<string, unknown>;
  /** KQL applied to this visualisation only. */
  query?: string;
  /** An annotation layer (events), drawn against this data view's time field. */
  annotations?: { layerId: string; dataViewId: string; items: Annotation[] };
}

/** A Lens visualisation (by reference). */
export function lens(o: LensOptions): SavedObject {
  const layers: Record<string, unknown> = {};
  for (const l of o.layers) {
    layers[l.id] = {
      columns: Object.fromEntries(l.columns),
      columnOrder: l.columns.map(([cid]) => cid),
      incompleteColumns: {},
      sampling: 1,
    };
  }
  const references = o.layers.map((l) => ({
    type: 'index-pattern',
    id: l.dataViewId,
    name: `indexpattern-datasource-layer-${l.id}`,
  }));
  let visualization = o.visualization;
  if (o.annotations) {
    const a = o.annotations;
    visualization = {
      ...visualization,
      layers: [
        ...(visualization.layers as unknown[]),
        {
          layerId: a.layerId,
          layerType: 'annotations',
          ignoreGlobalFilters: true,
          persistanceType: 'byValue',
          annotations: a.items.map((e) => ({
            type: 'manual',
            id: e.id,
            label: e.label,
            key: { type: 'point_in_time', timestamp: e.at },
            color: e.color,
            icon: 'triangle',
            lineStyle: 'solid',
            lineWidth: 1,
            textVisibility: true,
          })),
        },
      ],
    };
    references.push({ type: 'index-pattern', id: a.dataViewId, name: `xy-visualization-layer-${a.layerId}` });
  }
  return saved(
    'lens',
    o.id,
    {
      title: o.title,
      description: o.description,
      visualizationType: o.visualizationType,
      state: {
        datasourceStates: { formBased: { layers } },
        visualization,
        query: { query: o.query ?? '', language: 'kuery' },
        filters: [],
        internalReferences: [],
        adHocDataViews: {},
      },
    },
    references,
  );
}

/** An XY chart: `x` on the horizontal axis, `ys` stacked, optionally split by `split`. */
export function xy(
  layerId: string,
  seriesType: 'bar_stacked' | 'line' | 'area_stacked',
  x: string,
  ys: string[],
  split?: string,
): Record<string, unknown> {
  return {
    legend: { isVisible: true, position: 'right' },
    valueLabels: 'hide',
    fittingFunction: 'None',
    preferredSeriesType: seriesType,
    axisTitlesVisibilitySettings: { x: false, yLeft: true, yRight: true },
    layers: [
      {
        layerId,
        layerType: 'data',
        seriesType,
        xAccessor: x,
        accessors: ys,
        ...(split ? { splitAccessor: split } : {}),
      },
    ],
  };
}

/** A table with `columns` in order, sorted by `sortBy` descending. */
export function table(layerId: string, columns: string[], sortBy: string): Record<string, unknown> {
  return {
    layerId,
    layerType: 'data',
    columns: columns.map((columnId) => ({ columnId, isTransposed: false })),
    sorting: { columnId: sortBy, direction: 'desc' },
    paging: { size: 20, enabled: true },
    rowHeight: 'auto',
  };
}

/** A donut of `metric` by `group`. */
export function donut(layerId: string, group: string, metric: string): Record<string, unknown> {
  return {
    shape: 'donut',
    layers: [
      {
        layerId,
        layerType: 'data',
        primaryGroups: [group],
        metrics: [metric],
        numberDisplay: 'percent',
        categoryDisplay: 'default',
        legendDisplay: 'default',
        nestedLegend: false,
      },
    ],
  };
}

/** A saved search (Discover view) of `columns`, sorted, with a KQL query. */
export function savedSearch(
  id: string,
  title: string,
  description: string,
  dataViewId: string,
  columns: string[],
  sort: Array<[string, 'asc' | 'desc']>,
  query: string,
): SavedObject {
  return saved(
    'search',
    id,
    {
      title,
      description,
      columns,
      sort,
      grid: {},
      hideChart: true,
      isTextBasedQuery: false,
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({
          query: { query, language: 'kuery' },
          filter: [],
          indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index',
        }),
      },
    },
    [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: dataViewId }],
  );
}

/** A panel on a dashboard: a saved object placed on the 48-column grid. */
export interface Panel {
  object: SavedObject;
  x: number;
  y: number;
  w: number;
  h: number;
  /** A URL drilldown opened on a click on a value (`{{event.value}}` is the clicked value). */
  urlDrilldown?: { name: string; template: string };
}

/** An options-list control on a keyword field of a data view. */
export interface Control {
  id: string;
  title: string;
  dataViewId: string;
  field: string;
}

/** A dashboard with its panels and control group. */
export function dashboard(
  id: string,
  title: string,
  description: string,
  panels: Panel[],
  controls: Control[],
  timeFrom: string,
): SavedObject {
  const references: SavedObject['references'] = [];
  const panelsJSON = panels.map((p, i) => {
    const panelIndex = `${id}-p${i}`;
    references.push({ name: `${panelIndex}:panel_${panelIndex}`, type: p.object.type, id: p.object.id });
    const enhancements = p.urlDrilldown
      ? {
          dynamicActions: {
            events: [
              {
                eventId: `${panelIndex}-drilldown`,
                triggers: ['VALUE_CLICK_TRIGGER'],
                action: {
                  factoryId: 'URL_DRILLDOWN',
                  name: p.urlDrilldown.name,
                  config: { url: { template: p.urlDrilldown.template }, openInNewTab: true, encodeUrl: true },
                },
              },
            ],
          },
        }
      : {};
    return {
      version: MIN_KIBANA_VERSION,
      type: p.object.type,
      gridData: { x: p.x, y: p.y, w: p.w, h: p.h, i: panelIndex },
      panelIndex,
      embeddableConfig: { enhancements },
      panelRefName: `panel_${panelIndex}`,
    };
  });
  const controlPanels: Record<string, unknown> = {};
  controls.forEach((c, order) => {
    controlPanels[c.id] = {
      type: 'optionsListControl',
      order,
      grow: true,
      width: 'medium',
      explicitInput: {
        id: c.id,
        fieldName: c.field,
        title: c.title,
        selectedOptions: [],
        searchTechnique: 'prefix',
        sort: { by: '_count', direction: 'desc' },
        enhancements: {},
      },
    };
    references.push({ name: `controlGroup_${c.id}:optionsListDataView`, type: 'index-pattern', id: c.dataViewId });
  });
  return saved(
    'dashboard',
    id,
    {
      title,
      description,
      version: 1,
      timeRestore: true,
      timeFrom,
      timeTo: 'now',
      refreshInterval: { pause: false, value: 60_000 },
      optionsJSON: JSON.stringify({
        useMargins: true,
        syncColors: false,
        syncCursor: true,
        syncTooltips: false,
        hidePanelTitles: false,
      }),
      panelsJSON: JSON.stringify(panelsJSON),
      controlGroupInput: {
        controlStyle: 'oneLine',
        chainingSystem: 'HIERARCHICAL',
        ignoreParentSettingsJSON: JSON.stringify({
          ignoreFilters: false,
          ignoreQuery: false,
          ignoreTimerange: false,
          ignoreValidations: false,
        }),
        panelsJSON: JSON.stringify(controlPanels),
      },
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }),
      },
    },
    references,
  );
}
