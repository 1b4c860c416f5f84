/*
 * The hot path: raw Kafka bytes (or a replay line) to a validated DecodedEvent. Never throws on any
 * input: a bad event is a DecodeResult with a reason, bound for the dead-letter topic. Order:
 * parse, credential and value scan, structure, contents. Only the first problem is reported: one
 * stable sentence per fault keeps reasons groupable (replay and the DLQ count events by reason).
 */
import { jsonErrorReason } from './json-error.js';
import { scanValues } from './scan.js';
import type { EventShape } from './schema.js';
import { checkSemantics } from './semantics.js';
import { checkStructure } from './structure.js';
import type { AgentAccessEvent, DecodeResult } from './types.js';

// fatal: malformed UTF-8 is a bad event, not text to repair with U+FFFD. One pass validates and decodes.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(reason: string): DecodeResult {
  return { ok: false, reason };
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'array' : typeof v;
}

/** Decodes one event from its JSON text or UTF-8 bytes. */
export function decodeEvent(raw: string | Uint8Array): DecodeResult {
  let text: string;
  if (typeof raw === 'string') {
    text = raw;
  } else if (raw instanceof Uint8Array) {
    try {
      text = utf8.decode(raw);
    } catch {
      return fail('not valid UTF-8');
    }
  } else {
    return fail(`the event must be JSON text or bytes (got ${kindOf(raw)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return fail(jsonErrorReason(text, err instanceof Error ? err.message : ''));
  }
  return decodeEventObject(parsed);
}

/** Validates an already-parsed event (e.g. from a test or a YAML rule test file). Keeps a reference, no copy. */
export function decodeEventObject(obj: unknown): DecodeResult {
  try {
    return decodeParsed(obj);
  } catch (err) {
    // Only objects built in code can get here (getters or proxies that throw); their message is not ours to echo.
    return fail(`the event could not be read (${err instanceof Error ? err.name : kindOf(err)})`);
  }
}

function decodeParsed(obj: unknown): DecodeResult {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return fail(`the event must be a JSON object (got ${kindOf(obj)})`);
  }
  const valueProblem = scanValues(obj);
  if (valueProblem !== undefined) return fail(valueProblem);
  const structureProblem = checkStructure(obj);
  if (structureProblem !== undefined) return fail(structureProblem);
  // Assigning the schema's static type to the contract type makes the compiler catch any drift between them.
  const shaped: EventShape = obj as EventShape;
  const event: AgentAccessEvent = shaped;
  const timeMs = checkSemantics(event);
  if (typeof timeMs === 'string') return fail(timeMs);
  return { ok: true, value: { event, timeMs } };
}
