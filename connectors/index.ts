// The connector registry: builds the connector for a configured source, resolves the source list (empty = the
// defaults) and builds the shared HTTP client restricted to the configured hosts.
import { z } from 'zod';
import type { Connector } from './connector.ts';
import { createBlueskyConnector } from './bluesky.ts';
import { createClaimReviewConnector } from './claimreview.ts';
import { DEFAULT_SOURCES } from './default-sources.ts';
import { createDataFeedConnector } from './factcheck-datafeed.ts';
import { createGoogleFactCheckConnector } from './google-factcheck.ts';
import { HttpClient } from './http-client.ts';
import type { HttpClientOptions } from './http-client.ts';
import { createMastodonConnector } from './mastodon.ts';
import { createRssConnector } from './rss.ts';
import { allowedHostsFor, sourceConfigSchema, sourcesSchema } from './source-config.ts';
import type { SourceConfig, SourceConfigInput } from './source-config.ts';
import { createTelegramConnector } from './telegram.ts';

export type { Connector, ConnectorFailure, ConnectorItem, FetchOptions, FetchResult } from './connector.ts';
export { ConnectorError, SourceUnavailableError } from './connector.ts';
export { HttpClient, HttpError, HostNotAllowedError, HttpTimeoutError, httpClientConfigSchema } from './http-client.ts';
export type { HttpClientOptions } from './http-client.ts';
export { sourceConfigSchema, sourcesSchema, allowedHostsFor } from './source-config.ts';
export type { SourceConfig, SourceConfigInput } from './source-config.ts';
export { DEFAULT_SOURCES } from './default-sources.ts';

/** Dependencies every connector gets. */
export interface ConnectorDeps {
  http: HttpClient;
}

/** Builds the connector for one validated source. */
export function createConnector(source: SourceConfig, deps: ConnectorDeps): Connector {
  switch (source.kind) {
    case 'mastodon':
      return createMastodonConnector(source, deps);
    case 'bluesky':
      return createBlueskyConnector(source, deps);
    case 'telegram':
      return createTelegramConnector(source, deps);
    case 'rss':
      return createRssConnector(source, deps);
    case 'claimreview':
      return createClaimReviewConnector(source, deps);
    case 'factcheck-datafeed':
      return createDataFeedConnector(source, deps);
    case 'google-factcheck':
      return createGoogleFactCheckConnector(source, deps);
  }
}

/** The top-level `googleFactCheckKey` setting of the configuration (see {@link resolveSources}). */
export const googleFactCheckKeySchema = z
  .string()
  .min(1)
  .optional()
  .meta({ secret: true })
  .describe(
    'API key for google-factcheck sources that have none of their own; it also enables the default Google source (env MID_GOOGLE_FACTCHECK_KEY). Default none.',
  );

/** Options of {@link resolveSources}. */
export interface ResolveSourcesOptions {
  /** Fills in and enables the Google source when it has no key of its own (config `googleFactCheckKey`). */
  googleFactCheckKey?: string | undefined;
}

/** The sources to poll: the configured ones, or the defaults when the list is empty; only enabled ones. */
export function resolveSources(
  configured: readonly SourceConfig[] | readonly SourceConfigInput[],
  options: ResolveSourcesOptions = {},
): SourceConfig[] {
  const list =
    configured.length > 0 ? sourcesSchema.parse(configured) : DEFAULT_SOURCES.map((s) => sourceConfigSchema.parse(s));
  const key = options.googleFactCheckKey;
  return list
    .map((s) => (s.kind === 'google-factcheck' && !s.apiKey && key ? { ...s, apiKey: key, enabled: true } : s))
    .filter((s) => s.enabled && (s.kind !== 'google-factcheck' || !!s.apiKey));
}

/** Builds the one HTTP client for these sources (the allow-list is their hosts). */
export function createHttpClient(
  sources: readonly SourceConfig[],
  options: Omit<HttpClientOptions, 'allowedHosts'> = {},
): HttpClient {
  return new HttpClient({ ...options, allowedHosts: allowedHostsFor(sources) });
}
