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
  | 'chatter'
  | 'short_sentence';

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

/** A generated account. */
interface Acct {
  id: string;
  createdAt: string;
  posts: number;
  followers: number;
  bot: boolean;
}

/** The state one generator run shares between the organic background and the planted campaigns. */
interface World {
  seed: number;
  r: () => number;
  int: (lo: number, hi: number) => number;
  pick: <T>(xs: readonly T[]) => T;
  start: number;
  endMs: number;
  posts: NormalizedPost[];
  campaignOf: Map<string, string>;
  campaignType: Map<string, CampaignType>;
  negativeOf: Map<string, HardNegative>;
  established: (id: string) => Acct;
  background: Acct[];
  /** A background account, drawn by its (skewed) activity. */
  activeAccount: () => Acct;
  emit: (a: Acct, tMs: number, text: string, extra?: Partial<NormalizedPost>, neg?: HardNegative) => NormalizedPost;
  expDecay: (t0: number, meanMin: number) => number;
  /** Campaign accounts; each is young (created 5-27 days before the start, few posts) with probability `youngShare`. */
  campaignAccounts: (cid: string, type: CampaignType, n: number, youngShare: number) => Acct[];
}

function makeWorld(seed: number, hours: number, backgroundAccounts: number): World {
  const r = prng(seed);
  const start = Date.parse('2024-03-14T06:00:00Z');
  const endMs = start + hours * 3_600_000;
  const posts: NormalizedPost[] = [];
  const campaignOf = new Map<string, string>();
  const campaignType = new Map<string, CampaignType>();
  const negativeOf = new Map<string, HardNegative>();
  let seq = 0;
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
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
  for (let i = 0; i < backgroundAccounts; i++) {
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
  const campaignAccounts = (cid: string, type: CampaignType, n: number, youngShare: number): Acct[] => {
    campaignType.set(cid, type);
    const batch = start - int(5, 25) * 86_400_000;
    const out: Acct[] = [];
    for (let i = 0; i < n; i++) {
      const a = established(`acct:${cid}-${i}`);
      // Shares of exactly 0 or 1 draw nothing, so the fixed-shape generator's sequence is unchanged.
      if (youngShare >= 1 || (youngShare > 0 && r() < youngShare)) {
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
  return {
    seed,
    r,
    int,
    pick,
    start,
    endMs,
    posts,
    campaignOf,
    campaignType,
    negativeOf,
    established,
    background,
    activeAccount,
    emit,
    expDecay,
    campaignAccounts,
  };
}

/** Sizes of the organic background's hard negatives. */
interface OrganicShape {
  hours: number;
  backgroundPostsPerMinute: number;
  viralSharers: number;
  shareButtonHeadlines: number;
  debatePosts: number;
}

/** The organic background: chatter and every hard negative. */
function emitOrganic(w: World, params: OrganicShape): void {
  const { seed, r, int, pick, start, endMs, emit, activeAccount, expDecay, established } = w;
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
  const readers = w.background.filter((a) => a.posts > 200).slice(0, 800);
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
}

/** Generates one labelled data set of the fixed shape `params` (two tuning and held-out shapes; other tests use it). */
export function generateCampaigns(seed: number, params: GeneratorParams): GeneratedData {
  const w = makeWorld(seed, params.hours, params.backgroundAccounts);
  const { r, int, pick, start, endMs, emit, posts, campaignOf, campaignType, negativeOf } = w;
  emitOrganic(w, params);
  const campaignAccounts = (cid: string, type: CampaignType, n: number, fresh: boolean): Acct[] =>
    w.campaignAccounts(cid, type, n, fresh ? 1 : 0);
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

// ----- Randomised evaluation data -----

/** The parameters one planted campaign was drawn with (what the evaluation bins recall by). */
export interface CampaignParams {
  /** Accounts in the campaign (5-60). */
  size: number;
  /** Share of its accounts younger than 30 days with few posts (0.2-1). */
  youngShare: number;
  /** Distinct messages, links or claims it pushes (2-12; drips 2-6). */
  items: number;
  /** Words of own comment per co-link post (0-6; 0 is the bare link). Co-link rings only. */
  commentWords?: number;
  /** Share of the accounts that post each item (0.5-1). */
  postShare: number;
  /** Time from an item's first to its last post, seconds (10 s-10 min; drips 1-24 h). */
  spreadSeconds: number;
  /** Probability of each small edit (prefix, suffix, emphasis, emoji, dropped word). Copy-paste only. */
  editRate?: number;
  /** Words of the claim (10-30). Slow drips only. */
  claimWords?: number;
}

/** Ranges of the randomised generator (the full run and `--quick`). */
export interface RandomisedShape {
  /** Hours of data (drips need up to 24 h). */
  hours: number;
  /** [min, max] background accounts. */
  backgroundAccounts: [number, number];
  /** [min, max] organic chatter posts per minute. */
  chatterPerMinute: [number, number];
  /** Campaigns per style per seed. */
  campaignsPerType: number;
  /** [min, max] hours a slow drip spreads its paraphrases over. */
  dripHours: [number, number];
  /**
   * Diagnostic only: [min, max] accounts of each co-link ring instead of the drawn 5-60 (the size drawn as usual is
   * folded into this range, so no extra random draw: everything before the first ring is drawn as without it).
   * Unset in both shapes, which keeps the default draws byte-identical.
   */
  ringSizes?: [number, number];
}

/** The shape of the full evaluation: 26 h, 2k-20k background accounts, drips over 1-24 h. */
export const RANDOMISED_SHAPE: RandomisedShape = {
  hours: 26,
  backgroundAccounts: [2000, 20_000],
  chatterPerMinute: [4, 10],
  campaignsPerType: 4,
  dripHours: [1, 24],
};

/** A smaller shape for `npm run eval -- --quick`: 12 h, 2k-6k accounts, drips over 1-10 h. */
export const QUICK_SHAPE: RandomisedShape = {
  hours: 12,
  backgroundAccounts: [2000, 6000],
  chatterPerMinute: [8, 16],
  campaignsPerType: 3,
  dripHours: [1, 10],
};

/** Randomised data with ground truth and each campaign's drawn parameters. */
export interface RandomisedData extends GeneratedData {
  /** Campaign id -> the parameters it was drawn with. */
  campaignParams: Map<string, CampaignParams>;
  /** Background accounts drawn for the seed (what the background recall bin bins by; not all of them post). */
  backgroundAccounts: number;
  /** Ids of the campaigns' own posts (not the filler chatter of campaign accounts). */
  campaignPosts: Set<string>;
}

/** Short sentences many unrelated people write (a hard negative for near-duplicate text). */
const SHORT_SENTENCES = [
  'Helemaal mee eens',
  'Dit dus.',
  'Wat een gedoe weer',
  'Echt niet normaal dit',
  'Precies wat ik al zei',
  'Goed gezegd!',
  'Hoe bedoel je?',
  'Ik snap er niks meer van',
  'Wat een weer vandaag',
  'Eindelijk weekend!',
  'Zo waar als het maar kan',
  'Dat wordt nog wat',
  'Kan iemand dit uitleggen?',
  'Ik ben benieuwd',
  'Mooi zo, goed bezig',
  'Wie had dat gedacht',
  'Te gek voor woorden',
  'Daar gaan we weer',
  'Niet te geloven dit',
  'Helemaal top!',
];

/** Emphasis copy-paste networks add: caps, doubled marks, asterisks. */
function emphasise(r: () => number, text: string): string {
  const w = text.split(' ');
  const i = Math.floor(r() * w.length);
  const k = r();
  w[i] = k < 0.4 ? w[i]!.toUpperCase() : k < 0.7 ? `*${w[i]}*` : `${w[i]}!!`;
  return w.join(' ');
}

const EMOJI = ['🔥', '😡', '👇', '‼️', '🇳🇱', '💥', '🤬', '📢'];

/** A claim of `n` words with synonym slots (every third word or so), for drips. */
function claimTemplate(r: () => number, n: number, i: number): string[][] {
  const tpl: string[][] = [['Het', 'is'], SYNONYMS[i % SYNONYMS.length]!, ['dat', 'de', TOPICS[i % TOPICS.length]!]];
  let words = 5;
  let k = 1;
  while (words < n) {
    const chunk = babble(r, Math.min(3, n - words))
      .replace(/[.!]$/, '')
      .toLowerCase()
      .split(' ');
    tpl.push(chunk);
    words += chunk.length;
    if (words < n) {
      tpl.push(SYNONYMS[(i + k++) % SYNONYMS.length]!);
      words++;
    }
  }
  return tpl;
}

/** A drip paraphrase: synonyms varied, clauses reordered (rotated or two chunks swapped), sometimes one dropped. */
function reorderParaphrase(r: () => number, tpl: string[][]): string {
  const parts = tpl.map((slot) =>
    SYNONYMS.includes(slot) ? (r() < 0.6 ? slot[Math.floor(r() * slot.length)]! : slot[0]!) : slot.join(' '),
  );
  const x = r();
  if (x < 0.35) {
    const cut = 1 + Math.floor(r() * (parts.length - 1));
    parts.push(...parts.splice(0, cut));
  } else if (x < 0.7) {
    const i = Math.floor(r() * parts.length);
    const j = Math.floor(r() * parts.length);
    [parts[i], parts[j]] = [parts[j]!, parts[i]!];
  }
  if (r() < 0.3 && parts.length > 6) parts.splice(2 + Math.floor(r() * (parts.length - 4)), 1);
  return parts.join(' ');
}

/**
 * Randomised labelled data for the evaluation: every campaign parameter drawn from a wide range on each seed (see
 * `CampaignParams`), the organic background sized at random within `shape` with all hard negatives and its own
 * repeated short sentences.
 */
export function generateRandomised(seed: number, shape: RandomisedShape = RANDOMISED_SHAPE): RandomisedData {
  const r0 = prng(seed ^ 0x5eed);
  const between = (lo: number, hi: number): number => lo + r0() * (hi - lo);
  const bgAccounts = Math.round(between(...shape.backgroundAccounts));
  const w = makeWorld(seed, shape.hours, bgAccounts);
  const { r, int, pick, start, endMs } = w;
  const campaignPosts = new Set<string>();
  /** Emits a campaign post (the organic background uses w.emit directly). */
  const emit: World['emit'] = (a, tMs, text, extra, neg) => {
    const p = w.emit(a, tMs, text, extra, neg);
    if (w.campaignOf.has(a.id)) campaignPosts.add(p.id);
    return p;
  };
  const scale = bgAccounts / 4000;
  emitOrganic(w, {
    hours: shape.hours,
    backgroundPostsPerMinute: between(...shape.chatterPerMinute),
    viralSharers: Math.min(bgAccounts / 3, Math.round(between(300, 900) * Math.sqrt(scale))),
    shareButtonHeadlines: int(10, 20),
    debatePosts: Math.round(between(2000, 5000)),
  });
  // Repeated short sentences: each written by many unrelated accounts at random times all day.
  const nShort = Math.round(shape.hours * 60 * between(1, 4));
  for (let i = 0; i < nShort; i++) {
    const s = pick(SHORT_SENTENCES);
    w.emit(
      w.activeAccount(),
      start + r() * (endMs - start),
      r() < 0.3 ? `${s} ${pick(EMOJI)}` : s,
      {},
      'short_sentence',
    );
  }

  const campaignParams = new Map<string, CampaignParams>();
  const draw = (items: [number, number], spread: [number, number]): CampaignParams => ({
    size: int(5, 60),
    youngShare: between(0.2, 1),
    items: int(...items),
    postShare: between(0.5, 1),
    spreadSeconds: Math.round(Math.exp(between(Math.log(spread[0]), Math.log(spread[1])))),
  });
  const time0 = (marginMs: number): number => start + r() * Math.max(0, endMs - start - marginMs);
  let tplSeq = seed * 11;
  for (let c = 0; c < shape.campaignsPerType; c++) {
    // Copy-paste network: one text per message with prefixes, suffixes, emphasis, emoji, dropped words.
    {
      const cid = `copy_paste#${c}`;
      const p = { ...draw([2, 12], [10, 600]), editRate: between(0, 0.6) };
      campaignParams.set(cid, p);
      const accts = w.campaignAccounts(cid, 'copy_paste', p.size, p.youngShare);
      for (let m = 0; m < p.items; m++) {
        const base = render(r, messageTemplate(r, tplSeq++), 0);
        const t0 = time0(p.spreadSeconds * 1000);
        const link = r() < 0.5 ? [`https://dekanttekening.example/${seed}/${tplSeq}`] : [];
        for (const a of accts) {
          if (r() >= p.postShare) continue;
          let text = smallEdits(r, base, p.editRate);
          if (r() < p.editRate) text = emphasise(r, text);
          if (r() < p.editRate) text = `${text} ${pick(EMOJI).repeat(int(1, 3))}`;
          emit(a, t0 + r() * p.spreadSeconds * 1000, `${text}${link.length ? ` ${link[0]}` : ''}`, { links: link });
        }
      }
    }
    // Co-link ring: fresh links from one unknown domain, each account with its own short comment (or none).
    {
      const cid = `colink_ring#${c}`;
      const p = { ...draw([2, 12], [10, 600]), commentWords: int(0, 6) };
      if (shape.ringSizes) {
        const [lo, hi] = shape.ringSizes;
        p.size = lo + ((p.size - 5) % (hi - lo + 1));
      }
      campaignParams.set(cid, p);
      const accts = w.campaignAccounts(cid, 'colink_ring', p.size, p.youngShare);
      const domain = `${pick(['waarheid', 'echtnieuws', 'vrijspreker', 'nieuwsvrij'])}${seed}${c}.example`;
      for (let m = 0; m < p.items; m++) {
        const url = `https://${domain}/artikel/${seed}-${c}-${m}?ref=${int(1, 9)}`;
        const t0 = time0(p.spreadSeconds * 1000);
        for (const a of accts) {
          if (r() >= p.postShare) continue;
          const comment = p.commentWords > 0 ? `${babble(r, int(1, p.commentWords))} ` : '';
          emit(a, t0 + r() * p.spreadSeconds * 1000, `${comment}${url}`, { links: [url] });
        }
      }
    }
    // Hashtag push: a new hashtag posted by the accounts, 1-3 posts each (items is posts per account here).
    {
      const cid = `hashtag_push#${c}`;
      const p = draw([1, 3], [60, 3600]);
      campaignParams.set(cid, p);
      const accts = w.campaignAccounts(cid, 'hashtag_push', p.size, p.youngShare);
      const tag = `${pick(['stopde', 'wegmet', 'eerlijke', 'nooitmeer'])}${pick(TOPICS)}${seed}${c}`;
      const t0 = time0(p.spreadSeconds * 1000);
      for (const a of accts) {
        if (r() >= p.postShare) continue;
        for (let k = int(1, p.items); k > 0; k--)
          emit(a, t0 + r() * p.spreadSeconds * 1000, `${babble(r, int(3, 14))} #${tag}`, { hashtags: [tag] });
      }
    }
    // Slow drip: claims of 10-30 words, paraphrased by reordering and synonyms, over 1-24 h each.
    {
      const cid = `slow_drip#${c}`;
      const p = { ...draw([2, 6], [shape.dripHours[0] * 3600, shape.dripHours[1] * 3600]), claimWords: int(10, 30) };
      campaignParams.set(cid, p);
      const accts = w.campaignAccounts(cid, 'slow_drip', p.size, p.youngShare);
      for (let m = 0; m < p.items; m++) {
        const tpl = claimTemplate(r, p.claimWords, tplSeq++);
        const t0 = time0(p.spreadSeconds * 1000);
        for (const a of accts)
          if (r() < p.postShare) emit(a, t0 + r() * p.spreadSeconds * 1000, reorderParaphrase(r, tpl));
      }
    }
    // Multilingual push: the same link in two to four languages per account.
    {
      const cid = `multilingual#${c}`;
      const p = { ...draw([2, 12], [10, 600]), editRate: between(0, 0.3) };
      campaignParams.set(cid, p);
      const accts = w.campaignAccounts(cid, 'multilingual', p.size, p.youngShare);
      for (let m = 0; m < p.items; m++) {
        const url = `https://eu-truth${seed}.example/${c}/${m}`;
        const topic = pick(TOPICS);
        const t0 = time0(p.spreadSeconds * 1000);
        for (const a of accts) {
          if (r() >= p.postShare) continue;
          const langs = ['nl', 'en', 'de', 'fr'].sort(() => r() - 0.5).slice(0, int(2, 4));
          for (const l of langs) {
            const [pre, post] = TRANSLATIONS[l]!;
            emit(a, t0 + r() * p.spreadSeconds * 1000, smallEdits(r, `${pre} ${topic}: ${post} ${url}`, p.editRate), {
              links: [url],
              lang: l,
            });
          }
        }
      }
    }
  }
  const { posts } = w;
  posts.sort((x, y) => Date.parse(x.createdAt) - Date.parse(y.createdAt));
  for (let i = 0; i + 1 < posts.length; i += 1) if (r() < 0.02) [posts[i], posts[i + 1]] = [posts[i + 1]!, posts[i]!];
  return {
    posts,
    campaignOf: w.campaignOf,
    campaignType: w.campaignType,
    negativeOf: w.negativeOf,
    campaignParams,
    backgroundAccounts: bgAccounts,
    campaignPosts,
  };
}
