// Privacy: the alerts generated from the bundled sample (through `mid analyze`, pseudonymisation on) contain no
// handle, no pseudonym (p:…) and no mention, in any channel's payload, language or kind.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildAlertMessage, buildDigestMessage } from '../../../pipelines/alert-message.ts';
import { buildDigest, digestItem } from '../../../pipelines/alert-rules.ts';
import type { NormalizedPost, SignalsFile } from '../../../pipelines/types.ts';
import { jsonPayload } from '../../../workers/notifiers/json-webhook.ts';
import { alertHtml, matrixContent } from '../../../workers/notifiers/matrix.ts';
import { slackPayload } from '../../../workers/notifiers/slack.ts';
import { teamsPayload } from '../../../workers/notifiers/teams.ts';

const SAMPLE = new URL('../../../connectors/data/sample-posts.jsonl', import.meta.url).pathname;

describe('alerts privacy', () => {
  it('alerts from the sample carry no handle, pseudonym or mention', { timeout: 180_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'mid-alerts-privacy-'));
    await promisify(execFile)(process.execPath, ['workers/bin/mid.mjs', 'analyze', '--input', SAMPLE, '--out', out], {
      env: { ...process.env, MID_LOG_LEVEL: 'silent' },
    });
    const signals = JSON.parse(readFileSync(join(out, 'signals.json'), 'utf8')) as SignalsFile;
    expect(signals.clusters.length).toBeGreaterThan(0);
    const posts = readFileSync(SAMPLE, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as NormalizedPost);
    const handles = new Set(
      posts
        .flatMap((p) => [p.author.handle, p.author.displayName].filter((h): h is string => !!h && h.length >= 4))
        .map((h) => h.toLowerCase()),
    );
    const authorIds = new Set(posts.map((p) => p.author.id.toLowerCase()));
    // The sample's cluster members have handles that appear in their own texts (mentions): the scrubber must drop them.
    expect(
      signals.clusters.some((c) => /@\w/.test(c.sampleText ?? '') || c.accounts.some((a) => a.startsWith('p:'))),
    ).toBe(true);
    const payloads: string[] = [];
    // The sample has no mentions in its texts: also render each cluster as if its sample text, reasons and links
    // carried the sample's real handles (mentions, @user@instance, profile links) and pseudonyms.
    const hs = [...new Set(posts.map((p) => p.author.handle).filter((h): h is string => !!h))].slice(0, 40);
    const exposed = signals.clusters.map((c, i) => ({
      ...c,
      sampleText: `@${hs[i % hs.length]} @${hs[(i + 1) % hs.length]}@social.example ${c.sampleText ?? ''} cc ${c.accounts[0] ?? 'p:0123456789abcdef01234567'}`,
      reasons: c.reasons.map((r, j) => `${r} (@${hs[(i + j) % hs.length]}, ${c.accounts[j] ?? 'p:abcdefabcdef'})`),
      links: [...c.links, `https://social.example/@${hs[i % hs.length]}/123`],
    }));
    for (const c of [...signals.clusters, ...exposed]) {
      for (const lang of ['nl', 'en'] as const) {
        for (const kind of ['new', 'update'] as const) {
          const m = buildAlertMessage(c, {
            lang,
            kind,
            changes: ['grew', 'merged'],
            triageUrlTemplate: 'https://mid.example/c/{clusterId}',
            platforms: ['sample'],
          });
          const req = { message: m, idempotencyKey: `${c.id}:r:v1`, route: 'r', version: 1, thread: null };
          payloads.push(
            JSON.stringify(slackPayload(m)),
            JSON.stringify(teamsPayload(m)),
            JSON.stringify(matrixContent(m, '$e')),
            JSON.stringify(jsonPayload(req)),
            alertHtml(m),
          );
        }
      }
    }
    const d = buildDigest(
      signals.clusters.map((c) => digestItem(c, 1)),
      0,
      2,
    );
    payloads.push(JSON.stringify(slackPayload(buildDigestMessage(d, 'nl', null))));
    for (const p of payloads) {
      expect(p).not.toMatch(/(?<![\w.])@[\w.-]+/); // mentions and handles
      expect(p).not.toMatch(/\bp:[0-9a-f]{6,}/i); // pseudonyms
      const words = new Set(p.toLowerCase().split(/[^\p{L}\p{N}_.-]+/u));
      for (const h of handles) expect(words.has(h), `handle or display name "${h}" in an alert`).toBe(false);
      for (const id of authorIds) expect(p.toLowerCase()).not.toContain(id);
    }
  });
});
