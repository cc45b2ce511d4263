// The `http` section of the configuration: where the HTTP server (workers/http-server.ts: health, metrics and the
// analysts' pages) listens.
import { z } from 'zod';

/** The `http` section. */
export const httpServerConfigSchema = z.object({
  port: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(8080)
    .describe('HTTP port for health, metrics and the UI (env PORT). Default 8080.'),
  host: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe(
      'Address the HTTP server (health, metrics, the triage application) listens on (env MID_HTTP_HOST); 0.0.0.0 exposes it to the network, as a container needs for its probes. Default 127.0.0.1 (this machine only).',
    ),
});

/** The validated `http` section. */
export type HttpServerConfig = z.infer<typeof httpServerConfigSchema>;
