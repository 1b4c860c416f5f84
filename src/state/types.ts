/*
 * The state store interface. The engine groups a batch's work by state key (one rule and one group
 * key) and hands the store one operation per key with that key's inputs in arrival order; the store
 * applies each operation atomically and returns one observation per input. A Redis store runs one
 * Lua call per operation, all pipelined: one round trip per key per batch.
 *
 * Semantics every implementation keeps (the conformance suite checks them):
 * - Inputs are applied in order; each observation reflects every earlier input, in this batch or
 *   before, so results do not depend on how the stream was cut into batches.
 * - An input whose id was already applied to the same key within `dedupHorizonMs` changes nothing
 *   and is reported `duplicate: true` (with the observation the state gives now). An input id comes
 *   with its event's time: one later than every input the key remembers is new without a lookup.
 *   markSeen, the stream-level memory, looks every id up.
 * - State older than the operation's retention (its history or window) is dropped.
 */

export interface Sums {
  count: number;
  bytes: number;
  records: number;
}

/** Where a piece of state belongs: the rule's id and the group key (stable JSON of groupBy values). */
export interface StateKey {
  rule: string;
  group: string;
}

/** Sliding window sums on event time, with an optional learned baseline of per-bucket peaks. */
export interface WindowSpec {
  windowMs: number;
  /** Window resolution: sums are kept in slots of this size. windowMs is a multiple of it. */
  slotMs: number;
  baseline?: {
    metric: keyof Sums;
    bucketMs: number;
    historyMs: number;
    /**
     * How fast the baseline may learn: a bucket's peak is recorded as at most `factor` times the
     * largest peak of the history's buckets that ended `guardMs` or more before the bucket began
     * (GROWTH_GUARD_MS, a day, from the rules), and never capped below `floor` (the rule's
     * minObserved / max(overPeak, 1): a lower cap would hide nothing the rule could fire on). No cap
     * while fewer than MIN_GROWTH_SAMPLES of those buckets are active, or while all their peaks are
     * 0 (a group that never moved this metric learns its first level as it is). Absent: every peak
     * is recorded as it is. A learning parameter, not a layout: changing it keeps the state
     * (stateFingerprint leaves it out).
     */
    growth?: { factor: number; floor: number; guardMs: number };
  };
}

/** The recent past a bucket's peak cap leaves out: a day, so an anomaly that has run for hours is not its own yardstick. */
export const GROWTH_GUARD_MS = 24 * 3_600_000;
/** Buckets with activity the capping history needs: before that the group is new, and learns freely. */
export const MIN_GROWTH_SAMPLES = 5;

/** Buckets the growth cap leaves out before a bucket: those that ended less than guardMs before it began. */
export function growthGuardBuckets(guardMs: number, bucketMs: number): number {
  return Math.ceil(guardMs / bucketMs);
}

export interface WindowInput {
  id: string;
  timeMs: number;
  bytes: number;
  records: number;
}

export interface BaselineStats {
  /**
   * Median of the metric's per-bucket peaks over the history's buckets that ended before the window
   * began (the buckets the window overlaps hold its own start, and are left out).
   */
  median: number;
  /** Median absolute deviation of the same samples (unscaled). */
  mad: number;
  /** Largest per-bucket peak among the samples (0 when there are none). */
  max: number;
  /** Number of buckets with activity that the statistics were computed from. */
  samples: number;
  /** How long this group has been observed: event time minus its first event inside the history. */
  spanMs: number;
}

export interface WindowObservation {
  duplicate: boolean;
  /** Sums of the window ending at this input's time, this input included. */
  sums: Sums;
  /** Present when the spec has a baseline: the buckets of the history before the one the window begins in. */
  baseline?: BaselineStats;
}

/** Hour-of-week activity profile in local time (the engine converts time zones). */
export interface ProfileSpec {
  historyMs: number;
}

export interface ProfileInput {
  id: string;
  timeMs: number;
  /** 0..167: local day of week (0 = Sunday) * 24 + local hour. */
  hourOfWeek: number;
}

export interface ProfileObservation {
  duplicate: boolean;
  /** Events in the profile before this one (within the history). */
  total: number;
  /** Of those, events at the same local hour of day or the hours either side, any day. */
  nearHour: number;
  /** Event time of the oldest event in the profile, or this event's time if none. */
  firstSeenMs: number;
}

/** The set of values (countries, networks, devices) a group has used within its history. */
export interface SeenSpec {
  historyMs: number;
}

export interface SeenInput {
  id: string;
  timeMs: number;
  value: string;
}

export interface SeenObservation {
  duplicate: boolean;
  /** Whether the value was used before this input within the history. */
  seenBefore: boolean;
  /** Distinct values known before this input. */
  known: number;
  /** Event time of the group's oldest remembered use, or this input's time if none. */
  firstSeenMs: number;
}

/** The last known position of a group, for impossible-travel checks. */
export interface TravelSpec {
  /** How long a position is remembered. */
  retainMs: number;
}

export interface Position {
  id: string;
  timeMs: number;
  lat: number;
  lon: number;
  country?: string;
}

export type TravelInput = Position;

export interface TravelObservation {
  duplicate: boolean;
  /** The latest position before this one (by event time), if any is remembered. */
  previous?: Position;
}

/** Signals feeding a composite rule, per subject. */
export interface SignalSpec {
  withinMs: number;
}

export interface SignalInput {
  /** The id of the event that raised the signal, suffixed with the signalling rule. */
  id: string;
  timeMs: number;
  rule: string;
  eventId: string;
  /** Why the signalling rule fired (its detection reason, with its numbers), for the composite's evidence. */
  reason?: string;
}

/** One signalling rule's latest signal as a composite sees it. */
export interface SignalEntry {
  timeMs: number;
  eventId: string;
  /** The signal's reason, when the input carried one. */
  reason?: string;
}

export interface SignalObservation {
  duplicate: boolean;
  /** For each signalling rule, its latest signal within withinMs of this input's time. */
  latest: Record<string, SignalEntry>;
}

/** At most one detection per key per cooldown; suppressed ones are counted. */
export interface CooldownSpec {
  cooldownMs: number;
  /** Set for a shadow-mode rule: only to give its cooldown a state key of its own (the store ignores it). */
  mode?: 'shadow';
}

export interface CooldownInput {
  /** The detection id. */
  id: string;
  timeMs: number;
}

export interface CooldownObservation {
  duplicate: boolean;
  /** True when the detection may be emitted. A duplicate of an emitted detection reports fire true again. */
  fire: boolean;
  /** When firing: detections suppressed since the previous one that fired. */
  suppressed: number;
}

export type StoreOp =
  | { type: 'window'; key: StateKey; spec: WindowSpec; inputs: WindowInput[] }
  | { type: 'profile'; key: StateKey; spec: ProfileSpec; inputs: ProfileInput[] }
  | { type: 'seen'; key: StateKey; spec: SeenSpec; inputs: SeenInput[] }
  | { type: 'travel'; key: StateKey; spec: TravelSpec; inputs: TravelInput[] }
  | { type: 'signal'; key: StateKey; spec: SignalSpec; inputs: SignalInput[] }
  | { type: 'cooldown'; key: StateKey; spec: CooldownSpec; inputs: CooldownInput[] };

export interface ObservationOf {
  window: WindowObservation;
  profile: ProfileObservation;
  seen: SeenObservation;
  travel: TravelObservation;
  signal: SignalObservation;
  cooldown: CooldownObservation;
}

export type StoreResult = { [T in StoreOp['type']]: { type: T; observations: ObservationOf[T][] } }[StoreOp['type']];

export interface StateStore {
  /** Applies each operation atomically; results[i] answers ops[i]. */
  apply(ops: readonly StoreOp[]): Promise<StoreResult[]>;
  /**
   * Marks event ids as seen on the stream; returns, per id, whether it had been seen before within
   * the horizon (a redelivered or repeated event).
   */
  markSeen(events: readonly { id: string; timeMs: number }[], horizonMs: number): Promise<boolean[]>;
  close(): Promise<void>;
}

export type InputOf<T extends StoreOp['type']> = Extract<StoreOp, { type: T }>['inputs'][number];
export type SpecOf<T extends StoreOp['type']> = Extract<StoreOp, { type: T }>['spec'];

/** One key of a synchronous store, opened for one batch: inputs are applied as they come. */
export interface OpenState<T extends StoreOp['type']> {
  /**
   * Applies one input and returns its observation. `transient`: the caller reads the observation
   * before it applies anything else, so the state may return one object it fills again for the next
   * input of any key of its type (no allocation per input; detectors copy what they report).
   */
  apply(input: InputOf<T>, transient?: boolean): ObservationOf[T];
}

/**
 * A store that lives in this process (the in-memory one) can also be applied input by input, with
 * the same semantics as `apply`: opening a key is what starting an operation on it does (the idle
 * reset looks at `firstTimeMs`, the time of the key's first input in the batch), and the inputs
 * then apply in order. The engine uses it to decide each event without holding the whole batch's
 * work in memory; results are identical to `apply` with one operation per key.
 */
export interface SyncStateStore extends StateStore {
  open<T extends StoreOp['type']>(type: T, key: StateKey, spec: SpecOf<T>, firstTimeMs: number): OpenState<T>;
}

export function isSyncStore(store: StateStore): store is SyncStateStore {
  return typeof (store as Partial<SyncStateStore>).open === 'function';
}

/**
 * A synchronous store whose writes happen at the end of a batch (the cached Redis store): the
 * engine begins a batch (waiting for the one before), works its phases on open() states, and
 * flushes; a false flush means a state had changed elsewhere, and the store has put the batch's
 * keys back as they were before it (with the other writer's value where there was one): the engine
 * then works the batch again from its first phase. end() in every case, failures included.
 */
export interface BatchStateStore extends SyncStateStore {
  begin(): Promise<number>;
  flush(token: number): Promise<boolean>;
  end(token: number): void;
}

export function isBatchStore(store: StateStore): store is BatchStateStore {
  const s = store as Partial<BatchStateStore>;
  return typeof s.open === 'function' && typeof s.begin === 'function' && typeof s.flush === 'function' && typeof s.end === 'function';
}
