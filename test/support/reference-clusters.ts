// The reference the streaming tests compare against: the same posts through the same enrichment and event-time
// detection in one process, with no crash, no restart and no batching, flushed at the end as the workers flush an
// idle stream. Clusters merged into another are dropped, as the index worker drops them. Shared by the end-to-end
// Kafka test and the fault tests, so that all of them compare against one definition of "an uninterrupted run".
import { createCoordinationDetector } from '../../pipelines/detect-coordination.ts';
import { createEnricher } from '../../pipelines/enrich.ts';
import { driveDetector, emptyEventTimeState } from '../../pipelines/event-time-driver.ts';
import type { NormalizedPost } from '../../pipelines/types.ts';
import type { Config } from '../../workers/config.ts';
import { detectorInputOptions } from '../../workers/detector-options.ts';

/** Clusters as the tests compare them: cluster id → its post ids, sorted; the map in cluster id order. */
export type ClusterPosts = Map<string, string[]>;

/** Puts `[cluster id, post ids]` pairs in the comparable form of {@link ClusterPosts}. */
export function clusterPosts(entries: Iterable<readonly [string, readonly string[]]>): ClusterPosts {
  return new Map(
    [...entries]
      .map(([id, posts]) => [id, [...posts].sort()] as [string, string[]])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/**
 * The clusters of an uninterrupted in-process run over `posts` with the detector settings of `config` and post and
 * account ids pseudonymised with `pseudonymKey` (as the enrich worker does).
 */
export function referenceClusters(posts: NormalizedPost[], config: Config, pseudonymKey: string): ClusterPosts {
  const enrich = createEnricher({ enrichment: config.enrich, pseudonymKey });
  const detector = createCoordinationDetector(config.detect);
  const { drive } = detectorInputOptions(config);
  const driver = emptyEventTimeState();
  const run = driveDetector(
    driver,
    detector,
    { posts: posts.map((p) => ({ post: enrich(p), partition: 0 })), partitions: 1 },
    drive,
  );
  // The workers flush once the stream is idle; so does the reference.
  const flushed = driveDetector(driver, detector, { posts: [], flushAll: true, partitions: 1 }, drive);
  const ref = new Map<string, readonly string[]>();
  for (const c of [...run.changed, ...flushed.changed]) ref.set(c.id, c.posts);
  for (const m of [...run.merged, ...flushed.merged]) ref.delete(m.id);
  return clusterPosts(ref);
}
