// vitest global setup: starts a private redis-server and a Kafka-protocol broker (librdkafka's mock cluster via kcat)
// unless MID_REDIS_URL / MID_KAFKA_BROKERS point at running ones, and stops them afterwards.
// Tests read the addresses from process.env (inherited by the test workers).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children: ChildProcess[] = [];
const dirs: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

function waitForLine(
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  re: RegExp,
  what: string,
  ms = 20_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start within ${ms} ms; output: ${buf.slice(-500)}`)),
      ms,
    );
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${what} could not be started: ${err.message} (is it installed? see .ci/run)`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}; output: ${buf.slice(-500)}`));
    });
    child[stream]!.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const m = buf.match(re);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(m);
      }
    });
  });
}

async function startRedis(): Promise<string> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mid-redis-'));
  dirs.push(dir);
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  await waitForLine(child, 'stdout', /Ready to accept connections/, 'redis-server');
  return `redis://127.0.0.1:${port}`;
}

async function startKafka(): Promise<string> {
  const child = spawn('kcat', ['-b', 'localhost:1', '-X', 'test.mock.num.brokers=3', '-C', '-t', 'keepalive'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const m = await waitForLine(child, 'stderr', /replaced with (\S+)/, 'kcat mock cluster');
  return m[1]!;
}

export async function setup(): Promise<void> {
  if (!process.env.MID_REDIS_URL) process.env.MID_REDIS_URL = await startRedis();
  if (!process.env.MID_KAFKA_BROKERS) process.env.MID_KAFKA_BROKERS = await startKafka();
}

/** Resolves when the child has ended; SIGKILLs it after `graceMs`. Polls too: 'exit' alone did not keep the loop alive. */
function ended(child: ChildProcess, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (child.exitCode !== null || child.signalCode !== null) {
        clearInterval(poll);
        resolve();
        return;
      }
      if (Date.now() - started > graceMs) child.kill('SIGKILL');
    }, 50);
  });
}

export async function teardown(): Promise<void> {
  const waits = children.map((c) => ended(c));
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(waits);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
