// Alert message content, pure: what an alert says about a cluster (or a digest of clusters) in Dutch or English,
// from one message catalogue. Channels (workers/notifiers/) only lay this out. Privacy by construction: the sample
// text loses mentions, handles, pseudonyms and links; links that point at accounts (…/@name…) are left out; no
// fact-check rating is shown (we report behaviour, never a truth verdict).
import { alertReasons } from './alert-rules.ts';
import type { AlertChange, Digest } from './alert-rules.ts';
import { LINK_RE, MENTION_RE } from './text-patterns.ts';
import type { Cluster } from './types.ts';

/** Message languages. */
export type AlertLang = 'nl' | 'en';

/** The catalogue: every phrase an alert uses, in both languages. */
export const ALERT_CATALOGUE = {
  nl: {
    signal: 'Signaal van gecoördineerd gedrag',
    update: 'Update',
    digest: 'Overzicht signalen van gecoördineerd gedrag',
    test: 'Testbericht',
    testBody: 'Dit is een testbericht van mid-monitor voor route',
    posts: 'berichten',
    accounts: 'accounts',
    platforms: 'platforms',
    languages: 'talen',
    span: 'periode',
    reasons: 'Waarom',
    sample: 'Voorbeeldtekst',
    links: 'Links',
    factchecks: 'Factchecks die erbij passen',
    triage: 'Beoordelen in mid-monitor',
    changes: 'Wat is er veranderd',
    actions: { acknowledge: 'Oppakken', assign: 'Aan mij toewijzen', snooze: 'Sluimeren' },
    resolved: 'Afgehandeld',
    resolvedLine: 'Analisten hebben dit signaal in triage gesloten; er volgen geen meldingen meer over.',
    ended: 'Voorbij',
    endedLine:
      'Dit signaal is voorbij: er kwamen binnen het detectievenster geen berichten meer bij. Eindomvang: {posts} berichten van {accounts} accounts. Komt het terug, dan volgt een melding in deze draad.',
    disclaimer:
      'Dit signaal gaat over gedrag (gecoördineerd of onecht versterken), niet over de waarheid van de inhoud.',
    clusters: 'clusters',
    coShared: 'Meest gedeelde links',
    top: 'Grootste signalen',
    none: 'geen',
    change: {
      grew: 'gegroeid',
      new_kind: 'nieuw soort signaal',
      factcheck: 'factcheck gevonden',
      merged: 'samengevoegd met eerdere signalen',
      returned: 'weer actief na eerder einde',
    },
    kind: {
      duplicate_text: 'dezelfde tekst',
      co_link: 'gelijktijdig gedeelde links',
      burst: 'plotselinge piek',
      hashtag_push: 'hashtag-push',
      cross_language: 'over talen heen',
      young_account_cohort: 'groep jonge accounts',
      other: 'overig',
    },
  },
  en: {
    signal: 'Signal of coordinated behaviour',
    update: 'Update',
    digest: 'Digest of signals of coordinated behaviour',
    test: 'Test message',
    testBody: 'This is a test message from mid-monitor for route',
    posts: 'posts',
    accounts: 'accounts',
    platforms: 'platforms',
    languages: 'languages',
    span: 'time span',
    reasons: 'Why',
    sample: 'Sample text',
    links: 'Links',
    factchecks: 'Matching fact-checks',
    triage: 'Review in mid-monitor',
    changes: 'What changed',
    actions: { acknowledge: 'Acknowledge', assign: 'Assign to me', snooze: 'Snooze' },
    resolved: 'Resolved',
    resolvedLine: 'Analysts closed this signal in triage; no further alerts about it will follow.',
    ended: 'Ended',
    endedLine:
      'This signal has ended: no further posts joined it within the detection window. Final size: {posts} posts from {accounts} accounts. If it comes back, an alert follows in this thread.',
    disclaimer:
      'This signal is about behaviour (coordinated or inauthentic amplification), not about whether the content is true.',
    clusters: 'clusters',
    coShared: 'Most co-shared links',
    top: 'Largest signals',
    none: 'none',
    change: {
      grew: 'grew',
      new_kind: 'new kind of signal',
      factcheck: 'fact-check found',
      merged: 'merged with earlier signals',
      returned: 'active again after it had ended',
    },
    kind: {
      duplicate_text: 'duplicate text',
      co_link: 'co-shared links',
      burst: 'sudden burst',
      hashtag_push: 'hashtag push',
      cross_language: 'across languages',
      young_account_cohort: 'young-account cohort',
      other: 'other',
    },
  },
} as const;

/** A label and a value, e.g. "accounts: 12". */
export interface AlertFact {
  label: string;
  value: string;
}

/** Channel-neutral alert content. */
export interface AlertMessage {
  lang: AlertLang;
  kind: 'new' | 'update' | 'digest' | 'test' | 'resolved';
  /** One line: wording, kinds and size; "Update: …" for follow-ups. */
  title: string;
  /** Counts and time span. */
  facts: AlertFact[];
  /** Headings from the catalogue, so renderers need no strings of their own. */
  headings: { reasons: string; sample: string; links: string; factchecks: string; triage: string; changes: string };
  /** Top two reasons. */
  reasons: string[];
  /** What changed (follow-ups). */
  changes: string[];
  /** Sample text without mentions, handles, pseudonyms and links, truncated. */
  sample: string | null;
  /** Canonical links with their domain. */
  links: Array<{ url: string; domain: string }>;
  /** Matched fact-checks: publisher and link (no rating). */
  factchecks: Array<{ publisher: string; url: string }>;
  /** Digest lines (digests only). */
  lines: string[];
  /** Link into the triage application, or null when no template is configured. */
  triageUrl: string | null;
  /** "Behaviour, not truth" line. */
  disclaimer: string;
  /** The cluster, for machine consumers (JSON channel); null for digests and tests. */
  clusterId: string | null;
}

/** Options of {@link buildAlertMessage}. */
export interface AlertMessageOptions {
  lang: AlertLang;
  kind: 'new' | 'update';
  changes: AlertChange[];
  /** Triage URL template with {clusterId}; null for none. */
  triageUrlTemplate: string | null;
  /** Most characters of sample text. Default 280. */
  sampleChars?: number;
  /** Most links shown. Default 5. */
  maxLinks?: number;
  /** Platforms of the member posts, when known. */
  platforms?: string[];
}

const PSEUDONYM_RE = /\bp:[0-9a-f]{6,}\b/gi;

/**
 * Removes mentions, handles (@name, @name@instance), pseudonyms (p:…) and links (with `linksAs: 'domain'` a link
 * becomes its domain, so a reason still says which site); collapses whitespace.
 */
export function scrubText(text: string, linksAs: 'remove' | 'domain' = 'remove'): string {
  const link = (found: string) => {
    if (linksAs === 'remove') return ' ';
    const tail = /[.,:;!?)]+$/.exec(found)?.[0] ?? '';
    const u = found.slice(0, found.length - tail.length);
    const s = shareableLink(/^www\./i.test(u) ? `https://${u}` : u);
    return s ? `${s.domain}${tail}` : ' ';
  };
  return text
    .replace(LINK_RE, link)
    .replace(MENTION_RE, ' ')
    .replace(PSEUDONYM_RE, ' ')
    .replace(/(?<![\p{L}\p{N}])@\S+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Cuts at a word boundary and adds an ellipsis when longer than max. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const sp = cut.lastIndexOf(' ');
  return `${(sp > max * 0.6 ? cut.slice(0, sp) : cut).trimEnd()}…`;
}

/** True for http(s) links that do not point at an account (no /@name path segment, no user info). */
export function shareableLink(url: string): { url: string; domain: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  if (u.username || u.password || /\/@/.test(u.pathname) || /^\/(users|u|profile)\//i.test(u.pathname)) return null;
  return { url: u.toString(), domain: u.hostname.replace(/^www\./, '') };
}

/** The triage link for a cluster from a template with {clusterId}; null unless it is http(s). */
export function triageLink(template: string | null, clusterId: string): string | null {
  if (!template) return null;
  const url = template.replaceAll('{clusterId}', encodeURIComponent(clusterId));
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

function formatSpan(start: string, end: string, lang: AlertLang): string {
  const a = Date.parse(start);
  const b = Date.parse(end);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return '';
  const mins = Math.max(0, Math.round((b - a) / 60_000));
  const dur = mins < 120 ? `${mins} min` : `${Math.round(mins / 60)} ${lang === 'nl' ? 'uur' : 'h'}`;
  const fmt = new Intl.DateTimeFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
    timeZone: 'Europe/Amsterdam',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  return `${fmt.format(a)} – ${fmt.format(b)} (${dur})`;
}

/** Kinds in words, joined. */
export function kindsText(kinds: readonly string[], lang: AlertLang): string {
  const names = ALERT_CATALOGUE[lang].kind as Record<string, string>;
  return kinds.map((k) => names[k] ?? k).join(', ');
}

function headings(lang: AlertLang): AlertMessage['headings'] {
  const t = ALERT_CATALOGUE[lang];
  return {
    reasons: t.reasons,
    sample: t.sample,
    links: t.links,
    factchecks: t.factchecks,
    triage: t.triage,
    changes: t.changes,
  };
}

/**
 * The "resolved" notice of a cluster analysts closed: its title and counts, one line saying so, and the triage link;
 * no reasons, sample or links (the first alert had them, in the same thread where the channel threads).
 */
export function buildResolvedMessage(
  cluster: Cluster,
  o: Pick<AlertMessageOptions, 'lang' | 'triageUrlTemplate' | 'platforms'> & {
    /** Closed or dismissed in triage, or ended (left the detector's window). Default 'closed'. */
    why?: 'closed' | 'ended';
  },
): AlertMessage {
  const t = ALERT_CATALOGUE[o.lang];
  const m = buildAlertMessage(cluster, { ...o, kind: 'new', changes: [] });
  const ended = o.why === 'ended';
  const head = ended ? t.ended : t.resolved;
  return {
    ...m,
    kind: 'resolved',
    title: `${head}: ${m.title}`,
    headings: { ...m.headings, reasons: head },
    reasons: [],
    sample: null,
    links: [],
    factchecks: [],
    lines: [
      ended
        ? t.endedLine
            .replace('{posts}', String(cluster.posts.length))
            .replace('{accounts}', String(cluster.accounts.length))
        : t.resolvedLine,
    ],
  };
}

/** The alert about one cluster. */
export function buildAlertMessage(cluster: Cluster, o: AlertMessageOptions): AlertMessage {
  const t = ALERT_CATALOGUE[o.lang];
  const size = `${cluster.accounts.length} ${t.accounts}`;
  const base = `${t.signal}: ${kindsText(cluster.kinds, o.lang)} (${size})`;
  const facts: AlertFact[] = [
    { label: t.posts, value: String(cluster.posts.length) },
    { label: t.accounts, value: String(cluster.accounts.length) },
  ];
  if (o.platforms?.length) facts.push({ label: t.platforms, value: o.platforms.join(', ') });
  facts.push({ label: t.languages, value: cluster.languages.length ? cluster.languages.join(', ') : t.none });
  const span = formatSpan(cluster.start, cluster.end, o.lang);
  if (span) facts.push({ label: t.span, value: span });
  const sample = cluster.sampleText ? truncate(scrubText(cluster.sampleText), o.sampleChars ?? 280) : '';
  const links: AlertMessage['links'] = [];
  for (const l of cluster.links) {
    const s = shareableLink(l);
    if (s && !links.some((x) => x.url === s.url)) links.push(s);
    if (links.length >= (o.maxLinks ?? 5)) break;
  }
  const factchecks = cluster.factchecks.flatMap((f) => {
    const s = shareableLink(f.url);
    return s ? [{ publisher: scrubText(f.publisher), url: s.url }] : [];
  });
  return {
    lang: o.lang,
    kind: o.kind,
    title: o.kind === 'update' ? `${t.update}: ${base}` : base,
    facts,
    headings: headings(o.lang),
    reasons: alertReasons(cluster, o.lang).map((r) => scrubText(r, 'domain')),
    changes: o.changes.map((c) => t.change[c]),
    sample: sample || null,
    links,
    factchecks,
    lines: [],
    triageUrl: triageLink(o.triageUrlTemplate, cluster.id),
    disclaimer: t.disclaimer,
    clusterId: cluster.id,
  };
}

/** A digest message: the top clusters and the most co-shared links of the period. */
export function buildDigestMessage(d: Digest, lang: AlertLang, triageUrlTemplate: string | null): AlertMessage {
  const t = ALERT_CATALOGUE[lang];
  const lines = d.top.map((it, i) => {
    const link = triageLink(triageUrlTemplate, it.clusterId);
    return `${i + 1}. ${kindsText(it.kinds, lang)}: ${it.accounts} ${t.accounts}, ${it.posts} ${t.posts}${link ? ` — ${link}` : ''}`;
  });
  const links = d.links.flatMap((l) => {
    const s = shareableLink(l.url);
    return s ? [s] : [];
  });
  return {
    lang,
    kind: 'digest',
    title: `${t.digest} (${d.clusterCount} ${t.clusters})`,
    facts: [
      { label: t.span, value: formatSpan(new Date(d.fromMs).toISOString(), new Date(d.toMs).toISOString(), lang) },
    ],
    headings: { ...headings(lang), reasons: t.top, links: t.coShared },
    reasons: [],
    changes: [],
    sample: null,
    links,
    factchecks: [],
    lines,
    triageUrl: null,
    disclaimer: t.disclaimer,
    clusterId: null,
  };
}

/** A test message for a route. */
export function buildTestMessage(route: string, lang: AlertLang): AlertMessage {
  const t = ALERT_CATALOGUE[lang];
  return {
    lang,
    kind: 'test',
    title: `${t.test}: ${t.signal}`,
    facts: [],
    headings: headings(lang),
    reasons: [],
    changes: [],
    sample: `${t.testBody} "${route}".`,
    links: [],
    factchecks: [],
    lines: [],
    triageUrl: null,
    disclaimer: t.disclaimer,
    clusterId: null,
  };
}

/** Plain-text rendering (e-mail text part, Matrix body, fallbacks). */
export function alertPlainText(m: AlertMessage): string {
  const out = [m.title];
  if (m.facts.length) out.push(m.facts.map((f) => `${f.label}: ${f.value}`).join(' · '));
  if (m.changes.length) out.push(`${m.headings.changes}: ${m.changes.join(', ')}`);
  if (m.reasons.length) out.push(`${m.headings.reasons}:`, ...m.reasons.map((r) => `- ${r}`));
  if (m.lines.length) out.push(`${m.headings.reasons}:`, ...m.lines);
  if (m.sample) out.push(m.kind === 'test' ? m.sample : `${m.headings.sample}: "${m.sample}"`);
  if (m.links.length) out.push(`${m.headings.links}:`, ...m.links.map((l) => `- ${l.domain}: ${l.url}`));
  if (m.factchecks.length)
    out.push(`${m.headings.factchecks}:`, ...m.factchecks.map((f) => `- ${f.publisher}: ${f.url}`));
  if (m.triageUrl) out.push(`${m.headings.triage}: ${m.triageUrl}`);
  out.push(m.disclaimer);
  return out.join('\n');
}
