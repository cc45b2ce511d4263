// The `alerts` config section (owned by the alerts worker): routes with their matchers, waits, quiet hours and
// channel, election periods, the triage link template and delivery settings. A channel names the environment
// variable or file that holds its URL, token or key; the config loader (workers/config.ts, the only reader of the
// environment) copies the named variables into the secret fields `urlValue` / `secretValue`, so nothing here reads
// `process.env`. With no routes configured, `alerts.webhook.url` (env MID_ALERT_WEBHOOK_URL) adds one route for
// every new cluster (see resolveAlertRoutes).
import { z } from 'zod';
import type { AlertRoute, ElectionPeriod } from '../pipelines/alert-rules.ts';
import type { ClusterKind } from '../pipelines/types.ts';
import { CHANNEL_FORMATS } from './notifiers/notifier.ts';

/** Cluster kinds a route or silence may match on. */
export const ALERT_KINDS = [
  'duplicate_text',
  'co_link',
  'burst',
  'hashtag_push',
  'cross_language',
  'young_account_cohort',
  'other',
] as const satisfies readonly ClusterKind[];

const hm = z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'HH:MM');

const watchSchema = z
  .object({
    narratives: z
      .array(
        z.object({
          name: z.string().min(1).describe('Narrative name (shown in logs).'),
          terms: z.array(z.string().min(1)).min(1).describe('Words, phrases or #hashtags.'),
        }),
      )
      .default([])
      .describe('Named term lists; a term starting with # matches hashtags, others words. Default [].'),
    keywords: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Words or phrases matched on word boundaries in post text (not in hashtags), case- and accent-insensitive. Default [].',
      ),
    hashtags: z
      .array(z.string().min(1))
      .default([])
      .describe('Hashtags (with or without #) matched on post hashtags only. Default [].'),
    domains: z.array(z.string().min(1)).default([]).describe('Link domains, subdomains included. Default [].'),
  })
  .prefault({});

const matchSchema = z
  .object({
    clusterIds: z.array(z.string()).default([]).describe('Only these clusters (useful in silences). Default [] (any).'),
    minScore: z.number().min(0).default(0).describe('Lowest cluster score. Default 0.'),
    minAccounts: z.number().int().min(0).default(0).describe('Fewest accounts. Default 0.'),
    minPosts: z.number().int().min(0).default(0).describe('Fewest posts. Default 0.'),
    kinds: z.array(z.enum(ALERT_KINDS)).default([]).describe('Any of these cluster kinds. Default [] (any).'),
    languages: z.array(z.string()).default([]).describe('Any of these languages (ISO 639-1). Default [] (any).'),
    platforms: z
      .array(z.string())
      .default([])
      .describe('Any of these platforms (post source prefix: mastodon, bluesky, telegram, …). Default [] (any).'),
    triageStatuses: z
      .array(z.string())
      .default([])
      .describe(
        'Any of these triage statuses ("new" = not triaged). Default [] (any; closed and dismissed clusters are never alerted again).',
      ),
    watch: watchSchema,
  })
  .prefault({});

/** Channel settings: format plus where its URL and secrets come from. */
export const channelSchema = z
  .object({
    format: z
      .enum(CHANNEL_FORMATS)
      .default('json')
      .describe('slack | mattermost | teams | matrix | json | email. Default json.'),
    url: z
      .string()
      .url()
      .optional()
      .describe('Non-secret URL (Matrix homeserver, a webhook without a token). Default none.'),
    urlEnv: z
      .string()
      .optional()
      .describe('Environment variable holding the webhook URL (or smtp:// URL for e-mail). Default none.'),
    urlFile: z.string().optional().describe('File holding the webhook URL (or smtp:// URL). Default none.'),
    secretEnv: z
      .string()
      .optional()
      .describe('Environment variable holding the HMAC secret (json) or access token (matrix). Default none.'),
    secretFile: z.string().optional().describe('File holding the HMAC secret or access token. Default none.'),
    urlValue: z
      .string()
      .optional()
      .meta({ secret: true })
      .describe(
        'The webhook URL itself; the config loader fills it from urlEnv (prefer urlEnv or urlFile over writing it here). Default none.',
      ),
    secretValue: z
      .string()
      .optional()
      .meta({ secret: true })
      .describe(
        'The HMAC secret or access token itself; the config loader fills it from secretEnv (prefer secretEnv or secretFile). Default none.',
      ),
    roomId: z.string().optional().describe('Matrix room id (!abc:example.org). Default none.'),
    botTokenEnv: z
      .string()
      .optional()
      .describe(
        'Slack only: environment variable holding a bot token (xoxb-…, scope chat:write). With channelId, alerts go through chat.postMessage, follow-ups into the thread, and the first alert is kept current with chat.update. Default none (incoming webhook).',
      ),
    botTokenFile: z.string().optional().describe('Slack only: file holding the bot token. Default none.'),
    botTokenValue: z
      .string()
      .optional()
      .meta({ secret: true })
      .describe(
        'The Slack bot token itself; the config loader fills it from botTokenEnv (prefer botTokenEnv or botTokenFile). Default none.',
      ),
    channelId: z
      .string()
      .regex(/^[A-Z0-9]+$/, 'a Slack channel id such as C0123ABCDEF')
      .optional()
      .describe('Slack only: the channel id the bot posts to (with a bot token). Default none.'),
    slackApiUrl: z
      .string()
      .url()
      .default('https://slack.com/api')
      .describe(
        'Slack only: base URL of the Web API (a proxy, or a local server in tests). Default https://slack.com/api.',
      ),
    from: z.string().optional().describe('E-mail sender address. Default none.'),
    to: z.array(z.string()).default([]).describe('E-mail recipients. Default [].'),
    ratePerMinute: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe('Most messages per minute to this channel; more wait. Default 20.'),
    timeoutMs: z.number().int().min(100).default(10_000).describe('Timeout of one request. Default 10000.'),
  })
  .prefault({});

/** One route. */
export const routeSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . -')
    .describe('Route name (in idempotency keys and metrics).'),
  language: z.enum(['nl', 'en']).default('nl').describe('Message language. Default nl.'),
  match: matchSchema,
  groupWaitMs: z
    .number()
    .int()
    .min(0)
    .default(10_000)
    .describe(
      'Wait after a cluster first matches before alerting (collects more posts; keep detection + wait under a minute). Default 10000.',
    ),
  groupIntervalMs: z
    .number()
    .int()
    .min(0)
    .default(300_000)
    .describe('Least time between two messages about one cluster. Default 300000.'),
  realert: z
    .object({
      growthFactor: z
        .number()
        .min(1)
        .default(2)
        .describe('Follow-up when posts or accounts grew by this factor since the last alert. Default 2.'),
      onNewKind: z.boolean().default(true).describe('Follow-up when a kind is added. Default true.'),
      onFactCheck: z.boolean().default(true).describe('Follow-up when a fact-check gets attached. Default true.'),
    })
    .prefault({}),
  quietHours: z
    .object({
      from: hm.describe('Start, local HH:MM.'),
      to: hm.describe('End, local HH:MM (before from = across midnight).'),
      timeZone: z.string().default('Europe/Amsterdam').describe('IANA time zone. Default Europe/Amsterdam.'),
      digestAtEnd: z
        .boolean()
        .default(true)
        .describe('Send a digest of held clusters when quiet hours end. Default true.'),
    })
    .nullable()
    .default(null)
    .describe('Daily quiet period. Default null (none).'),
  digestEveryHours: z
    .number()
    .positive()
    .nullable()
    .default(null)
    .describe('Digest mode: a digest every N hours instead of per-cluster alerts. Default null.'),
  maxAlertsPerHour: z
    .number()
    .int()
    .min(1)
    .default(30)
    .describe('Most new-cluster alerts per hour; more go to an hourly digest. Default 30.'),
  channel: channelSchema,
});

/** The validated route config. */
export type RouteConfig = z.infer<typeof routeSchema>;

/** The `alerts` section. */
export const alertsSchema = z
  .object({
    routes: z.array(routeSchema).default([]).describe('Alert routes. Default [] (MID_ALERT_WEBHOOK_URL adds one).'),
    electionPeriods: z
      .array(
        z.object({
          name: z.string().describe('Period name.'),
          from: z.iso.datetime({ offset: true }).describe('Start (ISO date-time).'),
          to: z.iso.datetime({ offset: true }).describe('End (ISO date-time).'),
          groupWaitMs: z.number().int().min(0).default(0).describe('Group wait during the period. Default 0.'),
          groupIntervalMs: z
            .number()
            .int()
            .min(0)
            .default(60_000)
            .describe('Group interval during the period. Default 60000.'),
        }),
      )
      .default([])
      .describe('Periods (election days) with shorter waits. Default [].'),
    webhook: z
      .object({
        url: z
          .string()
          .optional()
          .meta({ secret: true })
          .describe(
            'Webhook URL of the one default route, used only when no routes are configured (env MID_ALERT_WEBHOOK_URL; for matrix the homeserver URL). Default none.',
          ),
        format: z
          .enum(['slack', 'mattermost', 'teams', 'matrix', 'json'])
          .default('json')
          .describe('Format of the default route (env MID_ALERT_WEBHOOK_FORMAT). Default json.'),
        secret: z
          .string()
          .optional()
          .meta({ secret: true })
          .describe('HMAC secret that signs the json format (env MID_ALERT_WEBHOOK_SECRET). Default none (unsigned).'),
        matrixRoom: z
          .string()
          .optional()
          .describe('Matrix room id of the default route (env MID_ALERT_MATRIX_ROOM). Default none.'),
        matrixToken: z
          .string()
          .optional()
          .meta({ secret: true })
          .describe('Matrix access token of the default route (env MID_ALERT_MATRIX_TOKEN). Default none.'),
      })
      .prefault({})
      .describe('The default route when alerts.routes is empty: one webhook for every new cluster.'),
    interactive: z
      .object({
        slackSigningSecret: z
          .string()
          .optional()
          .meta({ secret: true })
          .describe(
            "Slack app's signing secret; with it Slack messages get acknowledge / assign / snooze buttons and the triage app verifies their requests (env MID_SLACK_SIGNING_SECRET). Default none (no buttons).",
          ),
        mattermostSecret: z
          .string()
          .optional()
          .meta({ secret: true })
          .describe(
            'Key of the HMAC token put into Mattermost button actions (env MID_MATTERMOST_ACTION_SECRET). Default none (no buttons).',
          ),
        actionUrl: z
          .string()
          .url()
          .optional()
          .describe(
            "The triage app's public URL of /hooks/chat/mattermost, where Mattermost posts button clicks. Default none (no Mattermost buttons).",
          ),
        users: z
          .record(z.string(), z.string())
          .default({})
          .describe(
            'Chat user → analyst username, keys "slack:<user id>" or "mattermost:<user id>"; clicks of others are refused. Default {}.',
          ),
        acknowledgeStatus: z
          .enum(['triage', 'investigating'])
          .default('triage')
          .describe('Triage status "acknowledge" moves a new cluster to. Default triage.'),
        snoozeHours: z
          .number()
          .positive()
          .default(4)
          .describe('How long "snooze" silences the cluster on every route, hours. Default 4.'),
        maxAgeSeconds: z
          .number()
          .int()
          .min(1)
          .default(300)
          .describe('Oldest Slack request timestamp accepted (replay window), seconds. Default 300.'),
      })
      .prefault({})
      .describe('Buttons in Slack and Mattermost messages (acknowledge, assign to me, snooze).'),
    triageUrlTemplate: z
      .string()
      .nullable()
      .default(null)
      .describe(
        'Link into the triage application, {clusterId} replaced (e.g. https://mid.example/clusters/{clusterId}). Default null (no link).',
      ),
    store: z
      .enum(['auto', 'memory', 'sqlite', 'redis'])
      .default('auto')
      .describe(
        'Alert state store: auto = redis when the scheduler is bullmq or the bus kafka, else sqlite in dataDir. Default auto.',
      ),
    sqliteFile: z.string().optional().describe('SQLite file for alert state. Default <dataDir>/alerts.db.'),
    deliverEveryMs: z
      .number()
      .int()
      .min(100)
      .default(1000)
      .describe('How often due deliveries are sent. Default 1000.'),
    digestCheckEveryMs: z
      .number()
      .int()
      .min(1000)
      .default(60_000)
      .describe('How often digests are checked for being due. Default 60000.'),
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .default(8)
      .describe('Attempts before a delivery goes to the dead-letter list. Default 8.'),
    backoffBaseMs: z
      .number()
      .int()
      .min(1)
      .default(2000)
      .describe('First retry delay; doubles per attempt, with equal jitter (half fixed, half random). Default 2000.'),
    backoffMaxMs: z
      .number()
      .int()
      .min(1)
      .default(300_000)
      .describe('Longest retry delay (a longer Retry-After is honoured). Default 300000.'),
    memberPosts: z
      .number()
      .int()
      .min(0)
      .default(200)
      .describe('Member posts read from the signal store for watchlists and platforms. Default 200.'),
  })
  .prefault({});

/** The validated `alerts` section. */
export type AlertsConfig = z.infer<typeof alertsSchema>;

/** Route config → the pure rule shape. */
export function toAlertRoute(r: RouteConfig): AlertRoute {
  return {
    name: r.name,
    language: r.language,
    match: r.match,
    groupWaitMs: r.groupWaitMs,
    groupIntervalMs: r.groupIntervalMs,
    realert: r.realert,
    quietHours: r.quietHours,
    digestEveryHours: r.digestEveryHours,
    maxAlertsPerHour: r.maxAlertsPerHour,
  };
}

/** Election periods in the pure rule shape. */
export function toElectionPeriods(c: AlertsConfig): ElectionPeriod[] {
  return c.electionPeriods;
}

/**
 * The routes in effect: the configured ones; or, when there are none and `alerts.webhook.url` is set (env
 * MID_ALERT_WEBHOOK_URL), one route "webhook" for every new cluster in `alerts.webhook.format` (default json; the
 * secret signs json, the Matrix token and room serve matrix).
 */
export function resolveAlertRoutes(c: AlertsConfig): RouteConfig[] {
  const w = c.webhook;
  if (c.routes.length > 0 || !w.url) return c.routes;
  const secret = w.format === 'json' ? w.secret : w.format === 'matrix' ? w.matrixToken : undefined;
  return [
    routeSchema.parse({
      name: 'webhook',
      channel: {
        format: w.format,
        urlValue: w.url.trim(),
        ...(secret ? { secretValue: secret.trim() } : {}),
        ...(w.matrixRoom ? { roomId: w.matrixRoom } : {}),
      },
    }),
  ];
}
