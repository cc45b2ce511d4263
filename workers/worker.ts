// What every worker (connectors, enrich, detect, index) offers the process that runs it: a name, start/stop, readiness
// for /readyz and, for consumers, the lag of its consumer group for /metrics.
import type { Lifecycle } from '../pipelines/core/lifecycle.ts';

/** A runnable worker. */
export interface Worker extends Lifecycle {
  /** Short fixed name: connectors, enrich, detect or index. */
  readonly name: string;
  /** True once started and until stop begins. */
  ready(): boolean;
  /** Messages its consumer group has not committed yet (consumers only). */
  lag?(): Promise<number>;
}
