// The triage-status port as the alerts worker needs it: the analyst's status of a cluster (new, acknowledged,
// assigned, snoozed, closed, dismissed, …), or undefined when nobody triaged it. The triage application provides
// the real adapter; until it is connected, the null adapter says "not triaged" for every cluster.

/** Where the alerts worker reads a cluster's triage status. */
export interface TriageStatusSource {
  /** The cluster's triage status, or undefined when it was never triaged. */
  getStatus(clusterId: string): Promise<string | undefined>;
}

/** The null adapter: no cluster is triaged. */
export const nullTriageStatus: TriageStatusSource = {
  async getStatus(): Promise<string | undefined> {
    return undefined;
  },
};
