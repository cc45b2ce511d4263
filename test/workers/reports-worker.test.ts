// The reports worker wired into a worker process. Embedded mode (in-process scheduler, SQLite, fake clock): with a
// period covering "now", the daily report of yesterday is archived once at 07:00 Amsterdam time with its data
// snapshot, and a restart afterwards does not make it again. Cluster mode (BullMQ on the real Redis of the global
// setup): two processes starting the worker register one job scheduler, a cron pattern in Europe/Amsterdam.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BullmqScheduler, bullmqConnection } from '../../workers/adapters/bullmq-scheduler.ts';
import { SqliteSignalStore } from '../../workers/adapters/sqlite-signal-store.ts';
import { loadConfig } from '../../workers/config.ts';
import type { ReportSource } from '../../workers/ports/report-source.ts';
import type { ReportsWorker } from '../../workers/reports-worker.ts';
import { ReportsWorker as Worker } from '../../workers/reports-worker.ts';
import { Runtime, WORKER_NAMES } from '../../workers/runtime.ts';

const logged: string[] = [];
const logger = pino(
  { level: 'info' },
  { write: (line: string) => void logged.push((JSON.parse(line) as { msg: string }).msg) },
);
const archivedCount = () => logged.filter((m) => m === 'Report archived.').length;

afterEach(() => {
  vi.useRealTimers();
});

describe('reports worker', () => {
  it('is one of the workers `mid start` and `mid worker all` run', () => {
    expect(WORKER_NAMES).toContain('reports');
  });

  it('embedded: archives the daily report once at 07:00 local time, and not again after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mid-reports-'));
    // The signal store exists (as after the index worker's first start): the report reads it read-only.
    const store = new SqliteSignalStore({ file: join(dataDir, 'signals.db') });
    await store.start();
    await store.stop();
    const config = loadConfig({
      env: {},
      overrides: {
        dataDir,
        bus: { kind: 'memory' },
        scheduler: { kind: 'memory' },
        reports: {
          periods: [{ name: 'PS2027', from: '2026-03-09', to: '2026-03-18' }],
          archiveFormats: ['html', 'md'],
        },
      },
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-03-10T05:30:00Z')); // 06:30 CET: yesterday's report is not due yet
    const archive = join(dataDir, 'reports', 'PS2027');
    const startRuntime = async () => {
      const rt = new Runtime({ config, logger, workers: ['reports'], http: false });
      let runs = 0;
      const inner = rt.scheduler.onRun;
      rt.scheduler.onRun = (name, outcome, err) => {
        runs++;
        inner?.(name, outcome, err);
      };
      await rt.start();
      const worker = rt.workers.find((w) => w.name === 'reports') as ReportsWorker;
      await worker.idle(); // the catch-up pass at start
      return { rt, worker, runs: () => runs };
    };

    const first = await startRuntime();
    expect(existsSync(archive) ? readdirSync(archive) : []).toEqual([]);
    await vi.advanceTimersByTimeAsync(29 * 60_000); // 06:59 CET
    expect(first.runs()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000); // 07:00 CET: the cron time
    while (first.runs() < 1) await new Promise((r) => setImmediate(r));
    await first.worker.idle();
    expect(readdirSync(archive)).toEqual(['daily-2026-03-09']);
    const dir = join(archive, 'daily-2026-03-09');
    expect(readdirSync(dir).sort()).toEqual(['data.json', 'report.nl.html', 'report.nl.md']);
    const data = JSON.parse(readFileSync(join(dir, 'data.json'), 'utf8')) as {
      meta: { periodName: string; from: string; to: string; generatedAt: string };
    };
    expect(data.meta).toMatchObject({
      periodName: 'PS2027',
      from: '2026-03-08T23:00:00.000Z', // 9 March, local midnight to midnight
      to: '2026-03-09T23:00:00.000Z',
      generatedAt: '2026-03-10T06:00:00.000Z',
    });
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    await first.rt.stop();

    // A restart later that morning: the catch-up pass finds the report archived and makes nothing.
    const second = await startRuntime();
    await second.worker.idle();
    expect(readdirSync(archive)).toEqual(['daily-2026-03-09']);
    expect(archivedCount()).toBe(1); // generated once, not generated again and discarded
    await second.rt.stop();
  });

  it('cluster mode: two processes register one BullMQ job scheduler with the cron pattern in Europe/Amsterdam', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const config = loadConfig({ env: {}, overrides: { reports: { periods: [] } } });
    const source: ReportSource = {
      kind: 'sqlite',
      start: async () => {},
      stop: async () => {},
      postHours: async () => [],
      clusters: async () => [],
    };
    const startProcess = async () => {
      const scheduler = new BullmqScheduler({ redisUrl: process.env.MID_REDIS_URL!, prefix });
      const worker = new Worker({ config, scheduler, logger, source });
      await worker.start();
      await scheduler.start();
      return { scheduler, worker };
    };
    const a = await startProcess();
    const b = await startProcess();
    const queue = new Queue('source-reports', { connection: bullmqConnection(process.env.MID_REDIS_URL!), prefix });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => ({ key: s.key, pattern: s.pattern, tz: s.tz }))).toEqual([
        { key: 'reports', pattern: '0 7 * * *', tz: 'Europe/Amsterdam' },
      ]);
      for (const p of [a, b]) {
        await p.worker.stop();
        await p.scheduler.stop();
      }
      // A restart registers it again, still once.
      const c = await startProcess();
      expect((await queue.getJobSchedulers()).length).toBe(1);
      await c.worker.stop();
      await c.scheduler.obliterate();
      await c.scheduler.stop();
    } finally {
      await queue.close();
    }
  });
});
