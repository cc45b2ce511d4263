// Compiled validators of the shared contracts (shared/contracts, copied to pipelines/contracts and kept equal by
// test/workers/validate-post.test.ts), so every test checks outputs against the same schemas the same way.
import { createRequire } from 'node:module';
import enrichedSchema from '../../pipelines/contracts/enriched-post.schema.json' with { type: 'json' };
import normalizedSchema from '../../pipelines/contracts/normalized-post.schema.json' with { type: 'json' };
import signalsSchema from '../../pipelines/contracts/signals.schema.json' with { type: 'json' };

const require = createRequire(import.meta.url);
const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);

/** Validates one normalized post; errors in `.errors`. */
export const validNormalizedPost = ajv.compile(normalizedSchema);
/** Validates one enriched post (a line of enriched.jsonl). */
export const validEnrichedPost = ajv.compile(enrichedSchema);
/** Validates a signals file. */
export const validSignals = ajv.compile(signalsSchema);
