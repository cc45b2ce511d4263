// Dead letters hold a redacted detail, not only a cut one (issue 12): a detail is an error message, and error
// messages quote hostile input (V8 names the unexpected character of a JSON syntax error, Elasticsearch previews a
// field's value, a connector names the item it could not read). A hostile corpus (terminal escapes, control and bidi
// characters, handles, e-mail addresses, URLs with tokens, DIDs, long tokens, a megabyte of text) goes through every
// place dead letters are written: `redactDetail` itself, the enrich worker's dead letters stored by the index worker
// in SQLite (what analysts read, as the Kibana dlq view reads the Elasticsearch index), a dead letter of an older
// producer that was only cut, and `mid analyze`'s rejected.jsonl. None keeps an identity or a control character,
// and each keeps its reason and the shape of the problem.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { redactDetail } from '../../pipelines/redact.ts';
import { MemoryBus } from '../../workers/adapters/memory-bus.ts';
import { MemoryScheduler } from '../../workers/adapters/memory-scheduler.ts';
import { SqliteSignalStore } from '../../workers/adapters/sqlite-signal-store.ts';
import { analyzeFile } from '../../workers/commands/analyze.ts';
import { loadConfig } from '../../workers/config.ts';
import { EnrichWorker } from '../../workers/enrich-worker.ts';
import { createEnricher } from '../../pipelines/enrich.ts';
import { IndexWorker } from '../../workers/index-worker.ts';
import { createLogger } from '../../workers/logger.ts';
import { deadLetterMessage, decodeDeadLetter } from '../../workers/messages.ts';
import { createMetrics } from '../../workers/metrics.ts';
import { waitFor } from './wait-for.ts';

const KEY = 'dead-letter-key-0123456789abcdef';
/** What must never be stored or shown: identities and a secret. */
const IDENTITIES = [
  'jan_h',
  'jan.h@example.org',
  'redactie@nieuws.example',
  'did:plc:abcdefghijklmnop',
  'sk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0ffee',
  'https://mastodon.example/@jan_h/1234567890?access_token=abc',
  'access_token=abc',
  '110983412345678901',
];
const TOKEN = 'sk_live_9f8e7d6c5b4a39281706f5e4d3c2b1a0ffee';
/** Escape sequences and control characters a detail could carry to an analyst's terminal or a Kibana cell. */
const ESCAPES = '\x1b[2J\x1b[31m\x1b]0;pwned\x07\x9b1m\u202e\u200b\x00\r\n\t\x7f';
const HOSTILE = [
  `${ESCAPES}expected string, received number at author.id`,
  `value @jan_h (jan.h@example.org, redactie@nieuws.example) by did:plc:abcdefghijklmnop`,
  `see https://mastodon.example/@jan_h/1234567890?access_token=abc and id 110983412345678901`,
  `api key ${TOKEN}`,
].join(' ');
// eslint-disable-next-line no-control-regex -- what must not survive
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

function leaks(text: string): string[] {
  return IDENTITIES.filter((id) => text.includes(id));
}

describe('redactDetail', () => {
  it('strips escapes and controls, replaces identities and long tokens, keeps the reason, caps the length', () => {
    const out = redactDetail(HOSTILE, 500);
    expect(out).not.toMatch(CONTROL);
    expect(leaks(out)).toEqual([]);
    expect(out).toContain('expected string, received number at author.id'); // what the analyst needs
    expect(out).toContain('[email]');
    expect(out).toContain('@[redacted]');
    expect(out).toContain('[url]');
    expect(out).toContain('sk_live_…[44 chars]');
    expect(out).not.toContain('pwned'); // an OSC title is dropped with its escape
    const huge = redactDetail(`${'x'.repeat(1_000_000)} @jan_h\n`.repeat(3), 300);
    expect(huge.length).toBeLessThanOrEqual(301);
    expect(huge).not.toMatch(CONTROL);
    expect(redactDetail('invalid-json')).toBe('invalid-json'); // reason codes pass unchanged
  });
});

describe('dead letters', () => {
  it(
    'are stored redacted by the index worker, from the enrich worker and from an older producer',
    { timeout: 120_000 },
    async () => {
      const config = loadConfig({ env: { MID_PSEUDONYM_KEY: KEY } });
      const logger = createLogger('silent');
      const metrics = createMetrics();
      const bus = new MemoryBus({ partitions: 2 });
      await bus.start();
      const dir = mkdtempSync(join(tmpdir(), 'mid-dlq-redact-'));
      const file = join(dir, 'signals.db');
      const store = new SqliteSignalStore({ file });
      await store.start();
      const enrich = createEnricher({ enrichment: config.enrich, pseudonymKey: KEY });
      const workers = [
        new EnrichWorker({ config, bus, logger, metrics, enrich }),
        new IndexWorker({ config, bus, store, scheduler: new MemoryScheduler(), logger, metrics }),
      ];
      // What travels on the dlq topic (other consumers than the index worker read it too).
      const onTopic: string[] = [];
      await bus.subscribe({
        topics: ['dlq'],
        groupId: 'test-dlq',
        eachBatch: async (b) => {
          for (const m of b) onTopic.push(m.value);
        },
      });
      for (const w of workers) await w.start();
      // A JSON syntax error at an escape character: V8 names that character in its message.
      await bus.publish('posts.raw', [{ key: 'k1', value: `${ESCAPES}{"acct":"jan_h"}` }]);
      // A connector's reason for an item it could not read, as the connectors worker writes it.
      await bus.publish('dlq', [
        deadLetterMessage({ topic: 'source:mastodon', key: null, value: '' }, 'connectors', 'unreadable-item', HOSTILE),
      ]);
      // A dead letter of an older version that only cut its detail: redacted where it is stored.
      await bus.publish('dlq', [
        {
          key: null,
          value: JSON.stringify({
            v: 1,
            kind: 'dead-letter',
            reason: `index-rejected${ESCAPES}`,
            detail: HOSTILE,
            worker: 'index',
            topic: 'posts.enriched',
            partition: 0,
            offset: '7',
            key: null,
            value: '{}',
            at: new Date().toISOString(),
          }),
        },
      ]);
      await waitFor(async () => (await store.counts()).dlq === 3, 'the dead letters stored', 60_000, 50);
      await waitFor(() => onTopic.length === 3, 'the dead letters on the topic', 60_000, 50);
      // The two this version wrote (the enrich worker's and the connector's) are redacted on the topic already.
      const ours = onTopic.map((v) => decodeDeadLetter(v)).filter((d) => d.ok && d.message.worker !== 'index');
      expect(ours).toHaveLength(2);
      for (const d of ours) {
        const { detail, reason } = (d as { message: { detail: string; reason: string } }).message;
        expect(`${reason} ${detail}`).not.toMatch(CONTROL);
        expect(leaks(detail)).toEqual([]);
      }
      for (const w of workers) await w.stop();
      await store.stop();
      await bus.stop();

      const db = new Database(file, { readonly: true });
      const rows = db.prepare('SELECT reason, detail, key, value FROM dlq ORDER BY reason').all() as Array<
        Record<string, string | null>
      >;
      db.close();
      expect(rows.map((r) => r.reason)).toEqual(['index-rejected', 'invalid-json', 'unreadable-item']);
      for (const r of rows) {
        const text = Object.values(r).join(' ');
        expect(text, r.reason!).not.toMatch(CONTROL);
        expect(leaks(text), r.reason!).toEqual([]);
      }
      const byReason = new Map(rows.map((r) => [r.reason, r.detail!]));
      expect(byReason.get('invalid-json')).toMatch(/^Unexpected token/);
      expect(byReason.get('unreadable-item')).toContain('expected string, received number at author.id');
      expect(byReason.get('index-rejected')).toContain('expected string, received number at author.id');
      // The raw bytes of the database file too (a detail could sit in a free page or the WAL).
      const raw = readFileSync(file).toString('latin1');
      expect(leaks(raw)).toEqual([]);
    },
  );

  it('mid analyze writes rejected.jsonl reasons without escapes or identities', { timeout: 120_000 }, async () => {
    const config = loadConfig({ env: { MID_PSEUDONYM_KEY: KEY } });
    const dir = mkdtempSync(join(tmpdir(), 'mid-dlq-analyze-'));
    const input = join(dir, 'posts.jsonl');
    const inLine = ESCAPES.replace(/[\r\n]/g, ''); // a line of the file cannot hold a line break
    writeFileSync(input, `${inLine}{"acct":"jan_h"}\n\x1b]8;;https://evil.example/?t=${TOKEN}\x07{"a":1}\n`);
    await analyzeFile({ input, outDir: join(dir, 'out'), config });
    const text = readFileSync(join(dir, 'out', 'rejected.jsonl'), 'utf8');
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { line: number; reason: string; excerpt: string });
    expect(lines.map((l) => l.line)).toEqual([1, 2]);
    for (const l of lines) {
      expect(l.reason).toMatch(/Unexpected token/);
      expect(`${l.reason} ${l.excerpt}`).not.toMatch(CONTROL);
    }
    expect(leaks(text)).toEqual([]);
    expect(text).not.toContain(TOKEN);
  });
});
