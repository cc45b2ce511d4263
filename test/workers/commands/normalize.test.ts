// `mid normalize` on the real recorded payloads and our recorded-format fixtures: every post line validates against
// shared/contracts/normalized-post.schema.json (compiled here from the shared copy), no HTML is left in text, skips
// and rejects are counted, and an unreadable input gives exactly one line and a non-zero exit.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../../../workers/commands/normalize.ts';
import { validNormalizedPost } from '../../support/contracts.ts';

const SHARED = fileURLToPath(new URL('../../../../shared/', import.meta.url));
const REAL = process.env.MID_REAL_FIXTURES ?? `${SHARED}fixtures/real/`;
const OWN = fileURLToPath(new URL('../../fixtures/connectors/', import.meta.url));
const validatePost = validNormalizedPost;

async function normalize(...args: string[]): Promise<{ code: number; out: unknown[]; err: string[] }> {
  const out: unknown[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (l) => out.push(JSON.parse(l)), err: (l) => err.push(l) });
  return { code, out, err };
}

function expectValidPosts(posts: unknown[]): void {
  for (const p of posts) {
    expect(validatePost(p), JSON.stringify(validatePost.errors)).toBe(true);
    const post = p as { text: string; createdAt: string };
    expect(post.text).not.toMatch(/<\/?[a-z][a-z0-9]*(\s[^>]*)?>/i);
    expect(new Date(post.createdAt).toISOString()).toBe(post.createdAt);
  }
}

describe('mid normalize', () => {
  it('turns the recorded Mastodon timeline (full response record) into 5 valid posts', async () => {
    const r = await normalize('--format', 'mastodon', '--input', `${REAL}mastodon-timeline-tag.json`);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(5);
    expectValidPosts(r.out);
    expect(r.err).toEqual(['normalized 5, skipped 0, rejected 0']);
  });

  it('reads a bare statuses array and a single-status record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mid-normalize-'));
    const body = (
      JSON.parse(readFileSync(`${REAL}mastodon-timeline-tag.json`, 'utf8')) as { response: { body: unknown[] } }
    ).response.body;
    writeFileSync(join(dir, 'arr.json'), JSON.stringify([...body, { id: 'x' }]));
    const arr = await normalize('--format', 'mastodon', '--input', join(dir, 'arr.json'));
    expect(arr.out).toHaveLength(5);
    expect(arr.err).toEqual(['rejected status 6: status has no uri', 'normalized 5, skipped 0, rejected 1']);
    const one = await normalize('--format', 'mastodon', '--input', `${REAL}mastodon-status.json`);
    expect(one.out).toHaveLength(1);
    expectValidPosts(one.out);
  });

  it('turns the recorded Jetstream events into posts and counts the rest as skipped', async () => {
    const r = await normalize('--format', 'jetstream', '--input', `${REAL}bluesky-jetstream-events.jsonl`);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expectValidPosts(r.out);
    expect(r.err.at(-1)).toMatch(/^normalized 1, skipped 9 \(.*feed\.like 1.*identity 1.*\), rejected 0$/);
  });

  it('reports a malformed Jetstream line and goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mid-normalize-'));
    const lines = readFileSync(`${REAL}bluesky-jetstream-events.jsonl`, 'utf8').split('\n');
    writeFileSync(join(dir, 'j.jsonl'), [lines[1], '{"did": "did:plc:x", "kind": "comm', lines[0]].join('\n'));
    const r = await normalize('--format', 'jetstream', '--input', join(dir, 'j.jsonl'));
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(r.err[0]).toMatch(/^rejected line 2: not valid JSON/);
    expect(r.err.at(-1)).toBe('normalized 1, skipped 1 (feed.like 1), rejected 1');
  });

  it('reads files that start with a UTF-8 byte order mark (line 1 is not rejected)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mid-normalize-'));
    writeFileSync(join(dir, 'j.jsonl'), `\ufeff${readFileSync(`${REAL}bluesky-jetstream-events.jsonl`, 'utf8')}`);
    const j = await normalize('--format', 'jetstream', '--input', join(dir, 'j.jsonl'));
    expect(j.err.at(-1)).toMatch(/^normalized 1, skipped 9 .*, rejected 0$/);
    writeFileSync(join(dir, 'm.json'), `\ufeff${readFileSync(`${REAL}mastodon-timeline-tag.json`, 'utf8')}`);
    const m = await normalize('--format', 'mastodon', '--input', join(dir, 'm.json'));
    expect(m.err).toEqual(['normalized 5, skipped 0, rejected 0']);
  });

  it('normalizes a saved t.me/s page and feeds; posts validate', async () => {
    const t = await normalize('--format', 'telegram-html', '--input', `${OWN}telegram-channel.html`);
    expect(t.out).toHaveLength(3);
    expectValidPosts(t.out);
    expect(t.err.at(-1)).toBe('normalized 3, skipped 0, rejected 1');
    for (const f of ['feed-rss.xml', 'feed-atom.xml']) {
      const r = await normalize('--format', 'rss', '--input', `${OWN}${f}`);
      expect(r.out).toHaveLength(2);
      expectValidPosts(r.out);
    }
    const fc = await normalize('--format', 'rss', '--as', 'factcheck', '--input', `${OWN}feed-rss.xml`);
    expect(fc.out).toHaveLength(3); // the undated item is still a fact-check, the duplicate guid is skipped
  });

  it('extracts fact-checks from ClaimReview pages and a DataFeed file', async () => {
    const page = await normalize('--format', 'claimreview', '--input', `${OWN}claimreview-graph.html`);
    expect(page.out).toHaveLength(2);
    expect(page.err.at(-1)).toBe('normalized 2, skipped 0, rejected 2');
    const feed = await normalize('--format', 'factcheck-datafeed', '--input', `${OWN}factcheck-datafeed.json`);
    expect(feed.out.map((f) => (f as { reviewUrl: string }).reviewUrl)).toEqual([
      'https://factcheck.example/2025/10/potlood/',
      'https://factcheck.example/en/2025/09/wind/',
    ]);
  });

  it('exits non-zero with one clear line when nothing can be read', async () => {
    for (const [format, file] of [
      ['mastodon', `${REAL}README.md`],
      ['jetstream', `${OWN}feed-rss.xml`],
      ['rss', `${REAL}mastodon-status.json`],
      ['telegram-html', `${OWN}feed-atom.xml`],
      ['claimreview', `${OWN}claimreview-none.html`],
      ['factcheck-datafeed', `${REAL}README.md`],
      ['mastodon', '/nonexistent/file.json'],
    ] as const) {
      const r = await normalize('--format', format, '--input', file);
      expect(r.code, `${format} ${file}`).toBe(1);
      expect(r.out).toEqual([]);
      expect(r.err, `${format} ${file}`).toHaveLength(1);
      expect(r.err[0]).toMatch(/^mid normalize: (nothing could be read|cannot read)/);
    }
  });

  it('rejects bad usage with exit 2', async () => {
    expect((await normalize('--format', 'myspace', '--input', 'x')).code).toBe(2);
    expect((await normalize('--format', 'rss')).code).toBe(2);
  });
});
