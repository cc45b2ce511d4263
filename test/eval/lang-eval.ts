// Language detection evaluation (npm run eval:lang). Reads the labelled sentences in test/eval/data/ (labels come
// from the source corpus, see the README there), runs detectLanguage with the configured defaults and prints
// accuracy per language, overall, for texts under 60 characters, for the same texts dressed up as posts (link,
// hashtag, mention, emoji added), for Dutch joined to post length, and the 'und' rate on link-only/emoji-only input.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { detectLanguage, ISO639_3_TO_1 } from '../../pipelines/detect-language.ts';
import { loadConfig } from '../../workers/config.ts';

interface Sample { text: string; lang: string; source: string }

const dataDir = join(dirname(fileURLToPath(import.meta.url)), 'data');

/** Loads `tatoeba-<l1>-<l2>.tsv` (two columns, languages from the file name) and `<lang>-*.txt` (one per line). */
export function loadSamples(): Sample[] {
  const out: Sample[] = [];
  for (const file of readdirSync(dataDir).sort()) {
    const text = readFileSync(join(dataDir, file), 'utf8');
    const pair = /^tatoeba-([a-z]{3})-([a-z]{3})\.tsv$/.exec(file);
    if (pair) {
      const langs = [ISO639_3_TO_1[pair[1]!]!, ISO639_3_TO_1[pair[2]!]!];
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        line.split('\t').slice(0, 2).forEach((t, i) => out.push({ text: t.trim(), lang: langs[i]!, source: file }));
      }
      continue;
    }
    const mono = /^([a-z]{2})-[\w-]+\.txt$/.exec(file);
    if (mono) {
      for (const line of text.split('\n')) {
        if (!line.trim() || line.startsWith('# ')) continue; // "# " starts a comment; "#tag" starts a post
        // Tweebank anonymises links and handles as URL123 / @USER123: put back something that looks like them.
        const t = line.trim().replace(/\bURL\d+/g, 'https://t.co/x').replace(/@USER\d+/g, '@user');
        out.push({ text: t, lang: mono[1]!, source: file });
      }
    }
  }
  return out;
}

function pct(ok: number, n: number): string {
  return n === 0 ? '   -  ' : `${((100 * ok) / n).toFixed(1).padStart(5)}%`;
}

function main(): void {
  // LANG_CANDIDATES=nld,eng,... tries another candidate list without editing the config.
  const override = process.env.LANG_CANDIDATES?.split(',').map((c) => c.trim()).filter(Boolean);
  const config = loadConfig({ env: {}, overrides: override ? { enrichment: { languageCandidates: override } } : {} });
  const opts = { candidates: config.enrichment.languageCandidates, minChars: config.enrichment.minLanguageChars, preferred: config.enrichment.preferredLanguages };
  const samples = loadSamples();
  const perLang = new Map<string, { n: number; ok: number; und: number; wrong: Map<string, number> }>();
  let n = 0, ok = 0, shortN = 0, shortOk = 0, postN = 0, postOk = 0, scored = 0, scoredOk = 0;
  const buckets = [[0, 20], [20, 40], [40, 60], [60, Infinity]] as const;
  const bucketN = buckets.map(() => 0), bucketOk = buckets.map(() => 0);
  const confBuckets = [[0, 0.25], [0.25, 0.5], [0.5, 0.75], [0.75, 1.01]] as const;
  const confN = confBuckets.map(() => 0), confOk = confBuckets.map(() => 0);
  const dress = ['🔥 ', '', 'RT @nieuwsbot: ', ''];
  const tail = [' https://t.co/Ab12Cd #nieuws', ' 👏👏', ' @kees@mastodon.social', ' www.example.nl/a?utm_source=x'];
  samples.forEach((s, i) => {
    const g = detectLanguage(s.text, opts);
    const row = perLang.get(s.lang) ?? { n: 0, ok: 0, und: 0, wrong: new Map() };
    perLang.set(s.lang, row);
    row.n++; n++;
    if (process.env.SHOW_ERRORS && g.lang !== s.lang) console.log(`  ${s.lang}→${g.lang} ${JSON.stringify(s.text)}`);
    if (g.lang === s.lang) { row.ok++; ok++; } else if (g.lang === 'und') row.und++; else row.wrong.set(g.lang, (row.wrong.get(g.lang) ?? 0) + 1);
    if (s.text.length < 60) { shortN++; if (g.lang === s.lang) shortOk++; }
    const b = buckets.findIndex(([lo, hi]) => s.text.length >= lo && s.text.length < hi);
    bucketN[b]!++; if (g.lang === s.lang) bucketOk[b]!++;
    if (g.lang !== 'und') {
      const c = confBuckets.findIndex(([lo, hi]) => g.confidence >= lo && g.confidence < hi);
      confN[c]!++; if (g.lang === s.lang) confOk[c]!++;
    }
    if (g.lang !== 'und') { scored++; if (g.lang === s.lang) scoredOk++; }
    const post = `${dress[i % 4]}${s.text}${tail[i % 4]}`;
    postN++; if (detectLanguage(post, opts).lang === s.lang) postOk++;
  });

  // Dutch at post length: consecutive Dutch sentences from the same file joined to 80-280 characters.
  const nl = samples.filter((s) => s.lang === 'nl');
  let joinedN = 0, joinedOk = 0, buf = '';
  for (const s of nl) {
    buf = buf ? `${buf} ${s.text}` : s.text;
    if (buf.length >= 80) {
      if (buf.length <= 280) { joinedN++; if (detectLanguage(buf, opts).lang === 'nl') joinedOk++; }
      buf = '';
    }
  }

  const junk = ['https://t.co/AbC123', 'www.nos.nl/artikel/2500000', '🔥🔥🔥', '😂😂😂 🇳🇱', '@kees @jan', '#stikstof #boeren',
    'https://youtu.be/dQw4w9WgXcQ 👀', '', '   ', '12:45 - 3-1 !!!', 'https://example.com/a/b/c?x=1 https://example.org/x', 'RT @nos: https://nos.nl/l/123'];
  const undCount = junk.filter((t) => detectLanguage(t, opts).lang === 'und').length;

  console.log(`Language detection on ${n} labelled sentences (candidates: ${opts.candidates.length}, minChars: ${opts.minChars})`);
  console.log('lang     n   correct   und   most common errors');
  for (const [lang, r] of [...perLang].sort((a, b) => b[1].n - a[1].n)) {
    const errs = [...r.wrong].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([l, c]) => `${l}:${c}`).join(' ');
    console.log(`${lang.padEnd(5)} ${String(r.n).padStart(4)}   ${pct(r.ok, r.n)}  ${String(r.und).padStart(4)}   ${errs}`);
  }
  console.log(`overall            ${pct(ok, n)}   (n=${n})`);
  for (const src of [...new Set(samples.map((x) => x.source))]) {
    const mine = samples.filter((x) => x.source === src);
    const good = mine.filter((x) => detectLanguage(x.text, opts).lang === x.lang).length;
    const shortOnes = mine.filter((x) => x.text.length < 60);
    const shortGood = shortOnes.filter((x) => detectLanguage(x.text, opts).lang === x.lang).length;
    console.log(`  ${src.padEnd(24)} ${pct(good, mine.length)} (n=${mine.length}; under 60 chars ${pct(shortGood, shortOnes.length).trim()}, n=${shortOnes.length})`);
  }
  console.log(`under 60 chars     ${pct(shortOk, shortN)}   (n=${shortN})`);
  console.log(`by length: ${buckets.map(([lo, hi], i) => `${lo}-${hi === Infinity ? '' : hi - 1} chars ${pct(bucketOk[i]!, bucketN[i]!).trim()} (n=${bucketN[i]})`).join(', ')}`);
  console.log(`by confidence (not und): ${confBuckets.map(([lo, hi], i) => `${lo}-${Math.min(hi, 1)} ${pct(confOk[i]!, confN[i]!).trim()} (n=${confN[i]})`).join(', ')}`);
  console.log(`precision when not und ${pct(scoredOk, scored)}   (n=${scored})`);
  console.log(`dressed as posts   ${pct(postOk, postN)}   (link/hashtag/mention/emoji added; n=${postN})`);
  console.log(`Dutch, post length ${pct(joinedOk, joinedN)}   (consecutive nl sentences joined to 80-280 chars; n=${joinedN})`);
  console.log(`und on link-only / emoji-only / mention-only input: ${undCount}/${junk.length}`);
}

// Run only when executed directly (the enrichment benchmark imports loadSamples).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
