// The `hardening` config section: limits on the work and the bytes one input may cause, and how far
// pseudonymisation goes. Each part is owned by the module that enforces it; this file only composes them.
import { z } from 'zod';
import { httpLimitsSchema } from '../connectors/http-client.ts';
import { enrichLimitsSchema } from '../pipelines/enrich.ts';

/** `hardening`: `enrichment` (text cap, per-post time budget) and `http` (response size, compression, addresses). */
export const hardeningSchema = z
  .object({
    enrichment: enrichLimitsSchema.prefault({}).describe('Text cap and per-post time budget of enrichment.'),
    http: httpLimitsSchema
      .prefault({})
      .describe('Response size and compression caps, private-address policy of the HTTP client.'),
  })
  .prefault({});

/** Validated `hardening` section. */
export type HardeningConfig = z.infer<typeof hardeningSchema>;
