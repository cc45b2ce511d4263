// Turns a cluster's typed evidence (pipelines/types.ts, ClusterEvidence) into sentences an analyst can check against
// the member posts, in English or Dutch, from one message catalogue: each kind of evidence has one message per
// language, and each language has its own number, duration, time and date formats. The English sentences are the
// cluster's `reasons` (signals.json, the stores, alerts); the Dutch ones are for Dutch-speaking analysts. Pure: no
// clock, no locale of the machine (formats are fixed per language; times are shown in UTC, as in the posts' data).
import type {
  AccountAgeEvidence,
  ActedTogetherEvidence,
  BurstEvidence,
  EvidenceP,
  ClusterEvidence,
  CoactionEvidence,
  CreationClusterEvidence,
  EvidenceItem,
  MoreBurstsEvidence,
  NetworkEvidence,
  PostsListedEvidence,
} from './types.ts';

/** Languages the reasons can be rendered in. */
export type ReasonLanguage = 'en' | 'nl';

/** How one language writes numbers, p-values, durations, times of day and dates. */
interface Format {
  /** A count. */
  int(n: number): string;
  /** One decimal. */
  fixed1(x: number): string;
  /** Two significant digits. */
  sig2(x: number): string;
  /** A p-value: 3 decimals, or mantissa and exponent below 0.001 (from its log10 below the double range). */
  p(p: EvidenceP): string;
  /** A duration given in seconds. */
  duration(seconds: number): string;
  /** Time of day of an ISO date-time, UTC. */
  clock(iso: string): string;
  /** Date of an ISO date-time, UTC. */
  date(iso: string): string;
  /** A language code (a property, not a method: it is passed to `map` unbound). */
  language: (code: string) => string;
}

/** Every message of the catalogue, one per kind of evidence (and one per co-action kind). */
interface Messages {
  network(e: NetworkEvidence, f: Format): string;
  coaction: Record<CoactionEvidence['via'], (e: CoactionEvidence, f: Format) => string>;
  burst(e: BurstEvidence, f: Format): string;
  moreBursts(e: MoreBurstsEvidence, f: Format): string;
  accountAge(e: AccountAgeEvidence, f: Format): string;
  creationCluster(e: CreationClusterEvidence, f: Format): string;
  actedTogether(e: ActedTogetherEvidence, f: Format): string;
  postsListed(e: PostsListedEvidence, f: Format): string;
  /** An item as the subject of a burst sentence, and as an entry in a list of items. */
  itemTitle(item: EvidenceItem): string;
  itemInList: (item: EvidenceItem) => string;
}

/** Whole seconds, then minutes below 2 hours, then hours with one decimal (the steps of the English reasons). */
function durationParts(seconds: number): { unit: 's' | 'min' | 'h'; value: number } {
  const s = Math.round(seconds);
  if (s < 120) return { unit: 's', value: s };
  if (s < 7200) return { unit: 'min', value: Math.round(s / 60) };
  return { unit: 'h', value: s / 3600 };
}

/**
 * Mantissa (one decimal) and exponent of a p-value: from the value while it is a normal double above 1e-300, else
 * from its log10, so 1e-412 is said as such and not clamped to the floor of the value.
 */
function exponential(p: EvidenceP): [string, number] {
  if (p.value > 1e-300 || !Number.isFinite(p.log10)) {
    const [m, e] = p.value.toExponential(1).split('e') as [string, string];
    return [m, Number(e)];
  }
  let e = Math.floor(p.log10);
  let m = Number((10 ** (p.log10 - e)).toFixed(1));
  if (m >= 10) {
    m = 1;
    e += 1;
  }
  return [m.toFixed(1), e];
}

const EN: Format = {
  int: (n) => String(n),
  fixed1: (x) => x.toFixed(1),
  sig2: (x) => x.toPrecision(2),
  p: (p) => {
    if (p.value >= 0.001) return p.value.toFixed(3);
    const [m, e] = exponential(p);
    return `${m}e${e}`;
  },
  duration: (seconds) => {
    const d = durationParts(seconds);
    return d.unit === 's'
      ? `${d.value} seconds`
      : d.unit === 'min'
        ? `${d.value} minutes`
        : `${d.value.toFixed(1)} hours`;
  },
  clock: (iso) => `${iso.slice(11, 16)} UTC`,
  date: (iso) => iso.slice(0, 10),
  language: (code) => code,
};

const NL_INT = new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 0 });
const NL_FIXED1 = new Intl.NumberFormat('nl-NL', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const NL_SIG2 = new Intl.NumberFormat('nl-NL', { maximumSignificantDigits: 2 });
const NL_P = new Intl.NumberFormat('nl-NL', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
const NL_DATE = new Intl.DateTimeFormat('nl-NL', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const NL_LANGUAGES = new Intl.DisplayNames('nl', { type: 'language', fallback: 'code' });
const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  0: '⁰',
  1: '¹',
  2: '²',
  3: '³',
  4: '⁴',
  5: '⁵',
  6: '⁶',
  7: '⁷',
  8: '⁸',
  9: '⁹',
};

const NL: Format = {
  int: (n) => NL_INT.format(n),
  fixed1: (x) => NL_FIXED1.format(x),
  sig2: (x) => NL_SIG2.format(x),
  p: (p) => {
    if (p.value >= 0.001) return NL_P.format(p.value);
    // 7.5e-39 -> 7,5 × 10⁻³⁹ (the mantissa rounded as in English, so both say the same).
    const [mantissa, exponent] = exponential(p);
    return `${mantissa.replace('.', ',')} × 10${[...String(exponent)].map((c) => SUPERSCRIPT[c] ?? c).join('')}`;
  },
  duration: (seconds) => {
    const d = durationParts(seconds);
    if (d.unit === 's') return `${d.value} ${d.value === 1 ? 'seconde' : 'seconden'}`;
    if (d.unit === 'min') return `${d.value} minuten`;
    return `${NL_FIXED1.format(d.value)} uur`;
  },
  clock: (iso) => `${iso.slice(11, 16)} UTC`,
  date: (iso) => NL_DATE.format(new Date(iso)),
  language: (code) => NL_LANGUAGES.of(code) ?? code,
};

const FORMATS: Record<ReasonLanguage, Format> = { en: EN, nl: NL };

/**
 * A p-value as the reasons write it in `lang` (en "7.5e-39", nl "7,5 × 10⁻³⁹"), so a page that shows a cluster's
 * p-value beside its reasons says the same number the same way. `log10` carries values below 1e-300.
 */
export function formatPValue(p: EvidenceP, lang: ReasonLanguage): string {
  return FORMATS[lang].p(p);
}

/** Dutch plural: `one` for 1, else `many`. */
const nlCount = (n: number, one: string, many: string): string => `${NL_INT.format(n)} ${n === 1 ? one : many}`;

/** The message catalogue: the English messages are the reasons' original wording, character for character. */
const CATALOGUE: Record<ReasonLanguage, Messages> = {
  en: {
    network: (e, f) =>
      `${f.int(e.counts.accounts)} accounts acted together repeatedly: ${f.int(e.counts.pairs)} account pairs each shared ${f.int(e.sharedItems.min)}-${f.int(e.sharedItems.max)} distinct items (median ${f.int(e.sharedItems.median)}), where chance predicts at most ${f.sig2(e.expectedPerPairMax)} per pair (p = ${f.p(e.p)})`,
    coaction: {
      text: (e, f) =>
        `${f.int(e.counts.accounts)} accounts posted near-identical text (${f.int(e.counts.items)} distinct messages), copies at most ${f.duration(e.times.spreadSeconds)} apart`,
      link: (e, f) =>
        `${f.int(e.counts.accounts)} accounts shared the same ${f.int(e.counts.items)} link(s) within ${f.duration(e.times.spreadSeconds)} of each other (${f.int(e.counts.pairs)} pairwise co-shares)`,
      cross_language: (e, f) =>
        `${f.int(e.counts.accounts)} accounts posted the same ${f.int(e.counts.items)} link(s) in ${f.int(e.languages.length)} languages (${e.languages.map(f.language).join(', ')}) within ${f.duration(e.times.spreadSeconds)}`,
      repost: (e, f) =>
        `${f.int(e.counts.accounts)} accounts reposted the same ${f.int(e.counts.items)} post(s) within ${f.duration(e.times.spreadSeconds)} of each other`,
    },
    burst: (e, f) => {
      let out = `${CATALOGUE.en.itemTitle(e.item)}: ${f.int(e.counts.posts)} posts between ${f.clock(e.times.first)} and ${f.clock(e.times.last)}, where its own earlier rate predicts ${f.fixed1(e.expectedPosts)} in ${f.duration(e.times.windowSeconds)} (p = ${f.p(e.p)}); ${f.int(e.cohort.accounts)} of the ${f.int(e.counts.accounts)} accounts posting it are younger than ${f.int(e.cohort.youngAccountDays)} days or have at most ${f.int(e.cohort.noHistoryPosts)} posts (p = ${f.p(e.cohort.p)} against all accounts active in the window)`;
      if (e.coShare)
        out += `; ${f.int(e.coShare.accounts)} of them posted it within ${Math.round(e.coShare.withinSeconds)} seconds of another (${f.int(e.coShare.pairs)} pairs)`;
      return out;
    },
    moreBursts: (e, f) =>
      `${f.int(e.items.length)} more items burst among the same accounts: ${sortedUnique(e.items.map(CATALOGUE.en.itemInList)).join(', ')}`,
    accountAge: (e, f) => {
      const { accounts, young, noHistory } = e.counts;
      if (young > 0)
        return `${f.int(young)} of the ${f.int(accounts)} accounts were created less than ${f.int(e.youngAccountDays)} days before posting${noHistory > 0 ? `; ${f.int(noHistory)} had at most ${f.int(e.noHistoryPosts)} posts in total` : ''}`;
      return `${f.int(noHistory)} of the ${f.int(accounts)} accounts had at most ${f.int(e.noHistoryPosts)} posts in total`;
    },
    creationCluster: (e, f) =>
      `${f.int(e.counts.createdTogether)} of the ${f.int(e.counts.accounts)} accounts were created within ${f.int(e.withinDays)} days of each other (${f.date(e.times.first)} to ${f.date(e.times.last)})`,
    actedTogether: (e, f) => `${f.int(e.counts.accounts)} accounts acted together`,
    postsListed: (e, f) =>
      `${f.int(e.counts.posts)} member posts in all; only the first ${f.int(e.counts.listed)} are listed (the post list is capped)`,
    itemTitle: (item) =>
      item.type === 'hashtag'
        ? `#${item.value}`
        : item.type === 'link'
          ? `Link ${item.value}`
          : 'One near-identical message',
    itemInList: (item) =>
      item.type === 'hashtag' ? `#${item.value}` : item.type === 'link' ? item.value : 'a near-identical message',
  },
  nl: {
    network: (e, f) =>
      `${nlCount(e.counts.accounts, 'account', 'accounts')} handelden herhaaldelijk samen: ${nlCount(e.counts.pairs, 'paar', 'paren')} van accounts deelden elk ${e.sharedItems.min === e.sharedItems.max ? f.int(e.sharedItems.min) : `${f.int(e.sharedItems.min)} tot ${f.int(e.sharedItems.max)}`} verschillende items (mediaan ${f.int(e.sharedItems.median)}), terwijl toeval hooguit ${f.sig2(e.expectedPerPairMax)} per paar verwacht (p = ${f.p(e.p)})`,
    coaction: {
      text: (e, f) =>
        `${nlCount(e.counts.accounts, 'account', 'accounts')} plaatsten binnen ${f.duration(e.times.spreadSeconds)} bijna dezelfde tekst (${nlCount(e.counts.items, 'bericht', 'verschillende berichten')})`,
      link: (e, f) =>
        `${nlCount(e.counts.accounts, 'account', 'accounts')} deelden ${e.counts.items === 1 ? 'dezelfde link' : `dezelfde ${f.int(e.counts.items)} links`} binnen ${f.duration(e.times.spreadSeconds)} na elkaar (${nlCount(e.counts.pairs, 'keer', 'keer')} door twee accounts samen gedeeld)`,
      cross_language: (e, f) =>
        `${nlCount(e.counts.accounts, 'account', 'accounts')} plaatsten ${e.counts.items === 1 ? 'dezelfde link' : `dezelfde ${f.int(e.counts.items)} links`} binnen ${f.duration(e.times.spreadSeconds)} in ${f.int(e.languages.length)} talen (${e.languages.map(f.language).join(', ')})`,
      repost: (e, f) =>
        `${nlCount(e.counts.accounts, 'account', 'accounts')} deelden ${e.counts.items === 1 ? 'hetzelfde bericht' : `dezelfde ${f.int(e.counts.items)} berichten`} opnieuw, binnen ${f.duration(e.times.spreadSeconds)} na elkaar`,
    },
    burst: (e, f) => {
      let out = `${CATALOGUE.nl.itemTitle(e.item)}: ${nlCount(e.counts.posts, 'bericht', 'berichten')} tussen ${f.clock(e.times.first)} en ${f.clock(e.times.last)}, terwijl het eigen eerdere tempo ${f.fixed1(e.expectedPosts)} voorspelt in ${f.duration(e.times.windowSeconds)} (p = ${f.p(e.p)}); ${f.int(e.cohort.accounts)} van de ${f.int(e.counts.accounts)} accounts die het plaatsten zijn jonger dan ${f.int(e.cohort.youngAccountDays)} dagen of hebben hooguit ${f.int(e.cohort.noHistoryPosts)} berichten (p = ${f.p(e.cohort.p)} ten opzichte van alle accounts die in het venster actief waren)`;
      if (e.coShare)
        out += `; ${f.int(e.coShare.accounts)} daarvan plaatsten het binnen ${Math.round(e.coShare.withinSeconds)} seconden na een ander (${nlCount(e.coShare.pairs, 'paar', 'paren')})`;
      return out;
    },
    moreBursts: (e, f) =>
      `Nog ${f.int(e.items.length)} items kwamen plotseling veel voor bij dezelfde accounts: ${sortedUnique(e.items.map(CATALOGUE.nl.itemInList)).join(', ')}`,
    accountAge: (e, f) => {
      const { accounts, young, noHistory } = e.counts;
      const had = (n: number): string =>
        `${f.int(n)} ${n === 1 ? 'had' : 'hadden'} in totaal hooguit ${f.int(e.noHistoryPosts)} berichten`;
      if (young > 0)
        return `${f.int(young)} van de ${f.int(accounts)} accounts ${young === 1 ? 'was' : 'waren'} minder dan ${f.int(e.youngAccountDays)} dagen oud toen ze berichten plaatsten${noHistory > 0 ? `; ${had(noHistory)}` : ''}`;
      return `${f.int(noHistory)} van de ${f.int(accounts)} accounts ${noHistory === 1 ? 'had' : 'hadden'} in totaal hooguit ${f.int(e.noHistoryPosts)} berichten`;
    },
    creationCluster: (e, f) =>
      `${f.int(e.counts.createdTogether)} van de ${f.int(e.counts.accounts)} accounts zijn binnen ${f.int(e.withinDays)} dagen na elkaar aangemaakt (${f.date(e.times.first)} tot en met ${f.date(e.times.last)})`,
    actedTogether: (e) => `${nlCount(e.counts.accounts, 'account', 'accounts')} handelden samen`,
    postsListed: (e, f) =>
      `${nlCount(e.counts.posts, 'bericht', 'berichten')} in totaal; alleen de eerste ${f.int(e.counts.listed)} staan in de lijst (de lijst heeft een maximum)`,
    itemTitle: (item) =>
      item.type === 'hashtag'
        ? `#${item.value}`
        : item.type === 'link'
          ? `Link ${item.value}`
          : 'Eén bijna identiek bericht',
    itemInList: (item) =>
      item.type === 'hashtag' ? `#${item.value}` : item.type === 'link' ? item.value : 'een bijna identiek bericht',
  },
};

function sortedUnique(xs: string[]): string[] {
  return [...new Set(xs)].sort();
}

/** How reasons are written beyond their language. */
export interface ReasonOptions {
  /**
   * IANA time zone for clock times (e.g. `Europe/Amsterdam`: "14:03 CEST"), for pages and messages that show every
   * other time in that zone. Absent: UTC ("12:03 UTC"), as the stored English `reasons` say.
   */
  timeZone?: string;
}

const ZONED = new Map<string, Format>();

/** The language's formats with clock times in `timeZone`, the zone's short name after them. */
function zonedFormat(lang: ReasonLanguage, timeZone: string): Format {
  const key = `${lang} ${timeZone}`;
  let f = ZONED.get(key);
  if (!f) {
    const clock = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    f = { ...FORMATS[lang], clock: (iso) => clock.format(new Date(iso)) };
    ZONED.set(key, f);
  }
  return f;
}

/** One piece of evidence as a sentence. */
export function renderReason(evidence: ClusterEvidence, lang: ReasonLanguage, options: ReasonOptions = {}): string {
  const m = CATALOGUE[lang];
  const f = options.timeZone ? zonedFormat(lang, options.timeZone) : FORMATS[lang];
  switch (evidence.kind) {
    case 'network':
      return m.network(evidence, f);
    case 'coaction':
      return m.coaction[evidence.via](evidence, f);
    case 'burst':
      return m.burst(evidence, f);
    case 'more_bursts':
      return m.moreBursts(evidence, f);
    case 'account_age':
      return m.accountAge(evidence, f);
    case 'creation_cluster':
      return m.creationCluster(evidence, f);
    case 'acted_together':
      return m.actedTogether(evidence, f);
    case 'posts_listed':
      return m.postsListed(evidence, f);
  }
}

/** A cluster's evidence as sentences, one per record and in the same order; in English these are its `reasons`. */
export function renderReasons(
  evidence: readonly ClusterEvidence[],
  lang: ReasonLanguage,
  options: ReasonOptions = {},
): string[] {
  return evidence.map((e) => renderReason(e, lang, options));
}

/**
 * The reasons of a cluster in `lang`: rendered from its structured evidence when it has some, else its stored
 * (English) reason sentences, as clusters written before the evidence existed have. Used by the triage application,
 * alerts and reports so that all three word a cluster the same way.
 */
export function clusterReasonsIn(
  cluster: { reasons: readonly string[]; evidence?: readonly ClusterEvidence[] | undefined },
  lang: ReasonLanguage,
  options: ReasonOptions = {},
): string[] {
  return cluster.evidence && cluster.evidence.length > 0
    ? renderReasons(cluster.evidence, lang, options)
    : [...cluster.reasons];
}
