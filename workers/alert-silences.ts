// Silences in the alert store, shared by everything that writes or lists them: the alerts worker (which reads them
// on every batch), `mid alerts silence add|list|expire` and the triage application's /silences page. All three open
// the same store (workers/adapters/create-alert-store.ts: SQLite in dataDir embedded, Redis in cluster mode), so a
// silence made in one is seen by the others. Also the matcher fields as the CLI takes them (comma-separated lists)
// and the expiry as a duration or an Amsterdam date-time, so the page and the CLI accept the same input.
import { randomUUID } from 'node:crypto';
import { zoneOffsetMs } from '../pipelines/alert-rules.ts';
import type { Silence } from '../pipelines/alert-rules.ts';
import type { ClusterKind } from '../pipelines/types.ts';
import { ALERT_KINDS } from './alerts-config.ts';
import type { AlertStore } from './ports/alert-store.ts';

/** The alert store namespace of silences. */
export const SILENCE_NS = 'silence';

/** Cluster kinds a silence may name. */
export const SILENCE_KINDS: readonly ClusterKind[] = ALERT_KINDS;

/** The matcher fields, named as the CLI's flags (`--cluster`, `--kind`, ...); each a comma-separated list. */
export const SILENCE_FIELDS = ['cluster', 'kind', 'keyword', 'hashtag', 'domain', 'language', 'platform'] as const;
/** One of {@link SILENCE_FIELDS}. */
export type SilenceField = (typeof SILENCE_FIELDS)[number];

/** A silence's input was not usable; `problem` is a stable code the callers word themselves. */
export class SilenceInputError extends Error {
  override name = 'SilenceInputError';
  readonly retriable = false;
  constructor(
    readonly problem: 'no-matcher' | 'unknown-kind' | 'no-comment' | 'bad-expiry' | 'past-expiry',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Splits a comma-separated list, trimming and dropping empty entries. */
export function splitList(v: string | undefined): string[] {
  return v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** The matchers of the given fields (comma-separated lists); throws {@link SilenceInputError} for none or a bad kind. */
export function silenceMatchers(fields: Partial<Record<SilenceField, string>>): Silence['matchers'] {
  const l = (f: SilenceField) => splitList(fields[f]);
  const matchers: Silence['matchers'] = {};
  if (l('cluster').length) matchers.clusterIds = l('cluster');
  if (l('kind').length) {
    const bad = l('kind').filter((k) => !SILENCE_KINDS.includes(k as ClusterKind));
    if (bad.length) throw new SilenceInputError('unknown-kind', `unknown kind: ${bad.join(', ')}`);
    matchers.kinds = l('kind') as ClusterKind[];
  }
  if (l('language').length) matchers.languages = l('language').map((s) => s.toLowerCase());
  if (l('platform').length) matchers.platforms = l('platform').map((s) => s.toLowerCase());
  const watch = { narratives: [], keywords: l('keyword'), hashtags: l('hashtag'), domains: l('domain') };
  if (watch.keywords.length || watch.hashtags.length || watch.domains.length) matchers.watch = watch;
  if (Object.keys(matchers).length === 0)
    throw new SilenceInputError('no-matcher', 'give at least one matcher (cluster, kind, keyword, ...)');
  return matchers;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * When a silence given as `input` ends: a duration from `nowMs` ("90m", "4h", "1h30m", "2d", "1w"), a date-time
 * with an offset or Z (ISO 8601), or a wall-clock date-time in `timeZone` ("2026-12-02 18:00", "2026-12-02T18:00",
 * as a datetime-local field sends it). Throws {@link SilenceInputError} when unreadable or not in the future.
 */
export function parseSilenceExpiry(input: string, nowMs: number, timeZone = 'Europe/Amsterdam'): number {
  const s = input.trim();
  let at: number;
  if (/^(\d+\s*[mhdw]\s*)+$/i.test(s)) {
    at = nowMs;
    for (const m of s.matchAll(/(\d+)\s*([mhdw])/gi)) at += Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
  } else {
    const local = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
    if (local) {
      const [y, mo, d, h, mi, se] = local.slice(1).map((x) => Number(x ?? 0)) as number[];
      const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, se!);
      // The offset at the guess, then at the corrected instant (they differ only next to a DST change).
      at = wall - zoneOffsetMs(wall - zoneOffsetMs(wall, timeZone), timeZone);
      if (new Date(wall).getUTCDate() !== d || new Date(wall).getUTCMonth() !== mo! - 1) at = Number.NaN;
    } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s)) {
      at = Date.parse(s);
    } else at = Number.NaN;
  }
  if (!Number.isFinite(at)) throw new SilenceInputError('bad-expiry', `not a duration or date-time: ${input}`);
  if (at <= nowMs) throw new SilenceInputError('past-expiry', 'the expiry must be in the future');
  return at;
}

/** Stores a new silence (an id is made when absent); returns it. */
export async function addSilence(store: AlertStore, s: Omit<Silence, 'id'> & { id?: string }): Promise<Silence> {
  const silence: Silence = { ...s, id: s.id ?? randomUUID() };
  await store.apply([{ op: 'put', ns: SILENCE_NS, key: silence.id, doc: silence }]);
  return silence;
}

/** Every silence, active and expired. */
export async function listSilences(store: AlertStore): Promise<Silence[]> {
  return (await store.list<Silence>(SILENCE_NS)).map((e) => e.doc);
}

/** Ends a silence at `nowMs` (an expired one keeps its expiry); the silence before and after, or null if unknown. */
export async function expireSilence(
  store: AlertStore,
  id: string,
  nowMs: number,
): Promise<{ before: Silence; after: Silence } | null> {
  const before = await store.get<Silence>(SILENCE_NS, id);
  if (!before) return null;
  const after = { ...before, expiresAtMs: Math.min(before.expiresAtMs, nowMs) };
  await store.apply([{ op: 'put', ns: SILENCE_NS, key: id, doc: after }]);
  return { before, after };
}

/** Whether a silence is active at `nowMs` ('pending' before its start). */
export function silenceState(s: Silence, nowMs: number): 'active' | 'expired' | 'pending' {
  if (nowMs >= s.expiresAtMs) return 'expired';
  return nowMs < s.startsAtMs ? 'pending' : 'active';
}
