// A dense election-style stream for the speed benchmarks (issue 11): many accounts writing short sentences from a
// small vocabulary (so near-duplicate candidate sets are large), stock phrases that hundreds of accounts repeat, a
// debate hashtag, a few viral links with a long tail, and retweet storms on popular posts. Deterministic for a seed;
// posts arrive in time order at a steady rate, so a longer stream keeps the same window density (memory must stay
// flat however long it runs). Written as JSONL of normalized posts, the input of `mid analyze`.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Options of {@link writeDenseStream}. */
export interface DenseStreamOptions {
  /** Posts to write. */
  posts: number;
  /** Seed of the generator; the same seed writes the same file. Default 1. */
  seed?: number;
  /** Posting accounts. Default 20,000. */
  accounts?: number;
  /** Posts per second of stream time (sets the window density). Default 4. */
  postsPerSecond?: number;
}

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'de het een en van in is dat op te niet met voor zijn die er maar ook als bij nog wel dan om naar wat kan ' +
  'debat stemmen partij kabinet premier verkiezing lijsttrekker peiling coalitie oppositie kiezer stembus ' +
  'zorg wonen asiel klimaat belasting boeren stikstof inflatie pensioen onderwijs veiligheid europa ' +
  'goed slecht eerlijk raar sterk zwak duidelijk vaag beter slechter nieuw oud echt nep mooi lelijk ' +
  'vanavond morgen gisteren nu altijd nooit weer eindelijk zeker misschien helemaal gewoon ' +
  'the debate vote party election poll leader tonight really good bad strong weak clear great'
).split(' ');

const STOCK = [
  'Wat een debat vanavond zeg',
  'Ik ga zeker stemmen morgen',
  'Eindelijk een duidelijk antwoord van de premier',
  'Dit debat is echt helemaal niks',
  'Wie gaat er morgen stemmen dan',
  'Zo slecht voorbereid de lijsttrekker vanavond',
  'Great debate tonight really good',
  'Stemmen is belangrijk ga allemaal stemmen',
];

const DOMAINS = ['nos.nl', 'nu.nl', 'telegraaf.nl', 'volkskrant.nl', 'ad.nl', 'rtl.nl', 'blog.example', 'x.example'];

/** Writes `options.posts` posts to `path`; resolves when the file is flushed. */
export async function writeDenseStream(path: string, options: DenseStreamOptions): Promise<void> {
  const r = rng(options.seed ?? 1);
  const nAccounts = options.accounts ?? 20_000;
  const rate = options.postsPerSecond ?? 4;
  const t0 = Date.parse('2026-03-10T18:00:00Z');
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  // Zipf-like account activity: a few accounts post a lot.
  const account = (): number => Math.floor(nAccounts * Math.pow(r(), 2.2));
  const author = (i: number) => ({
    id: `dense:user/${i}`,
    handle: `user${i}`,
    displayName: `User ${i}`,
    createdAt: new Date(Date.parse('2015-01-01T00:00:00Z') + (i % 3000) * 86_400_000).toISOString(),
    followers: 10 + ((i * 7919) % 5000),
    following: 10 + ((i * 104729) % 800),
    posts: 100 + ((i * 31) % 20000),
    bot: false,
  });
  // Recent originals that retweet storms can pick (bounded ring).
  const recent: string[] = [];
  let storm: { target: string; left: number } | null = null;
  // Viral links rotate every few thousand posts: each is popular for a while, then the tail takes over.
  const linkFor = (i: number): string => {
    if (r() < 0.6) return `https://${pick(DOMAINS)}/artikel/${Math.floor(i / 4000)}-${Math.floor(r() * 5)}`;
    return `https://${pick(DOMAINS)}/artikel/${Math.floor(r() * 1e6)}`;
  };
  const out = createWriteStream(path);
  for (let i = 0; i < options.posts; i++) {
    const t = new Date(t0 + Math.floor((i / rate) * 1000 + r() * 500)).toISOString();
    const a = account();
    const id = `dense:post/${i}`;
    let text: string;
    let links: string[] = [];
    const hashtags: string[] = [];
    let repostOf: string | null = null;
    if (storm && storm.left > 0) {
      storm.left--;
      repostOf = storm.target;
      text = '';
    } else if (r() < 0.002 && recent.length) {
      storm = { target: pick(recent), left: 20 + Math.floor(r() * 200) };
      repostOf = storm.target;
      text = '';
    } else if (r() < 0.15) {
      repostOf = pick(recent.length ? recent : [`dense:post/0`]);
      text = '';
    } else {
      const u = r();
      if (u < 0.12) text = pick(STOCK);
      else {
        const n = 3 + Math.floor(r() * 14);
        const ws: string[] = [];
        for (let k = 0; k < n; k++) ws.push(pick(WORDS));
        text = ws.join(' ');
      }
      if (r() < 0.35) {
        hashtags.push('debat');
        text += ' #debat';
      }
      if (r() < 0.25) {
        links = [linkFor(i)];
        text += ` ${links[0]}`;
      }
      recent.push(id);
      if (recent.length > 200) recent.shift();
    }
    const post = {
      id,
      source: 'dense',
      url: `https://social.example/@user${a}/${i}`,
      text,
      createdAt: t,
      lang: null,
      author: author(a),
      links,
      hashtags,
      repostOf,
    };
    if (!out.write(`${JSON.stringify(post)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
