/*
 * Who a rule measures and whom a detection names: group keys from a rule's groupBy paths, the
 * subject block of a detection, and the stable detection id.
 */
import { createHash } from 'node:crypto';
import type { DecodedEvent } from '../events/types.js';
import type { CompiledRule } from '../rules/types.js';
import type { Detection } from './types.js';

const segmentsCache = new Map<string, readonly string[]>();

function segments(path: string): readonly string[] {
  let s = segmentsCache.get(path);
  if (!s) {
    s = path.split('.');
    segmentsCache.set(path, s);
  }
  return s;
}

/** The value at a dotted path of the event, or undefined. */
export function valueAt(event: DecodedEvent, path: string): unknown {
  const segs = segments(path);
  let v: unknown = event.event;
  for (let i = 0; i < segs.length; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[segs[i]!];
  }
  return v;
}

export interface GroupKey {
  /** Stable text form, used as the state key: the JSON array of the groupBy values as strings. */
  readonly text: string;
  /** The groupBy values by path, for the detection's groupKey. */
  readonly values: Record<string, string>;
}

/** Group keys are built for every event and every distinct groupBy; `values` only when a detection needs it. */
class EventGroupKey implements GroupKey {
  constructor(
    readonly text: string,
    private readonly paths: readonly string[],
    private readonly parts: readonly string[] | string,
  ) {}

  get values(): Record<string, string> {
    const values: Record<string, string> = {};
    if (typeof this.parts === 'string') values[this.paths[0]!] = this.parts;
    else this.paths.forEach((p, i) => (values[p] = this.parts[i]!));
    return values;
  }
}

// Text of one-value keys, by value: the same agents and tokens come back event after event, and
// JSON.stringify per event and rule was the engine's largest single cost. Bounded: cleared when full.
const singleText = new Map<string, string>();
const SINGLE_TEXT_LIMIT = 100_000;

function textOfSingle(s: string): string {
  let text = singleText.get(s);
  if (text === undefined) {
    if (singleText.size >= SINGLE_TEXT_LIMIT) singleText.clear();
    text = JSON.stringify([s]);
    singleText.set(s, text);
  }
  return text;
}

function scalarText(v: unknown): string | undefined {
  if (v === undefined || v === null || typeof v === 'object') return undefined;
  return typeof v === 'string' ? v : String(v);
}

/** The rule's group key for an event, or undefined when a groupBy field is absent (the rule does not measure this event). */
export function groupKeyOf(groupBy: readonly string[], event: DecodedEvent): GroupKey | undefined {
  if (groupBy.length === 1) {
    const s = scalarText(valueAt(event, groupBy[0]!));
    return s === undefined ? undefined : new EventGroupKey(textOfSingle(s), groupBy, s);
  }
  const parts: string[] = [];
  for (const path of groupBy) {
    const s = scalarText(valueAt(event, path));
    if (s === undefined) return undefined;
    parts.push(s);
  }
  return new EventGroupKey(JSON.stringify(parts), groupBy, parts);
}

export function subjectOf(e: DecodedEvent): Detection['subject'] {
  const ev = e.event;
  return {
    agentId: ev.agent.id,
    principalId: ev.principal?.id ?? null,
    tokenId: ev.token.id,
    sessionId: ev.session?.id ?? null,
  };
}

/** Stable across replays and redeliveries: the same rule, subject, span and trigger give the same id. */
export function detectionId(rule: CompiledRule, group: GroupKey, windowStartMs: number, timeMs: number, eventId: string): string {
  const h = createHash('sha256').update(`${rule.id}\n${group.text}\n${windowStartMs}\n${timeMs}\n${eventId}`).digest('hex');
  return `det-${h.slice(0, 24)}`;
}

/** A short fingerprint of a rule's state parameters: changing a window or history starts its state afresh. */
export function stateFingerprint(ruleId: string, spec: unknown): string {
  const h = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
  return `${ruleId}#${h.slice(0, 8)}`;
}
