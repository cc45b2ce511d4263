// The report source port: the aggregates an election-period report needs, computed in the store (GROUP BY in SQLite,
// aggregations in Elasticsearch) so a period of millions of posts is reported without loading every post. Clusters
// are few (the detector retains at most `detection.maxRetainedClusters`), so they come back one by one with the
// figures computed from their member posts. Adapters: workers/adapters/sqlite-report-source.ts and
// workers/adapters/elasticsearch-report-source.ts. The triage outcomes come through their own tiny port below.
import type { PostHourBucket, ReportClusterInput, TriageOutcome } from '../../pipelines/report-data.ts';
import type { Lifecycle } from '../../pipelines/core/lifecycle.ts';

/** Options of {@link ReportSource.clusters}. */
export interface ReportClusterQuery {
  /** Members younger than this many days (at posting time) count as young. */
  youngAccountDays: number;
}

/** Aggregation queries over the signal store for reports. */
export interface ReportSource extends Lifecycle {
  /** Which store the figures come from. */
  readonly kind: 'sqlite' | 'elasticsearch';
  /** Stored posts with fromMs <= createdAtMs < toMs, counted per UTC hour, source and language. */
  postHours(fromMs: number, toMs: number): Promise<PostHourBucket[]>;
  /** Clusters whose activity overlaps [fromMs, toMs), with member-post figures. */
  clusters(fromMs: number, toMs: number, query: ReportClusterQuery): Promise<ReportClusterInput[]>;
}

/** Triage outcomes per cluster, from the triage store (connected by the triage application). */
export interface TriageOutcomeSource {
  /** Outcomes of the given clusters; clusters never triaged are left out. */
  outcomes(clusterIds: string[]): Promise<Map<string, TriageOutcome>>;
}

/** A triage source that knows nothing: every cluster is reported as not triaged. */
export class NullTriageOutcomeSource implements TriageOutcomeSource {
  /** Always an empty map. */
  async outcomes(_clusterIds: string[]): Promise<Map<string, TriageOutcome>> {
    return new Map();
  }
}
