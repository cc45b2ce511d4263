// The `redis` section of the configuration: the one Redis that the BullMQ scheduler and the Redis state store share
// (one place for the URL, so the two can never point at different servers by mistake).
import { z } from 'zod';

/** The `redis` section. */
export const redisConfigSchema = z.object({
  url: z
    .string()
    .min(1)
    .default('redis://127.0.0.1:6379')
    .meta({ secret: 'url-password' })
    .describe('Redis for BullMQ and the state store (env MID_REDIS_URL). Default redis://127.0.0.1:6379.'),
  keyPrefix: z.string().default('mid').describe('Prefix of every Redis key and BullMQ queue. Default mid.'),
});

/** The validated `redis` section. */
export type RedisConfig = z.infer<typeof redisConfigSchema>;
