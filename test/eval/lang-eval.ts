// Language detection evaluation (npm run eval:lang). Reads the labelled texts in test/eval/data/ (labels come from
// the source corpus, see the README there), runs detectLanguage with the configured defaults and prints accuracy per
// language, overall, for texts under 60 characters, for the same texts dressed up as posts (link, hashtag, mention,
// emoji added), for Dutch joined to post length, the 'und' rate on link-only/emoji-only input, and a separate line
// for the held-out part (test/eval/data/heldout/, never used for tuning).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { detectLanguage, ISO639_3_TO_1 } from '../../pipelines/detect-language.ts';
import { loadConfig } from '../../workers/config.ts';

/** A labelled text; `split` is 'tune' (data the detector was developed on) or 'heldout' (never tuned on). */
export interface Sample {
  text: string;
  lang: string;
  source: string;
  split: 'tune' | 'heldout';
}

const dataDir = join(dirname(fileURLToPath(import.meta.url)), 'data');

/**
 * Loads `tatoeba-<l1>-<l2>.tsv` (two columns, languages from the file name) and `<lang>-*.txt` (one per line, "# "
 * starts a comment) from data/ (split 'tune') and data/heldout/ (split 'heldout').
 */
export function loadSamples(): Sample[] {
  const out: Sample[] = [];
  for (const [dir, split] of [
    [dataDir, 'tune'],
    [join(dataDir, 'heldout'), 'heldout'],
  ] as const) {
    for (const file of readdirSync(dir).sort()) {
      if (!file.includes('.')) continue; // the heldout/ folder itself
      const text = readFileSync(join(dir, file), 'utf8');
      const source = split === 'heldout' ? `heldout/${file}` : file;
      const pair = /^tatoeba-([a-z]{3})-([a-z]{3})\.tsv$/.exec(file);
      if (pair) {
        const langs = [ISO639_3_TO_1[pair[1]!]!, ISO639_3_TO_1[pair[2]!]!];
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          line
            .split('\t')
            .slice(0, 2)
            .forEach((t, i) => out.push({ text: t.trim(), lang: langs[i]!, source, split }));
        }
        continue;
      }
      const mono = /^([a-z]{2})-[\w-]+\.txt$/.exec(file);
      if (mono) {
        for (const line of text.split('\n')) {
          if (!line.trim() || line.startsWith('# ')) continue; // "# " starts a comment; "#tag" starts a post
          out.push({ text: line.trim(), lang: mono[1]!, source, split });
        }
      }
    }
  }
  return out;
}

function pct(ok: number, n: number): string {
  return n === 0 ? '   -  ' : `${((100 * ok) / n).toFixed(1).padStart(5)}%`;
}

const BUCKETS = [
  [0, 20],
  [20, 40],
  [40, 60],
  [60, Infinity],
] as const;

/** Accuracy overall, under 60 characters and by length for a list of samples with their guesses. */
function summary(rows: { s: Sample; lang: string }[]): {
  all: string;
  short: string;
  byLength: string;
  n: number;
  ok: number;
} {
  const ok = rows.filter((r) => r.lang === r.s.lang).length;
  const shortRows = rows.filter((r) => r.s.text.length < 60);
  const shortOk = shortRows.filter((r) => r.lang === r.s.lang).length;
  const byLength = BUCKETS.map(([lo, hi]) => {
    const b = rows.filter((r) => r.s.text.length >= lo && r.s.text.length < hi);
    return `${lo}-${hi === Infinity ? '' : hi - 1} chars ${pct(b.filter((r) => r.lang === r.s.lang).length, b.length).trim()} (n=${b.length})`;
  }).join(', ');
  return {
    all: `${pct(ok, rows.length)} (n=${rows.length})`,
    short: `${pct(shortOk, shortRows.length)} (n=${shortRows.length})`,
    byLength,
    n: rows.length,
    ok,
  };
}

function main(): void {
  // LANG_CANDIDATES=nld,eng,... tries another candidate list without editing the config.
  const override = process.env.LANG_CANDIDATES?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const config = loadConfig({ env: {}, overrides: override ? { enrich: { languageCandidates: override } } : {} });
  const opts = {
    candidates: config.enrich.languageCandidates,
    minChars: config.enrich.minLanguageChars,
    preferred: config.enrich.preferredLanguages,
  };
  // SPLIT=tune or SPLIT=heldout restricts the per-language table (the held-out summary is always printed).
  const samples = loadSamples();
  const rows = samples.map((s) => ({ s, ...detectLanguage(s.text, opts) }));
  const shown = process.env.SPLIT ? rows.filter((r) => r.s.split === process.env.SPLIT) : rows;
  const perLang = new Map<string, { n: number; ok: number; und: number; wrong: Map<string, number> }>();
  let postN = 0,
    postOk = 0,
    scored = 0,
    scoredOk = 0;
  const confBuckets = [
    [0, 0.25],
    [0.25, 0.5],
    [0.5, 0.75],
    [0.75, 1.01],
  ] as const;
  const confN = confBuckets.map(() => 0),
    confOk = confBuckets.map(() => 0);
  const dress = ['🔥 ', '', 'RT @nieuwsbot: ', ''];
  const tail = [' https://t.co/Ab12Cd #nieuws', ' 👏👏', ' @kees@mastodon.social', ' www.example.nl/a?utm_source=x'];
  shown.forEach(({ s, lang, confidence }, i) => {
    const row = perLang.get(s.lang) ?? { n: 0, ok: 0, und: 0, wrong: new Map() };
    perLang.set(s.lang, row);
    row.n++;
    if (process.env.SHOW_ERRORS && lang !== s.lang)
      console.log(`  ${s.split === 'heldout' ? 'H ' : ''}${s.lang}→${lang} ${JSON.stringify(s.text)}`);
    if (lang === s.lang) row.ok++;
    else if (lang === 'und') row.und++;
    else row.wrong.set(lang, (row.wrong.get(lang) ?? 0) + 1);
    if (lang !== 'und') {
      const c = confBuckets.findIndex(([lo, hi]) => confidence >= lo && confidence < hi);
      confN[c]!++;
      if (lang === s.lang) confOk[c]!++;
      scored++;
      if (lang === s.lang) scoredOk++;
    }
    const post = `${dress[i % 4]}${s.text}${tail[i % 4]}`;
    postN++;
    if (detectLanguage(post, opts).lang === s.lang) postOk++;
  });

  // Dutch at post length: consecutive Dutch sentences from the same file joined to 80-280 characters.
  const nl = samples.filter((s) => s.lang === 'nl');
  let joinedN = 0,
    joinedOk = 0,
    buf = '';
  for (const s of nl) {
    buf = buf ? `${buf} ${s.text}` : s.text;
    if (buf.length >= 80) {
      if (buf.length <= 280) {
        joinedN++;
        if (detectLanguage(buf, opts).lang === 'nl') joinedOk++;
      }
      buf = '';
    }
  }

  const junk = [
    'https://t.co/AbC123',
    'www.nos.nl/artikel/2500000',
    '🔥🔥🔥',
    '😂😂😂 🇳🇱',
    '@kees @jan',
    '#stikstof #boeren',
    'https://youtu.be/dQw4w9WgXcQ 👀',
    '',
    '   ',
    '12:45 - 3-1 !!!',
    'https://example.com/a/b/c?x=1 https://example.org/x',
    'RT @nos: https://nos.nl/l/123',
  ];
  const undCount = junk.filter((t) => detectLanguage(t, opts).lang === 'und').length;

  const all = summary(shown);
  console.log(
    `Language detection on ${shown.length} labelled texts${process.env.SPLIT ? ` (split ${process.env.SPLIT})` : ''} (candidates: ${opts.candidates.length}, minChars: ${opts.minChars})`,
  );
  console.log('lang     n   correct   und   most common errors');
  for (const [lang, r] of [...perLang].sort((a, b) => b[1].n - a[1].n)) {
    const errs = [...r.wrong]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([l, c]) => `${l}:${c}`)
      .join(' ');
    console.log(
      `${lang.padEnd(5)} ${String(r.n).padStart(4)}   ${pct(r.ok, r.n)}  ${String(r.und).padStart(4)}   ${errs}`,
    );
  }
  console.log(`overall            ${all.all}`);
  for (const src of [...new Set(shown.map((r) => r.s.source))]) {
    const mine = summary(shown.filter((r) => r.s.source === src));
    console.log(`  ${src.padEnd(30)} ${mine.all}; under 60 chars ${mine.short.trim()}`);
  }
  console.log(`under 60 chars     ${all.short}`);
  console.log(`by length: ${all.byLength}`);
  console.log(
    `by confidence (not und): ${confBuckets.map(([lo, hi], i) => `${lo}-${Math.min(hi, 1)} ${pct(confOk[i]!, confN[i]!).trim()} (n=${confN[i]})`).join(', ')}`,
  );
  console.log(`precision when not und ${pct(scoredOk, scored)}   (n=${scored})`);
  console.log(`dressed as posts   ${pct(postOk, postN)}   (link/hashtag/mention/emoji added; n=${postN})`);
  console.log(
    `Dutch, post length ${pct(joinedOk, joinedN)}   (consecutive nl sentences joined to 80-280 chars; n=${joinedN})`,
  );
  console.log(`und on link-only / emoji-only / mention-only input: ${undCount}/${junk.length}`);
  for (const split of ['tune', 'heldout'] as const) {
    const part = summary(rows.filter((r) => r.s.split === split));
    console.log(
      `${split === 'tune' ? 'TUNE    ' : 'HELD-OUT'}  overall ${part.all.trim()}; under 60 chars ${part.short.trim()}; ${part.byLength}`,
    );
  }
}

// Run only when executed directly (the enrichment benchmark imports loadSamples).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
