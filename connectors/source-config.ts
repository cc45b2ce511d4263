// The schema of one configured source, discriminated on `kind`, and helpers to derive what the HTTP client may
// fetch from the configured sources. workers/config.ts uses `sourceConfigSchema` for its `sources` field.
import { z } from 'zod';
import { blueskySourceSchema } from './bluesky.ts';
import { claimReviewSourceSchema } from './claimreview.ts';
import { dataFeedSourceSchema } from './factcheck-datafeed.ts';
import { googleFactCheckSourceSchema } from './google-factcheck.ts';
import { mastodonSourceSchema } from './mastodon.ts';
import { rssSourceSchema } from './rss.ts';
import { telegramSourceSchema } from './telegram.ts';

/** One source of the configuration (see docs/connectors.md for each kind's fields). */
export const sourceConfigSchema = z.discriminatedUnion('kind', [
  mastodonSourceSchema,
  blueskySourceSchema,
  telegramSourceSchema,
  rssSourceSchema,
  claimReviewSourceSchema,
  dataFeedSourceSchema,
  googleFactCheckSourceSchema,
]);

/** A validated source. */
export type SourceConfig = z.infer<typeof sourceConfigSchema>;

/** What a config file may contain for a source (defaults not yet applied). */
export type SourceConfigInput = z.input<typeof sourceConfigSchema>;

/** The `sources` list: an empty list means "use the default sources" (connectors/default-sources.ts). */
export const sourcesSchema = z
  .array(sourceConfigSchema)
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (seen.has(s.name))
        ctx.addIssue({ code: 'custom', message: `duplicate source name "${s.name}"`, path: [i, 'name'] });
      seen.add(s.name);
    });
  })
  .describe(
    'Sources to poll, each with a unique name and a kind (mastodon, bluesky, telegram, rss, claimreview, factcheck-datafeed, google-factcheck). Default [] = the built-in default sources (connectors/default-sources.ts).',
  );

function hostOf(url: string): string {
  return new URL(url).host.toLowerCase();
}

/** Hosts the HTTP client may fetch for these sources (only enabled ones). */
export function allowedHostsFor(sources: readonly SourceConfig[]): string[] {
  const hosts = new Set<string>();
  for (const s of sources) {
    if (!s.enabled) continue;
    switch (s.kind) {
      case 'mastodon':
        hosts.add(hostOf(s.instanceUrl));
        break;
      case 'bluesky':
        hosts.add(hostOf(s.jetstreamUrl));
        if (s.profiles.enabled) hosts.add(hostOf(s.profiles.apiUrl));
        break;
      case 'telegram':
        hosts.add(hostOf(s.baseUrl));
        break;
      case 'rss':
        hosts.add(hostOf(s.url));
        break;
      case 'claimreview':
        if (s.feedUrl) hosts.add(hostOf(s.feedUrl));
        for (const u of s.pageUrls) hosts.add(hostOf(u));
        break;
      case 'factcheck-datafeed':
        hosts.add(hostOf(s.url));
        break;
      case 'google-factcheck':
        if (s.apiKey) hosts.add(hostOf(s.apiUrl));
        break;
    }
  }
  return [...hosts];
}
