/*
 * A deep copy with anything credential-shaped replaced by "[REDACTED]", for logs and dead-letter
 * diagnostics: the same patterns that make the decoder reject an event keep its secret out of
 * everything written about it.
 */
import { credentialKind, isCredentialKey, isSecretValue, REDACTED } from './credential-patterns.js';

export { REDACTED };

const MAX_DEPTH = 64;

function redactString(s: string, underCredentialKey: boolean): string {
  if (underCredentialKey && isSecretValue(s)) return REDACTED;
  return credentialKind(s) === undefined ? s : REDACTED;
}

function copy(v: unknown, depth: number, underCredentialKey: boolean, seen: WeakSet<object>): unknown {
  if (typeof v === 'string') return redactString(v, underCredentialKey);
  if (v === null || typeof v !== 'object') return v;
  if (seen.has(v)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Too deep]';
  seen.add(v);
  try {
    if (Array.isArray(v)) return v.map((item) => copy(item, depth + 1, underCredentialKey, seen));
    const proto = Object.getPrototypeOf(v) as unknown;
    const isError = v instanceof Error;
    // Dates, buffers, maps and the like hold no strings worth a secret scan here; they pass through.
    if (proto !== Object.prototype && proto !== null && !isError) return v;
    const out: Record<string, unknown> = {};
    if (isError) {
      out.name = v.name;
      out.message = redactString(v.message, false);
      if (v.stack !== undefined) out.stack = redactString(v.stack, false);
    }
    for (const [key, value] of Object.entries(v)) {
      let outKey = key;
      if (credentialKind(key) !== undefined) {
        outKey = REDACTED;
        for (let n = 2; outKey in out; n++) outKey = `${REDACTED}-${n}`;
      }
      out[outKey] = copy(value, depth + 1, isCredentialKey(key), seen);
    }
    return out;
  } finally {
    seen.delete(v);
  }
}

/** A deep copy of `value` with credential-shaped strings (and credential-shaped keys) replaced by "[REDACTED]". */
export function redactCredentials<T>(value: T): T {
  return copy(value, 0, false, new WeakSet()) as T;
}
