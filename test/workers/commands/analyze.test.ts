// `mid analyze`: outputs follow the shared contracts, bad lines are rejected with line number and reason without
// stopping the run, unusable arguments and unreadable files give a one-line message and a non-zero exit.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../workers/config.ts';
import { analyzeFile } from '../../../workers/commands/analyze.ts';
import { main } from '../../../workers/cli.ts';
import { renderReasons } from '../../../pipelines/render-reasons.ts';
import type { ClusterEvidence } from '../../../pipelines/types.ts';
import { validClusterEvidence, validEnrichedPost as validEnriched, validSignals } from '../../support/contracts.ts';

const SAMPLE = join(import.meta.dirname, '../../../connectors/data/sample-posts.jsonl');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'mid-analyze-'));
}

function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const post = (id: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    id,
    source: 'test',
    text: 'De opkomst in Rotterdam was vanochtend al hoger dan verwacht, zegt de gemeente.',
    createdAt: '2023-11-22T09:00:00Z',
    author: { id: `u-${id}`, handle: 'anne73' },
    ...extra,
  });

describe('mid analyze', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one enriched line per valid post and rejects the rest with line numbers and reasons', async () => {
    const dir = tmp();
    const input = join(dir, 'in.jsonl');
    writeFileSync(
      input,
      [
        post('a'),
        '{"id": "broken"',
        '',
        post('b', { createdAt: 'not a date' }),
        post('c', { author: {} }),
        post('d', { text: '', links: ['https://nos.nl/x'] }),
        post('e', { author: { id: 'u-e', createdAt: 'gisteren' } }),
        post('f', { text: '🎉🎉🎉' }),
      ].join('\n'),
    );
    const config = loadConfig({ env: { MID_DATA_DIR: join(dir, 'data') } });
    const result = await analyzeFile({ input, outDir: join(dir, 'out'), config });
    expect(result).toMatchObject({ lines: 8, posts: 4, rejected: 3 });

    const enriched = readJsonl(join(dir, 'out', 'enriched.jsonl'));
    // Post ids are pseudonymised like account ids (source "test" is not a news feed).
    expect(enriched.map((p) => p.id)).toHaveLength(4);
    for (const p of enriched) expect(p.id).toMatch(/^post:[0-9a-f]{24}$/);
    for (const p of enriched) expect(validEnriched(p), JSON.stringify(validEnriched.errors)).toBe(true);
    // Pseudonymised by default: the raw account id never reaches the output.
    expect(JSON.stringify(enriched)).not.toContain('u-a');
    expect(enriched[1]!.lang).toBe('und');

    const rejected = readJsonl(join(dir, 'out', 'rejected.jsonl'));
    expect(rejected.map((r) => r.line)).toEqual([2, 4, 5]);
    expect(rejected[0]!.reason).toMatch(/not valid JSON/);
    expect(rejected[1]!.reason).toMatch(/createdAt/);
    expect(rejected[2]!.reason).toMatch(/author\.id is required/);
    // rejected.jsonl keeps a redacted excerpt, not the line: no handle, no account id.
    expect(JSON.stringify(rejected)).not.toMatch(/anne73|u-b|"input"/);
    expect(rejected[1]!.excerpt).toMatch(/"author":\{"id":"\[redacted\]","handle":"\[redacted\]"\}/);
    for (const f of ['enriched.jsonl', 'rejected.jsonl', 'signals.json'])
      expect(statSync(join(dir, 'out', f)).mode & 0o777, f).toBe(0o600);

    const signals = JSON.parse(readFileSync(join(dir, 'out', 'signals.json'), 'utf8')) as unknown;
    expect(validSignals(signals), JSON.stringify(validSignals.errors)).toBe(true);
  });

  it('flags the planted campaign in the bundled sample and nothing that is mostly organic', async () => {
    const dir = tmp();
    const config = loadConfig({ env: { MID_DATA_DIR: join(dir, 'data'), MID_PSEUDONYMIZE: 'false' } });
    const result = await analyzeFile({ input: SAMPLE, outDir: join(dir, 'out'), config });
    expect(result.rejected).toBe(0);
    const signals = JSON.parse(readFileSync(join(dir, 'out', 'signals.json'), 'utf8')) as {
      clusters: { accounts: string[]; reasons: string[]; kinds: string[]; evidence: ClusterEvidence[] }[];
    };
    expect(validSignals(signals), JSON.stringify(validSignals.errors)).toBe(true);
    // One campaign, one cluster: its hashtag, link and text bursts are the same 28 accounts.
    expect(signals.clusters).toHaveLength(1);
    const [c] = signals.clusters;
    const campaign = (a: string): boolean => /^sample:user\/c\d+$/.test(a);
    expect(c!.accounts.filter(campaign).length).toBeGreaterThanOrEqual(25); // of 28 planted
    expect(c!.accounts.filter(campaign).length / c!.accounts.length).toBeGreaterThan(0.9);
    expect(c!.kinds).toEqual(
      expect.arrayContaining(['burst', 'hashtag_push', 'duplicate_text', 'young_account_cohort']),
    );
    // Reasons describe the cluster as it is now: few, and no two versions of the same statement.
    expect(c!.reasons.length).toBeGreaterThan(0);
    expect(c!.reasons.length).toBeLessThanOrEqual(8);
    expect(c!.reasons.filter((r) => /accounts were created less than/.test(r))).toHaveLength(1);
    expect(c!.reasons.filter((r) => r.startsWith('#stemfraude'))).toHaveLength(1);
    // The reasons are the evidence in English, one sentence per record, and the evidence follows its schema.
    expect(validClusterEvidence(c!.evidence), JSON.stringify(validClusterEvidence.errors)).toBe(true);
    expect(renderReasons(c!.evidence, 'en')).toEqual(c!.reasons);
    // Word for word what they were before the evidence existed (signals files are unchanged apart from `evidence`).
    expect(c!.reasons).toEqual([
      '#stemfraude: 28 posts between 09:30 UTC and 09:40 UTC, where its own earlier rate predicts 0.5 in 30 minutes (p = 7.5e-39); 28 of the 28 accounts posting it are younger than 30 days or have at most 5 posts (p = 2.8e-30 against all accounts active in the window)',
      'Link https://stemfraude-nederland.info/bewijs-utrecht: 28 posts between 09:30 UTC and 09:40 UTC, where its own earlier rate predicts 0.5 in 30 minutes (p = 7.5e-39); 28 of the 28 accounts posting it are younger than 30 days or have at most 5 posts (p = 2.8e-30 against all accounts active in the window); 24 of them posted it within 30 seconds of another (31 pairs)',
      'One near-identical message: 28 posts between 09:30 UTC and 09:40 UTC, where its own earlier rate predicts 0.5 in 30 minutes (p = 7.5e-39); 28 of the 28 accounts posting it are younger than 30 days or have at most 5 posts (p = 2.8e-30 against all accounts active in the window)',
      '28 of the 28 accounts were created less than 30 days before posting; 1 had at most 5 posts in total',
      '28 of the 28 accounts were created within 3 days of each other (2023-11-06 to 2023-11-08)',
    ]);
    expect(renderReasons(c!.evidence, 'nl')[0]).toMatch(/^#stemfraude: 28 berichten tussen 09:30 UTC en 09:40 UTC/);
  });

  it('gives the same clusters and ids on a second run', async () => {
    const dir = tmp();
    const config = loadConfig({ env: { MID_DATA_DIR: join(dir, 'data') } });
    await analyzeFile({ input: SAMPLE, outDir: join(dir, 'one'), config });
    await analyzeFile({ input: SAMPLE, outDir: join(dir, 'two'), config });
    const clusters = (d: string): unknown =>
      (JSON.parse(readFileSync(join(dir, d, 'signals.json'), 'utf8')) as { clusters: unknown }).clusters;
    expect(clusters('two')).toEqual(clusters('one'));
  });

  it('exits 2 with one line for unusable arguments and 1 for an unreadable file', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    expect(await main(['analyze', '--input', SAMPLE])).toBe(2);
    expect(await main(['analyze', '--bogus'])).toBe(2);
    expect(await main(['analyze', '--input', '/nonexistent/posts.jsonl', '--out', tmp()])).toBe(1);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/--input and --out are required/);
    expect(lines[2]).toMatch(/cannot read \/nonexistent\/posts\.jsonl/);
    for (const l of lines) expect(l.trim().split('\n')).toHaveLength(1);
  });
});
