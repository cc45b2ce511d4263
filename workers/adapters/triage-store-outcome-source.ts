// The report's triage outcomes from the triage store (the analysts' statuses, close reasons and whether anyone looked
// at a cluster), mapped onto the report's behaviour vocabulary: closed as coordinated-inauthentic → confirmed, closed
// for any other reason → dismissed (the reason is kept), triage / investigating / monitoring → in review. Works over
// the TriageStore port, so embedded mode passes the store of its own process and `mid worker reports` /
// `mid report` open the triage SQLite file (WAL: reading next to the triage worker is safe).
import type { TriageOutcome } from '../../pipelines/report-data.ts';
import type { TriageOutcomeSource } from '../ports/report-source.ts';
import type { TriageState, TriageStore } from '../ports/triage-store.ts';

/** Maps one triage state to the report's outcome. */
export function outcomeOf(state: TriageState): TriageOutcome {
  const reviewed = state.status !== 'new';
  if (state.status === 'closed') {
    const confirmed = state.closeReason === 'coordinated_inauthentic';
    return { status: confirmed ? 'confirmed' : 'dismissed', closeReason: state.closeReason, reviewed };
  }
  if (state.status === 'escalated') return { status: 'escalated', closeReason: null, reviewed };
  if (state.status === 'new') return { status: 'new', closeReason: null, reviewed };
  return { status: 'in_review', closeReason: null, reviewed };
}

/** A {@link TriageOutcomeSource} reading the triage store. */
export class TriageStoreOutcomeSource implements TriageOutcomeSource {
  constructor(private readonly store: Pick<TriageStore, 'getCluster'>) {}

  /** Outcomes of the clusters the triage store knows; a cluster it never saw is left out (reported as not triaged). */
  async outcomes(clusterIds: string[]): Promise<Map<string, TriageOutcome>> {
    const out = new Map<string, TriageOutcome>();
    for (const id of new Set(clusterIds)) {
      const row = await this.store.getCluster(id);
      if (row) out.set(id, outcomeOf(row.state));
    }
    return out;
  }
}
