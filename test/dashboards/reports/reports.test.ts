// Reports built end to end (analysis → SQLite store → report source → report data → HTML, Markdown, JSON, PDF) from
// the bundled sample and from the evaluation generator, in Dutch and English. A leak scanner checks every output
// (the PDF through pdftotext) for account ids, handles, pseudonyms, post ids and post URLs of the input. The PDF is
// checked for A4, page count, extractable text and charts kept on one page; PNGs of page 1 and of the chart page go
// to test/artifacts/ (gitignored) for people to look at.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportData } from '../../../pipelines/report-data.ts';
import { periodBounds } from '../../../pipelines/report-data.ts';
import type { NormalizedPost } from '../../../pipelines/types.ts';
import { SqliteReportSource } from '../../../workers/adapters/sqlite-report-source.ts';
import { analyzeFile } from '../../../workers/commands/analyze.ts';
import { loadConfig } from '../../../workers/config.ts';
import type { Config } from '../../../workers/config.ts';
import { NullTriageOutcomeSource } from '../../../workers/ports/report-source.ts';
import { gatherReportData, renderReport } from '../../../workers/report-builder.ts';
import { generateCampaigns, TUNING_PARAMS } from '../../eval/generate-campaigns.ts';
import { loadAnalysisIntoStore } from '../../support/report-store.ts';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'artifacts');
const chromium = existsSync('/usr/bin/chromium');

/** What must never appear in a report built from `posts`. */
export function forbiddenStrings(posts: NormalizedPost[]): string[] {
  const out = new Set<string>();
  for (const p of posts) {
    out.add(p.id);
    if (p.url) out.add(p.url);
    out.add(p.author.id);
    if (p.author.handle && p.author.handle.length >= 4) out.add(p.author.handle);
  }
  return [...out];
}

/** Leaks in a text: forbidden strings (handles as whole words), pseudonyms and @mentions. */
export function scanForLeaks(text: string, forbidden: string[]): string[] {
  const found: string[] = [];
  const lower = text.toLowerCase();
  for (const f of forbidden) {
    const i = lower.indexOf(f.toLowerCase());
    if (i < 0) continue;
    const before = lower[i - 1] ?? ' ';
    const after = lower[i + f.length] ?? ' ';
    if (!/[\p{L}\p{N}_]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) found.push(f);
  }
  for (const m of text.matchAll(/\bp:[0-9a-f]{24}\b/g)) found.push(m[0]);
  for (const m of text.matchAll(/(?:^|[\s(])@[\p{L}\p{N}_.]{2,}/gu)) found.push(m[0].trim());
  return found;
}

interface Built {
  name: string;
  posts: NormalizedPost[];
  data: ReportData;
  outputs: Record<string, string>;
  pdf: string | null;
}

async function build(
  name: string,
  posts: NormalizedPost[],
  dir: string,
  config: Config,
  formats: { pdf: boolean },
): Promise<Built> {
  const input = join(dir, `${name}.jsonl`);
  writeFileSync(input, posts.map((p) => JSON.stringify(p)).join('\n'));
  await analyzeFile({ input, outDir: join(dir, name), config });
  const db = join(dir, `${name}.db`);
  await loadAnalysisIntoStore(join(dir, name), db);
  const times = posts.map((p) => Date.parse(p.createdAt)).sort((a, b) => a - b);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const bounds = periodBounds(day(times[0]! - 86_400_000), day(times[times.length - 1]! + 86_400_000));
  const source = new SqliteReportSource({ file: db });
  await source.start();
  try {
    const data = await gatherReportData(source, new NullTriageOutcomeSource(), config, {
      ...bounds,
      periodName: 'TEST',
      now: new Date('2024-04-01T08:00:00Z'),
    });
    const outputs: Record<string, string> = {};
    for (const lang of ['nl', 'en'] as const) {
      outputs[`${lang}.html`] = (await renderReport(data, 'html', lang, config)).toString('utf8');
      outputs[`${lang}.md`] = (await renderReport(data, 'md', lang, config)).toString('utf8');
    }
    outputs.json = (await renderReport(data, 'json', 'en', config)).toString('utf8');
    let pdf: string | null = null;
    if (formats.pdf) {
      pdf = join(dir, `${name}.pdf`);
      writeFileSync(pdf, await renderReport(data, 'pdf', 'nl', config));
      outputs['nl.pdf.txt'] = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    }
    return { name, posts, data, outputs, pdf };
  } finally {
    await source.stop();
  }
}

describe('scanForLeaks', () => {
  it('finds handles, ids, pseudonyms and mentions, and not substrings of words', () => {
    const posts = [
      { id: 'x:post/1', url: 'https://social.example/@anna/1', author: { id: 'x:user/9', handle: 'anna_b' } },
    ] as NormalizedPost[];
    const f = forbiddenStrings(posts);
    expect(scanForLeaks('ok text, hannah_bee and x:post/10', f)).toEqual([]);
    expect(
      scanForLeaks(
        'by anna_b (p:0123456789abcdef01234567) see https://social.example/@anna/1 @piet x:post/1',
        f,
      ).sort(),
    ).toEqual(['@piet', 'anna_b', 'https://social.example/@anna/1', 'p:0123456789abcdef01234567', 'x:post/1'].sort());
  });
});

describe('reports from the sample and the evaluation generator', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mid-reports-'));
  const built: Built[] = [];
  beforeAll(async () => {
    const config = loadConfig({
      env: {},
      overrides: { dataDir: dir, enrich: { pseudonymize: { key: 'report-test-key-0123456789' } } },
    });
    const sample = readFileSync('connectors/data/sample-posts.jsonl', 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as NormalizedPost);
    built.push(await build('sample', sample, dir, config, { pdf: chromium }));
    const gen = generateCampaigns(11, {
      ...TUNING_PARAMS,
      hours: 3,
      backgroundAccounts: 800,
      backgroundPostsPerMinute: 8,
      viralSharers: 120,
      debatePosts: 150,
    });
    built.push(await build('generated', gen.posts, dir, config, { pdf: false }));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('flags campaigns in both data sets (so the scan covers campaign texts and reasons)', () => {
    for (const b of built) expect(b.data.campaigns.length, b.name).toBeGreaterThan(0);
    expect(built.some((b) => b.data.campaigns.some((c) => c.sampleText !== null))).toBe(true);
  });

  it('leaks no handle, account id, pseudonym, post id or post URL in any format', () => {
    for (const b of built) {
      const forbidden = forbiddenStrings(b.posts);
      // The style sheet's at-rules (@page, @media) are not mentions.
      for (const [format, text] of Object.entries(b.outputs))
        expect(scanForLeaks(text.replace(/<style>[\s\S]*?<\/style>/, ''), forbidden), `${b.name} ${format}`).toEqual(
          [],
        );
    }
  });

  it('writes both languages from one catalogue', () => {
    const b = built[0]!;
    expect(b.outputs['nl.html']).toContain('Kernbevindingen');
    expect(b.outputs['en.html']).toContain('Key judgements');
    expect(b.outputs['en.md']).toContain('signals of coordinated behaviour, not truth judgements');
    expect(b.outputs['nl.html']).not.toMatch(/<script/i);
  });

  it.skipIf(!chromium)('prints an A4 PDF with extractable text and charts kept on one page', () => {
    const pdf = built[0]!.pdf!;
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    expect(pages).toBeGreaterThanOrEqual(5);
    expect(info).toMatch(/Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)/);
    const pageText = (n: number) =>
      execFileSync('pdftotext', ['-f', String(n), '-l', String(n), '-layout', pdf, '-'], { encoding: 'utf8' });
    const texts = Array.from({ length: pages }, (_, i) => pageText(i + 1));
    expect(texts[0]).toContain('Rapportage informatieomgeving');
    expect(texts[pages - 1]).toContain(`Pagina ${pages} van ${pages}`);
    const pageOf = (s: string) => texts.findIndex((t) => t.includes(s));
    for (const n of [1, 2]) {
      const start = pageOf(`Figuur ${n}.`);
      expect(start, `figure ${n}`).toBeGreaterThanOrEqual(0);
      expect(pageOf(`Figuur ${n} in cijfers`), `figure ${n} ends on the page it starts`).toBe(start);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      pdf,
      join(ARTIFACTS, 'report-page-1'),
    ]);
    const chartPage = pageOf('Figuur 1.') + 1;
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-f',
      String(chartPage),
      '-l',
      String(chartPage),
      '-singlefile',
      pdf,
      join(ARTIFACTS, 'report-chart-page'),
    ]);
    expect(existsSync(join(ARTIFACTS, 'report-chart-page.png'))).toBe(true);
  });
});
