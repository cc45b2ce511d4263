// The sources mid-monitor polls when the configuration lists none: Dutch and Flemish fact-checkers, EUvsDisinfo,
// Dutch-language Mastodon timelines with election hashtags, and Bluesky's Jetstream. Feed URLs follow each site's
// publishing platform and were not fetched from this build machine (no network): check them once after deployment
// (`mid worker` reports a source that answers 404 by name) and override in the config file where one moved.
import type { SourceConfigInput } from './source-config.ts';

/** Default sources (used when config `sources` is []). */
export const DEFAULT_SOURCES: readonly SourceConfigInput[] = [
  // Fact-checkers. WordPress sites publish /feed/; their articles carry ClaimReview JSON-LD where they use it.
  {
    kind: 'claimreview',
    name: 'nieuwscheckers',
    feedUrl: 'https://nieuwscheckers.nl/feed/',
    publisher: 'Nieuwscheckers',
    maxArticles: 20,
  },
  {
    kind: 'rss',
    name: 'nieuwscheckers-feed',
    url: 'https://nieuwscheckers.nl/feed/',
    emit: 'factcheck',
    publisher: 'Nieuwscheckers',
    lang: 'nl',
  },
  {
    kind: 'claimreview',
    name: 'afp-factcheck-nl',
    feedUrl: 'https://factchecknederland.afp.com/rss.xml',
    publisher: 'AFP Factcheck Nederland',
    maxArticles: 20,
  },
  {
    kind: 'claimreview',
    name: 'factcheck-vlaanderen',
    feedUrl: 'https://factcheck.vlaanderen/feed',
    publisher: 'Factcheck Vlaanderen',
    maxArticles: 20,
  },
  {
    kind: 'rss',
    name: 'nu-nucheckt',
    url: 'https://www.nu.nl/rss/nucheckt',
    emit: 'factcheck',
    publisher: 'NU.nl NUcheckt',
    lang: 'nl',
  },
  {
    kind: 'rss',
    name: 'euvsdisinfo',
    url: 'https://euvsdisinfo.eu/feed/',
    emit: 'factcheck',
    publisher: 'EUvsDisinfo',
    lang: 'en',
  },
  // Google's aggregate of ClaimReview from all publishers; only with an API key (env MID_GOOGLE_FACTCHECK_KEY).
  { kind: 'google-factcheck', name: 'google-factcheck-nl', query: 'verkiezingen', languageCode: 'nl', enabled: false },
  // Mastodon: Dutch instances' local timelines and election hashtags on the largest instance.
  { kind: 'mastodon', name: 'mastodon.nl-local', instanceUrl: 'https://mastodon.nl', timeline: 'public', local: true },
  {
    kind: 'mastodon',
    name: 'toot.community-local',
    instanceUrl: 'https://toot.community',
    timeline: 'public',
    local: true,
  },
  {
    kind: 'mastodon',
    name: 'mastodon.social#tk2025',
    instanceUrl: 'https://mastodon.social',
    timeline: 'tag',
    tag: 'tk2025',
  },
  {
    kind: 'mastodon',
    name: 'mastodon.social#verkiezingen',
    instanceUrl: 'https://mastodon.social',
    timeline: 'tag',
    tag: 'verkiezingen',
  },
  {
    kind: 'mastodon',
    name: 'mastodon.social#tweedekamer',
    instanceUrl: 'https://mastodon.social',
    timeline: 'tag',
    tag: 'tweedekamer',
  },
  // Bluesky: the whole firehose of posts, filtered to declared Dutch here (declared languages are often wrong;
  // set langs: [] to take everything and let enrichment decide).
  { kind: 'bluesky', name: 'bluesky', langs: ['nl'] },
];
