// `mid analyze` on the dense stream (dense-stream.ts; 100,000 posts, or BENCH_DENSE_POSTS): the whole CLI run in a
// child process, as an analyst runs it, measured from outside with GNU time (wall, CPU user+sys, peak RSS), and the
// child's RSS, peak RSS and CPU time read from /proc at each 100,000 posts of progress (memory must stay flat), with the
// load average (wall time on a shared machine is mostly waiting for a core). `npm run bench:dense-1m`
// runs it over 1,000,000 posts (about two minutes at the target speed; opt-in because it is long).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { writeDenseStream } from './dense-stream.ts';

const POSTS = Number(process.env.BENCH_DENSE_POSTS ?? 100_000);
const STEP = 100_000;
const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'mid-bench-dense-'));
const input = join(dir, 'posts.jsonl');
await writeDenseStream(input, { posts: POSTS, seed: 1 });
process.stdout.write(`dense stream: ${POSTS} posts written to ${input}\n`);

const useTime = existsSync('/usr/bin/time');
const mid = [join(root, 'workers/bin/mid.mjs'), 'analyze', '--input', input, '--out', join(dir, 'out')];
const timeFile = join(dir, 'time.txt');
const child = useTime
  ? spawn('/usr/bin/time', ['-v', '-o', timeFile, process.execPath, ...mid], {
      env: { ...process.env, MID_DATA_DIR: join(dir, 'data'), MID_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
  : spawn(process.execPath, mid, {
      env: { ...process.env, MID_DATA_DIR: join(dir, 'data'), MID_LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
const t0 = performance.now();

/** Pid of the node process (the child of time, or the child itself); null when it has gone. */
function nodePid(): number | null {
  try {
    const pid = child.pid!;
    if (!useTime) return pid;
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    return kids[0] ? Number(kids[0]) : null;
  } catch {
    return null;
  }
}

/**
 * RSS and peak RSS (MiB) and CPU seconds so far (user + system, all threads) of the node process, from /proc; null
 * when it has gone. CPU is in clock ticks of 1/100 s (USER_HZ on Linux).
 */
function sample(): { rss: number; peak: number; cpu: number } | null {
  const pid = nodePid();
  if (pid === null) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (re: RegExp): number => Math.round(Number(re.exec(status)?.[1] ?? NaN) / 1024);
    // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { rss: kb(/VmRSS:\s+(\d+) kB/), peak: kb(/VmHWM:\s+(\d+) kB/), cpu: (Number(f[11]) + Number(f[12])) / 100 };
  } catch {
    return null;
  }
}

let nextMark = STEP;
let last = '';
// Progress lines ("analyze: N lines, ...") come every 2 s; the first one past each 100k mark gives a sample.
const lines = createInterface({ input: child.stderr! });
lines.on('line', (line) => {
  last = line;
  const m = /analyze: (\d+) lines/.exec(line);
  if (!m) return;
  const n = Number(m[1]);
  if (n >= nextMark) {
    const s = sample();
    const load = loadavg()
      .map((x) => x.toFixed(1))
      .join(' ');
    process.stdout.write(
      `  ${n} posts: rss=${s?.rss ?? '?'} MiB, peak ${s?.peak ?? '?'} MiB, CPU ${s?.cpu.toFixed(1) ?? '?'} s at ${((performance.now() - t0) / 1000).toFixed(1)} s wall, load ${load}\n`,
    );
    while (nextMark <= n) nextMark += STEP;
  }
});
const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
const wall = (performance.now() - t0) / 1000;
process.stdout.write(`  ${last.trim()}\n`);
if (code !== 0) {
  process.stdout.write(`mid analyze exited with ${code}\n`);
  process.exitCode = 1;
}
let detail = '';
if (useTime && existsSync(timeFile)) {
  const t = readFileSync(timeFile, 'utf8');
  const num = (re: RegExp): number => Number(re.exec(t)?.[1] ?? NaN);
  const user = num(/User time \(seconds\): ([\d.]+)/);
  const sys = num(/System time \(seconds\): ([\d.]+)/);
  const peak = num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024;
  detail = `; CPU ${(user + sys).toFixed(1)} s (user ${user} + sys ${sys}); peak RSS ${Math.round(peak)} MiB`;
}
process.stdout.write(
  `dense analyze: ${POSTS} posts in ${wall.toFixed(1)} s wall = ${Math.round(POSTS / wall)} posts/s${detail}\n`,
);
rmSync(dir, { recursive: true, force: true });
