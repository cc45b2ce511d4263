// The generated Kibana objects, checked without a Kibana (none can run on the development machine): the structural
// validator (test/dashboards/validate-kibana.ts) against the Elasticsearch mappings the adapter installs, stable ids,
// and the committed dashboards/kibana-saved-objects.ndjson equal to what the generator writes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kibanaSchema } from '../../dashboards/kibana/config.ts';
import { generateSavedObjects, toNdjson } from '../../dashboards/kibana/generate.ts';
import { MIGRATION_VERSIONS } from '../../dashboards/kibana/saved-objects.ts';
import { COMMITTED_FILE, defaultNdjson } from '../../dashboards/kibana/write-committed.ts';
import { ES_CLUSTER_MAPPINGS, esIndices } from '../../workers/adapters/elasticsearch-mappings.ts';
import { kqlFields, validateSavedObjects } from './validate-kibana.ts';

const withEvents = kibanaSchema.parse({
  events: [
    { at: '2025-10-27T20:30:00+01:00', label: 'Lijsttrekkersdebat' },
    { at: '2025-10-29T07:30:00+01:00', label: 'Verkiezingsdag', color: '#006BB8' },
  ],
  triageUrlTemplate: 'https://triage.example/clusters/{{id}}?tab=evidence',
});

describe('generated Kibana saved objects', () => {
  it('the committed file is what the generator writes for the default configuration (npm run kibana:generate)', () => {
    expect(readFileSync(COMMITTED_FILE, 'utf8')).toBe(defaultNdjson());
  });

  it('the committed file is structurally valid against the index template mappings', () => {
    expect(validateSavedObjects(readFileSync(COMMITTED_FILE, 'utf8'), esIndices('mid'))).toEqual([]);
  });

  it('a configuration with events, another prefix and another triage URL is valid too, and uses them', () => {
    const nd = toNdjson(generateSavedObjects({ prefix: 'osint', kibana: withEvents }));
    expect(validateSavedObjects(nd, esIndices('osint'))).toEqual([]);
    const objects = nd
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; id: string; attributes: Record<string, unknown> });
    expect(objects.every((o) => o.id.startsWith('osint-'))).toBe(true);
    expect(objects.filter((o) => o.type === 'index-pattern').map((o) => o.attributes.title)).toEqual([
      'osint-posts*',
      'osint-clusters*',
      'osint-dlq*',
    ]);
    const postsByPlatform = objects.find((o) => o.id === 'osint-election-posts-by-platform')!;
    const annotationLayer = (
      postsByPlatform.attributes.state as {
        visualization: {
          layers: Array<{ layerType: string; annotations?: Array<{ label: string; key: { timestamp: string } }> }>;
        };
      }
    ).visualization.layers.find((l) => l.layerType === 'annotations')!;
    expect(annotationLayer.annotations!.map((a) => [a.label, a.key.timestamp])).toEqual([
      ['Lijsttrekkersdebat', '2025-10-27T19:30:00.000Z'],
      ['Verkiezingsdag', '2025-10-29T06:30:00.000Z'],
    ]);
    const triage = objects.find((o) => o.id === 'osint-dashboard-triage')!;
    expect(triage.attributes.panelsJSON).toContain('https://triage.example/clusters/{{event.value}}?tab=evidence');
    expect(objects.find((o) => o.id === 'osint-clusters')!.attributes.fieldFormatMap).toContain(
      'https://triage.example/clusters/{{value}}?tab=evidence',
    );
  });

  it('ids and bytes are stable across runs, ids are unique, and the three dashboards exist', () => {
    const a = toNdjson(generateSavedObjects({ kibana: withEvents }));
    const b = toNdjson(generateSavedObjects({ kibana: kibanaSchema.parse(JSON.parse(JSON.stringify(withEvents))) }));
    expect(b).toBe(a);
    const ids = a
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; id: string; attributes: { title: string } });
    expect(new Set(ids.map((o) => o.id)).size).toBe(ids.length);
    expect(ids.filter((o) => o.type === 'dashboard').map((o) => [o.id, o.attributes.title])).toEqual([
      ['mid-dashboard-triage', 'MID triage'],
      ['mid-dashboard-election', 'Verkiezingen monitor'],
      ['mid-dashboard-health', 'Pipeline health'],
    ]);
  });

  it('every object carries the documented migration versions (oldest supported Kibana 8.9.0)', () => {
    for (const line of defaultNdjson().trimEnd().split('\n')) {
      const o = JSON.parse(line) as {
        type: keyof typeof MIGRATION_VERSIONS;
        coreMigrationVersion: string;
        typeMigrationVersion: string;
      };
      expect([o.coreMigrationVersion, o.typeMigrationVersion]).toEqual([
        MIGRATION_VERSIONS.core,
        MIGRATION_VERSIONS[o.type],
      ]);
    }
  });
});

describe('the validator catches what would break in Kibana', () => {
  const good = defaultNdjson();

  it('a field renamed in a visualisation', () => {
    const bad = good.replace('"sourceField":"hashtags"', '"sourceField":"hashtag"');
    expect(bad).not.toBe(good);
    expect(validateSavedObjects(bad, esIndices('mid'))).toEqual([
      expect.stringContaining('field hashtag is not in the mid-clusters mapping'),
    ]);
  });

  it('a field dropped from the index template (the template changed under a dashboard)', () => {
    const { size: _dropped, ...properties } = ES_CLUSTER_MAPPINGS.properties;
    const indices = esIndices('mid').map((ix) =>
      ix.key === 'clusters' ? { ...ix, mappings: { ...ix.mappings, properties } } : ix,
    );
    const problems = validateSavedObjects(good, indices);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.includes('field size is not in the mid-clusters mapping'))).toBe(true);
  });

  it('an operation on a field of the wrong type (terms on text, sum on keyword, date histogram on keyword)', () => {
    const terms = good.replace(
      '"operationType":"terms","sourceField":"hashtags"',
      '"operationType":"terms","sourceField":"reasons"',
    );
    expect(validateSavedObjects(terms, esIndices('mid'))).toContainEqual(
      expect.stringContaining('field reasons is text, not usable for terms'),
    );
    const sum = good.replace(
      '"operationType":"sum","sourceField":"size"',
      '"operationType":"sum","sourceField":"kinds"',
    );
    expect(validateSavedObjects(sum, esIndices('mid'))).toContainEqual(
      expect.stringContaining('field kinds is keyword, not usable for sum'),
    );
    const date = good.replace(
      '"operationType":"date_histogram","sourceField":"start"',
      '"operationType":"date_histogram","sourceField":"id"',
    );
    expect(validateSavedObjects(date, esIndices('mid'))).toContainEqual(
      expect.stringContaining('field id is keyword, not usable for date_histogram'),
    );
  });

  it('a control on a missing field, a dangling reference, a nested JSON string that does not parse, a bad line', () => {
    const control = good.replace('\\"fieldName\\":\\"triage.status\\"', '\\"fieldName\\":\\"status\\"');
    expect(validateSavedObjects(control, esIndices('mid'))).toContainEqual(
      expect.stringContaining('field status is not in the mid-clusters mapping'),
    );
    const dangling = good.replace(
      '{"type":"index-pattern","id":"mid-dlq"',
      '{"type":"index-pattern","id":"mid-deadletters"',
    );
    expect(validateSavedObjects(dangling, esIndices('mid'))).toContainEqual(
      expect.stringContaining('→ index-pattern/mid-dlq is not in the file'),
    );
    const nested = good.replace('"optionsJSON":"{', '"optionsJSON":"{{');
    expect(validateSavedObjects(nested, esIndices('mid'))).toContainEqual(
      expect.stringContaining('optionsJSON: nested JSON does not parse'),
    );
    expect(validateSavedObjects(`${good}{"type":`, esIndices('mid'))).toContainEqual(
      expect.stringContaining('not JSON'),
    );
  });

  it('an attribute Kibana 8.9 does not know (its saved-object schemas are strict)', () => {
    const bad = good.replace('"controlGroupInput":{', '"controlGroupInput":{"showApplySelections":false,');
    expect(validateSavedObjects(bad, esIndices('mid'))).toContainEqual(
      expect.stringContaining('attribute controlGroupInput.showApplySelections is unknown to Kibana 8.9'),
    );
  });

  it('a query on a field the data view does not have', () => {
    expect(kqlFields('NOT triage.status:("dismissed" OR "a:b") and score >= 2')).toEqual(['triage.status', 'score']);
    const bad = good.replace('"query":"worker:\\"connectors\\""', '"query":"workr:\\"connectors\\""');
    expect(validateSavedObjects(bad, esIndices('mid'))).toContainEqual(
      expect.stringContaining('field workr is not in the mid-dlq mapping'),
    );
  });
});
