/*
 * The in-memory state store: the embedded default behind `guardrail replay`. Same semantics as the
 * Redis store (one conformance suite checks both); memory stays bounded because a key idle for
 * longer than its retention, in event time, is dropped.
 */
import { IdHorizon, NO_ID_MEMORY, type IdMemory } from '../ids.js';
import type { OpenState, SpecOf, StateKey, StoreOp, StoreResult, SyncStateStore } from '../types.js';
import { MemoryCooldown, type CooldownSnapshot } from './cooldown.js';
import { MemoryProfile, type ProfileSnapshot } from './profile.js';
import { MemorySeen, type SeenSnapshot } from './seen.js';
import { MemorySignal, type SignalSnapshot } from './signal.js';
import { MemoryTravel, type TravelSnapshot } from './travel.js';
import { MemoryWindow, type WindowSnapshot } from './window.js';

export interface MemoryStoreOptions {
  /** How long an id applied to a key is remembered for dedup, in event time. Default 1h. */
  dedupHorizonMs?: number;
  /** Out-of-order slack kept beyond a window. Default 10m. */
  latenessMs?: number;
  /**
   * Whether each key remembers the input ids applied to it (default true: the StateStore contract).
   * False only for a store whose one caller is an Engine: the engine's markSeen drops a repeated
   * event before any key sees it, and in one process nothing can apply half a batch and retry, so
   * per-key memory would repeat that answer at a Set insert and delete per input.
   */
  keyDedup?: boolean;
}

/** One key's state: what the memory store keeps per key and the cached Redis store writes as JSON. */
export type AnyState = MemoryWindow | MemoryProfile | MemorySeen | MemoryTravel | MemorySignal | MemoryCooldown;

/** A new, empty state of an op type. */
export function createState(type: StoreOp['type'], spec: StoreOp['spec'], ids: IdMemory, dedupHorizonMs: number, latenessMs: number): AnyState {
  switch (type) {
    case 'window':
      return new MemoryWindow(spec as SpecOf<'window'>, ids, latenessMs);
    case 'profile':
      return new MemoryProfile(spec as SpecOf<'profile'>, ids);
    case 'seen':
      return new MemorySeen(spec as SpecOf<'seen'>, ids);
    case 'travel':
      return new MemoryTravel(spec as SpecOf<'travel'>, ids);
    case 'signal':
      return new MemorySignal(spec as SpecOf<'signal'>, ids);
    case 'cooldown':
      return new MemoryCooldown(spec as SpecOf<'cooldown'>, dedupHorizonMs);
  }
}

/** A state from its snapshot (`toSnapshot()` of the same op type and spec), with its id memory. */
export function restoreState(type: StoreOp['type'], spec: StoreOp['spec'], snapshot: unknown, dedupHorizonMs: number, latenessMs: number): AnyState {
  switch (type) {
    case 'window':
      return MemoryWindow.fromSnapshot(spec as SpecOf<'window'>, dedupHorizonMs, latenessMs, snapshot as WindowSnapshot);
    case 'profile':
      return MemoryProfile.fromSnapshot(spec as SpecOf<'profile'>, dedupHorizonMs, snapshot as ProfileSnapshot);
    case 'seen':
      return MemorySeen.fromSnapshot(spec as SpecOf<'seen'>, dedupHorizonMs, snapshot as SeenSnapshot);
    case 'travel':
      return MemoryTravel.fromSnapshot(spec as SpecOf<'travel'>, dedupHorizonMs, snapshot as TravelSnapshot);
    case 'signal':
      return MemorySignal.fromSnapshot(spec as SpecOf<'signal'>, dedupHorizonMs, snapshot as SignalSnapshot);
    case 'cooldown':
      return MemoryCooldown.fromSnapshot(spec as SpecOf<'cooldown'>, dedupHorizonMs, snapshot as CooldownSnapshot);
  }
}

const SWEEP_EVERY_OPS = 20_000;

export class MemoryStore implements SyncStateStore {
  /** type -> state rule -> group -> state. */
  private readonly keys = new Map<string, Map<string, Map<string, AnyState>>>();
  private count = 0;
  private readonly seen: Map<number, IdHorizon> = new Map();
  private readonly dedupHorizonMs: number;
  private readonly latenessMs: number;
  private readonly keyDedup: boolean;
  private watermarkMs = -Infinity;
  private opsSinceSweep = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.dedupHorizonMs = options.dedupHorizonMs ?? 3_600_000;
    this.latenessMs = options.latenessMs ?? 600_000;
    this.keyDedup = options.keyDedup ?? true;
  }

  /** Number of live state keys (for memory tests and metrics). */
  get size(): number {
    return this.count;
  }

  async apply(ops: readonly StoreOp[]): Promise<StoreResult[]> {
    this.maybeSweep();
    return ops.map((op) => this.applyOne(op));
  }

  async markSeen(events: readonly { id: string; timeMs: number }[], horizonMs: number): Promise<boolean[]> {
    // The engine starts each batch here: a sweep between batches never drops a key a batch holds open.
    this.maybeSweep();
    let ids = this.seen.get(horizonMs);
    if (!ids) {
      ids = new IdHorizon(horizonMs, true);
      this.seen.set(horizonMs, ids);
    }
    const horizon = ids;
    return events.map((e) => !horizon.add(e.id, e.timeMs));
  }

  async close(): Promise<void> {
    this.keys.clear();
    this.count = 0;
    this.seen.clear();
  }

  open<T extends StoreOp['type']>(type: T, key: StateKey, spec: SpecOf<T>, firstTimeMs: number): OpenState<T> {
    // Counted here, swept only at the start of a batch (markSeen) or of an apply(): a sweep in the
    // middle of one would drop a key its plan still holds open, and the rest of the batch's inputs
    // for that key would go into the dropped copy.
    this.opsSinceSweep++;
    // The watermark moves with each key's first input of a batch, not with every input: it only
    // decides which idle keys a sweep drops, and lagging by less than a batch drops them later, never early.
    this.tick(firstTimeMs);
    // Each state class takes the input type of its own op; the union is resolved by `create`.
    return this.state(type, key, spec, firstTimeMs) as unknown as OpenState<T>;
  }

  private applyOne(op: StoreOp): StoreResult {
    const first = op.inputs[0];
    if (first === undefined) return { type: op.type, observations: [] } as StoreResult;
    const state = this.open(op.type, op.key, op.spec as never, first.timeMs);
    return { type: op.type, observations: op.inputs.map((input) => state.apply(input as never)) } as StoreResult;
  }

  private ids(): IdMemory {
    return this.keyDedup ? new IdHorizon(this.dedupHorizonMs) : NO_ID_MEMORY;
  }

  private create(type: StoreOp['type'], spec: StoreOp['spec']): AnyState {
    return createState(type, spec, this.ids(), this.dedupHorizonMs, this.latenessMs);
  }

  /** The key's state, new if absent or idle past its retention (as a Redis key would have expired). */
  private state(type: StoreOp['type'], key: StateKey, spec: StoreOp['spec'], firstTimeMs: number): AnyState {
    let byRule = this.keys.get(type);
    if (!byRule) {
      byRule = new Map();
      this.keys.set(type, byRule);
    }
    let byGroup = byRule.get(key.rule);
    if (!byGroup) {
      byGroup = new Map();
      byRule.set(key.rule, byGroup);
    }
    const existing = byGroup.get(key.group);
    if (existing && firstTimeMs - existing.lastSeenMs <= existing.retainMs) return existing;
    const created = this.create(type, spec);
    if (!existing) this.count++;
    byGroup.set(key.group, created);
    return created;
  }

  private tick(timeMs: number): void {
    if (timeMs > this.watermarkMs) this.watermarkMs = timeMs;
  }

  private maybeSweep(): void {
    if (this.opsSinceSweep < SWEEP_EVERY_OPS) return;
    this.opsSinceSweep = 0;
    for (const byRule of this.keys.values()) {
      for (const byGroup of byRule.values()) {
        for (const [group, s] of byGroup) {
          if (this.watermarkMs - s.lastSeenMs <= s.retainMs) continue;
          byGroup.delete(group);
          this.count--;
        }
      }
    }
  }
}
