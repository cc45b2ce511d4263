// Triage outcomes in reports come from the triage store: the analysts' statuses and close reasons of five clusters,
// through the outcome source, give exact figures in the report data (reviewed, escalated, confirmed, dismissed,
// open, close reasons); a cluster the triage side never saw counts as open and not reviewed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReportClusterInput } from '../../../pipelines/report-data.ts';
import { SqliteTriageStore } from '../../../workers/adapters/sqlite-triage-store.ts';
import { outcomeOf, TriageStoreOutcomeSource } from '../../../workers/adapters/triage-store-outcome-source.ts';
import { loadConfig } from '../../../workers/config.ts';
import type { ReportSource } from '../../../workers/ports/report-source.ts';
import { gatherReportData } from '../../../workers/report-builder.ts';
import { renderMarkdown } from '../../../dashboards/reports/render-markdown.ts';
import { cluster } from '../fixtures.ts';

const T0 = Date.parse('2025-10-20T12:00:00Z');
const IDS = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];

const raw = (id: string) => cluster(id, [`${id}-a`, `${id}-b`, `${id}-c`], '2025-10-20T11:30:00.000Z');

function input(id: string): ReportClusterInput {
  const c = raw(id);
  return {
    ...c,
    posts: 3,
    sampleTextAccounts: 0,
    youngAccounts: 0,
    accountsWithAge: 0,
    platforms: ['mastodon'],
  } as ReportClusterInput;
}

describe('TriageStoreOutcomeSource', () => {
  let store: SqliteTriageStore;
  beforeEach(async () => {
    store = new SqliteTriageStore({ file: ':memory:' });
    await store.start();
    // c6 is in the signal store only: the triage worker has not seen it.
    await store.ingestClusters(
      IDS.slice(0, 5).map((id) => ({ cluster: raw(id), watermarkMs: 1, platforms: ['mastodon'] })),
      { nowMs: T0, reopenGrowthShare: 0.5 },
    );
    const by = { actor: 'ann', action: 'status', atMs: T0 };
    await store.updateState('c1', { status: 'closed', closeReason: 'coordinated_inauthentic' }, by);
    await store.updateState('c2', { status: 'closed', closeReason: 'organic_coordination' }, by);
    await store.updateState('c3', { status: 'escalated' }, by);
    await store.updateState('c4', { status: 'investigating' }, by);
  });
  afterEach(async () => {
    await store.stop();
  });

  it('maps statuses onto the report vocabulary', async () => {
    const got = await new TriageStoreOutcomeSource(store).outcomes(IDS);
    expect(Object.fromEntries(got)).toEqual({
      c1: { status: 'confirmed', closeReason: 'coordinated_inauthentic', reviewed: true },
      c2: { status: 'dismissed', closeReason: 'organic_coordination', reviewed: true },
      c3: { status: 'escalated', closeReason: null, reviewed: true },
      c4: { status: 'in_review', closeReason: null, reviewed: true },
      c5: { status: 'new', closeReason: null, reviewed: false },
    });
    expect(outcomeOf({ ...(await store.getCluster('c4'))!.state, status: 'monitoring' }).status).toBe('in_review');
  });

  it('gives exact triage figures in the report data', async () => {
    const config = loadConfig({ env: {}, overrides: {} });
    const source: ReportSource = {
      kind: 'sqlite',
      start: async () => {},
      stop: async () => {},
      postHours: async () => [],
      clusters: async (fromMs) => (fromMs <= T0 && T0 < fromMs + 86_400_000 ? IDS.map(input) : []),
    };
    const data = await gatherReportData(source, new TriageStoreOutcomeSource(store), config, {
      from: '2025-10-19T22:00:00.000Z',
      to: '2025-10-20T22:00:00.000Z',
      periodName: null,
      now: new Date(T0),
    });
    expect(data.triage).toEqual({
      clusters: 6,
      reviewed: 4,
      escalated: 1,
      confirmed: 1,
      dismissed: 1,
      open: 3, // c4 in review, c5 new, c6 never triaged
      closeReasons: [
        { reason: 'coordinated_inauthentic', clusters: 1 },
        { reason: 'organic_coordination', clusters: 1 },
      ],
    });
    // Close reasons are worded in the report's language, not shown as codes.
    expect(renderMarkdown(data, 'nl')).toContain('| gecoördineerd niet-authentiek gedrag | 1 |');
    expect(renderMarkdown(data, 'en')).toContain('| organic coordination (real people acting together) | 1 |');
    expect(renderMarkdown(data, 'en')).not.toContain('organic_coordination');
  });
});
