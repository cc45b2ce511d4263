// The patch proposed for the shared signals contract (pipelines/contracts/signals.shared-patch.json, explained in
// docs/contracts.md): it only adds optional properties, it says exactly what the project's extension schemas say,
// and the patched shared schema accepts what `mid analyze` writes now and every signals file the shared one accepted.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import extensions from '../../pipelines/contracts/signals-extensions.schema.json' with { type: 'json' };
import shared from '../../pipelines/contracts/signals.schema.json' with { type: 'json' };
import { analyzeFile } from '../../workers/commands/analyze.ts';
import { loadConfig } from '../../workers/config.ts';
import {
  applySchemaPatch,
  compilePatchedSharedSignals,
  SHARED_SIGNALS_PATCH,
  validClusterEvidence,
  validSharedSignals,
  validSignals,
} from '../support/contracts.ts';

const SAMPLE = join(import.meta.dirname, '../../connectors/data/sample-posts.jsonl');
const CLUSTER = '/properties/clusters/items/properties/';

/** Every `required` list and `additionalProperties` in a schema, by where it stands. */
function constraints(schema: unknown, at = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof schema !== 'object' || schema === null) return out;
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'required' || k === 'additionalProperties' || k === 'type') out.set(`${at}/${k}`, v);
    constraints(v, `${at}/${k}`, out);
  }
  return out;
}

type Doc = { clusters: Array<Record<string, unknown>>; [k: string]: unknown };
let current: Doc;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mid-contracts-'));
  const config = loadConfig({ env: { MID_DATA_DIR: join(dir, 'data') } });
  await analyzeFile({ input: SAMPLE, outDir: join(dir, 'out'), config });
  current = JSON.parse(readFileSync(join(dir, 'out', 'signals.json'), 'utf8')) as Doc;
}, 120_000);

/** A signals file as a writer of the shared contract alone wrote it: only the shared schema's cluster fields. */
function asOldWriter(doc: Doc): Doc {
  const keep = new Set(Object.keys(shared.properties.clusters.items.properties));
  return {
    generatedAt: doc.generatedAt,
    clusters: doc.clusters.map((c) => Object.fromEntries(Object.entries(c).filter(([k]) => keep.has(k)))),
  };
}

/** The current file with every optional addition filled in (a campaign with two episodes, a narrative, caps). */
function withEveryAddition(doc: Doc): Doc {
  const c = doc.clusters[0]!;
  const episode = { clusterId: 'earlier', start: c.start, end: c.end, posts: 12, accounts: 6, kinds: ['co_link'] };
  return {
    ...doc,
    clusters: [
      {
        ...c,
        campaignId: 'campaign-1',
        episodes: [episode, { ...episode, clusterId: c.id, summary: null }],
        narrativeId: 'narrative-1',
        log10P: -412,
        postCount: 6000,
        truncated: true,
      },
      ...doc.clusters.slice(1),
    ],
    narratives: [
      {
        id: 'narrative-1',
        label: 'stemfraude stembus',
        labelMachineMade: true,
        terms: ['stemfraude'],
        clusters: [c.id],
        shared: ['link:https://stemfraude.example/bewijs'],
        posts: 6000,
        accounts: 28,
        languages: ['nl'],
        start: c.start,
        end: c.end,
        volume: { hourly: [{ hour: '2024-03-14T08:00:00.000Z', posts: 3 }], daily: [{ day: '2024-03-14', posts: 3 }] },
      },
    ],
  };
}

describe('the patch proposed for shared/contracts/signals.schema.json', () => {
  it('only adds properties that are not there, and changes no required list, type or additionalProperties', () => {
    for (const op of SHARED_SIGNALS_PATCH) {
      expect(op.op).toBe('add');
      expect(op.path).toMatch(/^\/properties\/(clusters\/items\/properties\/)?[A-Za-z0-9]+$/);
    }
    const patched = applySchemaPatch(shared, SHARED_SIGNALS_PATCH); // throws on an add over an existing member
    const before = constraints(shared);
    const after = constraints(patched);
    for (const [where, value] of before) expect(after.get(where), where).toEqual(value);
    // What the patch brings may constrain its own new fields, never the members that were there.
    for (const where of after.keys())
      if (!before.has(where))
        expect(
          SHARED_SIGNALS_PATCH.some((op) => where.startsWith(op.path)),
          where,
        ).toBe(true);
    expect(() => applySchemaPatch(patched, SHARED_SIGNALS_PATCH)).toThrow(/already there/);
  });

  it("says exactly what the project's extension and evidence schemas say", () => {
    const byPath = new Map(SHARED_SIGNALS_PATCH.map((op) => [op.path, op.value]));
    const expected = new Map<string, unknown>([
      ...Object.entries(extensions.properties.clusters.items.properties).map(
        ([k, v]) => [`${CLUSTER}${k}`, v] as [string, unknown],
      ),
      ...Object.entries(extensions.properties)
        .filter(([k]) => k !== 'clusters')
        .map(([k, v]) => [`/properties/${k}`, v] as [string, unknown]),
    ]);
    for (const [path, value] of expected) expect(byPath.get(path), path).toEqual(value);
    expect(byPath.get(`${CLUSTER}evidence`)).toMatchObject({ $ref: 'cluster-evidence.schema.json' });
    expect([...byPath.keys()].sort()).toEqual([...expected.keys(), `${CLUSTER}evidence`].sort());
  });

  it('accepts what mid analyze writes now, with and without every optional addition', () => {
    const patched = compilePatchedSharedSignals();
    expect(current.clusters.length).toBeGreaterThan(0);
    expect(current.clusters.every((c) => Array.isArray(c.evidence))).toBe(true);
    const full = withEveryAddition(current);
    for (const doc of [current, full]) {
      // The project's own validators agree that these are good files.
      expect(validSignals(doc), JSON.stringify(validSignals.errors)).toBe(true);
      for (const c of doc.clusters) expect(validClusterEvidence(c.evidence)).toBe(true);
      expect(patched(doc), JSON.stringify(patched.errors)).toBe(true);
    }
  });

  it('still accepts every file the shared contract accepted', () => {
    const patched = compilePatchedSharedSignals();
    const c = asOldWriter(current).clusters[0]!;
    const old: unknown[] = [
      { clusters: [] },
      asOldWriter(current),
      {
        clusters: [
          {
            id: c.id,
            kinds: c.kinds,
            score: c.score,
            posts: c.posts,
            accounts: c.accounts,
            start: c.start,
            end: c.end,
            reasons: c.reasons,
          },
        ],
      },
      {
        clusters: [{ ...c, pValue: null, sampleText: null, factchecks: [{}] }],
        accounts: [{ id: 'a', botScore: 0.3 }],
      },
      // Members the shared contract never named are allowed (clusters have no additionalProperties: false).
      { clusters: [{ ...c, note: 'written by another tool', rank: 1 }], extra: true },
    ];
    for (const doc of old) {
      expect(validSharedSignals(doc), JSON.stringify(validSharedSignals.errors)).toBe(true);
      expect(patched(doc), JSON.stringify(patched.errors)).toBe(true);
    }
  });

  it('does constrain the new fields (a wrong shape the shared contract lets through is refused)', () => {
    const patched = compilePatchedSharedSignals();
    const c = current.clusters[0]!;
    for (const bad of [
      { ...c, truncated: 'yes' },
      { ...c, log10P: 3 },
      { ...c, evidence: [{ kind: 'astrology' }] },
      { ...c, episodes: [{ clusterId: 'x' }] },
    ]) {
      const doc = { clusters: [bad] };
      expect(validSharedSignals(doc)).toBe(true);
      expect(patched(doc)).toBe(false);
    }
  });
});
