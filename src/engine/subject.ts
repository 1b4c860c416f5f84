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
  let v: unknown = event.event;
  for (const seg of segments(path)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

export interface GroupKey {
  /** Stable text form, used as the state key. */
  text: string;
  values: Record<string, string>;
}

/** The rule's group key for an event, or undefined when a groupBy field is absent (the rule does not measure this event). */
export function groupKeyOf(groupBy: readonly string[], event: DecodedEvent): GroupKey | undefined {
  if (groupBy.length === 1) {
    // The common case (one field, usually agent.id), without the intermediate arrays.
    const path = groupBy[0]!;
    const v = valueAt(event, path);
    if (v === undefined || v === null || typeof v === 'object') return undefined;
    const s = String(v);
    return { text: JSON.stringify([s]), values: { [path]: s } };
  }
  const values: Record<string, string> = {};
  const parts: string[] = [];
  for (const path of groupBy) {
    const v = valueAt(event, path);
    if (v === undefined || v === null || typeof v === 'object') return undefined;
    const s = String(v);
    values[path] = s;
    parts.push(s);
  }
  return { text: JSON.stringify(parts), values };
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
