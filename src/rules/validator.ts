/*
 * The structural validator: Ajv compiled from the very JSON Schema `guardrail schema rules` prints,
 * so an editor and the loader never disagree about what a rule file may hold.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { ruleFileJsonSchema } from './schema.js';

// allErrors: a security engineer fixes every mistake in one pass. verbose: each error carries its
// schema and data, which the sentences in messages.ts need. Formats are left to semantics.ts,
// which parses schedule instants strictly (RFC 3339 with an offset).
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true, validateFormats: false });
const validate = ajv.compile(ruleFileJsonSchema);

export function schemaErrors(data: unknown): readonly ErrorObject[] {
  return validate(data) ? [] : (validate.errors ?? []);
}
