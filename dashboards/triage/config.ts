// The `triage` config section, owned by the analyst triage application (dashboards/triage/). Composed into the one
// config schema by workers/config.ts.
import { z } from 'zod';

/** The `triage` section. */
export const triageSchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe('Serve the triage application in embedded mode (`mid start`). Default true.'),
    sqliteFile: z
      .string()
      .optional()
      .describe('Triage database file (users, triage state, audit log). Default <dataDir>/triage.db.'),
    secureCookies: z
      .enum(['auto', 'always', 'never'])
      .default('auto')
      .describe(
        'Mark session cookies Secure: auto = when the request came over TLS (or X-Forwarded-Proto https from a trusted proxy). Default auto.',
      ),
    trustProxy: z
      .boolean()
      .default(false)
      .describe('Trust X-Forwarded-* headers (behind a TLS-terminating proxy). Default false.'),
    sessionHours: z.number().positive().default(12).describe('Lifetime of a login session, hours. Default 12.'),
    loginRateLimitPerMinute: z
      .number()
      .int()
      .min(1)
      .default(10)
      .describe('Login attempts allowed per client address per minute. Default 10.'),
    lockoutFailures: z
      .number()
      .int()
      .min(1)
      .default(5)
      .describe('Consecutive failed logins that lock an account. Default 5.'),
    lockoutMinutes: z
      .number()
      .int()
      .min(1)
      .default(15)
      .describe('How long a locked account stays locked (an admin can unlock with `mid users passwd`). Default 15.'),
    reopenGrowthShare: z
      .number()
      .positive()
      .default(0.5)
      .describe(
        'A closed cluster whose post count grows by this share (0.5 = +50%) since it was closed is reopened. Default 0.5.',
      ),
    reidentificationFile: z
      .string()
      .optional()
      .describe(
        'JSON file mapping pseudonym to original handle, kept by the operator; reveal is off while unset. Default none (off).',
      ),
    esWriteBack: z
      .boolean()
      .default(true)
      .describe(
        'In cluster mode with the Elasticsearch store, copy status, assignee and labels onto the cluster document (triage.*) for Kibana. Default true.',
      ),
  })
  .prefault({});

/** The validated `triage` section. */
export type TriageConfig = z.infer<typeof triageSchema>;
