// `mid stats` against an unreachable Elasticsearch: one line on stderr, a non-zero exit, no stack trace.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MID = fileURLToPath(new URL('../../../workers/bin/mid.mjs', import.meta.url));

describe('mid stats', () => {
  it('reports an unreachable Elasticsearch in one line and exits 1', { timeout: 60_000 }, async () => {
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [MID, 'stats'],
        { env: { ...process.env, MID_STORE: 'elasticsearch', MID_ES_URL: 'http://127.0.0.1:1', MID_CONFIG: '' } },
        (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
        },
      );
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^mid stats: cannot read the elasticsearch signal store: .*ECONNREFUSED/),
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
