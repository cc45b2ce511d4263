// `npm run kibana:generate`: writes dashboards/kibana-saved-objects.ndjson for the default configuration (prefix
// "mid", default `kibana` section), whatever the environment says; a test checks the committed file equals it.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { kibanaSchema } from './config.ts';
import { generateSavedObjects, toNdjson } from './generate.ts';

/** Path of the committed export. */
export const COMMITTED_FILE = fileURLToPath(new URL('../kibana-saved-objects.ndjson', import.meta.url));

/** The NDJSON for the default configuration. */
export function defaultNdjson(): string {
  return toNdjson(generateSavedObjects({ prefix: 'mid', kibana: kibanaSchema.parse({}) }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(COMMITTED_FILE, defaultNdjson());
  process.stdout.write(`wrote ${COMMITTED_FILE}\n`);
}
