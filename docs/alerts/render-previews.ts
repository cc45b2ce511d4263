// Renders docs/alerts/*.png: the alert for the bundled sample's campaign as each channel would show it. The Slack
// blocks and the Teams Adaptive Card are laid out by a small local HTML approximation of those clients (not the
// clients themselves); Matrix and e-mail show their HTML body. Screenshots with headless Chromium (playwright-core,
// Debian's /usr/bin/chromium). Run: npx tsx docs/alerts/render-previews.ts [signals.json]
// (default: runs `mid analyze` on the bundled sample first).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { z } from 'zod';
import { buildAlertMessage } from '../../pipelines/alert-message.ts';
import type { SignalsFile } from '../../pipelines/types.ts';
import { alertHtml, htmlEscape as e, matrixContent } from '../../workers/notifiers/matrix.ts';
import { slackPayload } from '../../workers/notifiers/slack.ts';
import { teamsPayload } from '../../workers/notifiers/teams.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function signals(): SignalsFile {
  const given = process.argv[2];
  if (given) return JSON.parse(readFileSync(given, 'utf8')) as SignalsFile;
  const out = mkdtempSync(join(tmpdir(), 'mid-previews-'));
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'workers/bin/mid.mjs'),
      'analyze',
      '--input',
      join(ROOT, 'connectors/data/sample-posts.jsonl'),
      '--out',
      out,
    ],
    { stdio: 'ignore' },
  );
  return JSON.parse(readFileSync(join(out, 'signals.json'), 'utf8')) as SignalsFile;
}

// Slack mrkdwn → HTML, enough for our blocks: <url|text>, *bold*, "> " quotes, line breaks.
function mrkdwn(s: string): string {
  return s
    .split('\n')
    .map((line) => {
      const quote = line.startsWith('> ');
      let h = (quote ? line.slice(2) : line)
        .replace(/<(https?:[^|>]+)\|([^>]+)>/g, (_, u: string, t: string) => `<a href="${u}">${t}</a>`)
        .replace(/\*([^*]+)\*/g, '<b>$1</b>');
      if (quote) h = `<span class="q">${h}</span>`;
      return h;
    })
    .join('<br>');
}

// The parts of the Block Kit JSON and the Adaptive Card this preview draws, checked (a changed payload fails here).
const slackBlock = z.object({
  type: z.string(),
  text: z.object({ text: z.string() }).optional(),
  fields: z.array(z.object({ text: z.string() })).optional(),
  elements: z.array(z.object({ text: z.union([z.string(), z.object({ text: z.string() })]) })).optional(),
});
const teamsCard = z.object({
  body: z.array(
    z.object({
      type: z.string(),
      text: z.string().optional(),
      facts: z.array(z.object({ title: z.string(), value: z.string() })).optional(),
      weight: z.string().optional(),
      size: z.string().optional(),
      isSubtle: z.boolean().optional(),
    }),
  ),
  actions: z.array(z.object({ title: z.string() })).optional(),
});
const textOf = (t: string | { text: string } | undefined): string => (typeof t === 'string' ? t : (t?.text ?? ''));

function slackHtml(p: ReturnType<typeof slackPayload>): string {
  const blocks = z.array(slackBlock).parse(p.blocks);
  const body = blocks
    .map((b) => {
      if (b.type === 'header') return `<div class="h">${e(textOf(b.text))}</div>`;
      if (b.type === 'section' && b.fields)
        return `<div class="fields">${b.fields.map((f) => `<div>${mrkdwn(f.text)}</div>`).join('')}</div>`;
      if (b.type === 'section') return `<div class="s">${mrkdwn(textOf(b.text))}</div>`;
      if (b.type === 'actions')
        return `<div class="a">${(b.elements ?? []).map((x) => `<span class="btn">${e(textOf(x.text))}</span>`).join('')}</div>`;
      if (b.type === 'context') return `<div class="c">${mrkdwn(textOf(b.elements?.[0]?.text))}</div>`;
      return '';
    })
    .join('');
  return `<style>body{font:15px/1.45 Lato,Helvetica,Arial,sans-serif;margin:0;background:#fff;color:#1d1c1d;width:720px}
.msg{display:flex;gap:10px;padding:16px}.av{width:36px;height:36px;border-radius:6px;background:#4a154b;color:#fff;font-weight:700;display:flex;align-items:center;justify-content:center}
.n{font-weight:900}.app{font-size:11px;background:#eee;border-radius:3px;padding:0 4px;margin-left:4px;color:#555}.t{color:#616061;font-size:12px;margin-left:6px}
.h{font-size:18px;font-weight:900;margin:6px 0}.fields{display:grid;grid-template-columns:1fr 1fr;gap:6px 24px;margin:6px 0}.s{margin:8px 0}
.q{border-left:4px solid #ddd;padding-left:10px;display:inline-block;color:#333}a{color:#1264a3;text-decoration:none}
.btn{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:4px 12px;font-weight:700;font-size:14px}.c{color:#616061;font-size:12px;margin-top:8px}</style>
<div class="msg"><div class="av">M</div><div><span class="n">mid-monitor</span><span class="app">APP</span><span class="t">10:41</span>${body}</div></div>`;
}

function teamsHtml(p: ReturnType<typeof teamsPayload>): string {
  const card = teamsCard.parse(z.array(z.object({ content: z.unknown() })).parse(p.attachments)[0]?.content);
  const md = (s: string) =>
    e(s)
      .split('\n')
      .map((l) => l.replace(/\[([^\]]+)\]\(([^)]+)\)/g, '<a href="$2">$1</a>'))
      .join('<br>');
  const body = card.body
    .map((b) => {
      if (b.type === 'FactSet')
        return `<table>${(b.facts ?? []).map((f) => `<tr><th>${e(f.title)}</th><td>${e(f.value)}</td></tr>`).join('')}</table>`;
      const cls = [
        b.weight === 'Bolder' ? 'b' : '',
        b.size === 'Medium' ? 'm' : '',
        b.size === 'Small' ? 'sm' : '',
        b.isSubtle ? 'sub' : '',
      ].join(' ');
      return `<div class="${cls}">${md(b.text ?? '')}</div>`;
    })
    .join('');
  const actions = (card.actions ?? []).map((a) => `<span class="btn">${e(a.title)}</span>`).join('');
  return `<style>body{font:14px/1.45 "Segoe UI",Helvetica,Arial,sans-serif;margin:0;background:#f5f5f5;width:720px;padding:16px;box-sizing:border-box}
.card{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2);padding:16px;border-top:4px solid #6264a7}.b{font-weight:600;margin-top:10px}.m{font-size:17px;margin-top:0}
.sm{font-size:12px}.sub{color:#616161}table{border-collapse:collapse;margin:8px 0}th{text-align:left;font-weight:600;padding:2px 16px 2px 0;vertical-align:top}td{padding:2px 0}
a{color:#6264a7}.btn{display:inline-block;margin-top:12px;border:1px solid #6264a7;color:#6264a7;border-radius:4px;padding:5px 14px;font-weight:600}.who{font-size:12px;color:#616161;margin-bottom:6px}</style>
<div class="who">Workflows · mid-monitor</div><div class="card">${body}${actions}</div>`;
}

const page = (inner: string) => `<!doctype html><meta charset="utf-8"><body>${inner}</body>`;

const s = signals();
const cluster = s.clusters.find((c) => c.kinds.includes('duplicate_text')) ?? s.clusters[0]!;
const triage = 'https://mid.example.nl/clusters/{clusterId}';
const nl = buildAlertMessage(cluster, {
  lang: 'nl',
  kind: 'new',
  changes: [],
  triageUrlTemplate: triage,
  platforms: ['mastodon'],
});
const en = buildAlertMessage(cluster, {
  lang: 'en',
  kind: 'new',
  changes: [],
  triageUrlTemplate: triage,
  platforms: ['mastodon'],
});
const upd = buildAlertMessage(cluster, {
  lang: 'nl',
  kind: 'update',
  changes: ['grew'],
  triageUrlTemplate: triage,
  platforms: ['mastodon'],
});
const matrix = matrixContent(upd, '$first-alert-event');
const shots: Array<[string, string]> = [
  ['slack.png', page(slackHtml(slackPayload(nl)))],
  ['teams.png', page(teamsHtml(teamsPayload(en)))],
  [
    'matrix.png',
    page(
      `<style>body{font:14px/1.5 Inter,Helvetica,Arial,sans-serif;width:720px;margin:0;padding:16px;box-sizing:border-box}blockquote{border-left:3px solid #ccc;margin:0;padding-left:10px;color:#444}.thr{font-size:12px;color:#0dbd8b;margin-bottom:6px}</style><div class="thr">↳ thread reply (m.thread) to the first alert</div>${String(matrix.formatted_body)}`,
    ),
  ],
  [
    'email.png',
    page(
      `<style>body{font:14px/1.5 Georgia,serif;width:720px;margin:0;padding:16px;box-sizing:border-box}.hdr{font:12px Helvetica,Arial,sans-serif;color:#555;border-bottom:1px solid #ddd;padding-bottom:6px;margin-bottom:8px}blockquote{border-left:3px solid #ccc;margin:0;padding-left:10px}</style><div class="hdr">From: mid-monitor &lt;alerts@mid.example.nl&gt;<br>Subject: ${e(nl.title)}</div>${alertHtml(nl)}`,
    ),
  ],
];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const p = await browser.newPage({ viewport: { width: 720, height: 200 }, deviceScaleFactor: 1 });
  for (const [file, html] of shots) {
    await p.setContent(html);
    await p.screenshot({ path: join(HERE, file), fullPage: true });
  }
} finally {
  await browser.close();
}
writeFileSync(
  join(HERE, 'example-payloads.json'),
  `${JSON.stringify({ slack: slackPayload(nl), teams: teamsPayload(en), matrix }, null, 2)}\n`,
);
process.stdout.write(`wrote ${shots.map(([f]) => f).join(', ')} and example-payloads.json to ${HERE}\n`);
