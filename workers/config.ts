// The one loader of mid-monitor's configuration: defaults < config file (JSON) < environment variables < overrides.
// Each component owns the schema of its section next to its code (every field with a description and a named
// default; units in the names); this file only composes them, is the only place that reads environment variables,
// and checks what no single schema can: unknown keys at every level (with the closest known key, or the new name of
// a renamed one), and settings that depend on each other. Every problem is reported at once, with its path, and
// the program refuses to start. `mid config check` prints the result with the fields marked secret redacted.
import { readFileSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import { parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import { z } from 'zod';
import { httpClientConfigSchema } from '../connectors/http-client.ts';
import { googleFactCheckKeySchema } from '../connectors/index.ts';
import { sourcesSchema } from '../connectors/source-config.ts';
import { kibanaSchema } from '../dashboards/kibana/config.ts';
import { detectConfigSchema } from '../pipelines/detect-config.ts';
import { enrichConfigSchema } from '../pipelines/enrich-config.ts';
import { redisConfigSchema } from './adapters/redis-config.ts';
import { detectWorkerConfigSchema } from './detect-worker-config.ts';
import { httpServerConfigSchema } from './http-server-config.ts';
import { logConfigSchema } from './logger.ts';
import { busConfigSchema } from './ports/bus-config.ts';
import { schedulerConfigSchema } from './ports/scheduler-config.ts';
import { storeConfigSchema } from './ports/signal-store-config.ts';
import { stateStoreConfigSchema } from './ports/state-store-config.ts';
import { replayConfigSchema } from './replay-source.ts';
import { alertsSchema } from './alerts-config.ts';
import { reportsSchema } from './reports-config.ts';
import { hardeningSchema } from './hardening-config.ts';
import { triageSchema } from '../dashboards/triage/config.ts';

/** Default time the process gives itself to shut down after SIGTERM, ms (`stopDeadlineMs`). */
export const SHUTDOWN_DEADLINE_MS = 20_000;

/** The whole configuration: one section per component. */
export const configSchema = z
  .object({
    dataDir: z
      .string()
      .min(1)
      .default('.mid-data')
      .describe('Local directory for embedded data (env MID_DATA_DIR). Default .mid-data.'),
    stopDeadlineMs: z
      .number()
      .int()
      .min(0)
      .default(SHUTDOWN_DEADLINE_MS)
      .describe(
        'How long the process takes at most to stop cleanly after SIGTERM (env MID_STOP_DEADLINE_MS). Default 20000.',
      ),
    log: logConfigSchema.prefault({}).describe('Logging (level). Default info.'),
    http: httpServerConfigSchema.prefault({}).describe('The HTTP server: health, metrics, UI (port, host).'),
    httpClient: httpClientConfigSchema
      .prefault({})
      .describe(
        'The HTTP client of the connectors (connectors/http-client.ts): timeouts, retries, User-Agent contact.',
      ),
    enrich: enrichConfigSchema
      .prefault({})
      .describe('Enrichment: language, entities, pseudonymisation (pipelines/enrich-config.ts).'),
    detect: detectConfigSchema
      .extend(detectWorkerConfigSchema.shape)
      .prefault({})
      .describe(
        'The coordination detector (pipelines/detect-config.ts) and the detect worker that drives it (workers/detect-worker-config.ts).',
      ),
    bus: busConfigSchema.prefault({}).describe('The message bus: adapter, topics, consumer groups.'),
    scheduler: schedulerConfigSchema.prefault({}).describe('The scheduler: adapter and source schedules.'),
    redis: redisConfigSchema.prefault({}).describe('The Redis of the BullMQ scheduler and the Redis state store.'),
    stateStore: stateStoreConfigSchema
      .prefault({})
      .describe('The window-state store: cursors, seen ids, detector state and lease.'),
    replay: replayConfigSchema.prefault({}).describe('The replay source (a JSONL file of normalized posts).'),
    store: storeConfigSchema.prefault({}).describe('The signal store: adapter, connection, retention.'),
    sources: sourcesSchema,
    googleFactCheckKey: googleFactCheckKeySchema,
    alerts: alertsSchema.describe('Newsroom alerts: routes, channels, silences (workers/alerts-config.ts).'),
    reports: reportsSchema.describe(
      'Election-period reports: periods, schedules, archive, PDF (workers/reports-config.ts).',
    ),
    triage: triageSchema.describe("The analysts' triage application (dashboards/triage/config.ts)."),
    hardening: hardeningSchema.describe(
      'Limits on the work and bytes one input may cause (workers/hardening-config.ts).',
    ),
    kibana: kibanaSchema.describe('Kibana: where the generated dashboards are imported (dashboards/kibana/config.ts).'),
  })
  .superRefine((c, ctx) => {
    if (c.bus.kind === 'kafka' && c.bus.kafkaBrokers.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['bus', 'kafkaBrokers'],
        message: 'must be set when bus.kind is kafka (env MID_KAFKA_BROKERS)',
      });
    }
    if (c.store.kind === 'elasticsearch' && !c.store.esUrl) {
      ctx.addIssue({
        code: 'custom',
        path: ['store', 'esUrl'],
        message: 'must be set when store.kind is elasticsearch (env MID_ES_URL)',
      });
    }
  });

/** The validated configuration. */
export type Config = z.infer<typeof configSchema>;

/**
 * Settings that moved, old path → new path. An old name in a file is an error that names the new one (a silently
 * ignored setting is worse than a refused start). Keep in step with CHANGELOG.md.
 */
export const RENAMED_SETTINGS: Readonly<Record<string, string>> = {
  enrichment: 'enrich',
  pseudonymize: 'enrich.pseudonymize',
  detection: 'detect',
  httpPort: 'http.port',
  logLevel: 'log.level',
  'bus.detectTickMs': 'detect.tickMs',
  'bus.detectMinPostsPerAdvance': 'detect.minPostsPerAdvance',
  'bus.detectMaxTickMs': 'detect.maxTickMs',
  'bus.checkpointMs': 'detect.checkpointMs',
  'bus.checkpointPosts': 'detect.checkpointPosts',
  'bus.compactPosts': 'detect.compactPosts',
  'bus.compactChunks': 'detect.compactChunks',
  'bus.snapshotPartChars': 'detect.snapshotPartChars',
  'bus.snapshotInThread': 'detect.snapshotInThread',
  'bus.leaseTtlMs': 'detect.leaseTtlMs',
  'bus.idleFlushMs': 'detect.idleFlushMs',
  'scheduler.stateStore': 'stateStore.kind',
  'scheduler.redisUrl': 'redis.url',
  'scheduler.keyPrefix': 'redis.keyPrefix',
  'scheduler.replayFile': 'replay.file',
  'scheduler.replayPostsPerRun': 'replay.postsPerRun',
  'scheduler.replayEveryMs': 'replay.everyMs',
};

/** Raised when configuration is unusable; `problems` has one line per problem, each starting with its path. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly retriable = false;
  constructor(
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    super(`invalid configuration: ${problems.join('; ')}`, options);
  }
}

/** Reads the environment variables we honour into the shape of the config file (the only reader of them). */
function fromEnv(env: NodeJS.ProcessEnv): { values: Record<string, unknown>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const set = (path: string[], v: unknown): void => {
    let o = values;
    for (const p of path.slice(0, -1)) {
      const next = o[p];
      o = isPlainObject(next) ? next : (o[p] = {});
    }
    o[path[path.length - 1]!] = v;
  };
  const int = (name: string, path: string[]): void => {
    const raw = env[name];
    if (!raw) return;
    const n = Number(raw);
    if (!Number.isInteger(n)) problems.push(`${name}: expected an integer, got "${raw}"`);
    else set(path, n);
  };
  if (env.MID_DATA_DIR) set(['dataDir'], env.MID_DATA_DIR);
  int('MID_STOP_DEADLINE_MS', ['stopDeadlineMs']);
  if (env.MID_LOG_LEVEL) set(['log', 'level'], env.MID_LOG_LEVEL);
  int('PORT', ['http', 'port']);
  if (env.MID_HTTP_HOST) set(['http', 'host'], env.MID_HTTP_HOST);
  if (env.MID_PSEUDONYM_KEY) set(['enrich', 'pseudonymize', 'key'], env.MID_PSEUDONYM_KEY);
  if (env.MID_PSEUDONYMIZE)
    set(['enrich', 'pseudonymize', 'enabled'], !/^(0|false|no|off)$/i.test(env.MID_PSEUDONYMIZE));
  if (env.MID_BUS) set(['bus', 'kind'], env.MID_BUS);
  if (env.MID_KAFKA_BROKERS)
    set(
      ['bus', 'kafkaBrokers'],
      env.MID_KAFKA_BROKERS.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  if (env.MID_SCHEDULER) set(['scheduler', 'kind'], env.MID_SCHEDULER);
  if (env.MID_REDIS_URL) set(['redis', 'url'], env.MID_REDIS_URL);
  if (env.MID_STATE) set(['stateStore', 'kind'], env.MID_STATE);
  if (env.MID_STORE) set(['store', 'kind'], env.MID_STORE);
  if (env.MID_ES_URL) set(['store', 'esUrl'], env.MID_ES_URL);
  if (env.MID_ES_USERNAME) set(['store', 'esUsername'], env.MID_ES_USERNAME);
  if (env.MID_ES_PASSWORD) set(['store', 'esPassword'], env.MID_ES_PASSWORD);
  if (env.MID_ES_API_KEY) set(['store', 'esApiKey'], env.MID_ES_API_KEY);
  if (env.MID_GOOGLE_FACTCHECK_KEY) set(['googleFactCheckKey'], env.MID_GOOGLE_FACTCHECK_KEY);
  for (const [name, key] of [
    ['MID_KIBANA_URL', 'url'],
    ['MID_KIBANA_SPACE', 'space'],
    ['MID_KIBANA_USERNAME', 'username'],
    ['MID_KIBANA_PASSWORD', 'password'],
    ['MID_KIBANA_API_KEY', 'apiKey'],
  ] as const) {
    if (env[name]) set(['kibana', key], env[name]);
  }
  for (const [name, key] of [
    ['MID_ALERT_WEBHOOK_URL', 'url'],
    ['MID_ALERT_WEBHOOK_FORMAT', 'format'],
    ['MID_ALERT_WEBHOOK_SECRET', 'secret'],
    ['MID_ALERT_MATRIX_ROOM', 'matrixRoom'],
    ['MID_ALERT_MATRIX_TOKEN', 'matrixToken'],
  ] as const) {
    if (env[name]?.trim()) set(['alerts', 'webhook', key], env[name].trim());
  }
  if (env.MID_SLACK_SIGNING_SECRET) set(['alerts', 'interactive', 'slackSigningSecret'], env.MID_SLACK_SIGNING_SECRET);
  if (env.MID_MATTERMOST_ACTION_SECRET)
    set(['alerts', 'interactive', 'mattermostSecret'], env.MID_MATTERMOST_ACTION_SECRET);
  return { values, problems };
}

/**
 * Alert channels name the environment variables that hold their URL and secret (`urlEnv`, `secretEnv`); this copies
 * their values into the channel's secret fields (`urlValue`, `secretValue`), so the alerts worker reads no
 * environment. A value given directly wins; an unset variable leaves the field empty (the worker names it at start).
 */
function resolveChannelEnv(merged: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const alerts = merged.alerts;
  if (!isPlainObject(alerts) || !Array.isArray(alerts.routes)) return;
  // Copies, not edits: the route objects may be the caller's overrides.
  merged.alerts = {
    ...alerts,
    routes: alerts.routes.map((route: unknown) => {
      if (!isPlainObject(route) || !isPlainObject(route.channel)) return route;
      const channel: Record<string, unknown> = { ...route.channel };
      for (const [nameKey, valueKey] of [
        ['urlEnv', 'urlValue'],
        ['secretEnv', 'secretValue'],
        ['botTokenEnv', 'botTokenValue'],
      ] as const) {
        const name = channel[nameKey];
        const value = typeof name === 'string' ? env[name]?.trim() : undefined;
        if (value && channel[valueKey] === undefined) channel[valueKey] = value;
      }
      return { ...route, channel };
    }),
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b))
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/** How a path is shown: `sources[2].profiles.apiUrl`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(root)';
}

// ---- Walking the schemas -------------------------------------------------------------------------------------
// zod strips unknown keys silently by default, and its strict mode names the key but not what was meant. So the
// loader walks the raw input along the composed schema itself: one check for every object at every depth,
// including ones inside arrays, records and unions, whoever wrote their schema. The same walk finds the fields
// components marked `.meta({ secret })` for redaction.

/** The parts of a zod definition the walk reads (zod's own def types are a large union). */
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  getter?: () => z.ZodType;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
}

/** How a field is marked secret: `true` redacts the value, `'url-password'` only the password in a URL. */
type Secret = true | 'url-password';

const def = (s: z.ZodType): Def => s._zod.def as unknown as Def;

/** Removes wrappers (optional, default, ...) and returns the schema that decides the shape, and its secret mark. */
function peel(schema: z.ZodType): { schema: z.ZodType; secret: Secret | undefined } {
  let s = schema;
  let secret: Secret | undefined;
  for (;;) {
    const mark = (z.globalRegistry.get(s) as { secret?: unknown } | undefined)?.secret;
    if (secret === undefined && (mark === true || mark === 'url-password')) secret = mark;
    const d = def(s);
    if (
      d.innerType &&
      ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(d.type)
    )
      s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else return { schema: s, secret };
  }
}

/** The option of a union that `value` belongs to (by discriminator, else the one it fits best), if any. */
function unionOption(d: Def, value: unknown): z.ZodType | undefined {
  const options = d.options ?? [];
  if (d.discriminator && isPlainObject(value)) {
    const tag = value[d.discriminator];
    return options.find((o) =>
      (peel(o).schema._zod as { propValues?: Record<string, Set<unknown>> }).propValues?.[d.discriminator!]?.has(tag),
    );
  }
  let best: z.ZodType | undefined;
  let fewest = Infinity;
  for (const o of options) {
    if (def(peel(o).schema).type !== 'object' || !isPlainObject(value)) continue;
    const found: UnknownKey[] = [];
    checkUnknownKeys(o, value, [], found);
    if (found.length < fewest) {
      best = o;
      fewest = found.length;
    }
  }
  return best;
}

/** The key of `candidates` that `key` most likely misspells, or null when none is close. */
function closestKey(key: string, candidates: string[]): string | null {
  if (candidates.length === 0) return null;
  const lower = candidates.find((c) => c.toLowerCase() === key.toLowerCase());
  if (lower) return lower;
  const best = closest(key, candidates);
  return distance(key, best) <= Math.max(2, Math.floor(key.length / 3)) ? best : null;
}

/** An unknown key and the problem line about it. */
interface UnknownKey {
  /** The known key suggested instead, when there is one: zod's "required" problem about it adds nothing. */
  meant: string | null;
  problem: string;
}

/** The problem line for an unknown key `key` in the object at `path` whose known keys are `known`. */
function unknownKeyProblem(path: readonly PropertyKey[], key: string, known: string[]): UnknownKey {
  const full = formatPath([...path, key]);
  const renamed = RENAMED_SETTINGS[full];
  if (renamed) return { meant: null, problem: `\`${full}\` was renamed to \`${renamed}\` (see CHANGELOG)` };
  const here = formatPath(path);
  const formerly = Object.keys(RENAMED_SETTINGS)
    .filter((old) => (old.includes('.') ? old.slice(0, old.lastIndexOf('.')) : '(root)') === here)
    .map((old) => old.slice(old.lastIndexOf('.') + 1));
  const best = closestKey(key, [...known, ...formerly]);
  if (best && known.includes(best)) {
    const meant = formatPath([...path, best]);
    return { meant, problem: `\`${full}\` is not a setting; did you mean \`${meant}\`?` };
  }
  if (best) {
    const old = formatPath([...path, best]);
    return {
      meant: null,
      problem: `\`${full}\` is not a setting; did you mean \`${RENAMED_SETTINGS[old]}\` (formerly \`${old}\`)?`,
    };
  }
  return { meant: null, problem: `\`${full}\` is not a setting (known here: ${known.join(', ') || 'none'})` };
}

/** The schema of the object field at `path` below `schema`, if there is one. */
function schemaAt(schema: z.ZodType, path: readonly string[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const key of path) {
    const d: Def | undefined = s ? def(peel(s).schema) : undefined;
    s = d?.type === 'object' && d.shape && Object.hasOwn(d.shape, key) ? d.shape[key] : undefined;
  }
  return s;
}

/** Appends a problem for every key of `value` that its schema does not know, at any depth. */
function checkUnknownKeys(schema: z.ZodType, value: unknown, path: PropertyKey[], out: UnknownKey[]): void {
  const s = peel(schema).schema;
  const d = def(s);
  if (d.type === 'object' && d.shape && isPlainObject(value)) {
    // No catchall (zod's default: strip) or `never` (strict): unknown keys are errors. A catchall schema (for
    // example passthrough) means the component accepts any key; its values are still walked.
    const open = d.catchall !== undefined && def(d.catchall).type !== 'never';
    for (const [k, v] of Object.entries(value)) {
      const field = Object.hasOwn(d.shape, k) ? d.shape[k] : open ? d.catchall : undefined;
      if (field) checkUnknownKeys(field, v, [...path, k], out);
      else {
        out.push(unknownKeyProblem(path, k, Object.keys(d.shape)));
        // A renamed section is also checked against its new schema, so that one run reports its typos too.
        const moved = RENAMED_SETTINGS[formatPath([...path, k])];
        const movedSchema = moved === undefined ? undefined : schemaAt(configSchema, moved.split('.'));
        if (movedSchema) checkUnknownKeys(movedSchema, v, [...path, k], out);
      }
    }
  } else if (d.type === 'array' && d.element && Array.isArray(value)) {
    value.forEach((v, i) => checkUnknownKeys(d.element!, v, [...path, i], out));
  } else if (d.type === 'record' && d.valueType && isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) checkUnknownKeys(d.valueType, v, [...path, k], out);
  } else if (d.type === 'union') {
    const option = unionOption(d, value);
    if (option) checkUnknownKeys(option, value, path, out);
  }
}

function redactUrlPassword(value: unknown): unknown {
  // On the text, not through URL (whose toString would also normalise the rest, e.g. add a trailing slash).
  return typeof value === 'string' ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, '$1REDACTED@') : value;
}

/** A copy of `value` with every field its schema marks secret replaced by "[redacted]". */
function redact(schema: z.ZodType, value: unknown): unknown {
  const { schema: s, secret } = peel(schema);
  if (secret && value !== undefined && value !== null)
    return secret === 'url-password' ? redactUrlPassword(value) : '[redacted]';
  const d = def(s);
  if (d.type === 'object' && d.shape && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const field = Object.hasOwn(d.shape, k) ? d.shape[k] : d.catchall;
      out[k] = field ? redact(field, v) : v;
    }
    return out;
  }
  if (d.type === 'array' && d.element && Array.isArray(value)) return value.map((v) => redact(d.element!, v));
  if (d.type === 'record' && d.valueType && isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(d.valueType!, v)]));
  }
  if (d.type === 'union') {
    const option = unionOption(d, value);
    return option ? redact(option, value) : value;
  }
  return value;
}

/** The configuration as `mid config check` prints it: every field the schemas mark secret is redacted. */
export function redactConfig(config: Config): unknown {
  return redact(configSchema, config);
}

/** The value at `path` in `value`, or undefined. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const p of path) v = isPlainObject(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** 1-based line and column of `offset` in `text`. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Reads the config file. A syntax error is reported by file, line and column only: the file holds secrets (the
 * pseudonym key), and JSON.parse's message quotes the text around the error.
 */
function readConfigFile(file: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    problems.push(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (!first) {
      problems.push(`${file}: not valid JSON`);
      return {};
    }
    const { line, column } = lineAndColumn(text, first.offset);
    const what = printParseErrorCode(first.error)
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .toLowerCase();
    problems.push(`${file}:${line}:${column}: not valid JSON (${what} at line ${line}, column ${column})`);
    return {};
  }
  if (!isPlainObject(parsed)) {
    problems.push(`${file}: expected a JSON object`);
    return {};
  }
  return parsed;
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Path of a JSON config file; default env MID_CONFIG, else none. */
  file?: string | undefined;
  /** Environment to read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Values that win over file and environment (from command-line flags or tests). */
  overrides?: Record<string, unknown>;
}

/** Loads and validates the configuration. Throws {@link ConfigError} listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const file = options.file ?? env.MID_CONFIG;
  const fileValues = file ? readConfigFile(file, problems) : {};
  const fromEnvironment = fromEnv(env);
  problems.push(...fromEnvironment.problems);
  const merged = merge(merge(fileValues, fromEnvironment.values), options.overrides ?? {});
  resolveChannelEnv(merged, env);
  const unknown: UnknownKey[] = [];
  checkUnknownKeys(configSchema, merged, [], unknown);
  problems.push(...unknown.map((u) => u.problem));
  const meant = new Set(unknown.map((u) => u.meant));
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = formatPath(issue.path);
      // "durationMs: expected number, received undefined" next to "did you mean durationMs?" says nothing new.
      if (meant.has(path) && valueAt(merged, issue.path) === undefined) continue;
      problems.push(`${path}: ${issue.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data!;
}
