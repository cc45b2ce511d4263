// Redacted excerpts of rejected input, for dead letters and rejected.jsonl: enough to see what was wrong with a
// line (its shape, the field that failed), nothing that names an account. JSON is redacted field by field (values
// of identity-bearing keys, and any string that looks like a handle, DID, account URL or numeric id); text that
// is not JSON has the same patterns blanked out. Dead-letter details (error messages that may quote hostile input)
// get `redactDetail`: terminal escapes and control characters stripped, e-mail addresses, handles, DIDs, URLs and
// long tokens replaced, the length capped. Every pattern here is linear.

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
/**
 * `"acct":"jan_h"` in text that is not valid JSON (a cut or broken line): the value of an identity-bearing key. Linear:
 * the value stops at the next quote, and every start needs the literal key.
 */
const KEY_VALUE_RE = new RegExp(`"(${[...IDENTITY_KEYS].join('|')})"\\s*:\\s*"[^"]*"?`, 'gi');
const URL_RE = /\b(?:https?|wss?|at):\/\/[^\s"'<>]*/gi;
const DID_RE = /\bdid:[a-z]+:[A-Za-z0-9._:%-]+/g;
const HANDLE_RE = /@[\p{L}\p{N}_][\p{L}\p{N}_.-]*/gu;
const LONG_NUMBER_RE = /\b\d{6,}\b/g;
const TELEGRAM_RE = /\btelegram:[^\s"'/]+/gi;

/** Blanks out handles, DIDs, URLs and long numbers in free text. */
export function redactText(s: string): string {
  return s
    .replace(KEY_VALUE_RE, '"$1":"[redacted]"')
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
    out = redactText(stripControls(s.slice(0, max * 4)));
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

/** ANSI/VT escape sequences: CSI (ESC [ or C1 0x9B … final byte), OSC (ESC ] … BEL or ST), and two-byte escapes. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ESCAPE_RE = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[@-_]?/g;
/** C0 and C1 controls (tab and newlines included: a detail is one line), DEL, zero-width and bidi controls. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+/g;
/** Runs of characters between delimiters: the tokens judged one by one (greedy, nothing after it: linear). */
const TOKEN_RE = /[^\s"'`<>()[\]{},;]+/g;
/** A token longer than this is cut (a session token, a key, a base64 blob, a run of junk). */
const LONG_TOKEN_CHARS = 40;

/** Drops escape sequences and replaces runs of control characters by a space. */
function stripControls(s: string): string {
  return s.replace(ESCAPE_RE, '').replace(CONTROL_RE, ' ');
}

/** Whether a token looks like an e-mail address: something@domain.tld (string operations, no regex). */
function isEmail(token: string): boolean {
  const at = token.indexOf('@');
  if (at <= 0) return false;
  const dot = token.indexOf('.', at + 2);
  return dot > at + 1 && dot < token.length - 1;
}

/**
 * A dead letter's detail (or a rejected line's reason) made safe to store and show: a validator or error message
 * may quote hostile input. Escape sequences and control characters are stripped (nothing reaches an analyst's
 * terminal or a Kibana cell that can move the cursor or reorder text); e-mail addresses, handles and mentions,
 * DIDs, URLs and long numbers are replaced as in {@link redactText}; tokens over 40 characters are cut to their
 * first 8; whitespace is collapsed and the result is at most `max` characters. What stays is the reason and the
 * shape of the problem ("expected string, received number at author.id"), which is what an analyst needs.
 */
export function redactDetail(detail: unknown, max = 300): string {
  let s =
    typeof detail === 'string' ? detail : detail instanceof Error ? detail.message : (JSON.stringify(detail) ?? '');
  // Bounded before any pattern runs; 4x the output leaves room for what the replacements shorten.
  if (s.length > max * 4) s = s.slice(0, max * 4);
  s = stripControls(s);
  s = s.replace(TOKEN_RE, (t) => (isEmail(t) ? '[email]' : t));
  s = redactText(s);
  s = s.replace(TOKEN_RE, (t) => (t.length > LONG_TOKEN_CHARS ? `${t.slice(0, 8)}…[${t.length} chars]` : t));
  s = s.replace(/ {2,}/g, ' ').trim();
  if (s.length <= max) return s;
  const c = s.charCodeAt(max - 1);
  return `${s.slice(0, c >= 0xd800 && c <= 0xdbff ? max - 1 : max)}…`;
}
