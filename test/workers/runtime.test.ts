// One worker process in embedded mode (in-process bus, scheduler and state, SQLite in a temporary dataDir): what it
// starts and stops, in which order (stores before workers before intake on the way up; intake, then the workers
// downstream, then clients, HTTP last on the way down), and that stop is safe twice, before start, and goes on past
// a failing step.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../workers/config.ts';
import { Runtime } from '../../workers/runtime.ts';

function logs() {
  const lines: Array<{ level: number; msg: string; err?: string; clean?: boolean }> = [];
  return {
    lines,
    logger: pino(
      { level: 'info' },
      {
        write: (s: string) => {
          lines.push(JSON.parse(s) as (typeof lines)[number]);
        },
      },
    ),
  };
}

function runtime(logger: ReturnType<typeof logs>['logger']) {
  const config = loadConfig({
    env: {},
    overrides: { dataDir: mkdtempSync(join(tmpdir(), 'mid-runtime-')), http: { port: 0 } },
  });
  return new Runtime({
    config,
    logger,
    workers: ['connectors', 'enrich', 'detect', 'index'],
    connectors: [],
    ui: true,
  });
}

/** Records start and stop of every part of `rt` (the HTTP server once it exists). */
function record(rt: Runtime) {
  const order: string[] = [];
  const wrap = (name: string, part: { start(): Promise<void>; stop(o?: unknown): Promise<void> }) => {
    const start = part.start.bind(part);
    const stop = part.stop.bind(part);
    part.start = async () => {
      order.push(`start ${name}`);
      await start();
    };
    part.stop = async (o?: unknown) => {
      order.push(`stop ${name}`);
      await stop(o as never);
    };
  };
  wrap('store', rt.store!);
  wrap('state', rt.state);
  wrap('bus', rt.bus);
  wrap('scheduler', rt.scheduler);
  for (const w of rt.workers) wrap(w.name, w);
  return { order, wrapHttp: () => wrap('http', rt.http!) };
}

describe('Runtime', () => {
  it('starts stores, bus, workers (downstream first), scheduler, HTTP; stops intake, workers, clients, HTTP last', async () => {
    const { logger, lines } = logs();
    const rt = runtime(logger);
    const { order, wrapHttp } = record(rt);
    await rt.start();
    expect(order).toEqual([
      'start store',
      'start state',
      'start bus',
      'start index',
      'start detect',
      'start enrich',
      'start connectors',
      'start scheduler',
    ]);
    expect(rt.http!.port).toBeGreaterThan(0);
    expect(rt.workers.every((w) => w.ready())).toBe(true);
    const healthz = await fetch(`http://127.0.0.1:${rt.http!.port}/healthz`);
    expect(healthz.status).toBe(200);
    wrapHttp();
    order.length = 0;
    await rt.stop({ deadlineMs: 10_000 });
    expect(order).toEqual([
      'stop scheduler',
      'stop connectors',
      'stop enrich',
      'stop detect',
      'stop index',
      'stop bus',
      'stop state',
      'stop store',
      'stop http',
    ]);
    expect(rt.workers.some((w) => w.ready())).toBe(false);
    expect(lines.find((l) => l.msg === 'Worker process stopped.')?.clean).toBe(true);
  });

  it('stops once when stopped twice, and stops safely before start', async () => {
    const { logger, lines } = logs();
    const rt = runtime(logger);
    const { order } = record(rt);
    await Promise.all([rt.stop(), rt.stop()]);
    await rt.stop();
    expect(order.filter((o) => o === 'stop bus')).toHaveLength(1);
    expect(order.some((o) => o.startsWith('start'))).toBe(false);
    expect(lines.filter((l) => l.msg === 'Worker process stopped.').map((l) => l.clean)).toEqual([true]);
  });

  it('goes on past a failing stop step and reports it', async () => {
    const { logger, lines } = logs();
    const rt = runtime(logger);
    const { order, wrapHttp } = record(rt);
    await rt.start();
    wrapHttp();
    const busStop = rt.bus.stop.bind(rt.bus);
    rt.bus.stop = async (o) => {
      await busStop(o);
      throw new Error('broker gone');
    };
    await rt.stop();
    expect(order.slice(-4)).toEqual(['stop bus', 'stop state', 'stop store', 'stop http']);
    expect(lines.some((l) => l.msg.startsWith('Stop step failed') && /close bus: broker gone/.test(l.err ?? ''))).toBe(
      true,
    );
    expect(lines.find((l) => l.msg === 'Worker process stopped.')?.clean).toBe(false);
  });
});
