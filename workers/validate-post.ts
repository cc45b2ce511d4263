// Validation of incoming normalized posts against shared/contracts/normalized-post.schema.json (a copy lives in
// pipelines/contracts/; a test keeps it equal to the shared one). Used by `mid analyze`, `mid publish` and the
// enrich worker, so every entry point rejects the same things with the same reasons.
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { NormalizedPost } from '../pipelines/types.ts';
import { jsonErrorMessage } from '../pipelines/redact.ts';
import schema from '../pipelines/contracts/normalized-post.schema.json' with { type: 'json' };

// ajv and ajv-formats are CommonJS with a `default` export; createRequire keeps the types simple under NodeNext.
const require = createRequire(import.meta.url);
const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;

/** Result of {@link validateNormalizedPost}. */
export type PostValidation = { ok: true; post: NormalizedPost } | { ok: false; reason: string };

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : 'post';
  if (error.keyword === 'required')
    return `${where === 'post' ? '' : `${where}.`}${(error.params as { missingProperty: string }).missingProperty} is required`;
  return `${where} ${error.message ?? 'is invalid'}`;
}

/** Checks one parsed JSON value against the normalized-post contract; the reason names the first bad field. */
export function validateNormalizedPost(value: unknown): PostValidation {
  const validate = validator();
  if (!validate(value)) {
    const errors = validate.errors!;
    // An unusable account creation date is a profile defect, not a bad post: keep the post, drop the date.
    if (!errors.every((e) => e.instancePath === '/author/createdAt'))
      return { ok: false, reason: describe(errors[0]!) };
    const post = value as NormalizedPost;
    return { ok: true, post: { ...post, author: { ...post.author, createdAt: null } } };
  }
  const post = value as NormalizedPost;
  // The schema's date-time format accepts a few strings Date cannot parse; the pipeline needs a real instant.
  if (Number.isNaN(Date.parse(post.createdAt)))
    return { ok: false, reason: `createdAt "${post.createdAt}" is not a valid date` };
  return { ok: true, post };
}

/** Parses and validates one JSONL line. A leading UTF-8 byte order mark (line 1 of some files) is ignored. */
export function parsePostLine(line: string): PostValidation {
  let value: unknown;
  try {
    value = JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
  } catch (err) {
    return { ok: false, reason: `not valid JSON (${jsonErrorMessage(err)})` }; // V8 quotes the input
  }
  return validateNormalizedPost(value);
}
