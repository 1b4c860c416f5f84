/*
 * One pass over every value of an event, known fields and unknown alike: it refuses raw
 * credentials (by value or by field name), values JSON cannot carry, and nesting deep enough to
 * endanger code that recurses over events later. Runs before the schema so a secret is reported
 * as a secret even when the event is also malformed.
 */
import { credentialKind, isCredentialKey, isSecretValue, isTokenKind, MIN_CREDENTIAL_LENGTH } from './credential-patterns.js';
import { formatPath, type PathSegment } from './reason.js';

/** Deeper than any real event; guards recursion in the scan and in whatever reads the event next. */
export const MAX_DEPTH = 32;

// The path is collected only while unwinding from a problem (segments in reverse), so the walk over
// a valid event, the common case by far, builds no path at all.
interface Problem {
  reversedPath: PathSegment[];
  sentence: (where: string) => string;
}

function problem(sentence: (where: string) => string): Problem {
  return { reversedPath: [], sentence };
}

const CREDENTIAL_SENTENCE = ': looks like a raw credential (';

/** Whether a decode reason is a credential finding (the event's text holds a secret). */
export function isCredentialReason(reason: string): boolean {
  return reason.includes(CREDENTIAL_SENTENCE);
}

function credential(kind: string, subject = ''): Problem {
  const remedy = isTokenKind(kind) ? 'send the token id (jti), never the token' : 'events must never carry secrets';
  return problem((where) => `${where}${subject}${CREDENTIAL_SENTENCE}${kind}); ${remedy}`);
}

// Short strings (most ids and verbs) skip the patterns; a long one pays one telltale test unless it shows a prefix.
function scanString(s: string, key: string | undefined): Problem | undefined {
  if (s.length >= MIN_CREDENTIAL_LENGTH) {
    const kind = credentialKind(s);
    if (kind !== undefined) return credential(kind);
  }
  if (key !== undefined && isSecretValue(s)) return credential(`a field named ${key.toLowerCase()}`);
  return undefined;
}

// The sentences are built in functions of their own: a closure over a hot function's variables
// would make V8 allocate a context for that function on every call, problem or not.
function tooDeep(): Problem {
  return problem((where) => `${where}: nested deeper than ${MAX_DEPTH} levels`);
}

function notFinite(v: number): Problem {
  return problem((where) => `${where}: must be a finite number (got ${String(v)})`);
}

function notJson(type: string): Problem {
  return problem((where) => `${where}: must be a JSON value (got ${type})`);
}

function notPlain(o: object): Problem {
  const name = (o.constructor as { name?: unknown } | undefined)?.name;
  return notJson(typeof name === 'string' && name !== '' ? name : 'object');
}

// `key` is the name of the field holding `v` when that name only ever carries secrets.
function scanValue(v: unknown, depth: number, key: string | undefined): Problem | undefined {
  if (typeof v === 'string') return scanString(v, key);
  if (typeof v === 'object') {
    if (v === null) return undefined;
    if (depth >= MAX_DEPTH) return tooDeep();
    return Array.isArray(v) ? scanArray(v, depth + 1, key) : scanObject(v, depth + 1);
  }
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : notFinite(v);
  if (typeof v === 'boolean' || v === undefined) return undefined;
  return notJson(typeof v);
}

function scanArray(a: readonly unknown[], depth: number, key: string | undefined): Problem | undefined {
  for (let i = 0; i < a.length; i++) {
    const p = scanValue(a[i], depth, key);
    if (p !== undefined) {
      p.reversedPath.push(i);
      return p;
    }
  }
  return undefined;
}

function scanObject(o: object, depth: number): Problem | undefined {
  const proto = Object.getPrototypeOf(o) as unknown;
  if (proto !== Object.prototype && proto !== null) return notPlain(o);
  const record = o as Record<string, unknown>;
  // for-in rather than Object.keys: V8 reads the values through its enum cache instead of a
  // generic keyed lookup per field. Inherited enumerable fields could only come from a polluted
  // Object.prototype, and scanning those too is harmless.
  for (const key in record) {
    // A secret used as a field name: name the object holding it, never the name itself.
    if (key.length >= MIN_CREDENTIAL_LENGTH) {
      const kind = credentialKind(key);
      if (kind !== undefined) return credential(kind, ': a field name');
    }
    const p = scanValue(record[key], depth, isCredentialKey(key) ? key : undefined);
    if (p !== undefined) {
      p.reversedPath.push(key);
      return p;
    }
  }
  return undefined;
}

/** The first problem found in the event's values, or undefined if none. Never echoes a credential. */
export function scanValues(root: unknown): string | undefined {
  const p = scanValue(root, 0, undefined);
  if (p === undefined) return undefined;
  const path = p.reversedPath.reverse();
  return p.sentence(path.length === 0 ? 'the event' : formatPath(path));
}
