// Picks the report source for the configured signal store (sqlite | elasticsearch), mirroring createSignalStore.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { ConfigError } from '../config.ts';
import type { ReportSource } from '../ports/report-source.ts';
import { ElasticsearchReportSource } from './elasticsearch-report-source.ts';
import { SqliteReportSource } from './sqlite-report-source.ts';

/** The report source over the store named by config.store.kind. */
export function createReportSource(config: Config): ReportSource {
  if (config.store.kind === 'sqlite')
    return new SqliteReportSource({ file: config.store.sqliteFile ?? join(config.dataDir, 'signals.db') });
  if (!config.store.esUrl) throw new ConfigError(['store.esUrl: MID_ES_URL must be set when MID_STORE=elasticsearch']);
  const auth = config.store.esApiKey
    ? { apiKey: config.store.esApiKey }
    : config.store.esUsername
      ? { username: config.store.esUsername, password: config.store.esPassword ?? '' }
      : undefined;
  return new ElasticsearchReportSource({ node: config.store.esUrl, auth, prefix: config.store.esPrefix });
}
