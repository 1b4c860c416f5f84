/*
 * Plans and decides the rules that read events directly (every kind but composite): what each
 * event contributes to the store, and, once the store has answered, whether the rule fires.
 * Each rule is compiled once into a planner, so the per-event path only reads fields and queues input.
 */
import {
  evaluateAllowlist,
  evaluateNewLocation,
  evaluateTimeOfDay,
  evaluateTravel,
  evaluateWindow,
  localTime,
  type Hit,
  type LocalTime,
} from '../detectors/index.js';
import type { DecodedEvent } from '../events/types.js';
import type { BaselineSpec, CompiledRule, CountryAllowlistRule, GeoRule, ImpossibleTravelRule, NewLocationRule, TimeOfDayRule, WindowRule } from '../rules/types.js';
import { slotSizeFor } from '../state/index.js';
import { GROWTH_GUARD_MS, type Position, type ProfileInput, type SeenInput, type SpecOf, type StoreOp, type WindowInput } from '../state/types.js';
import { stateSlot, type Plan, type Ref, type RuleState } from './plan.js';
import { stateFingerprint, type GroupKey } from './subject.js';

/** A decision waiting for the store's answer. */
export type Pending = () => Hit | undefined;

const NO_HIT: Pending = () => undefined;

// With an immediate plan, each planner reuses one input object: the in-process store reads an input
// while applying it and keeps none (MemoryTravel copies the position it remembers), and detectors
// copy what they report. Inputs of a batch plan are kept until the store answers, so they are new.
//
// The per-event planners create no closures themselves: a closure over a function's variables makes
// V8 allocate a context for every call of that function, taken or not. Closures are made here.

/** A decision already made (immediate plans): most events fire nothing and share one function. */
function decided(hit: Hit | undefined): Pending {
  return hit === undefined ? NO_HIT : fired(hit);
}

function fired(hit: Hit): Pending {
  return () => hit;
}

function laterWindow(rule: WindowRule, timeMs: number, plan: Plan, ref: Ref<'window'>): Pending {
  return () => evaluateWindow(rule, timeMs, plan.observation(ref));
}

function laterTimeOfDay(rule: TimeOfDayRule, timeMs: number, zone: string, local: LocalTime, plan: Plan, ref: Ref<'profile'> | undefined): Pending {
  return () => evaluateTimeOfDay(rule, timeMs, zone, local, ref && plan.observation(ref));
}

function laterNewLocation(rule: NewLocationRule, timeMs: number, value: string, plan: Plan, ref: Ref<'seen'>): Pending {
  return () => evaluateNewLocation(rule, timeMs, value, plan.observation(ref));
}

function laterTravel(rule: ImpossibleTravelRule, here: Position, plan: Plan, ref: Ref<'travel'>): Pending {
  return () => evaluateTravel(rule, here, plan.observation(ref));
}

function laterAllowlist(rule: CountryAllowlistRule, timeMs: number, country: string | undefined): Pending {
  return () => evaluateAllowlist(rule, timeMs, country);
}

function matched(timeMs: number): Pending {
  return () => ({ reason: 'matched', evidence: {}, windowStartMs: timeMs });
}

/** Queues one event's store input for a rule and returns its decision, or undefined when the rule cannot judge the event. */
export type Planner = (e: DecodedEvent, group: GroupKey, plan: Plan) => Pending | undefined;

export type PrimaryRule = Exclude<CompiledRule, { kind: 'composite' }>;

/** How long a position is remembered for impossible-travel checks. */
export const TRAVEL_RETAIN_MS = 24 * 3_600_000;

const states = new WeakMap<CompiledRule, Map<string, RuleState<StoreOp['type']>>>();

/** One kind of a rule's state (its window, its cooldown, ...) with its spec and state id, computed once per compiled rule. */
export function stateOf<T extends StoreOp['type']>(rule: CompiledRule, type: T, make: () => SpecOf<T>): RuleState<T> {
  let byType = states.get(rule);
  if (!byType) {
    byType = new Map();
    states.set(rule, byType);
  }
  let s = byType.get(type);
  if (!s) {
    const spec = make();
    const stateRule = stateFingerprint(rule.id, spec);
    s = { type, stateRule, spec, slot: stateSlot(type, stateRule) } as RuleState<StoreOp['type']>;
    byType.set(type, s);
  }
  return s as unknown as RuleState<T>;
}

export function plannerFor(rule: PrimaryRule): Planner {
  switch (rule.kind) {
    case 'rate':
    case 'bulk_download':
      return windowPlanner(rule);
    case 'time_of_day':
      return timeOfDayPlanner(rule);
    case 'geo':
      return geoPlanner(rule);
    case 'match':
      return (e) => matched(e.timeMs);
  }
}

/**
 * The least a learned peak is capped at: the peak below which an observation of minObserved would
 * already be over it by overPeak. Capping lower would hide nothing more (the rule cannot fire under
 * minObserved), and would only make a group whose history is nearly empty (reads that move a few
 * bytes) take many more days to learn its first real level.
 */
function growthFloor(b: BaselineSpec): number {
  return b.minObserved / Math.max(b.overPeak, 1);
}

function windowPlanner(rule: WindowRule): Planner {
  const state = stateOf(rule, 'window', () => ({
    windowMs: rule.windowMs,
    slotMs: slotSizeFor(rule.windowMs),
    ...(rule.baseline
      ? {
          baseline: {
            metric: rule.baseline.metric,
            bucketMs: rule.baseline.bucketMs,
            historyMs: rule.baseline.historyMs,
            ...(rule.baseline.growth > 0 ? { growth: { factor: rule.baseline.growth, floor: growthFloor(rule.baseline), guardMs: GROWTH_GUARD_MS } } : {}),
          },
        }
      : {}),
  }));
  const scratch: WindowInput = { id: '', timeMs: 0.5, bytes: 0.5, records: 0.5 };
  return (e, group, plan) => {
    const volume = e.event.volume;
    const input = plan.immediate ? scratch : { id: '', timeMs: 0, bytes: 0, records: 0 };
    input.id = e.event.id;
    input.timeMs = e.timeMs;
    input.bytes = volume?.bytes ?? 0;
    input.records = volume?.records ?? 0;
    if (plan.immediate) return decided(evaluateWindow(rule, e.timeMs, plan.observe(state, group.text, input)));
    return laterWindow(rule, e.timeMs, plan, plan.add(state, group.text, input));
  };
}

function timeOfDayPlanner(rule: TimeOfDayRule): Planner {
  const zoneOf = (e: DecodedEvent) => (rule.timezone === 'principal' ? (e.event.principal?.timezone ?? rule.fallbackTimezone) : rule.timezone);
  const learned = rule.learned;
  if (!learned) {
    return (e, _group, plan) => {
      const zone = zoneOf(e);
      const local = localTime(e.timeMs, zone);
      if (plan.immediate) return decided(evaluateTimeOfDay(rule, e.timeMs, zone, local, undefined));
      return laterTimeOfDay(rule, e.timeMs, zone, local, plan, undefined);
    };
  }
  const state = stateOf(rule, 'profile', () => ({ historyMs: learned.historyMs }));
  const scratch: ProfileInput = { id: '', timeMs: 0.5, hourOfWeek: 0 };
  return (e, group, plan) => {
    const zone = zoneOf(e);
    const local = localTime(e.timeMs, zone);
    const input = plan.immediate ? scratch : { id: '', timeMs: 0, hourOfWeek: 0 };
    input.id = e.event.id;
    input.timeMs = e.timeMs;
    input.hourOfWeek = local.hourOfWeek;
    if (plan.immediate) return decided(evaluateTimeOfDay(rule, e.timeMs, zone, local, plan.observe(state, group.text, input)));
    return laterTimeOfDay(rule, e.timeMs, zone, local, plan, plan.add(state, group.text, input));
  };
}

function geoPlanner(rule: GeoRule): Planner {
  switch (rule.check) {
    case 'country_allowlist':
      return (e) => laterAllowlist(rule, e.timeMs, e.event.source?.country);
    case 'new_location': {
      const state = stateOf(rule, 'seen', () => ({ historyMs: rule.historyMs }));
      const on = rule.on;
      const scratch: SeenInput = { id: '', timeMs: 0.5, value: '' };
      return (e, group, plan) => {
        const source = e.event.source;
        const value = on === 'country' ? source?.country : on === 'network' ? source?.network : source?.device?.id;
        if (value === undefined) return undefined;
        const input = plan.immediate ? scratch : { id: '', timeMs: 0, value: '' };
        input.id = e.event.id;
        input.timeMs = e.timeMs;
        input.value = value;
        if (plan.immediate) return decided(evaluateNewLocation(rule, e.timeMs, value, plan.observe(state, group.text, input)));
        return laterNewLocation(rule, e.timeMs, value, plan, plan.add(state, group.text, input));
      };
    }
    case 'impossible_travel': {
      const state = stateOf(rule, 'travel', () => ({ retainMs: TRAVEL_RETAIN_MS }));
      const scratch: Position = { id: '', timeMs: 0.5, lat: 0.5, lon: 0.5, country: undefined };
      return (e, group, plan) => {
        const source = e.event.source;
        const lat = source?.lat;
        const lon = source?.lon;
        if (typeof lat !== 'number' || typeof lon !== 'number') return undefined;
        const here = plan.immediate ? scratch : { id: '', timeMs: 0, lat: 0, lon: 0, country: undefined };
        here.id = e.event.id;
        here.timeMs = e.timeMs;
        here.lat = lat;
        here.lon = lon;
        here.country = source?.country || undefined;
        if (plan.immediate) return decided(evaluateTravel(rule, here, plan.observe(state, group.text, here)));
        return laterTravel(rule, here, plan, plan.add(state, group.text, here));
      };
    }
  }
}
