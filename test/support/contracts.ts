// Compiled validators of the shared contracts (shared/contracts, copied to pipelines/contracts and kept equal by
// test/workers/validate-post.test.ts), so every test checks outputs against the same schemas the same way; and of the
// project's own schemas, not shared yet: cluster evidence (pipelines/contracts/cluster-evidence.schema.json) and the
// optional additions to the signals file (pipelines/contracts/signals-extensions.schema.json); and the shared signals
// contract with the patch proposed for it applied (pipelines/contracts/signals.shared-patch.json, docs/contracts.md).
import { createRequire } from 'node:module';
import clusterEvidenceSchema from '../../pipelines/contracts/cluster-evidence.schema.json' with { type: 'json' };
import enrichedSchema from '../../pipelines/contracts/enriched-post.schema.json' with { type: 'json' };
import normalizedSchema from '../../pipelines/contracts/normalized-post.schema.json' with { type: 'json' };
import signalsExtensionsSchema from '../../pipelines/contracts/signals-extensions.schema.json' with { type: 'json' };
import signalsSchema from '../../pipelines/contracts/signals.schema.json' with { type: 'json' };
import sharedPatch from '../../pipelines/contracts/signals.shared-patch.json' with { type: 'json' };

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

/** One operation of the proposed patch: RFC 6902 `add` (the only kind it may hold: it adds, never changes). */
export interface SchemaPatchOp {
  op: string;
  path: string;
  value: unknown;
}

/** The patch proposed for shared/contracts/signals.schema.json. */
export const SHARED_SIGNALS_PATCH: readonly SchemaPatchOp[] = sharedPatch;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Applies RFC 6902 `add` operations to a copy of `schema` (the input is not changed). An `add` onto an existing member
 * or under a missing parent throws: the proposal may only add what is not there.
 */
export function applySchemaPatch(schema: unknown, ops: readonly SchemaPatchOp[]): Record<string, unknown> {
  const out: unknown = structuredClone(schema);
  if (!isObject(out)) throw new Error('schema is not an object');
  for (const { op, path, value } of ops) {
    if (op !== 'add') throw new Error(`${path}: op ${op} is not add`);
    // RFC 6901: ~1 is '/', ~0 is '~'.
    const keys = path
      .split('/')
      .slice(1)
      .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    let parent: unknown = out;
    for (const k of keys) parent = isObject(parent) ? parent[k] : undefined;
    if (!isObject(parent) || last === undefined) throw new Error(`${path}: no such parent`);
    if (last in parent) throw new Error(`${path}: already there`);
    parent[last] = structuredClone(value);
  }
  return out;
}

/** Compiles the shared signals contract with the proposed patch applied, cluster-evidence.schema.json beside it. */
export function compilePatchedSharedSignals(): ReturnType<typeof ajv.compile> {
  const own = new Ajv2020({ allErrors: true, strict: false });
  addFormats(own);
  own.addSchema(clusterEvidenceSchema);
  return own.compile(applySchemaPatch(signalsSchema, SHARED_SIGNALS_PATCH));
}
/** The shared signals contract as it is (no patch). */
export const validSharedSignals = sharedSignals;
