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

// One-value keys, per groupBy list and value: the same agents and tokens come back event after
// event, and building the key (JSON.stringify) per event and rule was the engine's largest single
// cost. Keys are immutable, so one object serves every event. Bounded: a list's cache is cleared when full.
const singleKeys = new WeakMap<readonly string[], Map<string, GroupKey>>();
const SINGLE_KEY_LIMIT = 100_000;

function singleKey(groupBy: readonly string[], s: string): GroupKey {
  let byValue = singleKeys.get(groupBy);
  if (byValue === undefined) {
    byValue = new Map();
    singleKeys.set(groupBy, byValue);
  }
  let key = byValue.get(s);
  if (key === undefined) {
    if (byValue.size >= SINGLE_KEY_LIMIT) byValue.clear();
    key = new EventGroupKey(JSON.stringify([s]), groupBy, s);
    byValue.set(s, key);
  }
  return key;
}

function scalarText(v: unknown): string | undefined {
  if (v === undefined || v === null || typeof v === 'object') return undefined;
  return typeof v === 'string' ? v : String(v);
}

/** The rule's group key for an event, or undefined when a groupBy field is absent (the rule does not measure this event). */
export function groupKeyOf(groupBy: readonly string[], event: DecodedEvent): GroupKey | undefined {
  if (groupBy.length === 1) {
    const s = scalarText(valueAt(event, groupBy[0]!));
    return s === undefined ? undefined : singleKey(groupBy, s);
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

/**
 * A short fingerprint of a rule's state parameters: changing a window or history starts its state
 * afresh. A baseline's `growth` is left out: it says how new peaks are learned, not what the stored
 * ones mean, so changing it keeps what was learned (and the fingerprints of state written before it).
 */
export function stateFingerprint(ruleId: string, spec: unknown): string {
  const h = createHash('sha256')
    .update(JSON.stringify(spec, (key, value: unknown) => (key === 'growth' ? undefined : value)))
    .digest('hex');
  return `${ruleId}#${h.slice(0, 8)}`;
}
