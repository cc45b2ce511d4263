// Redacted excerpts of rejected input, for dead letters and rejected.jsonl: enough to see what was wrong with a
// line (its shape, the field that failed), nothing that names an account. JSON is redacted field by field (values
// of identity-bearing keys, and any string that looks like a handle, DID, account URL or numeric id); text that
// is not JSON has the same patterns blanked out. Every pattern here is linear.

const IDENTITY_KEYS = new Set([
  'id',
  'uri',
  'url',
  'did',
  'handle',
  'acct',
  'username',
  'display_name',
  'displayname',
  'displayName',
  'author',
  'account',
  'repo',
  'replyto',
  'replyTo',
  'repostof',
  'repostOf',
  'quoteof',
  'quoteOf',
  'subject',
  'parent',
  'root',
  'cid',
  'key',
  'avatar',
  'header',
  'note',
  'name',
]);
const URL_RE = /\b(?:https?|wss?|at):\/\/[^\s"'<>]*/gi;
const DID_RE = /\bdid:[a-z]+:[A-Za-z0-9._:%-]+/g;
const HANDLE_RE = /@[\p{L}\p{N}_][\p{L}\p{N}_.-]*/gu;
const LONG_NUMBER_RE = /\b\d{6,}\b/g;
const TELEGRAM_RE = /\btelegram:[^\s"'/]+/gi;

/** Blanks out handles, DIDs, URLs and long numbers in free text. */
export function redactText(s: string): string {
  return s
    .replace(URL_RE, '[url]')
    .replace(DID_RE, 'did:[redacted]')
    .replace(TELEGRAM_RE, 'telegram:[redacted]')
    .replace(HANDLE_RE, '@[redacted]')
    .replace(LONG_NUMBER_RE, '[number]');
}

function redactValue(v: unknown, depth: number): unknown {
  if (typeof v === 'string') return redactText(v.length > 200 ? `${v.slice(0, 200)}…` : v);
  if (v === null || typeof v !== 'object') return v;
  if (depth > 8) return '[…]';
  if (Array.isArray(v)) return v.slice(0, 10).map((x) => redactValue(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v).slice(0, 40)) {
    out[k] =
      IDENTITY_KEYS.has(k) && (typeof x === 'string' || typeof x === 'number')
        ? '[redacted]'
        : redactValue(x, depth + 1);
  }
  return out;
}

/**
 * A redacted excerpt of rejected input, at most `max` characters: JSON keeps its shape with identities replaced by
 * `[redacted]`; anything else is treated as text.
 */
export function redactExcerpt(raw: string, max = 300): string {
  const s = typeof raw === 'string' ? raw : String(raw);
  let out: string;
  try {
    out = JSON.stringify(redactValue(JSON.parse(s.length > 1_000_000 ? '' : s), 0));
  } catch {
    out = redactText(s.slice(0, max * 4));
  }
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/** V8's quote of the input in a JSON.parse error: `…, "<up to ~20 characters>"... is not valid JSON`. */
const JSON_SNIPPET_RE = /(?:\.\.\.)?"[\s\S]{0,80}"(?:\.\.\.)? is not valid JSON/;

/**
 * The message of a JSON.parse error without the piece of input V8 quotes in it ("Unexpected token '@',
 * \"{\"acct\":@jan_h\"... is not valid JSON"), which may name an account; positions are kept.
 */
export function jsonErrorMessage(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(JSON_SNIPPET_RE, 'the input is not valid JSON');
}
