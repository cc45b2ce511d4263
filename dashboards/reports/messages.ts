// The one message catalogue of the reports, Dutch and English. Every word a reader sees comes from here; figures are
// filled in by `t` from named placeholders ({name}) and numbers are formatted for the language.

/** Languages reports are written in. */
export type ReportLang = 'nl' | 'en';

const en = {
  title: 'Information space report',
  subtitle: 'Signals of coordinated and inauthentic behaviour in public posts',
  periodLine: 'Period: {from} – {to} ({tz})',
  periodName: 'Election period {name}',
  generated: 'Generated {at} from the {store} store',
  notTruth:
    'This report describes signals of coordinated behaviour, not truth judgements. It says how content was spread, never whether it is true.',
  anonymised: 'Anonymised: no account names, handles or posts of individual citizens are shown.',
  toc: 'Contents',
  s_key: 'Key judgements',
  s_summary: 'Analysts’ summary',
  summaryEmpty: '(To be completed by the analysts.)',
  s_volume: 'Volume',
  s_campaigns: 'Campaigns',
  s_narratives: 'Narratives',
  s_factchecks: 'Fact-checks linked to clusters',
  s_triage: 'Triage outcomes',
  s_pop: 'Period over period',
  s_method: 'Method and limits',
  kj_clusters_flagged:
    '{clusters} {clusters:cluster|clusters} of coordinated behaviour, grouped into {campaigns} {campaigns:campaign|campaigns} and involving {accounts} accounts, {clusters:was|were} flagged in this period (previous period: {previousClusters}).',
  kj_top_narrative:
    '{clusters} {clusters:cluster|clusters} of coordinated behaviour pushed {value} between {firstDay} and {lastDay}, involving {accounts} accounts; analysts confirmed {confirmed} of them.',
  kj_top_narrative_day:
    '{clusters} {clusters:cluster|clusters} of coordinated behaviour pushed {value} on {firstDay}, involving {accounts} accounts; analysts confirmed {confirmed} of them.',
  kj_clusters_flagged_noprev:
    '{clusters} {clusters:cluster|clusters} of coordinated behaviour, grouped into {campaigns} {campaigns:campaign|campaigns} and involving {accounts} accounts, {clusters:was|were} flagged in this period (no data stored for the previous period).',
  kj_top_narrative_unreviewed:
    '{clusters} {clusters:cluster|clusters} of coordinated behaviour pushed {value} between {firstDay} and {lastDay}, involving {accounts} accounts; analysts have not reviewed them yet.',
  kj_top_narrative_day_unreviewed:
    '{clusters} {clusters:cluster|clusters} of coordinated behaviour pushed {value} on {firstDay}, involving {accounts} accounts; analysts have not reviewed them yet.',
  kj_young_accounts:
    'In {campaigns} of {total} {total:campaign|campaigns} most accounts had been created shortly before posting or had almost no posting history.',
  kj_cross_platform: '{campaigns} of {total} {total:campaign was|campaigns were} active on more than one platform.',
  kj_factchecked:
    '{clusters} {clusters:cluster|clusters} spread claims that independent fact-checkers had reviewed ({factchecks} fact-checks, by {publishers}).',
  kj_triage:
    'Analysts reviewed {reviewed} of {clusters} {clusters:cluster|clusters}: {confirmed} confirmed as coordinated, {dismissed} dismissed.',
  kj_no_clusters: 'No coordinated behaviour was flagged among {posts} posts in this period.',
  chartPostsPlatform: 'Posts per day by platform',
  chartPostsLanguage: 'Posts per day by language',
  chartSignalsKind: 'Signals per day by kind (one cluster can show several kinds)',
  chartAlt: '{title}, {from} to {to}. The numbers are in the table next to the chart.',
  day: 'Day',
  total: 'Total',
  platform: 'Platform',
  language: 'Language',
  posts: 'Posts',
  clusters: 'Clusters',
  noCampaigns: 'No campaigns in this period.',
  c_members: 'Accounts',
  c_posts: 'Posts',
  c_score: 'Score',
  c_young: 'Young accounts',
  c_span: 'Time span',
  c_platforms: 'Platforms',
  c_languages: 'Languages',
  c_kinds: 'Signals',
  c_hashtags: 'Hashtags',
  c_domains: 'Domains linked',
  c_triage: 'Triage',
  c_reasons: 'Why it was flagged',
  c_sample: 'Campaign text (posted by {n} or more accounts, mentions removed)',
  c_episodes: 'Episodes (the campaign recurred with mostly the same accounts)',
  c_campaign: 'Campaign {n}',
  reasonsEnglish: '',
  unknown: 'unknown',
  n_kind: 'Kind',
  n_value: 'Item',
  n_accounts: 'Accounts',
  n_previous: 'Clusters, previous period',
  n_trend: 'Trend',
  n_days: 'Days',
  noNarratives: 'The clusters pushed no hashtags, links or fact-checked claims.',
  kind_hashtag: 'hashtag',
  kind_domain: 'domain',
  kind_claim: 'claim',
  trend_new: 'new',
  trend_up: 'up',
  trend_same: 'same',
  trend_down: 'down',
  f_publisher: 'Publisher',
  f_claim: 'Claim',
  f_rating: 'Rating (as given by the fact-checker)',
  f_clusters: 'Clusters',
  noFactchecks: 'No fact-checks were linked to clusters in this period.',
  t_clusters: 'Clusters',
  t_reviewed: 'Reviewed',
  t_escalated: 'Escalated',
  t_confirmed: 'Confirmed',
  t_dismissed: 'Dismissed',
  t_open: 'Not yet closed',
  t_reason: 'Close reason',
  status_new: 'new',
  status_in_review: 'in review',
  status_escalated: 'escalated',
  status_confirmed: 'confirmed',
  status_dismissed: 'dismissed',
  status_unknown: 'not triaged',
  close_coordinated_inauthentic: 'coordinated inauthentic behaviour',
  close_organic_coordination: 'organic coordination (real people acting together)',
  close_insufficient_evidence: 'insufficient evidence',
  close_duplicate: 'duplicate of another cluster',
  close_out_of_scope: 'out of scope',
  p_figure: 'Figure',
  p_current: 'This period',
  p_previous: 'Previous period',
  p_change: 'Change',
  p_posts: 'Posts stored',
  p_clusters: 'Clusters flagged',
  p_campaigns: 'Campaigns',
  p_accounts: 'Accounts in clusters',
  p_postsIn: 'Posts in clusters',
  p_factchecks: 'Fact-checks linked',
  m_sources: 'Sources and what they cannot see',
  m_source: 'Source',
  m_cannotSee: 'Cannot see',
  m_methods: 'Detection methods',
  m_thresholds: 'Thresholds used',
  m_setting: 'Setting',
  m_value: 'Value',
  m_version: 'Software version {version}, configuration hash {hash}.',
  m_narratives:
    'Narratives: the detection does not yet group posts into narratives. This report uses what the clusters pushed: their hashtags, the domains of their links, and the claims of fact-checks matched to them.',
  m_caveats: 'Caveats',
  caveat1:
    'A cluster is a signal that accounts acted together in a way unlikely by chance. It is not a finding that the content is false or that the accounts are run by one actor; analysts check each cluster against its posts.',
  caveat2:
    'Only public posts from the configured sources are seen; closed groups, private messages and platforms without access are not. Absence of signals is not absence of activity.',
  caveat3: 'Clusters that started before or ended after the period are counted whole. Days are calendar days in {tz}.',
  caveat4: 'Reasons are shown as the detector wrote them (in English).',
  kindName_duplicate_text: 'near-identical text',
  kindName_co_link: 'same links shared within seconds',
  kindName_burst: 'sudden burst',
  kindName_hashtag_push: 'hashtag push',
  kindName_cross_language: 'same link in several languages',
  kindName_young_account_cohort: 'cohort of new accounts',
  kindName_other: 'other',
  method_duplicate_text: 'Near-identical texts posted by different accounts close in time (text fingerprints).',
  method_co_link: 'The same links shared by the same accounts within seconds of each other, more often than chance.',
  method_burst: 'A hashtag, link or message suddenly posted far more than its own earlier rate predicts.',
  method_hashtag_push: 'A burst on a hashtag carried by a cohort of accounts.',
  method_cross_language: 'The same link pushed in several languages by different accounts close in time.',
  method_young_account_cohort:
    'Many accounts in a cluster created shortly before posting, or created within days of each other.',
  method_other: 'Other co-action between accounts.',
  src_mastodon:
    'followers-only and unlisted posts; what an instance does not federate; instances that close public timelines',
  src_bluesky: 'likes, reposts, follows; history beyond about one day',
  src_telegram: 'private channels and groups, channels with the preview disabled, comments, exact view counts',
  src_rss: 'items that left the feed window',
  src_claimreview: 'fact-checks without ClaimReview markup',
  src_other: 'only what this source publishes publicly',
  figure: 'Figure {n}.',
  figureNumbers: 'Figure {n} in numbers',
  page: 'Page',
  of: 'of',
} as const;

/** A message key. */
export type MessageKey = keyof typeof en;

const nl: Record<MessageKey, string> = {
  title: 'Rapportage informatieomgeving',
  subtitle: 'Signalen van gecoördineerd en onecht gedrag in openbare berichten',
  periodLine: 'Periode: {from} – {to} ({tz})',
  periodName: 'Verkiezingsperiode {name}',
  generated: 'Gemaakt op {at} uit de {store}-opslag',
  notTruth:
    'Deze rapportage beschrijft signalen van gecoördineerd gedrag, geen oordelen over waarheid. Zij zegt hoe inhoud werd verspreid, nooit of die waar is.',
  anonymised: 'Geanonimiseerd: er staan geen accountnamen, gebruikersnamen of berichten van individuele burgers in.',
  toc: 'Inhoud',
  s_key: 'Kernbevindingen',
  s_summary: 'Samenvatting van de analisten',
  summaryEmpty: '(In te vullen door de analisten.)',
  s_volume: 'Volume',
  s_campaigns: 'Campagnes',
  s_narratives: 'Narratieven',
  s_factchecks: 'Factchecks gekoppeld aan clusters',
  s_triage: 'Uitkomsten van de beoordeling',
  s_pop: 'Vergelijking met de vorige periode',
  s_method: 'Methode en beperkingen',
  kj_clusters_flagged:
    'In deze periode {clusters:is|zijn} {clusters} {clusters:cluster|clusters} van gecoördineerd gedrag gesignaleerd, samen {campaigns} {campaigns:campagne|campagnes} met {accounts} accounts (vorige periode: {previousClusters}).',
  kj_top_narrative:
    '{clusters} {clusters:cluster|clusters} van gecoördineerd gedrag {clusters:verspreidde|verspreidden} {value} tussen {firstDay} en {lastDay}, met {accounts} accounts; analisten bevestigden er {confirmed}.',
  kj_top_narrative_day:
    '{clusters} {clusters:cluster|clusters} van gecoördineerd gedrag {clusters:verspreidde|verspreidden} {value} op {firstDay}, met {accounts} accounts; analisten bevestigden er {confirmed}.',
  kj_clusters_flagged_noprev:
    'In deze periode {clusters:is|zijn} {clusters} {clusters:cluster|clusters} van gecoördineerd gedrag gesignaleerd, samen {campaigns} {campaigns:campagne|campagnes} met {accounts} accounts (over de vorige periode zijn geen gegevens opgeslagen).',
  kj_top_narrative_unreviewed:
    '{clusters} {clusters:cluster|clusters} van gecoördineerd gedrag {clusters:verspreidde|verspreidden} {value} tussen {firstDay} en {lastDay}, met {accounts} accounts; analisten hebben ze nog niet beoordeeld.',
  kj_top_narrative_day_unreviewed:
    '{clusters} {clusters:cluster|clusters} van gecoördineerd gedrag {clusters:verspreidde|verspreidden} {value} op {firstDay}, met {accounts} accounts; analisten hebben ze nog niet beoordeeld.',
  kj_young_accounts:
    'In {campaigns} van de {total} {total:campagne|campagnes} was het merendeel van de accounts kort voor het posten aangemaakt of had het vrijwel geen berichtgeschiedenis.',
  kj_cross_platform: '{campaigns} van de {total} {total:campagne was|campagnes waren} actief op meer dan één platform.',
  kj_factchecked:
    '{clusters} {clusters:cluster verspreidde|clusters verspreidden} beweringen die onafhankelijke factcheckers hadden onderzocht ({factchecks} factchecks, door {publishers}).',
  kj_triage:
    'Analisten beoordeelden {reviewed} van de {clusters} {clusters:cluster|clusters}: {confirmed} bevestigd als gecoördineerd, {dismissed} afgewezen.',
  kj_no_clusters: 'Onder {posts} berichten is in deze periode geen gecoördineerd gedrag gesignaleerd.',
  chartPostsPlatform: 'Berichten per dag per platform',
  chartPostsLanguage: 'Berichten per dag per taal',
  chartSignalsKind: 'Signalen per dag per soort (één cluster kan meerdere soorten tonen)',
  chartAlt: '{title}, {from} tot en met {to}. De aantallen staan in de tabel naast de grafiek.',
  day: 'Dag',
  total: 'Totaal',
  platform: 'Platform',
  language: 'Taal',
  posts: 'Berichten',
  clusters: 'Clusters',
  noCampaigns: 'Geen campagnes in deze periode.',
  c_members: 'Accounts',
  c_posts: 'Berichten',
  c_score: 'Score',
  c_young: 'Jonge accounts',
  c_span: 'Tijdvak',
  c_platforms: 'Platforms',
  c_languages: 'Talen',
  c_kinds: 'Signalen',
  c_hashtags: 'Hashtags',
  c_domains: 'Gelinkte domeinen',
  c_triage: 'Beoordeling',
  c_reasons: 'Waarom gesignaleerd',
  c_sample: 'Campagnetekst (door {n} of meer accounts geplaatst, vermeldingen verwijderd)',
  c_episodes: 'Episodes (de campagne keerde terug met grotendeels dezelfde accounts)',
  c_campaign: 'Campagne {n}',
  reasonsEnglish: '(De redenen zijn door de detectie in het Engels geschreven.)',
  unknown: 'onbekend',
  n_kind: 'Soort',
  n_value: 'Onderwerp',
  n_accounts: 'Accounts',
  n_previous: 'Clusters, vorige periode',
  n_trend: 'Trend',
  n_days: 'Dagen',
  noNarratives: 'De clusters verspreidden geen hashtags, links of gefactcheckte beweringen.',
  kind_hashtag: 'hashtag',
  kind_domain: 'domein',
  kind_claim: 'bewering',
  trend_new: 'nieuw',
  trend_up: 'stijgend',
  trend_same: 'gelijk',
  trend_down: 'dalend',
  f_publisher: 'Uitgever',
  f_claim: 'Bewering',
  f_rating: 'Oordeel (zoals de factchecker het gaf)',
  f_clusters: 'Clusters',
  noFactchecks: 'In deze periode zijn geen factchecks aan clusters gekoppeld.',
  t_clusters: 'Clusters',
  t_reviewed: 'Beoordeeld',
  t_escalated: 'Opgeschaald',
  t_confirmed: 'Bevestigd',
  t_dismissed: 'Afgewezen',
  t_open: 'Nog niet afgesloten',
  t_reason: 'Reden van afsluiten',
  status_new: 'nieuw',
  status_in_review: 'in beoordeling',
  status_escalated: 'opgeschaald',
  status_confirmed: 'bevestigd',
  status_dismissed: 'afgewezen',
  status_unknown: 'niet beoordeeld',
  close_coordinated_inauthentic: 'gecoördineerd niet-authentiek gedrag',
  close_organic_coordination: 'organische samenwerking (echte mensen die samen optreden)',
  close_insufficient_evidence: 'onvoldoende aanwijzingen',
  close_duplicate: 'dubbel met een ander cluster',
  close_out_of_scope: 'buiten de afbakening',
  p_figure: 'Cijfer',
  p_current: 'Deze periode',
  p_previous: 'Vorige periode',
  p_change: 'Verandering',
  p_posts: 'Opgeslagen berichten',
  p_clusters: 'Gesignaleerde clusters',
  p_campaigns: 'Campagnes',
  p_accounts: 'Accounts in clusters',
  p_postsIn: 'Berichten in clusters',
  p_factchecks: 'Gekoppelde factchecks',
  m_sources: 'Bronnen en wat zij niet zien',
  m_source: 'Bron',
  m_cannotSee: 'Ziet niet',
  m_methods: 'Detectiemethoden',
  m_thresholds: 'Gebruikte drempelwaarden',
  m_setting: 'Instelling',
  m_value: 'Waarde',
  m_version: 'Softwareversie {version}, configuratie-hash {hash}.',
  m_narratives:
    'Narratieven: de detectie groepeert berichten nog niet in narratieven. Deze rapportage gebruikt wat de clusters verspreidden: hun hashtags, de domeinen van hun links en de beweringen van factchecks die eraan gekoppeld zijn.',
  m_caveats: 'Kanttekeningen',
  caveat1:
    'Een cluster is een signaal dat accounts samen handelden op een manier die toeval onwaarschijnlijk maakt. Het is geen vaststelling dat de inhoud onwaar is of dat één partij de accounts bestuurt; analisten toetsen elk cluster aan de berichten.',
  caveat2:
    'Alleen openbare berichten uit de ingestelde bronnen worden gezien; besloten groepen, privéberichten en platforms zonder toegang niet. Geen signalen betekent niet dat er geen activiteit was.',
  caveat3:
    'Clusters die vóór de periode begonnen of erna eindigden, tellen volledig mee. Dagen zijn kalenderdagen in {tz}.',
  caveat4: 'De redenen staan zoals de detectie ze schreef (in het Engels).',
  kindName_duplicate_text: 'vrijwel identieke tekst',
  kindName_co_link: 'dezelfde links binnen seconden gedeeld',
  kindName_burst: 'plotselinge piek',
  kindName_hashtag_push: 'hashtag-campagne',
  kindName_cross_language: 'dezelfde link in meerdere talen',
  kindName_young_account_cohort: 'groep nieuwe accounts',
  kindName_other: 'overig',
  method_duplicate_text:
    'Vrijwel identieke teksten, kort na elkaar geplaatst door verschillende accounts (tekstvingerafdrukken).',
  method_co_link:
    'Dezelfde links, door dezelfde accounts binnen seconden van elkaar gedeeld, vaker dan toeval verklaart.',
  method_burst:
    'Een hashtag, link of bericht dat plotseling veel vaker verschijnt dan het eigen eerdere tempo voorspelt.',
  method_hashtag_push: 'Een piek op een hashtag, gedragen door een groep accounts.',
  method_cross_language: 'Dezelfde link kort na elkaar in meerdere talen door verschillende accounts verspreid.',
  method_young_account_cohort:
    'Veel accounts in een cluster die kort voor het posten, of binnen enkele dagen van elkaar, zijn aangemaakt.',
  method_other: 'Ander gezamenlijk handelen van accounts.',
  src_mastodon:
    'berichten alleen voor volgers en niet-openbare berichten; wat een server niet doorgeeft; servers die hun openbare tijdlijn sluiten',
  src_bluesky: 'likes, reposts, volgrelaties; geschiedenis van meer dan ongeveer een dag',
  src_telegram: 'privékanalen en -groepen, kanalen zonder voorvertoning, reacties, exacte weergaven',
  src_rss: 'items die uit het feedvenster zijn verdwenen',
  src_claimreview: 'factchecks zonder ClaimReview-opmaak',
  src_other: 'alleen wat deze bron openbaar publiceert',
  figure: 'Figuur {n}.',
  figureNumbers: 'Figuur {n} in cijfers',
  page: 'Pagina',
  of: 'van',
};

const CATALOGUE: Record<ReportLang, Record<MessageKey, string>> = { en, nl };

/** The message in a language with {placeholders} filled; numbers formatted for the language. */
export function t(lang: ReportLang, key: MessageKey, params: Record<string, string | number> = {}): string {
  // {name:one|other} picks a word by the number's plural category; {name} inserts the value.
  const rules = new Intl.PluralRules(lang);
  return CATALOGUE[lang][key]
    .replace(/\{(\w+):([^|}]*)\|([^}]*)\}/g, (m, name: string, one: string, other: string) => {
      const v = params[name];
      return typeof v === 'number' ? (rules.select(v) === 'one' ? one : other) : m;
    })
    .replace(/\{(\w+)\}/g, (m, name: string) => {
      const v = params[name];
      if (v === undefined) return m;
      return typeof v === 'number' ? formatNumber(lang, v) : v;
    });
}

/** A number in the language's format (nl: 1.234,5). */
export function formatNumber(lang: ReportLang, n: number, maximumFractionDigits = 2): string {
  return new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', { maximumFractionDigits }).format(n);
}

/** A percentage 0..1 as "45%" (nl: "45%"). */
export function formatPercent(lang: ReportLang, share: number): string {
  return new Intl.NumberFormat(lang === 'nl' ? 'nl-NL' : 'en-GB', {
    style: 'percent',
    maximumFractionDigits: 0,
  }).format(share);
}

/** Is this a message key? (for keys built from data, e.g. kinds and sources). */
export function hasMessage(key: string): key is MessageKey {
  return key in en;
}
