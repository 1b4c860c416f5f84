/*
 * Structural validation (types, required fields, ranges, enums) by an Ajv validator compiled from
 * the published schema, and the translation of Ajv's first error into a sentence an emitter's
 * developer understands. Semantic checks Ajv cannot express well live in semantics.ts.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { eventJsonSchema, type EventShape } from './schema.js';
import { formatPath, showValue, type PathSegment } from './reason.js';
import { countryFault } from './semantics.js';

// Formats are annotations in the published schema; time is checked by hand (stricter, and it
// yields the epoch milliseconds the engine needs). verbose gives each error its schema and data.
const ajv = new Ajv({ allErrors: false, verbose: true, validateFormats: false, strict: true });
const validate = ajv.compile<EventShape>(eventJsonSchema);

interface FieldSchema {
  type?: string;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: FieldSchema;
}

// "must be <expected>": the whole constraint of a field, so one sentence says what would pass.
function expected(s: FieldSchema): string {
  if (s.enum) return `one of ${s.enum.join(', ')}`;
  switch (s.type) {
    case 'string':
      if (s.minLength !== undefined && s.maxLength !== undefined) return `a string of ${s.minLength}-${s.maxLength} characters`;
      if (s.maxLength !== undefined) return `a string of at most ${s.maxLength} characters`;
      return s.minLength === 1 ? 'a non-empty string' : 'a string';
    case 'number':
    case 'integer': {
      const kind = s.type === 'number' ? 'a number' : 'an integer';
      if (s.minimum !== undefined && s.maximum !== undefined) return `${kind} from ${s.minimum} to ${s.maximum}`;
      if (s.minimum !== undefined) return `${kind} >= ${s.minimum}`;
      return kind;
    }
    case 'boolean':
      return 'true or false';
    case 'array':
      return s.items?.type === 'string' ? 'an array of strings' : 'an array';
    case 'object':
      return 'an object';
    default:
      return 'valid';
  }
}

// Ajv paths are JSON pointers; walking the data alongside tells array indices from keys.
function pathOf(pointer: string, root: unknown): PathSegment[] {
  const out: PathSegment[] = [];
  if (pointer === '') return out;
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out.push(Number(key));
      cur = cur[Number(key)];
    } else {
      out.push(key);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}

function describe(err: ErrorObject, root: unknown): string {
  const path = pathOf(err.instancePath, root);
  const field = formatPath(path);
  const schema = (err.parentSchema ?? {}) as FieldSchema;
  switch (err.keyword) {
    case 'required': {
      const missing = (err.params as { missingProperty: string }).missingProperty;
      return `${formatPath([...path, missing])}: required field is missing`;
    }
    case 'enum':
      return `${field}: ${showValue(err.data)} is not one of ${(schema.enum ?? []).join(', ')}`;
    case 'minLength':
    case 'maxLength':
      if (schema.maxLength !== undefined && schema.minLength !== undefined) return `${field}: must be ${schema.minLength}-${schema.maxLength} characters`;
      if (err.keyword === 'maxLength') return `${field}: must be at most ${schema.maxLength} characters`;
      return `${field}: must not be empty`;
    case 'pattern':
      // Only source.country carries a pattern; it gets the country sentence.
      return `${field}: ${countryFault(err.data)}`;
    default:
      return `${field}: must be ${expected(schema)} (got ${showValue(err.data)})`;
  }
}

/** The first structural problem of an object (already known to be a plain object), or undefined. */
export function checkStructure(obj: object): string | undefined {
  if (validate(obj)) return undefined;
  const err = validate.errors?.[0];
  return err ? describe(err, obj) : 'does not match the AgentAccessEvent v1 schema';
}
