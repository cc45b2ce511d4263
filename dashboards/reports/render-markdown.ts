// The report as Markdown, from the same view as the HTML: same words, same figures, charts as their tables.
import type { ReportData } from '../../pipelines/report-data.ts';
import type { ReportLang } from './messages.ts';
import type { Table } from './view.ts';
import { buildView } from './view.ts';

/** Escapes characters that Markdown or a table cell would interpret (including raw HTML). */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}

function table(tb: Table): string {
  const head = `| ${tb.head.map(escapeMarkdown).join(' | ')} |`;
  const rule = `|${tb.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`;
  return [head, rule, ...tb.rows.map((r) => `| ${r.map(escapeMarkdown).join(' | ')} |`)].join('\n');
}

/** The report as a Markdown document. */
export function renderMarkdown(data: ReportData, lang: ReportLang): string {
  const v = buildView(data, lang);
  const e = escapeMarkdown;
  const s = (i: number) => `## ${i + 1}. ${e(v.sections[i]!.title)}`;
  const out: string[] = [`# ${e(v.title)}`, '', `*${e(v.subtitle)}*`, ''];
  if (v.periodName) out.push(`**${e(v.periodName)}**  `);
  out.push(`**${e(v.periodLine)}**`, '', e(v.generated), '', `> ${e(v.notTruth)}`, '', e(v.anonymised), '');
  out.push(s(0), '', ...v.keyJudgements.map((k, i) => `${i + 1}. ${e(k)}`), '');
  out.push(s(1), '', v.summary ? e(v.summary) : `_${e(v.summaryEmpty)}_`, '');
  out.push(s(2), '');
  for (const c of v.charts)
    out.push(`### ${e(c.figure)} ${e(c.title)}`, '', table(c.table), '', `_${e(c.numbersCaption)}_`, '');
  out.push(table(v.platformTable), '', table(v.languageTable), '');
  out.push(s(3), '');
  if (v.campaigns.length === 0) out.push(e(v.noCampaigns), '');
  if (v.reasonsNote) out.push(`_${e(v.reasonsNote)}_`, '');
  for (const c of v.campaigns) {
    out.push(
      `### ${e(c.heading)}`,
      '',
      ...c.facts.map(([k, x]) => `- **${e(k)}**: ${e(x)}`),
      '',
      `**${e(v.labels.reasons)}**`,
      '',
      ...c.reasons.map((r) => `- ${e(r)}`),
      '',
    );
    if (c.sample) out.push(`_${e(c.sampleLabel)}_`, '', `> ${e(c.sample)}`, '');
    if (c.episodes) out.push(`_${e(v.labels.episodes)}_`, '', table(c.episodes), '');
  }
  out.push(s(4), '', v.narratives ? table(v.narratives) : e(v.noNarratives), '', `_${e(v.method.narratives)}_`, '');
  out.push(
    s(5),
    '',
    v.factchecks ? table(v.factchecks) : e(v.noFactchecks),
    '',
    ...v.factcheckUrls.map((u) => `- <${u.replace(/[<>\s]/g, '')}>`),
    '',
  );
  out.push(s(6), '', table(v.triage), '', ...(v.closeReasons ? [table(v.closeReasons), ''] : []));
  out.push(s(7), '', table(v.pop), '');
  out.push(
    s(8),
    '',
    `### ${e(v.method.labels.sources)}`,
    '',
    table(v.method.sources),
    '',
    `### ${e(v.method.labels.methods)}`,
    '',
    ...v.method.methods.map(([k, x]) => `- **${e(k)}**: ${e(x)}`),
    '',
    `### ${e(v.method.labels.thresholds)}`,
    '',
    table(v.method.thresholds),
    '',
    e(v.method.version),
    '',
    e(v.method.narratives),
    '',
    `### ${e(v.method.labels.caveats)}`,
    '',
    ...v.method.caveats.map((c) => `- ${e(c)}`),
    '',
  );
  return out.join('\n');
}

/** The report data as JSON (the audit snapshot and the `--format json` output). */
export function renderJson(data: ReportData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}
