// Configuration: defaults < file < environment < overrides; unknown and renamed keys refused with the key meant;
// every problem reported with its path at once; syntax errors without the file's text; `mid config check`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../../workers/config.ts';
import { createLogger } from '../../workers/logger.ts';
import { Runtime } from '../../workers/runtime.ts';
import { waitFor } from './wait-for.ts';

function file(content: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'mid-config-')), 'mid.config.json');
  writeFileSync(f, content);
  return f;
}

/** The problems loadConfig reports for this file content (and environment); fails when it accepts them. */
function problemsOf(content: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfig({ file: file(typeof content === 'string' ? content : JSON.stringify(content)), env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return expect.unreachable('loadConfig accepted the configuration');
}

describe('loadConfig', () => {
  it('gives embedded defaults with no file and no environment', () => {
    const c = loadConfig({ env: {} });
    expect(c.bus.kind).toBe('memory');
    expect(c.scheduler.kind).toBe('memory');
    expect(c.stateStore.kind).toBe('auto');
    expect(c.store.kind).toBe('sqlite');
    expect(c.enrich.pseudonymize.enabled).toBe(true);
    expect(c.enrich.languageCandidates).toContain('nld');
    expect(c.detect).toMatchObject({
      windowSeconds: 21_600,
      tickMs: 1000,
      minPostsPerAdvance: 200,
      maxTickMs: 10_000,
      checkpointMs: 30_000,
    });
    expect(c.http).toEqual({ port: 8080, host: '127.0.0.1' });
    expect(c.httpClient.timeoutMs).toBe(15_000);
    expect(c.stopDeadlineMs).toBe(20_000);
  });

  it('lets the environment win over the file', () => {
    const f = file(
      JSON.stringify({ bus: { kind: 'memory' }, http: { port: 9000 }, dataDir: '/from-file', log: { level: 'debug' } }),
    );
    const c = loadConfig({ file: f, env: { MID_BUS: 'kafka', MID_KAFKA_BROKERS: 'a:9092, b:9092', PORT: '9100' } });
    expect(c.bus.kind).toBe('kafka');
    expect(c.bus.kafkaBrokers).toEqual(['a:9092', 'b:9092']);
    expect(c.http.port).toBe(9100);
    expect(c.dataDir).toBe('/from-file');
    expect(c.log.level).toBe('debug');
  });

  it('maps every environment variable onto its setting', () => {
    const c = loadConfig({
      env: {
        MID_DATA_DIR: '/d',
        MID_STOP_DEADLINE_MS: '5000',
        MID_LOG_LEVEL: 'warn',
        PORT: '81',
        MID_HTTP_HOST: '127.0.0.1',
        MID_PSEUDONYM_KEY: 'k'.repeat(16),
        MID_PSEUDONYMIZE: 'off',
        MID_BUS: 'kafka',
        MID_KAFKA_BROKERS: 'k:9092',
        MID_SCHEDULER: 'bullmq',
        MID_REDIS_URL: 'redis://r:6379',
        MID_STATE: 'memory',
        MID_STORE: 'elasticsearch',
        MID_ES_URL: 'https://es:9200',
        MID_ES_USERNAME: 'u',
        MID_ES_PASSWORD: 'p',
        MID_ES_API_KEY: 'a',
        MID_GOOGLE_FACTCHECK_KEY: 'g',
      },
    });
    expect(c).toMatchObject({
      dataDir: '/d',
      stopDeadlineMs: 5000,
      log: { level: 'warn' },
      http: { port: 81, host: '127.0.0.1' },
      enrich: { pseudonymize: { key: 'k'.repeat(16), enabled: false } },
      bus: { kind: 'kafka', kafkaBrokers: ['k:9092'] },
      scheduler: { kind: 'bullmq' },
      redis: { url: 'redis://r:6379' },
      stateStore: { kind: 'memory' },
      store: { kind: 'elasticsearch', esUrl: 'https://es:9200', esUsername: 'u', esPassword: 'p', esApiKey: 'a' },
      googleFactCheckKey: 'g',
    });
  });

  it('reads the file named by MID_CONFIG', () => {
    const c = loadConfig({ env: { MID_CONFIG: file(JSON.stringify({ detect: { tickMs: 500 } })) } });
    expect(c.detect.tickMs).toBe(500);
  });

  it('reports every problem with its path at once', () => {
    const problems = problemsOf(
      { store: { kind: 'mysql' }, enrich: { minLanguageChars: 0 }, storre: {} },
      { PORT: 'eighty', MID_SCHEDULER: 'cron', MID_STOP_DEADLINE_MS: 'soon' },
    ).join('\n');
    expect(problems).toMatch(/^PORT: expected an integer/m);
    expect(problems).toMatch(/^MID_STOP_DEADLINE_MS: expected an integer/m);
    expect(problems).toMatch(/^store\.kind: /m);
    expect(problems).toMatch(/^scheduler\.kind: /m);
    expect(problems).toMatch(/^enrich\.minLanguageChars: /m);
    expect(problems).toMatch(/^`storre` is not a setting/m);
  });

  it('refuses settings that need another one', () => {
    const problems = problemsOf({ bus: { kind: 'kafka' }, store: { kind: 'elasticsearch' } });
    expect(problems).toContain('bus.kafkaBrokers: must be set when bus.kind is kafka (env MID_KAFKA_BROKERS)');
    expect(problems).toContain('store.esUrl: must be set when store.kind is elasticsearch (env MID_ES_URL)');
  });
});

describe('unknown keys', () => {
  it('refuses a misspelt top-level section and names the closest one', () => {
    expect(problemsOf({ storre: { kind: 'sqlite' } })).toEqual(['`storre` is not a setting; did you mean `store`?']);
  });

  it('refuses a misspelt key in a section', () => {
    expect(problemsOf({ bus: { kafkaBroker: ['k:9092'] } })).toEqual([
      '`bus.kafkaBroker` is not a setting; did you mean `bus.kafkaBrokers`?',
    ]);
    expect(problemsOf({ detect: { windowSecs: 60 } })).toEqual([
      '`detect.windowSecs` is not a setting; did you mean `detect.windowSeconds`?',
    ]);
  });

  it('points a misspelt old name at its new place', () => {
    expect(problemsOf({ bus: { checkpointMS: 1000 } })).toEqual([
      '`bus.checkpointMS` is not a setting; did you mean `detect.checkpointMs` (formerly `bus.checkpointMs`)?',
    ]);
  });

  it('refuses a misspelt key two levels down, in records too', () => {
    expect(problemsOf({ bus: { topics: { postRaw: 'x' } } })).toEqual([
      '`bus.topics.postRaw` is not a setting; did you mean `bus.topics.postsRaw`?',
    ]);
    expect(problemsOf({ enrich: { pseudonymize: { enable: false } } })).toEqual([
      '`enrich.pseudonymize.enable` is not a setting; did you mean `enrich.pseudonymize.enabled`?',
    ]);
    expect(
      problemsOf({ scheduler: { perSource: { nos: { everyMS: 1000, rateLimit: { max: 1, duration: 5 } } } } }),
    ).toEqual([
      '`scheduler.perSource.nos.everyMS` is not a setting; did you mean `scheduler.perSource.nos.everyMs`?',
      '`scheduler.perSource.nos.rateLimit.duration` is not a setting; did you mean `scheduler.perSource.nos.rateLimit.durationMs`?',
    ]);
  });

  it("refuses a misspelt key inside an array item, by the item's kind", () => {
    const problems = problemsOf({
      sources: [
        { kind: 'rss', name: 'nos', url: 'https://feeds.nos.nl/nosnieuwsalgemeen' },
        { kind: 'mastodon', name: 'm', instanceUrl: 'https://mastodon.social', timline: 'public' },
        { kind: 'bluesky', name: 'b', profiles: { enabeld: false } },
      ],
    });
    expect(problems).toEqual([
      '`sources[1].timline` is not a setting; did you mean `sources[1].timeline`?',
      '`sources[2].profiles.enabeld` is not a setting; did you mean `sources[2].profiles.enabled`?',
    ]);
  });

  it('lists the known keys when nothing is close', () => {
    expect(problemsOf({ log: { colour: true } })).toEqual(['`log.colour` is not a setting (known here: level)']);
  });

  it('says the new name of a renamed section or key', () => {
    const problems = problemsOf({
      detection: { windowSeconds: 60 },
      enrichment: {},
      pseudonymize: { enabled: false },
      httpPort: 80,
      logLevel: 'info',
      bus: { detectTickMs: 500, leaseTtlMs: 5000 },
      scheduler: { stateStore: 'redis', redisUrl: 'redis://x', replayFile: 'x.jsonl' },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        '`detection` was renamed to `detect` (see CHANGELOG)',
        '`enrichment` was renamed to `enrich` (see CHANGELOG)',
        '`pseudonymize` was renamed to `enrich.pseudonymize` (see CHANGELOG)',
        '`httpPort` was renamed to `http.port` (see CHANGELOG)',
        '`logLevel` was renamed to `log.level` (see CHANGELOG)',
        '`bus.detectTickMs` was renamed to `detect.tickMs` (see CHANGELOG)',
        '`bus.leaseTtlMs` was renamed to `detect.leaseTtlMs` (see CHANGELOG)',
        '`scheduler.stateStore` was renamed to `stateStore.kind` (see CHANGELOG)',
        '`scheduler.redisUrl` was renamed to `redis.url` (see CHANGELOG)',
        '`scheduler.replayFile` was renamed to `replay.file` (see CHANGELOG)',
      ]),
    );
    expect(problems).toHaveLength(10);
  });

  it('checks a renamed section against its new schema in the same run', () => {
    expect(problemsOf({ detection: { windowSecs: 60, minClusterAccounts: 4 } })).toEqual([
      '`detection` was renamed to `detect` (see CHANGELOG)',
      '`detection.windowSecs` is not a setting; did you mean `detection.windowSeconds`?',
    ]);
  });

  it('refuses unknown keys given as overrides too', () => {
    expect(() => loadConfig({ env: {}, overrides: { detect: { tickMS: 5 } } })).toThrow(
      /`detect\.tickMS` is not a setting; did you mean `detect\.tickMs`\?/,
    );
  });
});

describe('the config file', () => {
  it('reports a syntax error by file, line and column without quoting the file', () => {
    const secret = 'the-pseudonym-key-nobody-may-see';
    // Single quotes: JSON.parse's message quotes the text around the error, the start of the key included.
    const f = file(`{\n  "enrich": {\n    "pseudonymize": { "key": '${secret}' }\n  }\n}\n`);
    let problems: string[] = [];
    try {
      loadConfig({ file: f, env: {} });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBe(`${f}:3:30: not valid JSON (invalid symbol at line 3, column 30)`);
    expect(problems.join('\n')).not.toContain('pseudonym-key');
  });

  it('reports a file that ends too early', () => {
    const f = file('{ "bus": ');
    expect(() => loadConfig({ file: f, env: {} })).toThrow(
      `${f}:1:10: not valid JSON (value expected at line 1, column 10)`,
    );
  });

  it('reports a missing file', () => {
    expect(() => loadConfig({ file: '/nonexistent/mid.json', env: {} })).toThrow(
      '/nonexistent/mid.json: cannot be read (ENOENT)',
    );
  });
});

describe('wiring', () => {
  it("builds the connectors' HTTP client from the httpClient section", async () => {
    const agents: string[] = [];
    const server = createServer((req, res) => {
      agents.push(String(req.headers['user-agent']));
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end('<rss><channel></channel></rss>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
    const config = loadConfig({
      env: { MID_DATA_DIR: mkdtempSync(join(tmpdir(), 'mid-config-')) },
      overrides: {
        httpClient: { contactUrl: 'https://example.org/mid-contact' },
        sources: [{ kind: 'rss', name: 'local', url }],
        scheduler: { perSource: { local: { jitterMs: 0 } } },
      },
    });
    const runtime = new Runtime({ config, logger: createLogger('silent'), workers: ['connectors'], http: false });
    try {
      await runtime.start();
      await waitFor(() => agents.length > 0, 'a request to the feed', 10_000);
      expect(agents[0]).toMatch(/^mid-monitor\/\S+ \(\+https:\/\/example\.org\/mid-contact\)$/);
    } finally {
      await runtime.stop({ deadlineMs: 5000 });
      server.close();
    }
  });
});

describe('redactConfig', () => {
  it('redacts the fields the schemas mark secret, and the password in URLs', () => {
    const c = loadConfig({
      env: {
        MID_PSEUDONYM_KEY: 'k'.repeat(20),
        MID_ES_PASSWORD: 'espw',
        MID_ES_API_KEY: 'esak',
        MID_GOOGLE_FACTCHECK_KEY: 'gk',
        MID_REDIS_URL: 'redis://user:rpw@r:6379',
      },
      overrides: { sources: [{ kind: 'google-factcheck', name: 'g', apiKey: 'srckey', query: 'verkiezingen' }] },
    });
    const r = redactConfig(c) as Config;
    expect(r.enrich.pseudonymize.key).toBe('[redacted]');
    expect(r.store.esPassword).toBe('[redacted]');
    expect(r.store.esApiKey).toBe('[redacted]');
    expect(r.googleFactCheckKey).toBe('[redacted]');
    expect(r.redis.url).toBe('redis://user:REDACTED@r:6379');
    expect((r.sources[0] as { apiKey?: string }).apiKey).toBe('[redacted]');
    expect(r.store.esUsername).toBeUndefined();
    expect(r.dataDir).toBe(c.dataDir);
    expect(c.enrich.pseudonymize.key).toBe('k'.repeat(20)); // the loaded configuration is left as it was
  });
});

type Config = ReturnType<typeof loadConfig>;

describe('mid config check', () => {
  // The real CLI in a child process, with an environment holding nothing of the test's own (MID_REDIS_URL etc.).
  const mid = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['workers/bin/mid.mjs', 'config', 'check', ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      timeout: 60_000,
    });

  it('prints the effective configuration with secrets redacted and exits 0', () => {
    const f = file(
      JSON.stringify({
        enrich: { pseudonymize: { key: 'file-pseudonym-key-0123' } },
        http: { port: 9001 },
        store: { kind: 'elasticsearch', esUrl: 'https://elastic:espass@es:9200', esUsername: 'elastic' },
        sources: [{ kind: 'google-factcheck', name: 'g', apiKey: 'source-api-key', query: 'verkiezingen' }],
      }),
    );
    const r = mid(['--config', f], {
      MID_ES_PASSWORD: 'env-es-password',
      MID_ES_API_KEY: 'env-es-api-key',
      MID_GOOGLE_FACTCHECK_KEY: 'env-google-key',
      PORT: '9002',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const secret of [
      'file-pseudonym-key-0123',
      'espass',
      'source-api-key',
      'env-es-password',
      'env-es-api-key',
      'env-google-key',
    ])
      expect(r.stdout).not.toContain(secret);
    const printed = JSON.parse(r.stdout) as Config;
    expect(printed.http.port).toBe(9002); // env over file
    expect(printed.enrich.pseudonymize.key).toBe('[redacted]');
    expect(printed.store).toMatchObject({
      esUrl: 'https://elastic:REDACTED@es:9200',
      esUsername: 'elastic',
      esPassword: '[redacted]',
      esApiKey: '[redacted]',
    });
    expect(printed.googleFactCheckKey).toBe('[redacted]');
    expect(printed.detect.tickMs).toBe(1000); // defaults are printed too
  });

  it('prints every problem with its path and exits 2', () => {
    const f = file(JSON.stringify({ bus: { checkpointMS: 5 }, detection: {}, store: { kind: 'mysql' } }));
    const r = mid(['--config', f]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('mid config check: the configuration has 3 problems:');
    expect(r.stderr).toContain(
      '  - `bus.checkpointMS` is not a setting; did you mean `detect.checkpointMs` (formerly `bus.checkpointMs`)?',
    );
    expect(r.stderr).toContain('  - `detection` was renamed to `detect` (see CHANGELOG)');
    expect(r.stderr).toMatch(/ {2}- store\.kind: /);
  });
});
