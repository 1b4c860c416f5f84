/*
 * In-memory recent positions of one group, for impossible-travel checks: the last few, so an event
 * slightly out of order is compared with the position that really came before it.
 */
import { IdHorizon, type IdMemory, type IdSnapshot } from '../ids.js';
import { finite } from './window.js';
import type { Position, TravelInput, TravelObservation, TravelSpec } from '../types.js';

/** Positions kept per group; enough to absorb reordering within the lateness bound. */
export const TRAVEL_POSITIONS_KEPT = 8;

/** [last seen, positions oldest first as [id, time, lat, lon, country?], id memory]. */
export type TravelSnapshot = [number | null, [string, number, number, number, string?][], IdSnapshot | null];

/** The observation `apply(input, true)` fills and returns (OpenState.apply); `previous` undefined when none. */
const TRANSIENT: TravelObservation = { duplicate: false, previous: undefined };

export class MemoryTravel {
  /** Sorted by time, oldest first. */
  private positions: Position[] = [];
  lastSeenMs = -Infinity;

  constructor(
    private readonly spec: TravelSpec,
    private readonly ids: IdMemory,
  ) {
  }

  get retainMs(): number {
    return this.spec.retainMs;
  }

  toSnapshot(): TravelSnapshot {
    const positions = this.positions.map((p): [string, number, number, number, string?] =>
      p.country === undefined ? [p.id, p.timeMs, p.lat, p.lon] : [p.id, p.timeMs, p.lat, p.lon, p.country],
    );
    return [finite(this.lastSeenMs), positions, this.ids instanceof IdHorizon ? this.ids.toSnapshot() : null];
  }

  static fromSnapshot(spec: TravelSpec, dedupHorizonMs: number, [last, positions, ids]: TravelSnapshot): MemoryTravel {
    const t = new MemoryTravel(spec, ids ? IdHorizon.fromSnapshot(dedupHorizonMs, ids) : new IdHorizon(dedupHorizonMs));
    t.lastSeenMs = last ?? -Infinity;
    t.positions = positions.map(([id, timeMs, lat, lon, country]) => (country === undefined ? { id, timeMs, lat, lon } : { id, timeMs, lat, lon, country }));
    return t;
  }

  apply(input: TravelInput, transient = false): TravelObservation {
    const fresh = this.ids.add(input.id, input.timeMs);
    const cutoff = input.timeMs - this.spec.retainMs;
    let previous: Position | undefined;
    for (const p of this.positions) {
      if (p.timeMs > input.timeMs) break;
      if (p.timeMs >= cutoff && p.id !== input.id) previous = p;
    }
    if (fresh) {
      // Usually the newest: the scan from the end stops at once.
      let at = this.positions.length;
      while (at > 0 && this.positions[at - 1]!.timeMs > input.timeMs) at--;
      const kept: Position = { id: input.id, timeMs: input.timeMs, lat: input.lat, lon: input.lon };
      if (input.country !== undefined) kept.country = input.country;
      if (at === this.positions.length) this.positions.push(kept);
      else this.positions.splice(at, 0, kept);
      if (this.positions.length > TRAVEL_POSITIONS_KEPT) this.positions.shift();
      if (input.timeMs > this.lastSeenMs) this.lastSeenMs = input.timeMs;
    }
    // Stored positions are never mutated, so the observation can share them.
    if (!transient) return previous ? { duplicate: !fresh, previous } : { duplicate: !fresh };
    TRANSIENT.duplicate = !fresh;
    TRANSIENT.previous = previous;
    return TRANSIENT;
  }
}
