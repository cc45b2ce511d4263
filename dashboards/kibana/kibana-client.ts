// Imports the generated saved objects into Kibana through the Saved Objects import API: it first asks
// `GET /api/status` for the version (objects cannot be imported into a Kibana older than they are), then posts the
// NDJSON as a multipart file to `POST [/s/<space>]/api/saved_objects/_import[?overwrite=true]` with `kbn-xsrf`.
// Kibana's error shapes become one readable KibanaImportError; credentials never appear in messages.
import { MIN_KIBANA_VERSION } from './saved-objects.ts';

/** Where Kibana is and how to authenticate (the `kibana` config section). */
export interface KibanaClientOptions {
  url: string;
  /** Space id; unset or "default" is the default space. */
  space?: string;
  username?: string;
  password?: string;
  /** Encoded API key (sent as `Authorization: ApiKey <key>`); wins over user and password. */
  apiKey?: string;
  /** Timeout of each request. Default 60000. */
  requestTimeoutMs?: number;
  /** fetch to use (tests). Default the global fetch. */
  fetch?: typeof fetch;
}

/** One object Kibana did not import, as the import API reports it. */
export interface KibanaImportObjectError {
  id: string;
  type: string;
  title?: string;
  meta?: { title?: string; icon?: string };
  error: {
    /** Kibana's error type: 'conflict', 'ambiguous_conflict', 'missing_references', 'unsupported_type', 'unknown', or newer. */
    type: string;
    message?: string;
    statusCode?: number;
    references?: Array<{ type: string; id: string }>;
    destinations?: unknown[];
  };
}

/** A successful import. */
export interface KibanaImportResult {
  /** Kibana's version from /api/status. */
  version: string;
  successCount: number;
  /** type/id of each imported object. */
  imported: string[];
}

/** Raised when the import did not (fully) succeed; `retriable` when Kibana was unreachable or not ready. */
export class KibanaImportError extends Error {
  override name = 'KibanaImportError';
  constructor(
    message: string,
    readonly retriable: boolean,
    override readonly cause?: unknown,
    readonly objectErrors: KibanaImportObjectError[] = [],
    readonly successCount = 0,
  ) {
    super(message);
  }
}

/** Compares dotted versions numerically ("8.10.0" > "8.9.1"); pre-release suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
  const pa = a
    .split(/[.-]/)
    .slice(0, 3)
    .map((x) => Number.parseInt(x, 10) || 0);
  const pb = b
    .split(/[.-]/)
    .slice(0, 3)
    .map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

/** The base URL without a trailing slash and without user info (never echoed). */
function base(url: string): URL {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u;
}

function authHeader(o: KibanaClientOptions): Record<string, string> {
  if (o.apiKey) return { authorization: `ApiKey ${o.apiKey}` };
  if (o.username !== undefined && o.password !== undefined)
    return { authorization: `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}` };
  return {};
}

/** Kibana's error body (`{"statusCode":400,"error":"Bad Request","message":"..."}`) as one line. */
function describeHttpError(status: number, body: string): string {
  try {
    const j = JSON.parse(body) as { statusCode?: number; error?: string; message?: string };
    if (j && typeof j === 'object' && (j.error || j.message))
      return `${j.statusCode ?? status} ${j.error ?? ''}: ${j.message ?? ''}`.trim();
  } catch {
    /* not JSON: fall through */
  }
  return `${status} ${body.slice(0, 200)}`.trim();
}

async function request(
  o: KibanaClientOptions,
  path: string,
  init: RequestInit,
): Promise<{ status: number; body: string }> {
  const url = new URL(path, base(o.url));
  const f = o.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(url, {
      ...init,
      headers: { ...authHeader(o), ...(init.headers as Record<string, string>) },
      signal: AbortSignal.timeout(o.requestTimeoutMs ?? 60_000),
    });
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code; // undici puts ECONNREFUSED etc. in the cause
    throw new KibanaImportError(
      `Kibana at ${base(o.url).origin} could not be reached: ${(err as Error).message}${code ? ` (${code})` : ''}`,
      true,
      err,
    );
  }
  return { status: res.status, body: await res.text() };
}

function failIfHttpError(what: string, r: { status: number; body: string }, o: KibanaClientOptions): void {
  if (r.status < 300) return;
  const detail = describeHttpError(r.status, r.body);
  if (r.status === 401)
    throw new KibanaImportError(
      `${what}: Kibana refused the credentials (${detail}); set MID_KIBANA_USERNAME and MID_KIBANA_PASSWORD, or MID_KIBANA_API_KEY`,
      false,
    );
  if (r.status === 403)
    throw new KibanaImportError(
      `${what}: the Kibana user may not do this (${detail}); it needs the saved-objects management privilege in the space`,
      false,
    );
  if (r.status === 404 && o.space && o.space !== 'default')
    throw new KibanaImportError(`${what}: ${detail} (does the space "${o.space}" exist?)`, false);
  throw new KibanaImportError(`${what}: ${detail}`, r.status >= 500 || r.status === 429);
}

/** Kibana's version, from `GET /api/status`. */
export async function kibanaVersion(o: KibanaClientOptions): Promise<string> {
  const r = await request(o, '/api/status', { method: 'GET' });
  failIfHttpError('reading Kibana status', r, o);
  let v: unknown;
  try {
    v = (JSON.parse(r.body) as { version?: { number?: unknown } }).version?.number;
  } catch {
    /* checked below */
  }
  if (typeof v !== 'string')
    throw new KibanaImportError('reading Kibana status: the response has no version.number (is this Kibana?)', false);
  return v;
}

/** Options of {@link importSavedObjects}. */
export interface ImportOptions {
  /** Replace objects with the same id (`overwrite=true`). Default false. */
  overwrite?: boolean;
  /** File name sent in the multipart body; Kibana requires the .ndjson extension. Default "mid-monitor.ndjson". */
  fileName?: string;
}

/** Imports `ndjson` after checking that Kibana is not older than the objects; throws {@link KibanaImportError}. */
export async function importSavedObjects(
  o: KibanaClientOptions,
  ndjson: string,
  options: ImportOptions = {},
): Promise<KibanaImportResult> {
  const version = await kibanaVersion(o);
  if (compareVersions(version, MIN_KIBANA_VERSION) < 0) {
    throw new KibanaImportError(
      `Kibana ${version} is older than ${MIN_KIBANA_VERSION}, the oldest version these objects import into (saved objects never import into an older Kibana); upgrade Kibana`,
      false,
    );
  }
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), options.fileName ?? 'mid-monitor.ndjson');
  const space = o.space && o.space !== 'default' ? `/s/${encodeURIComponent(o.space)}` : '';
  const query = options.overwrite ? '?overwrite=true' : '';
  const r = await request(o, `${space}/api/saved_objects/_import${query}`, {
    method: 'POST',
    headers: { 'kbn-xsrf': 'mid-monitor' },
    body: form,
  });
  failIfHttpError('importing saved objects', r, o);
  let body: {
    success?: boolean;
    successCount?: number;
    successResults?: Array<{ type: string; id: string }>;
    errors?: KibanaImportObjectError[];
  };
  try {
    body = JSON.parse(r.body) as typeof body;
  } catch (err) {
    throw new KibanaImportError('importing saved objects: Kibana answered with something that is not JSON', false, err);
  }
  if (body.success === true) {
    return {
      version,
      successCount: body.successCount ?? 0,
      imported: (body.successResults ?? []).map((s) => `${s.type}/${s.id}`),
    };
  }
  const errors = body.errors ?? [];
  const lines = errors.slice(0, 20).map(describeObjectError);
  const hint = errors.some((e) => e.error.type === 'conflict' || e.error.type === 'ambiguous_conflict')
    ? ' (run again with --overwrite to replace them)'
    : '';
  throw new KibanaImportError(
    `Kibana imported ${body.successCount ?? 0} objects and refused ${errors.length}${hint}:\n  ${lines.join('\n  ')}${errors.length > 20 ? `\n  ... and ${errors.length - 20} more` : ''}`,
    false,
    undefined,
    errors,
    body.successCount ?? 0,
  );
}

/** One refused object as a line. */
export function describeObjectError(e: KibanaImportObjectError): string {
  const what = `${e.type}/${e.id}${(e.title ?? e.meta?.title) ? ` "${e.title ?? e.meta?.title}"` : ''}`;
  switch (e.error.type) {
    case 'conflict':
      return `${what}: already exists`;
    case 'ambiguous_conflict':
      return `${what}: matches several existing objects`;
    case 'missing_references':
      return `${what}: refers to missing ${(e.error.references ?? []).map((r) => `${r.type}/${r.id}`).join(', ')}`;
    case 'unsupported_type':
      return `${what}: this Kibana does not know the type "${e.type}"`;
    default:
      return `${what}: ${e.error.type}${e.error.message ? ` ${e.error.message}` : ''}`;
  }
}
