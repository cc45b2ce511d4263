// Compiled validators of the shared contracts (shared/contracts, copied to pipelines/contracts and kept equal by
// test/workers/validate-post.test.ts), so every test checks outputs against the same schemas the same way; and of the
// project's own schemas, not shared yet: cluster evidence (pipelines/contracts/cluster-evidence.schema.json) and the
// optional additions to the signals file (pipelines/contracts/signals-extensions.schema.json).
import { createRequire } from 'node:module';
import clusterEvidenceSchema from '../../pipelines/contracts/cluster-evidence.schema.json' with { type: 'json' };
import enrichedSchema from '../../pipelines/contracts/enriched-post.schema.json' with { type: 'json' };
import normalizedSchema from '../../pipelines/contracts/normalized-post.schema.json' with { type: 'json' };
import signalsExtensionsSchema from '../../pipelines/contracts/signals-extensions.schema.json' with { type: 'json' };
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
const sharedSignals = ajv.compile(signalsSchema);
const signalsExtensions = ajv.compile(signalsExtensionsSchema);
/** Validates a signals file against the shared contract and the project's additions; errors of both in `.errors`. */
export const validSignals = Object.assign(
  (data: unknown): boolean => {
    const shared = sharedSignals(data);
    const own = signalsExtensions(data);
    validSignals.errors = [...(sharedSignals.errors ?? []), ...(signalsExtensions.errors ?? [])];
    return shared && own;
  },
  { errors: [] as NonNullable<typeof sharedSignals.errors> },
);
/** Validates a cluster's `evidence` array. */
export const validClusterEvidence = ajv.compile(clusterEvidenceSchema);
