// The `store` section of the configuration: which signal store adapter (SQLite in dataDir or Elasticsearch), its
// connection and retention.
import { z } from 'zod';

/** The `store` section. */
export const storeConfigSchema = z.object({
  kind: z
    .enum(['sqlite', 'elasticsearch'])
    .default('sqlite')
    .describe('Signal store adapter (env MID_STORE). Default sqlite.'),
  esUrl: z
    .string()
    .optional()
    .meta({ secret: 'url-password' })
    .describe('Elasticsearch URL (env MID_ES_URL). Default none.'),
  esUsername: z.string().optional().describe('Elasticsearch user (env MID_ES_USERNAME). Default none.'),
  esPassword: z
    .string()
    .optional()
    .meta({ secret: true })
    .describe('Elasticsearch password (env MID_ES_PASSWORD). Default none.'),
  esApiKey: z
    .string()
    .optional()
    .meta({ secret: true })
    .describe('Elasticsearch API key, instead of user and password (env MID_ES_API_KEY). Default none.'),
  esPrefix: z
    .string()
    .default('mid')
    .describe('Prefix of Elasticsearch indices, templates and the ILM policy. Default mid.'),
  sqliteFile: z.string().optional().describe('SQLite database file. Default <dataDir>/signals.db.'),
  retentionDays: z
    .number()
    .int()
    .positive()
    .default(90)
    .describe('Posts older than this are purged (ILM in Elasticsearch, purge job in SQLite). Default 90.'),
  purgeEveryMs: z
    .number()
    .int()
    .min(1000)
    .default(3_600_000)
    .describe('How often the index worker runs the retention purge. Default 3600000.'),
  openClusterHours: z
    .number()
    .positive()
    .default(24)
    .describe(
      'A cluster is open while its last post is within this many hours of the newest cluster activity. Default 24.',
    ),
});

/** The validated `store` section. */
export type StoreConfig = z.infer<typeof storeConfigSchema>;
