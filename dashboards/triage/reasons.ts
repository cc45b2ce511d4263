// Wording of cluster states in English and Dutch (from the one message catalogue, i18n/), and the one place cluster
// reasons are read from: `clusterReasons` renders the cluster's structured evidence in the user's language
// (pipelines/render-reasons.ts).
import { clusterReasonsIn } from '../../pipelines/render-reasons.ts';
import type { Cluster } from '../../pipelines/types.ts';
import { CLOSE_REASONS, TRIAGE_STATUSES } from '../../workers/ports/triage-store.ts';
import type { CloseReason, TriageStatus } from '../../workers/ports/triage-store.ts';
import { t, TIME_ZONE } from './i18n/index.ts';
import type { Lang } from './i18n/index.ts';

export type { Lang } from './i18n/index.ts';

/**
 * The reasons of a cluster in the user's language (the stored English sentences for clusters without evidence), clock
 * times in Amsterdam time as every other time in the application.
 */
export function clusterReasons(cluster: Cluster, lang: Lang): string[] {
  return clusterReasonsIn(cluster, lang, { timeZone: TIME_ZONE });
}

const byLang = <K extends string>(keys: readonly K[], label: (lang: Lang, k: K) => string) =>
  Object.fromEntries(
    (['en', 'nl'] as const).map((lang) => [lang, Object.fromEntries(keys.map((k) => [k, label(lang, k)]))]),
  ) as Record<Lang, Record<K, string>>;

/** Status names (catalogue keys `status.*`). */
export const STATUS_LABELS: Record<Lang, Record<TriageStatus, string>> = byLang(TRIAGE_STATUSES, (lang, s) =>
  t(lang, `status.${s}`),
);

/** Close reason names (catalogue keys `close.*`; behaviour terms: none says whether a claim is true). */
export const CLOSE_REASON_LABELS: Record<Lang, Record<CloseReason, string>> = byLang(CLOSE_REASONS, (lang, r) =>
  t(lang, `close.${r}`),
);
