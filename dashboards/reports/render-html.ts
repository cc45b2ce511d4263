// The report as one self-contained HTML page (also the input of the PDF): cover, contents, the eight sections, charts
// as inline SVG each with a text alternative and its numbers in a table beside it. Built only with the escaping
// `html` tag; no script, no remote assets; print CSS for A4 (charts never split over a page).
import type { ReportData } from '../../pipelines/report-data.ts';
import { PALETTE, stackedBarChart } from './charts.ts';
import { html, safeHref, SafeHtml as Safe } from './html.ts';
import type { SafeHtml } from './html.ts';
import type { ReportLang } from './messages.ts';
import type { ChartView, ReportView, Table } from './view.ts';
import { buildView } from './view.ts';

const CSS = `
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
:root { color: #1a1a1a; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.45; }
body { margin: 0 auto; max-width: 60rem; padding: 1rem; }
h1 { font-size: 24pt; margin: 0 0 .4em; color: #0b3d66; }
h2 { font-size: 15pt; color: #0b3d66; border-bottom: 2px solid #0b3d66; padding-bottom: .15em; margin-top: 1.6em; break-after: avoid; }
h3 { font-size: 12pt; margin: 1.2em 0 .4em; break-after: avoid; }
caption { caption-side: bottom; text-align: left; font-size: 8.5pt; padding-top: .2em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: 9.5pt; break-inside: auto; }
th, td { border: 1px solid #bbb; padding: .2em .45em; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
.cover { min-height: 240mm; display: flex; flex-direction: column; justify-content: center; break-after: page; }
.cover .sub { font-size: 14pt; color: #333; margin-bottom: 2em; }
.cover .period { font-size: 13pt; font-weight: bold; }
.notice { border-left: 4px solid #0072B2; background: #f3f7fb; padding: .5em .8em; margin: 1em 0; }
nav.toc { break-after: page; }
nav.toc ol { font-size: 12pt; line-height: 2; }
nav.toc a { color: #0b3d66; text-decoration: none; }
ol.kj li { margin-bottom: .5em; }
.chart-block { break-inside: avoid; page-break-inside: avoid; margin: 1em 0; }
.chart-block figure { margin: 0 0 .5em; }
.tables { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
.chart-block figcaption { font-weight: bold; margin-bottom: .3em; }
.chart-block table { font-size: 8.5pt; margin: 0; }
.campaign { border: 1px solid #ccd; padding: .3em .8em .6em; margin: 1em 0; }
.campaign .head, .keep { break-inside: avoid; }
.legend { display: flex; flex-wrap: wrap; gap: .2em 1.2em; font-size: 9pt; margin: .3em 0 0 3em; padding: 0; list-style: none; }
.legend span.swatch { display: inline-block; width: .9em; height: .9em; margin-right: .35em; vertical-align: -.1em; border: 1px solid #555; }
.campaign dl { display: grid; grid-template-columns: max-content 1fr; gap: .1em 1em; margin: .3em 0; }
.campaign dt { font-weight: bold; }
.campaign dd { margin: 0; }
blockquote { margin: .5em 0; padding: .3em .8em; border-left: 3px solid #999; background: #f6f6f6; }
.summary { border: 1px dashed #888; padding: .6em .8em; min-height: 4em; }
.muted { color: #555; }
@media print { body { max-width: none; padding: 0; } a { color: inherit; } }
`;

// The style sheet is a constant of this file, not data: inserted as markup.
const STYLE = new Safe(CSS);

function table(tb: Table, caption?: string): SafeHtml {
  return html`<table>
    ${
      caption
        ? html`<caption class="muted">
            ${caption}
          </caption>`
        : null
    }
    <thead>
      <tr>
        ${tb.head.map((h, i) => html`<th scope="col" class="${tb.numeric[i] ? 'num' : ''}">${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${tb.rows.map(
        (r) =>
          html`<tr>
            ${r.map((c, i) => html`<td class="${tb.numeric[i] ? 'num' : ''}">${c}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function chart(c: ChartView, lang: ReportLang): SafeHtml {
  return html`<div class="chart-block" id="chart-${c.id}">
    <figure>
      <figcaption>${c.figure} ${c.title}</figcaption>
      ${stackedBarChart({ rows: c.rows, series: c.series, title: c.alt, locale: lang === 'nl' ? 'nl-NL' : 'en-GB' })}
      <ul class="legend">
        ${c.series.map((x, i) => html`<li><span class="swatch" style="background:${PALETTE[i % PALETTE.length]!}"></span>${x.name}</li>`)}
      </ul>
    </figure>
    ${table(c.table, c.numbersCaption)}
  </div>`;
}

function page(v: ReportView): SafeHtml {
  const [key, summary, volume, campaigns, narratives, factchecks, triage, pop, method] = v.sections;
  return html`<!doctype html>
    <html lang="${v.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta
          http-equiv="Content-Security-Policy"
          content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        />
        <title>${v.title}${v.periodName ? ` — ${v.periodName}` : ''}</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <section class="cover">
          <h1>${v.title}</h1>
          <div class="sub">${v.subtitle}</div>
          ${v.periodName ? html`<div class="period">${v.periodName}</div>` : null}
          <div class="period">${v.periodLine}</div>
          <p class="muted">${v.generated}</p>
          <p class="notice">${v.notTruth}</p>
          <p class="muted">${v.anonymised}</p>
        </section>
        <nav class="toc" aria-label="${v.labels.toc}">
          <h2>${v.labels.toc}</h2>
          <ol>
            ${v.sections.map((s) => html`<li><a href="#${s.id}">${s.title}</a></li>`)}
          </ol>
        </nav>
        <main>
          <section id="${key!.id}">
            <h2>1. ${key!.title}</h2>
            <p class="notice">${v.notTruth}</p>
            <ol class="kj">
              ${v.keyJudgements.map((k) => html`<li>${k}</li>`)}
            </ol>
          </section>
          <section id="${summary!.id}">
            <h2>2. ${summary!.title}</h2>
            <div class="summary" data-editable="analyst-summary">
              ${v.summary ?? html`<span class="muted">${v.summaryEmpty}</span>`}
            </div>
          </section>
          <section id="${volume!.id}">
            <h2>3. ${volume!.title}</h2>
            ${v.charts.map((c) => chart(c, v.lang))}
            <div class="tables">${table(v.platformTable)}${table(v.languageTable)}</div>
          </section>
          <section id="${campaigns!.id}">
            <h2>4. ${campaigns!.title}</h2>
            ${v.campaigns.length === 0 ? html`<p>${v.noCampaigns}</p>` : null}
            ${v.reasonsNote ? html`<p class="muted">${v.reasonsNote}</p>` : null}
            ${v.campaigns.map(
              (c) =>
                html`<article class="campaign">
                  <div class="head">
                    <h3>${c.heading}</h3>
                    <dl>
                      ${c.facts.map(
                        ([k, x]) =>
                          html`<dt>${k}</dt>
                            <dd>${x}</dd>`,
                      )}
                    </dl>
                  </div>
                  ${c.reasons.length ? html`<h4>${v.labels.reasons}</h4>` : null}
                  <ul>
                    ${c.reasons.map((r) => html`<li>${r}</li>`)}
                  </ul>
                  ${
                    c.sample
                      ? html`<div class="keep">
                          <p class="muted">${c.sampleLabel}</p>
                          <blockquote>${c.sample}</blockquote>
                        </div>`
                      : null
                  }
                  ${
                    c.episodes
                      ? html`<p class="muted">${v.labels.episodes}</p>
                          ${table(c.episodes)}`
                      : null
                  }
                </article>`,
            )}
          </section>
          <section id="${narratives!.id}">
            <h2>5. ${narratives!.title}</h2>
            ${v.narratives ? table(v.narratives) : html`<p>${v.noNarratives}</p>`}
            <p class="muted">${v.method.narratives}</p>
          </section>
          <section id="${factchecks!.id}">
            <h2>6. ${factchecks!.title}</h2>
            ${v.factchecks ? table(v.factchecks) : html`<p>${v.noFactchecks}</p>`}
            ${
              v.factcheckUrls.length
                ? html`<ul>
                    ${v.factcheckUrls.map((u) => {
                      const href = safeHref(u);
                      return href ? html`<li><a href="${href}">${href}</a></li>` : null;
                    })}
                  </ul>`
                : null
            }
          </section>
          <section id="${triage!.id}">
            <h2>7. ${triage!.title}</h2>
            ${table(v.triage)}${v.closeReasons ? table(v.closeReasons) : null}
          </section>
          <section id="${pop!.id}">
            <h2>8. ${pop!.title}</h2>
            ${table(v.pop)}
          </section>
          <section id="${method!.id}">
            <h2>9. ${method!.title}</h2>
            <h3>${v.method.labels.sources}</h3>
            ${table(v.method.sources)}
            <h3>${v.method.labels.methods}</h3>
            <dl>
              ${v.method.methods.map(
                ([k, x]) =>
                  html`<dt><strong>${k}</strong></dt>
                    <dd>${x}</dd>`,
              )}
            </dl>
            <h3>${v.method.labels.thresholds}</h3>
            ${table(v.method.thresholds)}
            <p>${v.method.version}</p>
            <p>${v.method.narratives}</p>
            <h3>${v.method.labels.caveats}</h3>
            <ul>
              ${v.method.caveats.map((c) => html`<li>${c}</li>`)}
            </ul>
          </section>
        </main>
      </body>
    </html>`;
}

/** The report as a self-contained HTML document. */
export function renderHtml(data: ReportData, lang: ReportLang): string {
  return page(buildView(data, lang)).toString();
}
