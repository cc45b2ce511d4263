// Labelled synthetic data for the coordination evaluation: an organic background that contains every hard negative
// the detector must leave alone (a viral news link shared by hundreds over hours, share-button copies of headlines
// by established readers, a debate hashtag trending, generic greetings, declared news bots posting the same feed,
// many people quoting a politician with their own comment, one account spamming itself) and planted campaigns of
// five styles (copy-paste networks with small edits, co-link rings, hashtag pushes by fresh accounts, slow drips of
// paraphrases over hours, multilingual link pushes). Deterministic for a seed; `GeneratorParams` varies the shape
// so held-out runs differ from the tuning runs in more than the seed.
import type { NormalizedPost } from '../../pipelines/types.ts';
import { prng } from '../support/prng.ts';

/** Campaign styles. */
export type CampaignType = 'copy_paste' | 'colink_ring' | 'hashtag_push' | 'slow_drip' | 'multilingual';
/** Hard-negative labels of organic posts. */
export type HardNegative =
  | 'viral_link'
  | 'share_button'
  | 'debate_hashtag'
  | 'greetings'
  | 'news_bots'
  | 'politician_quote'
  | 'self_spam'
  | 'chatter';

/** Shape of one generated data set. */
export interface GeneratorParams {
  hours: number;
  backgroundAccounts: number;
  backgroundPostsPerMinute: number;
  campaignsPerType: number;
  /** [min, max] accounts per campaign. */
  campaignSize: [number, number];
  /** Messages / links per copy-paste, ring, drip and multilingual campaign, [min, max]. */
  itemsPerCampaign: [number, number];
  /** Probability of each small edit in copy-paste texts. */
  editRate: number;
  /** Spread of copy-paste posts after the message appears, minutes. */
  copySpreadMinutes: number;
  /** Spread of a slow drip's paraphrases, hours. */
  dripSpreadHours: number;
  viralSharers: number;
  shareButtonHeadlines: number;
  debatePosts: number;
}

/** Parameters the detector was tuned on. */
export const TUNING_PARAMS: GeneratorParams = {
  hours: 8,
  backgroundAccounts: 2500,
  backgroundPostsPerMinute: 30,
  campaignsPerType: 2,
  campaignSize: [10, 35],
  itemsPerCampaign: [3, 5],
  editRate: 0.3,
  copySpreadMinutes: 12,
  dripSpreadHours: 2.5,
  viralSharers: 400,
  shareButtonHeadlines: 12,
  debatePosts: 2500,
};

/** Held-out parameters: bigger background, smaller and larger campaigns, heavier edits, slower drips. */
export const HELDOUT_PARAMS: GeneratorParams = {
  hours: 10,
  backgroundAccounts: 4000,
  backgroundPostsPerMinute: 45,
  campaignsPerType: 2,
  campaignSize: [7, 50],
  itemsPerCampaign: [3, 6],
  editRate: 0.45,
  copySpreadMinutes: 20,
  dripSpreadHours: 3.5,
  viralSharers: 700,
  shareButtonHeadlines: 18,
  debatePosts: 4000,
};

/** One generated data set with ground truth. */
export interface GeneratedData {
  posts: NormalizedPost[];
  /** Campaign account -> campaign id ("copy_paste#0"). */
  campaignOf: Map<string, string>;
  /** Campaign id -> type. */
  campaignType: Map<string, CampaignType>;
  /** Post id -> hard-negative label (organic posts only). */
  negativeOf: Map<string, HardNegative>;
}

const WORDS_NL = (
  'de het een en van in is dat op te zijn met voor niet aan er maar om ook als dan bij nog uit wel naar kan over geen ' +
  'stad regering kabinet minister trein fiets regen zon markt school zorg huur woning boer wind energie prijs ' +
  'vandaag morgen gisteren week avond ochtend buurman collega vriend moeder vader kind hond kat koffie thee ' +
  'werk bus station plein straat dorp gemeente raad wethouder burgemeester verkiezing partij debat stem peiling ' +
  'belasting salaris pensioen jongeren ouderen studenten leraren verpleging ziekenhuis huisarts wachtlijst ' +
  'gezellig lastig mooi raar slim stom druk rustig eerlijk vreemd duur goedkoop nieuw oud snel traag'
).split(' ');

/** A sentence of `n` random words: organic chatter that does not repeat. */
function babble(r: () => number, n: number, words = WORDS_NL): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(words[Math.floor(r() * words.length)]!);
  const s = out.join(' ');
  return s[0]!.toUpperCase() + s.slice(1) + (r() < 0.5 ? '.' : '!');
}

const SYNONYMS: string[][] = [
  ['schandalig', 'schokkend', 'onacceptabel', 'bizar'],
  ['verzwegen', 'weggemoffeld', 'verborgen', 'stilgehouden'],
  ['kiezers', 'burgers', 'mensen', 'Nederlanders'],
  ['fraude', 'bedrog', 'manipulatie', 'gesjoemel'],
  ['stembureaus', 'stemlokalen', 'telcentra'],
  ['media', 'pers', 'journalisten', 'kranten'],
  ['nu', 'direct', 'meteen', 'vandaag nog'],
  ['iedereen', 'alle mensen', 'elke Nederlander'],
  ['bewijs', 'bewijzen', 'documenten', 'beelden'],
  ['gemeente', 'overheid', 'regering', 'Den Haag'],
];
const TOPICS = [
  'stembussen',
  'briefstemmen',
  'uitslagen',
  'stempassen',
  'telling',
  'volmachten',
  'kieslijsten',
  'exitpolls',
  'asielcijfers',
  'stikstofregels',
  'energieprijzen',
  'zorgpremies',
];

/** A campaign message: ~20 message-specific words with four synonym slots (distinct messages share little). */
function messageTemplate(r: () => number, i: number): string[][] {
  const topic = TOPICS[(i + Math.floor(r() * TOPICS.length)) % TOPICS.length]!;
  const words = (n: number): string[] => babble(r, n).replace(/[.!]$/, '').toLowerCase().split(' ');
  const slot = (k: number): string[] => SYNONYMS[(k + i) % SYNONYMS.length]!;
  return [
    ['Het', 'is'],
    slot(0),
    ['dat', 'de', topic],
    words(5),
    slot(1),
    words(5),
    slot(3),
    words(5),
    ['rond', 'de', topic],
    slot(2),
    words(4),
  ];
}

/** One rendering of a template: `vary` is the probability that a synonym slot differs from the first option. */
function render(r: () => number, tpl: string[][], vary: number): string {
  return tpl
    .map((slot) =>
      SYNONYMS.includes(slot)
        ? r() < vary
          ? slot[1 + Math.floor(r() * (slot.length - 1))]!
          : slot[0]!
        : slot.join(' '),
    )
    .join(' ');
}

/** A paraphrase: synonyms varied, and sometimes the two halves swapped or a clause dropped. */
function paraphrase(r: () => number, tpl: string[][], vary: number): string {
  const text = render(r, tpl, vary);
  const w = text.split(' ');
  const half = Math.floor(w.length / 2);
  if (r() < 0.3) return [...w.slice(half), ...w.slice(0, half)].join(' ');
  if (r() < 0.3) {
    w.splice(half, 3);
    return w.join(' ');
  }
  return text;
}

const PREFIXES = ['Deel dit!', '🔥🔥', 'LEES DIT:', 'Wakker worden!', '‼️', 'RT', 'Niet normaal:'];
const SUFFIXES = ['!!', '!!!', ' 😡', ' 🇳🇱🇳🇱', ' #wakkerworden', ' Deel!', ' 👇👇'];

/** Small edits as copy-paste networks make them: prefixes, suffixes, case, emoji, a dropped word. */
function smallEdits(r: () => number, text: string, rate: number): string {
  let t = text;
  if (r() < rate) t = `${PREFIXES[Math.floor(r() * PREFIXES.length)]} ${t}`;
  if (r() < rate) t = `${t}${SUFFIXES[Math.floor(r() * SUFFIXES.length)]}`;
  if (r() < rate / 2) t = t.toUpperCase();
  if (r() < rate) {
    const w = t.split(' ');
    w.splice(3 + Math.floor(r() * (w.length - 6)), 1);
    t = w.join(' ');
  }
  return t;
}

const TRANSLATIONS: Record<string, string[]> = {
  nl: [
    'Dit artikel laat zien wat de regering verzwijgt over',
    'lees het voordat het verdwijnt en deel het met iedereen',
  ],
  en: [
    'This article shows what the Dutch government is hiding about',
    'read it before it disappears and share it with everyone',
  ],
  de: [
    'Dieser Artikel zeigt, was die niederländische Regierung verschweigt über',
    'lies ihn, bevor er verschwindet, und teile ihn mit allen',
  ],
  fr: [
    'Cet article montre ce que le gouvernement néerlandais cache sur',
    'lisez-le avant qu’il disparaisse et partagez-le avec tout le monde',
  ],
};

/** Generates one labelled data set. */
export function generateCampaigns(seed: number, params: GeneratorParams): GeneratedData {
  const r = prng(seed);
  const start = Date.parse('2024-03-14T06:00:00Z');
  const endMs = start + params.hours * 3_600_000;
  const posts: NormalizedPost[] = [];
  const campaignOf = new Map<string, string>();
  const campaignType = new Map<string, CampaignType>();
  const negativeOf = new Map<string, HardNegative>();
  let seq = 0;
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

  interface Acct {
    id: string;
    createdAt: string;
    posts: number;
    followers: number;
    bot: boolean;
  }
  const established = (id: string): Acct => ({
    id,
    createdAt: new Date(
      Date.parse('2009-01-01') + r() * (Date.parse('2023-06-01') - Date.parse('2009-01-01')),
    ).toISOString(),
    posts: int(80, 40_000),
    followers: int(10, 5000),
    bot: false,
  });
  const background: Acct[] = [];
  for (let i = 0; i < params.backgroundAccounts; i++) {
    const a = established(`acct:bg${seed}-${i}`);
    if (r() < 0.05) {
      a.createdAt = new Date(start - r() * 29 * 86_400_000).toISOString();
      a.posts = int(3, 200);
    }
    background.push(a);
  }
  // Activity is skewed: a few accounts post a lot (Zipf-like weights).
  const weights = background.map((_, i) => 1 / (1 + i) ** 0.8);
  const cum: number[] = [];
  weights.reduce((s, w, i) => (cum[i] = s + w), 0);
  const total = cum[cum.length - 1]!;
  const activeAccount = (): Acct => {
    const x = r() * total;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (cum[m]! < x) lo = m + 1;
      else hi = m;
    }
    return background[lo]!;
  };
  const emit = (
    a: Acct,
    tMs: number,
    text: string,
    extra: Partial<NormalizedPost> = {},
    neg?: HardNegative,
  ): NormalizedPost => {
    const p: NormalizedPost = {
      id: `post:${seed}-${seq++}`,
      source: 'synthetic',
      url: null,
      text,
      createdAt: new Date(Math.round(tMs)).toISOString(),
      lang: extra.lang ?? 'nl',
      author: {
        id: a.id,
        handle: null,
        displayName: null,
        createdAt: a.createdAt,
        followers: a.followers,
        following: 100,
        posts: a.posts,
        bot: a.bot,
      },
      links: extra.links ?? [],
      hashtags: extra.hashtags ?? [],
      replyTo: null,
      repostOf: extra.repostOf ?? null,
      quoteOf: null,
    };
    posts.push(p);
    if (neg) negativeOf.set(p.id, neg);
    return p;
  };
  const expDecay = (t0: number, meanMin: number): number => t0 - Math.log(1 - r()) * meanMin * 60_000;

  // Organic chatter.
  const nChatter = Math.round(params.backgroundPostsPerMinute * 60 * params.hours);
  for (let i = 0; i < nChatter; i++) {
    const tags = r() < 0.1 ? [pick(['nos', 'politiek', 'weer', 'voetbal', 'utrecht', 'zorg', 'wonen'])] : [];
    emit(activeAccount(), start + r() * (endMs - start), babble(r, int(7, 22)), { hashtags: tags }, 'chatter');
  }
  // Viral news links: hundreds of unrelated accounts, own words, spread over hours.
  for (let v = 0; v < 3; v++) {
    const url = `https://nos.nl/artikel/${250_000 + seed * 10 + v}-nieuws?utm_source=share`;
    const t0 = start + r() * (endMs - start) * 0.5;
    const sharers = new Set<Acct>();
    while (sharers.size < params.viralSharers) sharers.add(activeAccount());
    for (const a of sharers)
      emit(a, Math.min(endMs, expDecay(t0, 70)), `${babble(r, int(5, 14))} ${url}`, { links: [url] }, 'viral_link');
  }
  // Share-button copies: identical headline + link from established readers over hours.
  const readers = background.filter((a) => a.posts > 200).slice(0, 800);
  for (let h = 0; h < params.shareButtonHeadlines; h++) {
    const url = `https://www.nu.nl/politiek/${630_000 + seed * 100 + h}/${h}.html`;
    const headline = `${babble(r, int(8, 13)).replace(/[.!]$/, '')} | NU.nl`;
    const t0 = start + r() * (endMs - start) * 0.8;
    const n = int(40, 250);
    const sharers = new Set<Acct>();
    while (sharers.size < n) sharers.add(readers[Math.floor(readers.length * r() ** 2)]!); // heavy readers share more
    for (const a of sharers)
      emit(a, Math.min(endMs, expDecay(t0, 45)), `${headline} ${url}`, { links: [url] }, 'share_button');
  }
  // Debate hashtag trending during a televised debate (90 minutes).
  const debate0 = start + (params.hours - 3) * 3_600_000;
  for (let i = 0; i < params.debatePosts; i++) {
    emit(
      activeAccount(),
      debate0 + r() * 90 * 60_000,
      `${babble(r, int(4, 16))} #debat`,
      { hashtags: ['debat'] },
      'debate_hashtag',
    );
  }
  // Generic greetings in the morning.
  for (let i = 0; i < 900; i++) {
    emit(
      activeAccount(),
      start + r() * 3 * 3_600_000,
      pick([
        'Goedemorgen!',
        'Gefeliciteerd!',
        'Goedemorgen allemaal ☀️',
        'Fijne dag!',
        'Gefeliciteerd 🎉🎉',
        'Goedemorgen, koffie!',
      ]),
      {},
      'greetings',
    );
  }
  // Declared news bots mirroring the same feed within seconds.
  const bots = [0, 1, 2, 3, 4].map((i) => ({ ...established(`acct:newsbot${seed}-${i}`), bot: true, posts: 300_000 }));
  for (let k = 0; k < 50; k++) {
    const url = `https://nos.nl/l/${seed * 1000 + k}`;
    const title = babble(r, int(8, 12));
    const t0 = start + r() * (endMs - start);
    for (const b of bots) emit(b, t0 + r() * 20_000, `${title} ${url}`, { links: [url] }, 'news_bots');
  }
  // Many people quoting the same sentence of a politician, with their own comment.
  const quote = '"Wij gaan de huizenmarkt binnen vier jaar volledig op orde brengen voor alle starters"';
  const q0 = start + r() * (endMs - start) * 0.6;
  for (let i = 0; i < 350; i++)
    emit(activeAccount(), expDecay(q0, 50), `${quote} ${babble(r, int(4, 12))}`, {}, 'politician_quote');
  // One account posting the same text many times (spam, not a network).
  const spammer = established(`acct:spam${seed}`);
  const spamText = 'Verdien nu snel geld met dit ene trucje dat banken haten klik hier';
  for (let i = 0; i < 60; i++)
    emit(spammer, start + r() * (endMs - start), `${spamText} ${'!'.repeat(int(0, 3))}`, {}, 'self_spam');

  // ----- Planted campaigns -----
  const campaignAccounts = (cid: string, type: CampaignType, n: number, fresh: boolean): Acct[] => {
    campaignType.set(cid, type);
    const batch = start - int(5, 25) * 86_400_000;
    const out: Acct[] = [];
    for (let i = 0; i < n; i++) {
      const a = established(`acct:${cid}-${i}`);
      if (fresh) {
        a.createdAt = new Date(batch + r() * 2 * 86_400_000).toISOString();
        a.posts = int(1, 25);
        a.followers = int(0, 30);
      }
      campaignOf.set(a.id, cid);
      out.push(a);
      // Some filler so campaign accounts are not silent otherwise.
      for (let f = int(0, 4); f > 0; f--) emit(a, start + r() * (endMs - start), babble(r, int(7, 18)));
    }
    return out;
  };
  let tplSeq = seed * 7;
  for (let c = 0; c < params.campaignsPerType; c++) {
    // Copy-paste network with small edits; half of them use fresh accounts.
    {
      const cid = `copy_paste#${c}`;
      const accts = campaignAccounts(cid, 'copy_paste', int(...params.campaignSize), c % 2 === 0);
      for (let m = int(...params.itemsPerCampaign); m > 0; m--) {
        const tpl = messageTemplate(r, tplSeq++);
        const base = render(r, tpl, 0);
        const t0 = start + r() * (endMs - start - 3_600_000);
        const link = r() < 0.5 ? [`https://dekanttekening.example/${seed}/${tplSeq}`] : [];
        for (const a of accts)
          emit(
            a,
            t0 + r() * params.copySpreadMinutes * 60_000,
            `${smallEdits(r, base, params.editRate)}${link.length ? ` ${link[0]}` : ''}`,
            { links: link },
          );
      }
    }
    // Co-link ring: the same links within seconds, each account in its own words.
    {
      const cid = `colink_ring#${c}`;
      const accts = campaignAccounts(
        cid,
        'colink_ring',
        int(Math.max(6, params.campaignSize[0]), Math.min(20, params.campaignSize[1])),
        false,
      );
      for (let m = int(params.itemsPerCampaign[0] + 1, params.itemsPerCampaign[1] + 3); m > 0; m--) {
        const url = `https://waarheidsnieuws.example/artikel/${seed}-${c}-${m}?ref=${int(1, 9)}`;
        const t0 = start + r() * (endMs - start - 600_000);
        for (const a of accts)
          if (r() < 0.9) emit(a, t0 + r() * 15_000, `${babble(r, int(4, 12))} ${url}`, { links: [url] });
      }
    }
    // Hashtag push by fresh accounts, varied text, within 45 minutes.
    {
      const cid = `hashtag_push#${c}`;
      const accts = campaignAccounts(
        cid,
        'hashtag_push',
        int(Math.max(15, params.campaignSize[0]), params.campaignSize[1] + 20),
        true,
      );
      const tag = `${pick(['stopde', 'weg met', 'eerlijke', 'nooit meer'])}${pick(TOPICS)}${seed}${c}`.replace(
        /\s/g,
        '',
      );
      const t0 = start + r() * (endMs - start - 3_600_000);
      for (const a of accts)
        for (let k = int(1, 3); k > 0; k--)
          emit(a, t0 + r() * 45 * 60_000, `${babble(r, int(5, 14))} #${tag}`, { hashtags: [tag] });
    }
    // Slow drip: paraphrases of the same messages over hours by established-looking accounts.
    {
      const cid = `slow_drip#${c}`;
      const accts = campaignAccounts(
        cid,
        'slow_drip',
        int(Math.max(5, params.campaignSize[0] - 4), Math.min(16, params.campaignSize[1])),
        false,
      );
      const m0 = start + r() * 3_600_000;
      const nMsg = int(...params.itemsPerCampaign);
      const gap = (endMs - m0 - params.dripSpreadHours * 3_600_000) / nMsg;
      for (let m = 0; m < nMsg; m++) {
        const tpl = messageTemplate(r, tplSeq++);
        const t0 = m0 + m * gap;
        for (const a of accts)
          emit(
            a,
            t0 + r() * params.dripSpreadHours * 3_600_000,
            smallEdits(r, paraphrase(r, tpl, 0.6), params.editRate / 2),
          );
      }
    }
    // Multilingual push: each account posts the same link in two or three languages within minutes.
    {
      const cid = `multilingual#${c}`;
      const accts = campaignAccounts(
        cid,
        'multilingual',
        int(Math.max(6, params.campaignSize[0]), Math.min(18, params.campaignSize[1])),
        c % 2 === 1,
      );
      for (let m = int(...params.itemsPerCampaign); m > 0; m--) {
        const url = `https://eu-truth.example/${seed}/${c}/${m}`;
        const topic = pick(TOPICS);
        const t0 = start + r() * (endMs - start - 1_800_000);
        for (const a of accts) {
          const langs = ['nl', 'en', 'de', 'fr'].sort(() => r() - 0.5).slice(0, int(2, 3));
          for (const l of langs) {
            const [pre, post] = TRANSLATIONS[l]!;
            emit(a, t0 + r() * 8 * 60_000, smallEdits(r, `${pre} ${topic}: ${post} ${url}`, params.editRate / 2), {
              links: [url],
              lang: l,
            });
          }
        }
      }
    }
  }
  // Roughly time-ordered, with a little disorder as real streams have.
  posts.sort((x, y) => Date.parse(x.createdAt) - Date.parse(y.createdAt));
  for (let i = 0; i + 1 < posts.length; i += 1) if (r() < 0.02) [posts[i], posts[i + 1]] = [posts[i + 1]!, posts[i]!];
  return { posts, campaignOf, campaignType, negativeOf };
}
