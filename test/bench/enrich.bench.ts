// Enrichment throughput on one core: realistic 20-280 character posts built from the real sentences of the language
// evaluation set (mostly Dutch, some English and others, like a Dutch monitoring stream), with links, hashtags,
// mentions, some Mastodon HTML and a pool of varied authors (fresh, digit-handled, declared bots, missing fields).
// Prints posts/s and µs/post for the whole enricher and the cost of each step, the English entity step separately.
import { canonicalizeLink } from '../../pipelines/canonicalize-link.ts';
import { detectLanguage } from '../../pipelines/detect-language.ts';
import { createEnricher } from '../../pipelines/enrich.ts';
import {
  englishEntities,
  englishLexiconEntities,
  matchGazetteer,
  wantsEnglishNer,
} from '../../pipelines/extract-entities.ts';
import { fingerprintText } from '../../pipelines/fingerprint-text.ts';
import { normalizeText } from '../../pipelines/normalize-text.ts';
import { scoreAccount } from '../../pipelines/score-account.ts';
import type { NormalizedAuthor, NormalizedPost } from '../../pipelines/types.ts';
import { loadConfig } from '../../workers/config.ts';
import { loadSamples } from '../eval/lang-eval.ts';

let seed = 42;
const rand = (): number => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;

const samples = loadSamples();
const byLang = (l: string): string[] => samples.filter((s) => s.lang === l).map((s) => s.text);
const nl = byLang('nl'),
  en = byLang('en');
const other = samples.filter((s) => s.lang !== 'nl' && s.lang !== 'en').map((s) => s.text);
const tags = ['stikstof', 'boeren', 'Tweede Kamer', 'asiel', 'klimaat', 'vaccin', 'NOS', 'PVV', 'ukraine', 'TK2025'];
const links = [
  'https://nos.nl/artikel/2500001',
  'https://www.telegraaf.nl/nieuws/123/x?utm_source=twitter&utm_medium=social',
  'https://youtu.be/dQw4w9WgXcQ?si=abc',
  'https://t.co/Ab12Cd',
  'www.rivm.nl/corona/',
  'https://www.bbc.co.uk/news/world-123#top',
];
const mentions = ['nos', 'rivm', 'jan@mastodon.social', 'politie', 'alice.bsky.social'];
const fixed = [
  'Het kabinet en de PVV ruziën over asiel in de Tweede Kamer.',
  'Wilders wil dat Schoof ingrijpt.',
  'BREAKING: Joe Biden and the WHO met in Geneva today.',
];

function author(i: number): NormalizedAuthor {
  const kind = i % 10;
  if (kind === 0)
    return {
      id: `a${i}`,
      handle: `patriot${Math.floor(rand() * 1e8)}`,
      displayName: '',
      createdAt: '2025-06-01T00:00:00Z',
      followers: 2,
      following: 800,
      posts: 5000,
    };
  if (kind === 1)
    return {
      id: `a${i}`,
      handle: `nieuwsbot${i}`,
      displayName: 'Nieuws',
      createdAt: '2019-01-01T00:00:00Z',
      posts: 90000,
      bot: true,
    };
  if (kind === 2) return { id: `a${i}` };
  return {
    id: `a${i}`,
    handle: `user_${i}@mastodon.social`,
    displayName: `User ${i}`,
    createdAt: '2018-03-04T00:00:00Z',
    followers: 100 + i,
    following: 200,
    posts: 1000 + i,
  };
}
const authors = Array.from({ length: 3000 }, (_, i) => author(i));

function makePost(i: number): NormalizedPost {
  const r = rand();
  const pool = r < 0.7 ? nl : r < 0.85 ? en : other;
  let text = '';
  while (text.length < 20 + rand() * 160) text = text ? `${text} ${pick(pool)}` : pick(pool);
  if (rand() < 0.05) text = `${pick(fixed)} ${text}`;
  if (rand() < 0.4) text += ` #${pick(tags).replace(/\s/g, '')}`;
  if (rand() < 0.3) text = `@${pick(mentions)} ${text}`;
  if (rand() < 0.35) text += ` ${pick(links)}`;
  if (rand() < 0.1) text = `🔥 ${text} 👇👇`;
  text = text.slice(0, 280);
  if (rand() < 0.3) text = `<p>${text.replace(/&/g, '&amp;')}</p>`; // Mastodon delivers HTML
  return {
    id: `p${i}`,
    source: 'bench',
    text,
    createdAt: new Date(Date.UTC(2025, 5, 10) + i * 1000).toISOString(),
    lang: rand() < 0.5 ? 'nl' : null,
    author: pick(authors),
    links: rand() < 0.2 ? [pick(links)] : [],
    hashtags: [],
  };
}

const N = 20_000;
const posts = Array.from({ length: N }, (_, i) => makePost(i));
const avgLen = posts.reduce((s, p) => s + p.text.length, 0) / N;
const config = loadConfig({ env: {} });
const enrich = createEnricher({ enrichment: config.enrich, pseudonymKey: 'bench-key-0123456789abcdef' });

// CPU time of this process (user + system), not wall time: the machine is shared, and "posts/s on one core" is
// posts per CPU-second. Wall time is printed for the whole enricher too.
function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function time(label: string, n: number, fn: () => void): number {
  const t0 = cpuUs();
  fn();
  const us = cpuUs() - t0;
  console.log(
    `${label.padEnd(44)} ${(us / n).toFixed(1).padStart(8)} µs/post  ${Math.round(n / (us / 1e6))
      .toLocaleString('en')
      .padStart(9)} posts/s`,
  );
  return us;
}

console.log(
  `${N} posts, mean ${avgLen.toFixed(0)} characters, ${nl.length} nl / ${en.length} en / ${other.length} other source sentences`,
);
for (let i = 0; i < 3000; i++) enrich(posts[i]!); // warm-up (JIT, caches)
const rounds = 3;
function wholeRun(label: string, fn: (p: NormalizedPost) => unknown): void {
  let best = Infinity;
  let bestWall = Infinity;
  for (let r = 0; r < rounds; r++) {
    const w0 = process.hrtime.bigint();
    const t0 = cpuUs();
    for (const p of posts) fn(p);
    best = Math.min(best, cpuUs() - t0);
    bestWall = Math.min(bestWall, Number(process.hrtime.bigint() - w0) / 1000);
  }
  console.log(
    `${label.padEnd(44)} ${(best / N).toFixed(1).padStart(8)} µs/post  ${Math.round(N / (best / 1e6))
      .toLocaleString('en')
      .padStart(9)} posts/s  (CPU time; wall ${Math.round(N / (bestWall / 1e6)).toLocaleString('en')} posts/s)`,
  );
}
console.log(`\nwhole enricher, best of ${rounds} rounds:`);
wholeRun('  default config (English entities: lexicon)', enrich);
for (const [label, patch] of [
  ['  englishEntityParser: compromise (full parse)', { englishEntityParser: 'compromise' as const }],
  ['  entitiesForEnglish: false', { entitiesForEnglish: false }],
] as const) {
  const e = createEnricher({ enrichment: { ...config.enrich, ...patch }, pseudonymKey: 'bench-key-0123456789abcdef' });
  for (let i = 0; i < 1000; i++) e(posts[i]!);
  wholeRun(label, e);
}

console.log('\nsteps (each over all posts):');
const normalized = posts.map((p) => normalizeText(p.text));
time('normalizeText', N, () => {
  for (const p of posts) normalizeText(p.text);
});
time('canonicalizeLink (per post, all its links)', N, () => {
  for (const n of normalized) for (const l of n.links) canonicalizeLink(l);
});
const opts = {
  candidates: config.enrich.languageCandidates,
  minChars: config.enrich.minLanguageChars,
  preferred: config.enrich.preferredLanguages,
};
const langs = normalized.map((n) => detectLanguage(n.text, opts).lang);
time('detectLanguage', N, () => {
  for (const n of normalized) detectLanguage(n.text, opts);
});
time('gazetteer (all posts)', N, () => {
  for (const n of normalized) matchGazetteer(n.text);
});
time('fingerprintText', N, () => {
  for (const n of normalized) fingerprintText(n.text);
});
time('scoreAccount', N, () => {
  for (const p of posts) scoreAccount(p.author, Date.parse(p.createdAt));
});
const english = normalized.filter((n, i) =>
  wantsEnglishNer({ text: n.text, lang: langs[i]!, hashtags: n.hashtags, mentions: n.mentions }),
);
console.log(
  `\nEnglish entity step runs on ${english.length} of ${N} posts (${((100 * english.length) / N).toFixed(1)}%):`,
);
const lexUs = time('lexicon (default), per English post', english.length, () => {
  for (const n of english) englishLexiconEntities(n.text);
});
console.log(`  = ${(lexUs / N).toFixed(1)} µs averaged over all posts`);
const us = time('full compromise parse, per English post', english.length, () => {
  for (const n of english) englishEntities(n.text);
});
console.log(`  = ${(us / N).toFixed(1)} µs averaged over all posts`);
