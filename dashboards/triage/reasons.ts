// Wording of the triage application in English and Dutch, and the one place cluster reasons are read from:
// `clusterReasons` renders the cluster's structured evidence in the user's language (pipelines/render-reasons.ts).
import { clusterReasonsIn } from '../../pipelines/render-reasons.ts';
import type { Cluster } from '../../pipelines/types.ts';
import type { CloseReason, TriageStatus } from '../../workers/ports/triage-store.ts';

/** A user interface language. */
export type Lang = 'en' | 'nl';

/** The reasons of a cluster in the user's language (the stored English sentences for clusters without evidence). */
export function clusterReasons(cluster: Cluster, lang: Lang): string[] {
  return clusterReasonsIn(cluster, lang);
}

/** Status names. */
export const STATUS_LABELS: Record<Lang, Record<TriageStatus, string>> = {
  en: {
    new: 'New',
    triage: 'Triage',
    investigating: 'Investigating',
    escalated: 'Escalated',
    monitoring: 'Monitoring',
    closed: 'Closed',
  },
  nl: {
    new: 'Nieuw',
    triage: 'Triage',
    investigating: 'In onderzoek',
    escalated: 'Geëscaleerd',
    monitoring: 'Gevolgd',
    closed: 'Gesloten',
  },
};

/** Close reason names (behaviour terms: none says whether a claim is true). */
export const CLOSE_REASON_LABELS: Record<Lang, Record<CloseReason, string>> = {
  en: {
    coordinated_inauthentic: 'Coordinated inauthentic behaviour (confirmed)',
    organic_coordination: 'Organic coordination',
    insufficient_evidence: 'Insufficient evidence',
    duplicate: 'Duplicate',
    out_of_scope: 'Out of scope',
  },
  nl: {
    coordinated_inauthentic: 'Gecoördineerd niet-authentiek gedrag (bevestigd)',
    organic_coordination: 'Organische coördinatie',
    insufficient_evidence: 'Onvoldoende bewijs',
    duplicate: 'Dubbel',
    out_of_scope: 'Buiten scope',
  },
};
