// The signal store port: where enriched posts, clusters and dead letters end up for analysts.
// Adapters: workers/adapters/sqlite-signal-store.ts (embedded, FTS5) and workers/adapters/elasticsearch-signal-store.ts.
// Contract (test/workers/adapters/signal-store.contract.ts): writes are idempotent — a post is stored once per id
// (a second write counts as a duplicate and changes nothing), a cluster once per id (a later write replaces it) —
// so at-least-once delivery upstream never shows up as duplicates here.
import type { Cluster, EnrichedPost } from '../../pipelines/types.ts';
import type { DeadLetterMessage } from '../../pipelines/core/envelopes.ts';
import type { Lifecycle } from '../../pipelines/core/lifecycle.ts';

/** Outcome of a write: per-item failures are values, not exceptions. */
export interface WriteResult {
  /** Newly stored (posts) or stored/replaced (clusters). */
  written: number;
  /** Already stored (posts only): counted, not an error. */
  duplicates: number;
  /** Items the store refused for good, with the reason (go to the dead-letter topic). */
  rejected: Array<{ id: string; reason: string }>;
}

/** A cluster as stored, with when it was last updated (event time) and whether it is still open. */
export interface StoredCluster extends Cluster {
  /** Event time (epoch ms) of the newest post the detector had seen when it produced this state. */
  watermarkMs: number;
  /** Open while its last post is within the open window of the newest cluster activity in the store. */
  open: boolean;
}

/** Counts for `mid stats`. */
export interface StoreCounts {
  posts: number;
  clusters: number;
  openClusters: number;
  dlq: number;
}

/** Options of {@link SignalStore.listClusters}. */
export interface ListClustersOptions {
  /** Only open clusters. Default false. */
  openOnly?: boolean;
  /** At most this many. Default 100. */
  limit?: number;
}

/** The signal store port. */
export interface SignalStore extends Lifecycle {
  /** Which adapter this is. */
  readonly kind: 'sqlite' | 'elasticsearch';
  /** Stores posts once per id. */
  writePosts(posts: EnrichedPost[]): Promise<WriteResult>;
  /** Removes a post the source deleted (tombstone); true when it was there. */
  deletePost(id: string): Promise<boolean>;
  /** Inserts or replaces clusters by id. */
  upsertClusters(clusters: Array<{ cluster: Cluster; watermarkMs: number }>): Promise<WriteResult>;
  /** Removes a cluster (merged into another); true when it was there. */
  deleteCluster(id: string): Promise<boolean>;
  /** Records dead letters (idempotent per topic/partition/offset where known). */
  writeDeadLetters(letters: DeadLetterMessage[]): Promise<void>;
  /** Clusters, newest (latest end) and highest score first. */
  listClusters(options?: ListClustersOptions): Promise<StoredCluster[]>;
  /**
   * Full-text search over post text; returns post ids, best first. `ranked: false` (callers that only filter by
   * the ids, like the triage list) lets an adapter skip ranking, which dominates the cost of broad queries.
   */
  searchPosts(query: string, limit?: number, options?: { ranked?: boolean }): Promise<string[]>;
  /** Fetches stored posts by id (missing ids are left out). */
  getPosts(ids: string[]): Promise<EnrichedPost[]>;
  /** Counts for `mid stats`. */
  counts(): Promise<StoreCounts>;
  /** Deletes posts created before cutoffMs and clusters that ended before it; returns how many posts went. */
  purge(cutoffMs: number): Promise<number>;
}
