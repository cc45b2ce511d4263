// A structural validator for Kibana saved-object NDJSON, used by test/dashboards/kibana.test.ts in place of a
// running Kibana: every line and every nested JSON string parses, every reference (and every reference name a panel,
// layer, control or search source uses) resolves, and every field a data view, visualisation, saved search, query
// or control uses exists in the Elasticsearch mapping behind its data view with a type the operation accepts.
import { mappedFields } from '../../workers/adapters/elasticsearch-mappings.ts';
import type { IndexDefinition } from '../../workers/adapters/elasticsearch-mappings.ts';

const NUMERIC = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'double',
  'float',
  'half_float',
  'scaled_float',
  'unsigned_long',
]);
const AGGREGATABLE = new Set([...NUMERIC, 'keyword', 'boolean', 'date', 'ip']);
/** Attributes Kibana stores as JSON strings (by name, wherever they occur). */
const JSON_STRING_KEYS = new Set([
  'fieldAttrs',
  'fieldFormatMap',
  'runtimeFieldMap',
  'sourceFilters',
  'visualizationState',
  'visState',
  'uiStateJSON',
]);

/**
 * Attribute keys Kibana 8.9 accepts (its saved-object schemas are strict: an unknown key fails the import). From
 * the dashboard type's '8.9.0' schema and the data view's attribute schema in Kibana's source.
 */
const ALLOWED_KEYS: Record<string, Set<string>> = {
  dashboard: new Set([
    'title',
    'description',
    'kibanaSavedObjectMeta',
    'timeRestore',
    'timeFrom',
    'timeTo',
    'refreshInterval',
    'controlGroupInput',
    'panelsJSON',
    'optionsJSON',
    'hits',
    'version',
  ]),
  'dashboard.controlGroupInput': new Set(['panelsJSON', 'controlStyle', 'chainingSystem', 'ignoreParentSettingsJSON']),
  'dashboard.refreshInterval': new Set(['pause', 'value', 'display', 'section']),
  'index-pattern': new Set([
    'title',
    'type',
    'timeFieldName',
    'sourceFilters',
    'fields',
    'typeMeta',
    'fieldFormatMap',
    'fieldAttrs',
    'allowNoIndex',
    'runtimeFieldMap',
    'name',
  ]),
};

/** Which field types each Lens operation accepts. */
function operationAccepts(op: string, type: string): boolean {
  switch (op) {
    case 'date_histogram':
      return type === 'date';
    case 'terms':
      return type === 'keyword' || type === 'boolean' || type === 'ip' || NUMERIC.has(type);
    case 'sum':
    case 'average':
    case 'median':
    case 'standard_deviation':
      return NUMERIC.has(type);
    case 'max':
    case 'min':
      return NUMERIC.has(type) || type === 'date';
    case 'unique_count':
    case 'last_value':
    case 'count':
      return AGGREGATABLE.has(type);
    default:
      return false;
  }
}

/** Field names a KQL query filters on (quoted values removed first). */
export function kqlFields(query: string): string[] {
  const bare = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...bare.matchAll(/(?:^|[\s(])([A-Za-z_@][\w.@]*)\s*(?::|<=?|>=?)/g)]
    .map((m) => m[1]!)
    .filter((f) => !/^(and|or|not)$/i.test(f));
}

type Obj = {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  references: Array<{ type: string; id: string; name: string }>;
} & Record<string, unknown>;

/** Problems found in `ndjson` against the indices' mappings (empty when valid). */
export function validateSavedObjects(ndjson: string, indices: IndexDefinition[]): string[] {
  const problems: string[] = [];
  const objects: Obj[] = [];
  const lines = ndjson.split('\n');
  if (lines.at(-1) !== '') problems.push('the file does not end with a newline');
  lines
    .filter((l) => l !== '')
    .forEach((line, i) => {
      try {
        const o = JSON.parse(line) as Obj;
        for (const k of ['type', 'id', 'attributes', 'references', 'coreMigrationVersion', 'typeMigrationVersion']) {
          if (!(k in o)) problems.push(`line ${i + 1}: no ${k}`);
        }
        objects.push(o);
      } catch (err) {
        problems.push(`line ${i + 1}: not JSON (${(err as Error).message})`);
      }
    });
  const byKey = new Map(objects.map((o) => [`${o.type}/${o.id}`, o]));
  if (byKey.size !== objects.length) problems.push('duplicate type/id');

  // Nested JSON strings, parsed in place so the checks below can read them.
  const parsed = new Map<Obj, Record<string, unknown>>();
  const parseNested = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => parseNested(v, `${path}[${i}]`));
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.endsWith('JSON') || JSON_STRING_KEYS.has(k)) {
        if (typeof v !== 'string') {
          problems.push(`${path}.${k}: must be a JSON string`);
          out[k] = v;
          continue;
        }
        try {
          out[k] = parseNested(JSON.parse(v), `${path}.${k}`);
        } catch (err) {
          problems.push(`${path}.${k}: nested JSON does not parse (${(err as Error).message})`);
        }
      } else {
        out[k] = parseNested(v, `${path}.${k}`);
      }
    }
    return out;
  };
  for (const o of objects) parsed.set(o, parseNested(o.attributes, `${o.type}/${o.id}`) as Record<string, unknown>);

  // Attribute keys the oldest supported Kibana accepts.
  for (const o of objects) {
    const check = (schema: string, value: unknown): void => {
      const allowed = ALLOWED_KEYS[schema];
      if (!allowed || value === null || typeof value !== 'object') return;
      for (const k of Object.keys(value))
        if (!allowed.has(k))
          problems.push(
            `${o.type}/${o.id}: attribute ${schema === o.type ? k : `${schema.slice(o.type.length + 1)}.${k}`} is unknown to Kibana 8.9`,
          );
    };
    check(o.type, o.attributes);
    check(`${o.type}.controlGroupInput`, o.attributes.controlGroupInput);
    check(`${o.type}.refreshInterval`, o.attributes.refreshInterval);
  }

  // References resolve to objects in the file.
  for (const o of objects) {
    for (const r of o.references)
      if (!byKey.has(`${r.type}/${r.id}`))
        problems.push(`${o.type}/${o.id}: reference ${r.name} → ${r.type}/${r.id} is not in the file`);
  }
  const refByName = (o: Obj, name: string) => o.references.find((r) => r.name === name);

  // Data views → fields of the mapping behind them.
  const fieldsOf = new Map<string, Map<string, string>>();
  for (const o of objects.filter((x) => x.type === 'index-pattern')) {
    const a = parsed.get(o)!;
    const def = indices.find((ix) => `${ix.index}*` === a.title);
    if (!def) {
      problems.push(`index-pattern/${o.id}: title ${String(a.title)} matches no index template`);
      continue;
    }
    const fields = mappedFields(def.mappings);
    fieldsOf.set(o.id, fields);
    if (fields.get(String(a.timeFieldName)) !== 'date')
      problems.push(`index-pattern/${o.id}: time field ${String(a.timeFieldName)} is not a date`);
    for (const f of Object.keys((a.fieldFormatMap ?? {}) as object))
      if (!fields.has(f)) problems.push(`index-pattern/${o.id}: field format for unmapped field ${f}`);
  }
  const checkField = (
    where: string,
    dv: string | undefined,
    field: string,
    accepts: (type: string) => boolean,
    what: string,
  ): void => {
    const fields = dv ? fieldsOf.get(dv) : undefined;
    if (!fields) {
      problems.push(`${where}: data view ${dv ?? '(none)'} unknown`);
      return;
    }
    const type = fields.get(field);
    if (!type) problems.push(`${where}: field ${field} is not in the ${dv} mapping`);
    else if (!accepts(type)) problems.push(`${where}: field ${field} is ${type}, not usable for ${what}`);
  };
  const checkQuery = (where: string, dv: string | undefined, query: unknown): void => {
    if (typeof query !== 'string') return;
    for (const f of kqlFields(query)) checkField(where, dv, f, () => true, 'a query');
  };

  for (const o of objects) {
    const a = parsed.get(o)!;
    const where = `${o.type}/${o.id}`;
    if (o.type === 'lens') {
      const state = a.state as {
        datasourceStates: {
          formBased: {
            layers: Record<
              string,
              {
                columns: Record<
                  string,
                  {
                    operationType: string;
                    sourceField: string;
                    params?: { sortField?: string; orderBy?: { type: string; columnId?: string } };
                  }
                >;
                columnOrder: string[];
              }
            >;
          };
        };
        visualization: Record<string, unknown>;
        query: { query: string };
      };
      const layers = state.datasourceStates.formBased.layers;
      const columnIds = new Set<string>();
      for (const [layerId, layer] of Object.entries(layers)) {
        const dv = refByName(o, `indexpattern-datasource-layer-${layerId}`)?.id;
        if (!dv) problems.push(`${where}: layer ${layerId} has no data view reference`);
        for (const [cid, c] of Object.entries(layer.columns)) {
          columnIds.add(cid);
          if (!layer.columnOrder.includes(cid)) problems.push(`${where}: column ${cid} not in columnOrder`);
          if (c.sourceField !== '___records___')
            checkField(
              `${where} column ${cid}`,
              dv,
              c.sourceField,
              (t) => operationAccepts(c.operationType, t),
              c.operationType,
            );
          else if (c.operationType !== 'count') problems.push(`${where}: ${c.operationType} on ___records___`);
          if (c.params?.sortField)
            checkField(
              `${where} column ${cid} sort`,
              dv,
              c.params.sortField,
              (t) => t === 'date',
              'sorting last_value',
            );
          if (c.params?.orderBy?.type === 'column' && !layer.columns[c.params.orderBy.columnId!])
            problems.push(`${where}: column ${cid} orders by a missing column`);
        }
        checkQuery(`${where} query`, dv, state.query.query);
      }
      // Every accessor the visualisation names is a column of a layer.
      const accessors: string[] = [];
      const v = state.visualization as {
        layers?: Array<Record<string, unknown>>;
        columns?: Array<{ columnId: string }>;
        sorting?: { columnId: string };
        metricAccessor?: string;
      };
      for (const l of v.layers ?? []) {
        if (l.layerType === 'annotations') {
          if (!refByName(o, `xy-visualization-layer-${String(l.layerId)}`))
            problems.push(`${where}: annotation layer ${String(l.layerId)} has no data view reference`);
          for (const an of l.annotations as Array<{ key: { timestamp: string } }>)
            if (Number.isNaN(Date.parse(an.key.timestamp)))
              problems.push(`${where}: annotation time ${an.key.timestamp}`);
          continue;
        }
        if (!layers[String(l.layerId)])
          problems.push(`${where}: visualisation layer ${String(l.layerId)} has no data source layer`);
        for (const k of ['xAccessor', 'splitAccessor']) if (typeof l[k] === 'string') accessors.push(l[k] as string);
        for (const k of ['accessors', 'primaryGroups', 'metrics'])
          if (Array.isArray(l[k])) accessors.push(...(l[k] as string[]));
      }
      accessors.push(...(v.columns ?? []).map((c) => c.columnId));
      if (v.sorting) accessors.push(v.sorting.columnId);
      if (v.metricAccessor) accessors.push(v.metricAccessor);
      if (accessors.length === 0) problems.push(`${where}: the visualisation shows no column`);
      for (const acc of accessors)
        if (!columnIds.has(acc)) problems.push(`${where}: visualisation uses missing column ${acc}`);
    }
    if (o.type === 'search') {
      const ss = (a.kibanaSavedObjectMeta as { searchSourceJSON: { indexRefName: string; query: { query: string } } })
        .searchSourceJSON;
      const dv = refByName(o, ss.indexRefName)?.id;
      if (!dv) problems.push(`${where}: indexRefName ${ss.indexRefName} has no reference`);
      for (const c of a.columns as string[]) checkField(`${where} column`, dv, c, () => true, 'a column');
      for (const [f] of a.sort as Array<[string, string]>)
        checkField(`${where} sort`, dv, f, (t) => AGGREGATABLE.has(t), 'sorting');
      checkQuery(`${where} query`, dv, ss.query.query);
    }
    if (o.type === 'dashboard') {
      for (const p of a.panelsJSON as Array<{
        panelIndex: string;
        panelRefName: string;
        gridData: { i: string; x: number; w: number };
        embeddableConfig: {
          enhancements?: { dynamicActions?: { events: Array<{ action: { config: { url: { template: string } } } }> } };
        };
      }>) {
        if (!refByName(o, `${p.panelIndex}:${p.panelRefName}`))
          problems.push(`${where}: panel ${p.panelIndex} has no reference ${p.panelIndex}:${p.panelRefName}`);
        if (p.gridData.i !== p.panelIndex || p.gridData.x + p.gridData.w > 48)
          problems.push(`${where}: panel ${p.panelIndex} grid`);
        for (const e of p.embeddableConfig.enhancements?.dynamicActions?.events ?? []) {
          if (!/^https?:\/\//.test(e.action.config.url.template))
            problems.push(`${where}: drilldown URL is not http(s)`);
        }
      }
      const cg = a.controlGroupInput as {
        panelsJSON: Record<string, { explicitInput: { id: string; fieldName: string } }>;
        ignoreParentSettingsJSON: unknown;
      };
      for (const [cid, c] of Object.entries(cg.panelsJSON)) {
        const dv = refByName(o, `controlGroup_${cid}:optionsListDataView`)?.id;
        if (c.explicitInput.id !== cid) problems.push(`${where}: control ${cid} id`);
        checkField(
          `${where} control ${cid}`,
          dv,
          c.explicitInput.fieldName,
          (t) => t === 'keyword' || t === 'boolean',
          'an options list',
        );
      }
      checkQuery(`${where} query`, undefined, '');
    }
  }
  return problems;
}
