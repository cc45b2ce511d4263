// The triage application's one message catalogue (Dutch and English) and the locale formatting every page uses:
// `t(lang, key, values)` for wording, `formatDateTime` / `formatNumber` for dates (Europe/Amsterdam) and numbers
// (nl-NL, en-GB) through Intl, and `langFromAcceptLanguage` for pages shown before sign-in. New pages import `t`
// from here rather than writing text into templates.
import { en } from './en.ts';
import type { MsgKey } from './en.ts';
import { nl } from './nl.ts';

export type { MsgKey } from './en.ts';

/** An interface language. Dutch is the default. */
export type Lang = 'en' | 'nl';

/** The default interface language of new users and of the login page without a usable Accept-Language. */
export const DEFAULT_LANG: Lang = 'nl';

/** The catalogues by language (read-only; for tests and for listing keys). */
export const CATALOGUES: Readonly<Record<Lang, Readonly<Record<MsgKey, string>>>> = { en, nl };

/** Time zone of every date the interface shows. */
export const TIME_ZONE = 'Europe/Amsterdam';

const LOCALES: Record<Lang, string> = { nl: 'nl-NL', en: 'en-GB' };

/** The message `key` in `lang`, with `{name}` placeholders filled from `values` (unknown placeholders stay). */
export function t(lang: Lang, key: MsgKey, values?: Record<string, string | number>): string {
  const text = CATALOGUES[lang][key];
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
}

/** A bound translator for one language (what templates receive as `it.t`). */
export function translator(lang: Lang): (key: MsgKey, values?: Record<string, string | number>) => string {
  return (key, values) => t(lang, key, values);
}

/**
 * The best supported language of an `Accept-Language` header (RFC 9110: highest q wins, ties keep the header's
 * order); {@link DEFAULT_LANG} when none of nl/en is acceptable or the header is missing.
 */
export function langFromAcceptLanguage(header: string | undefined): Lang {
  if (!header) return DEFAULT_LANG;
  let best: { lang: Lang; q: number } | null = null;
  for (const part of header.split(',').slice(0, 32)) {
    const [tag = '', ...params] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    if (primary !== 'nl' && primary !== 'en') continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang: primary, q };
  }
  return best?.lang ?? DEFAULT_LANG;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dtf(lang: Lang, options: Intl.DateTimeFormatOptions, key: string): Intl.DateTimeFormat {
  const k = `${lang}:${key}`;
  let f = dateTimeFormats.get(k);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALES[lang], { timeZone: TIME_ZONE, ...options });
    dateTimeFormats.set(k, f);
  }
  return f;
}

/** A date and time (epoch ms or ISO string) in Amsterdam time, e.g. nl "21-11-2023 14:05", en "21/11/2023, 14:05". */
export function formatDateTime(lang: Lang, at: number | string): string {
  return dtf(lang, { dateStyle: 'short', timeStyle: 'short' }, 'dt').format(new Date(at));
}

/** The same with seconds (member posts). */
export function formatDateTimeSeconds(lang: Lang, at: number | string): string {
  return dtf(lang, { dateStyle: 'short', timeStyle: 'medium' }, 'dts').format(new Date(at));
}

/** Hours and minutes in Amsterdam time (chart ticks). */
export function formatTime(lang: Lang, at: number): string {
  return dtf(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, 't').format(new Date(at));
}

/** A number in the language's convention (nl "0,85", en "0.85"); `digits` fixes the fraction digits. */
export function formatNumber(lang: Lang, n: number, digits?: number): string {
  return new Intl.NumberFormat(
    LOCALES[lang],
    digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits },
  ).format(n);
}

/** The `client.*` messages of one language, for the page's script (sent in a data attribute of the page). */
export function clientMessages(lang: Lang): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(CATALOGUES[lang])) if (k.startsWith('client.')) out[k.slice(7)] = v;
  return out;
}

/** The language of a request: the signed-in user's setting, else the browser's Accept-Language (login page). */
export function requestLang(req: {
  principal?: { lang: Lang } | null;
  headers: Record<string, string | string[] | undefined>;
}): Lang {
  if (req.principal) return req.principal.lang;
  const h = req.headers['accept-language'];
  return langFromAcceptLanguage(Array.isArray(h) ? h[0] : h);
}

/** Catalogue keys of the stable English `error` strings of the API (the `message` beside them is translated). */
export const API_ERROR_KEYS: Readonly<Record<string, MsgKey>> = {
  'invalid request': 'error.invalid',
  'sign in first': 'error.signIn',
  forbidden: 'error.forbidden',
  'not found': 'error.notFound',
  conflict: 'error.conflict',
  'too large': 'error.tooLarge',
  'unsupported media type': 'error.mediaType',
  'too many requests': 'error.tooMany',
  'internal error': 'error.internal',
  'request refused': 'error.refused',
  'account locked, try again later': 'error.locked',
  'wrong username or password': 'error.wrongLogin',
  'no such user': 'error.noUser',
  'DISARM ids need mode observed or assessed; free labels take none': 'error.labelMode',
  're-identification is not configured': 'error.noReidentify',
  'closing needs a close reason': 'error.closeNeedsReason',
  'assign needs an assignee': 'error.assignNeedsAssignee',
  'status needs a status': 'error.statusNeedsStatus',
  'label needs a valid label': 'error.labelInvalid',
  'tokens are created from a signed-in session': 'error.tokenFromSession',
  'bad cursor': 'error.badCursor',
};

const STATUS_ERROR_KEYS: Readonly<Record<number, MsgKey>> = {
  400: 'error.invalid',
  401: 'error.signIn',
  403: 'error.forbidden',
  404: 'error.notFound',
  409: 'error.conflict',
  413: 'error.tooLarge',
  415: 'error.mediaType',
  423: 'error.locked',
  429: 'error.tooMany',
};

/** The translated message for an API error: by its English `error` string, else by the HTTP status. */
export function apiErrorMessage(lang: Lang, error: string, status: number): string {
  const key =
    API_ERROR_KEYS[error] ?? STATUS_ERROR_KEYS[status] ?? (status >= 500 ? 'error.internal' : 'error.refused');
  return t(lang, key);
}
