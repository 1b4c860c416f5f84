/*
 * The in-memory state store: the embedded default behind `guardrail replay`. Same semantics as the
 * Redis store (one conformance suite checks both); memory stays bounded because a key idle for
 * longer than its retention, in event time, is dropped.
 */
import { IdHorizon } from '../ids.js';
import type { StateStore, StoreOp, StoreResult } from '../types.js';
import { MemoryCooldown } from './cooldown.js';
import { MemoryProfile } from './profile.js';
import { MemorySeen } from './seen.js';
import { MemorySignal } from './signal.js';
import { MemoryTravel } from './travel.js';
import { MemoryWindow } from './window.js';

export interface MemoryStoreOptions {
  /** How long an id applied to a key is remembered for dedup, in event time. Default 1h. */
  dedupHorizonMs?: number;
  /** Out-of-order slack kept beyond a window. Default 10m. */
  latenessMs?: number;
}

type AnyState = MemoryWindow | MemoryProfile | MemorySeen | MemoryTravel | MemorySignal | MemoryCooldown;

const SWEEP_EVERY_OPS = 20_000;

export class MemoryStore implements StateStore {
  private readonly keys = new Map<string, AnyState>();
  private readonly seen: Map<number, IdHorizon> = new Map();
  private readonly dedupHorizonMs: number;
  private readonly latenessMs: number;
  private watermarkMs = -Infinity;
  private opsSinceSweep = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.dedupHorizonMs = options.dedupHorizonMs ?? 3_600_000;
    this.latenessMs = options.latenessMs ?? 600_000;
  }

  /** Number of live state keys (for memory tests and metrics). */
  get size(): number {
    return this.keys.size;
  }

  async apply(ops: readonly StoreOp[]): Promise<StoreResult[]> {
    return ops.map((op) => this.applyOne(op));
  }

  async markSeen(events: readonly { id: string; timeMs: number }[], horizonMs: number): Promise<boolean[]> {
    let ids = this.seen.get(horizonMs);
    if (!ids) {
      ids = new IdHorizon(horizonMs);
      this.seen.set(horizonMs, ids);
    }
    const horizon = ids;
    return events.map((e) => !horizon.add(e.id, e.timeMs));
  }

  async close(): Promise<void> {
    this.keys.clear();
    this.seen.clear();
  }

  private applyOne(op: StoreOp): StoreResult {
    this.maybeSweep();
    const state = this.state(op, () => this.create(op));
    // Each state class takes the input type of its own op; the union is resolved by `create`.
    const apply = (input: StoreOp['inputs'][number]) => {
      this.tick(input.timeMs);
      return state.apply(input as never);
    };
    return { type: op.type, observations: op.inputs.map(apply) } as StoreResult;
  }

  private create(op: StoreOp): AnyState {
    switch (op.type) {
      case 'window':
        return new MemoryWindow(op.spec, this.dedupHorizonMs, this.latenessMs);
      case 'profile':
        return new MemoryProfile(op.spec, this.dedupHorizonMs);
      case 'seen':
        return new MemorySeen(op.spec, this.dedupHorizonMs);
      case 'travel':
        return new MemoryTravel(op.spec, this.dedupHorizonMs);
      case 'signal':
        return new MemorySignal(op.spec, this.dedupHorizonMs);
      case 'cooldown':
        return new MemoryCooldown(op.spec, this.dedupHorizonMs);
    }
  }

  /** The key's state, new if absent or idle past its retention (as a Redis key would have expired). */
  private state(op: StoreOp, create: () => AnyState): AnyState {
    const k = `${op.type}\u0000${op.key.rule}\u0000${op.key.group}`;
    const firstTimeMs = op.inputs[0]?.timeMs;
    const existing = this.keys.get(k);
    if (existing && (firstTimeMs === undefined || firstTimeMs - existing.lastSeenMs <= existing.retainMs)) return existing;
    const created = create();
    this.keys.set(k, created);
    return created;
  }

  private tick(timeMs: number): void {
    if (timeMs > this.watermarkMs) this.watermarkMs = timeMs;
  }

  private maybeSweep(): void {
    if (++this.opsSinceSweep < SWEEP_EVERY_OPS) return;
    this.opsSinceSweep = 0;
    for (const [k, s] of this.keys) {
      if (this.watermarkMs - s.lastSeenMs > s.retainMs) this.keys.delete(k);
    }
  }
}
