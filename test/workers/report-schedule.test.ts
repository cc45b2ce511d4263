// Scheduled reports on a fake clock across the end of summer time (29 October 2023, 03:00 CEST → 02:00 CET): each
// daily, weekly and final report is archived exactly once, at the first tick after 07:00 Amsterdam time; and a
// restart during generation leaves one archived report, not two.
import { mkdtempSync, readdirSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryScheduler } from '../../workers/adapters/memory-scheduler.ts';
import { loadConfig } from '../../workers/config.ts';
import { NullTriageOutcomeSource } from '../../workers/ports/report-source.ts';
import type { ReportSource } from '../../workers/ports/report-source.ts';
import type { ReportArchive } from '../../workers/report-schedule.ts';
import { createReportJob, dueReports, FileReportArchive } from '../../workers/report-schedule.ts';

const emptySource: ReportSource = {
  kind: 'sqlite',
  start: async () => {},
  stop: async () => {},
  postHours: async () => [],
  clusters: async () => [],
};
const config = loadConfig({
  env: {},
  overrides: { reports: { periods: [{ name: 'TEST', from: '2023-10-27', to: '2023-10-31' }] } },
});

class MemoryArchive implements ReportArchive {
  readonly puts: Array<{ key: string; atMs: number; files: string[] }> = [];
  async has(key: string) {
    return this.puts.some((p) => p.key === key);
  }
  async put(key: string, files: Record<string, Buffer>) {
    this.puts.push({ key, atMs: Date.now(), files: Object.keys(files).sort() });
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('scheduled reports', () => {
  it('archives each report once, at 07:00 Amsterdam time, across the DST change', async () => {
    // setImmediate stays real: the test waits on it for each run to finish before moving the clock on.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2023-10-26T00:00:00Z'));
    const archive = new MemoryArchive();
    const archived: Array<[string, string]> = [];
    const scheduler = new MemoryScheduler();
    let runs = 0;
    scheduler.onRun = () => {
      runs++;
    };
    await scheduler.schedule(
      createReportJob({
        config,
        source: emptySource,
        triage: new NullTriageOutcomeSource(),
        archive,
        now: () => new Date(),
        everyMs: 15 * 60_000,
        onArchived: (r, tickMs) => archived.push([r.key, new Date(tickMs).toISOString()]),
      }),
    );
    await scheduler.start();
    const settle = async (n: number) => {
      while (runs < n) await new Promise((r) => setImmediate(r));
    };
    await vi.advanceTimersByTimeAsync(0);
    await settle(1);
    for (let i = 1; i <= 7 * 24 * 4; i++) {
      await vi.advanceTimersByTimeAsync(15 * 60_000);
      await settle(i + 1);
    }
    await scheduler.stop();
    expect(archive.puts.map((p) => p.key)).toEqual(archived.map(([k]) => k));
    expect(archived).toEqual([
      ['TEST/daily-2023-10-27', '2023-10-28T05:00:00.000Z'], // 07:00 CEST
      ['TEST/daily-2023-10-28', '2023-10-29T06:00:00.000Z'], // 07:00 CET, the 25-hour day
      ['TEST/daily-2023-10-29', '2023-10-30T06:00:00.000Z'],
      ['TEST/weekly-2023-10-29', '2023-10-30T06:00:00.000Z'],
      ['TEST/daily-2023-10-30', '2023-10-31T06:00:00.000Z'],
      ['TEST/daily-2023-10-31', '2023-11-01T06:00:00.000Z'],
      ['TEST/final-2023-10-31', '2023-11-01T06:00:00.000Z'],
      ['TEST/weekly-2023-10-31', '2023-11-01T06:00:00.000Z'],
    ]);
    expect(runs).toBe(7 * 24 * 4 + 1);
    expect(archive.puts[0]!.files).toEqual(['data.json', 'report.nl.html', 'report.nl.md']);
  });

  it('covers the right days', () => {
    const due = dueReports(config.reports.periods, Date.parse('2023-11-05T00:00:00Z'), {
      timeZone: 'Europe/Amsterdam',
      catchUpMs: 30 * 86_400_000,
    });
    expect(due.filter((d) => d.cadence !== 'daily').map((d) => [d.key, d.fromDay, d.toDay])).toEqual([
      ['TEST/weekly-2023-10-29', '2023-10-27', '2023-10-29'],
      ['TEST/final-2023-10-31', '2023-10-27', '2023-10-31'],
      ['TEST/weekly-2023-10-31', '2023-10-30', '2023-10-31'],
    ]);
  });

  it('a restart during generation leaves one archived report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mid-report-archive-'));
    try {
      const archive = new FileReportArchive(dir);
      // The first attempt died after writing part of the report (a partial directory from another pid).
      mkdirSync(join(dir, 'TEST', 'daily-2023-10-27.partial-99999'), { recursive: true });
      writeFileSync(join(dir, 'TEST', 'daily-2023-10-27.partial-99999', 'data.json'), '{');
      const job = createReportJob({
        config,
        source: emptySource,
        triage: new NullTriageOutcomeSource(),
        archive,
        now: () => new Date('2023-10-28T06:00:00Z'),
      });
      await job.run(new AbortController().signal); // the restarted process
      await job.run(new AbortController().signal); // and its next tick
      await archive.put('TEST/daily-2023-10-27', { 'data.json': Buffer.from('{}') }); // a racing second writer
      expect(archive.list('TEST')).toEqual(['TEST/daily-2023-10-27']);
      expect(readdirSync(join(dir, 'TEST', 'daily-2023-10-27')).sort()).toEqual([
        'data.json',
        'report.nl.html',
        'report.nl.md',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
