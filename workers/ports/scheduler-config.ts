// The `scheduler` section of the configuration: which scheduler adapter (in-process timers or BullMQ on the Redis of
// the `redis` section) and when each source is polled. The replay source is configured in `replay`
// (workers/replay-source.ts), the window-state store in `stateStore`.
import { z } from 'zod';

/** `scheduler.perSource.<name>`: the schedule of one source. */
export const sourceScheduleConfigSchema = z.object({
  everyMs: z
    .number()
    .int()
    .min(100)
    .optional()
    .describe('Poll interval in ms. Default scheduler.defaultPollIntervalMs.'),
  jitterMs: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Random delay before each poll, ms. Default scheduler.defaultJitterMs.'),
  concurrency: z.number().int().min(1).optional().describe('Polls of this source at once. Default 1.'),
  rateLimit: z
    .object({
      max: z.number().int().min(1).describe('Polls allowed per durationMs. No default.'),
      durationMs: z.number().int().min(1).describe('Length of the rate-limit window, ms. No default.'),
    })
    .optional()
    .describe('At most max polls per durationMs. Default none.'),
});

/** The `scheduler` section. */
export const schedulerConfigSchema = z.object({
  kind: z
    .enum(['memory', 'bullmq'])
    .default('memory')
    .describe('Scheduler adapter (env MID_SCHEDULER). Default memory.'),
  defaultPollIntervalMs: z
    .number()
    .int()
    .min(100)
    .default(60_000)
    .describe('Poll interval of a source without its own. Default 60000.'),
  defaultJitterMs: z.number().int().min(0).default(5_000).describe('Jitter of a source without its own. Default 5000.'),
  perSource: z
    .record(z.string(), sourceScheduleConfigSchema)
    .default({})
    .describe('Schedule per source name (everyMs, jitterMs, concurrency, rateLimit). Default {}.'),
  seenTtlMs: z
    .number()
    .int()
    .min(1000)
    .default(7 * 86_400_000)
    .describe('How long connector item ids are remembered for duplicate suppression. Default 7 days.'),
});

/** The validated `scheduler` section. */
export type SchedulerConfig = z.infer<typeof schedulerConfigSchema>;
