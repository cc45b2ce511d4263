// The `kibana` config section: where Kibana is, how to authenticate, which space to import into, and what the
// generated dashboards show that is not in the index templates (election events, the triage application's URL).
import { z } from 'zod';

/** An event drawn as an annotation on the Verkiezingen monitor's time charts. */
export const kibanaEventSchema = z.object({
  at: z.iso.datetime({ offset: true }).describe('When the event happens (ISO date-time). Required.'),
  label: z.string().min(1).max(80).describe('Short label shown on the chart, e.g. "Lijsttrekkersdebat". Required.'),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/)
    .default('#BD271E')
    .describe('Annotation colour (#RRGGBB). Default #BD271E.'),
});

/** The `kibana` section. */
export const kibanaSchema = z
  .object({
    url: z
      .string()
      .url()
      .default('http://127.0.0.1:5601')
      .describe('Kibana base URL (env MID_KIBANA_URL). Default http://127.0.0.1:5601.'),
    space: z
      .string()
      .regex(/^[a-z0-9_-]+$/, 'a Kibana space id (lower case, digits, _ and -)')
      .optional()
      .describe('Space to import into (env MID_KIBANA_SPACE); unset means the default space. Default none.'),
    username: z.string().optional().describe('Kibana user for basic auth (env MID_KIBANA_USERNAME). Default none.'),
    password: z
      .string()
      .optional()
      .meta({ secret: true })
      .describe('Password of that user (env MID_KIBANA_PASSWORD). Default none.'),
    apiKey: z
      .string()
      .optional()
      .meta({ secret: true })
      .describe(
        'Encoded API key, sent as "Authorization: ApiKey ..." instead of user and password (env MID_KIBANA_API_KEY). Default none.',
      ),
    requestTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .default(60_000)
      .describe('Timeout of each request to Kibana, ms. Default 60000.'),
    triageUrlTemplate: z
      .string()
      .regex(/^https?:\/\/\S*\{\{id\}\}\S*$/, 'an http(s) URL containing {{id}}')
      .default('http://127.0.0.1:8080/clusters/{{id}}')
      .describe(
        'Link from a cluster id to its evidence view in the triage application; {{id}} is replaced by the cluster id. Default http://127.0.0.1:8080/clusters/{{id}}.',
      ),
    closedStatuses: z
      .array(z.string().min(1))
      .default(['dismissed', 'closed'])
      .describe(
        'triage.status values of clusters that no longer need an analyst (left out of the open-cluster list). Default dismissed, closed.',
      ),
    events: z
      .array(kibanaEventSchema)
      .default([])
      .describe('Events annotated on the Verkiezingen monitor (debates, election day). Default none.'),
  })
  .prefault({});

/** The validated `kibana` section. */
export type KibanaConfig = z.infer<typeof kibanaSchema>;
