// The `http` section of the configuration: where the HTTP server (workers/http-server.ts: health, metrics and the
// analysts' pages) listens.
import { z } from 'zod';

/** The `http` section. */
export const httpServerConfigSchema = z.object({
  port: z.number().int().min(0).max(65535).default(8080)
    .describe('HTTP port for health, metrics and the UI (env PORT). Default 8080.'),
  host: z.string().min(1).default('0.0.0.0')
    .describe('Address the HTTP server listens on (env MID_HTTP_HOST). Default 0.0.0.0 (every interface).'),
});

/** The validated `http` section. */
export type HttpServerConfig = z.infer<typeof httpServerConfigSchema>;
