// Compiled validators of the shared contracts (shared/contracts, copied to pipelines/contracts and kept equal by
// test/workers/validate-post.test.ts), so every test checks outputs against the same schemas the same way; and of the
// project's own cluster-evidence schema (pipelines/contracts/cluster-evidence.schema.json, not shared yet).
import { createRequire } from 'node:module';
import clusterEvidenceSchema from '../../pipelines/contracts/cluster-evidence.schema.json' with { type: 'json' };
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
/** Validates a cluster's `evidence` array. */
export const validClusterEvidence = ajv.compile(clusterEvidenceSchema);
