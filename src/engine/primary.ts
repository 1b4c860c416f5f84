/*
 * Plans and decides the rules that read events directly (every kind but composite): what each
 * event contributes to the store, and, once the store has answered, whether the rule fires.
 */
import {
  evaluateAllowlist,
  evaluateNewLocation,
  evaluateTimeOfDay,
  evaluateTravel,
  evaluateWindow,
  localTime,
  type Hit,
} from '../detectors/index.js';
import type { DecodedEvent } from '../events/types.js';
import type { CompiledRule, GeoRule, TimeOfDayRule, WindowRule } from '../rules/types.js';
import { slotSizeFor } from '../state/index.js';
import type { ProfileSpec, SeenSpec, StoreOp, TravelSpec, WindowSpec } from '../state/types.js';
import type { Plan } from './plan.js';
import { stateFingerprint, type GroupKey } from './subject.js';

/** A decision waiting for the store's answer. */
export type Pending = () => Hit | undefined;

/** How long a position is remembered for impossible-travel checks. */
export const TRAVEL_RETAIN_MS = 24 * 3_600_000;

const specs = new WeakMap<CompiledRule, Map<string, { stateRule: string; spec: unknown }>>();

/** The store spec and state id of one kind of a rule's state (its window, its cooldown, ...), computed once per compiled rule. */
function stateOf<S>(rule: CompiledRule, purpose: StoreOp['type'], make: () => S): { stateRule: string; spec: S } {
  let byPurpose = specs.get(rule);
  if (!byPurpose) {
    byPurpose = new Map();
    specs.set(rule, byPurpose);
  }
  let s = byPurpose.get(purpose);
  if (!s) {
    const spec = make();
    s = { stateRule: stateFingerprint(rule.id, spec), spec };
    byPurpose.set(purpose, s);
  }
  return s as { stateRule: string; spec: S };
}

export function planPrimary(rule: Exclude<CompiledRule, { kind: 'composite' }>, e: DecodedEvent, group: GroupKey, plan: Plan): Pending | undefined {
  switch (rule.kind) {
    case 'rate':
    case 'bulk_download':
      return planWindow(rule, e, group, plan);
    case 'time_of_day':
      return planTimeOfDay(rule, e, group, plan);
    case 'geo':
      return planGeo(rule, e, group, plan);
    case 'match':
      return () => ({ reason: 'matched', evidence: {}, windowStartMs: e.timeMs });
  }
}

function planWindow(rule: WindowRule, e: DecodedEvent, group: GroupKey, plan: Plan): Pending {
  const { stateRule, spec } = stateOf<WindowSpec>(rule, 'window', () => ({
    windowMs: rule.windowMs,
    slotMs: slotSizeFor(rule.windowMs),
    ...(rule.baseline
      ? { baseline: { metric: rule.baseline.metric, bucketMs: rule.baseline.bucketMs, historyMs: rule.baseline.historyMs } }
      : {}),
  }));
  const volume = e.event.volume;
  const ref = plan.add('window', { rule: stateRule, group: group.text }, spec, {
    id: e.event.id,
    timeMs: e.timeMs,
    bytes: volume?.bytes ?? 0,
    records: volume?.records ?? 0,
  });
  return () => evaluateWindow(rule, e.timeMs, plan.observation(ref));
}

function planTimeOfDay(rule: TimeOfDayRule, e: DecodedEvent, group: GroupKey, plan: Plan): Pending {
  const zone = rule.timezone === 'principal' ? (e.event.principal?.timezone ?? rule.fallbackTimezone) : rule.timezone;
  const local = localTime(e.timeMs, zone);
  const learned = rule.learned;
  if (!learned) return () => evaluateTimeOfDay(rule, e.timeMs, zone, local, undefined);
  const { stateRule, spec } = stateOf<ProfileSpec>(rule, 'profile', () => ({ historyMs: learned.historyMs }));
  const ref = plan.add('profile', { rule: stateRule, group: group.text }, spec, { id: e.event.id, timeMs: e.timeMs, hourOfWeek: local.hourOfWeek });
  return () => evaluateTimeOfDay(rule, e.timeMs, zone, local, plan.observation(ref));
}

function planGeo(rule: GeoRule, e: DecodedEvent, group: GroupKey, plan: Plan): Pending | undefined {
  const source = e.event.source;
  switch (rule.check) {
    case 'country_allowlist':
      return () => evaluateAllowlist(rule, e.timeMs, source?.country);
    case 'new_location': {
      const value = rule.on === 'country' ? source?.country : rule.on === 'network' ? source?.network : source?.device?.id;
      if (value === undefined) return undefined;
      const { stateRule, spec } = stateOf<SeenSpec>(rule, 'seen', () => ({ historyMs: rule.historyMs }));
      const ref = plan.add('seen', { rule: stateRule, group: group.text }, spec, { id: e.event.id, timeMs: e.timeMs, value });
      return () => evaluateNewLocation(rule, e.timeMs, value, plan.observation(ref));
    }
    case 'impossible_travel': {
      const lat = source?.lat;
      const lon = source?.lon;
      if (typeof lat !== 'number' || typeof lon !== 'number') return undefined;
      const { stateRule, spec } = stateOf<TravelSpec>(rule, 'travel', () => ({ retainMs: TRAVEL_RETAIN_MS }));
      const here = { id: e.event.id, timeMs: e.timeMs, lat, lon, ...(source?.country ? { country: source.country } : {}) };
      const ref = plan.add('travel', { rule: stateRule, group: group.text }, spec, here);
      return () => evaluateTravel(rule, here, plan.observation(ref));
    }
  }
}

export { stateOf };
