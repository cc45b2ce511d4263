// The `stateStore` section of the configuration: where connector cursors, seen ids, the detector lease and the
// detector's saved state live. The Redis adapter uses the connection of the `redis` section.
import { z } from 'zod';

/** The `stateStore` section. */
export const stateStoreConfigSchema = z.object({
  kind: z
    .enum(['auto', 'memory', 'redis'])
    .default('auto')
    .describe(
      'State store adapter (env MID_STATE): auto = redis when the bus is kafka or the scheduler bullmq, else memory. Default auto.',
    ),
});

/** The validated `stateStore` section. */
export type StateStoreConfig = z.infer<typeof stateStoreConfigSchema>;
