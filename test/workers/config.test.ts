// Configuration: defaults, file < environment < overrides, and every problem reported with its path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../workers/config.ts';

function file(content: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'mid-config-')), 'mid.config.json');
  writeFileSync(f, content);
  return f;
}

describe('loadConfig', () => {
  it('gives embedded defaults with no file and no environment', () => {
    const c = loadConfig({ env: {} });
    expect(c.bus.kind).toBe('memory');
    expect(c.scheduler.kind).toBe('memory');
    expect(c.store.kind).toBe('sqlite');
    expect(c.pseudonymize.enabled).toBe(true);
    expect(c.enrichment.languageCandidates).toContain('nld');
  });

  it('lets the environment win over the file', () => {
    const f = file(JSON.stringify({ bus: { kind: 'memory' }, httpPort: 9000, dataDir: '/from-file' }));
    const c = loadConfig({ file: f, env: { MID_BUS: 'kafka', MID_KAFKA_BROKERS: 'a:9092, b:9092', PORT: '9100' } });
    expect(c.bus.kind).toBe('kafka');
    expect(c.bus.kafkaBrokers).toEqual(['a:9092', 'b:9092']);
    expect(c.httpPort).toBe(9100);
    expect(c.dataDir).toBe('/from-file');
  });

  it('reports every problem with its path at once', () => {
    const f = file(JSON.stringify({ store: { kind: 'mysql' }, enrichment: { minLanguageChars: 0 } }));
    try {
      loadConfig({ file: f, env: { PORT: 'eighty', MID_SCHEDULER: 'cron' } });
      expect.unreachable('loadConfig accepted bad values');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT: expected an integer/m);
      expect(problems).toMatch(/^store\.kind: /m);
      expect(problems).toMatch(/^scheduler\.kind: /m);
      expect(problems).toMatch(/^enrichment\.minLanguageChars: /m);
    }
  });

  it('names the file when it is not valid JSON', () => {
    const f = file('{ "bus": ');
    expect(() => loadConfig({ file: f, env: {} })).toThrow(new RegExp(f.replaceAll('/', '\\/')));
  });
});
