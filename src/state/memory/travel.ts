/*
 * In-memory recent positions of one group, for impossible-travel checks: the last few, so an event
 * slightly out of order is compared with the position that really came before it.
 */
import { IdHorizon } from '../ids.js';
import type { Position, TravelInput, TravelObservation, TravelSpec } from '../types.js';

/** Positions kept per group; enough to absorb reordering within the lateness bound. */
export const TRAVEL_POSITIONS_KEPT = 8;

export class MemoryTravel {
  /** Sorted by time, oldest first. */
  private positions: Position[] = [];
  private readonly ids: IdHorizon;
  lastSeenMs = -Infinity;

  constructor(
    private readonly spec: TravelSpec,
    dedupHorizonMs: number,
  ) {
    this.ids = new IdHorizon(dedupHorizonMs);
  }

  get retainMs(): number {
    return this.spec.retainMs;
  }

  apply(input: TravelInput): TravelObservation {
    const fresh = this.ids.add(input.id, input.timeMs);
    const cutoff = input.timeMs - this.spec.retainMs;
    let previous: Position | undefined;
    for (const p of this.positions) {
      if (p.timeMs > input.timeMs) break;
      if (p.timeMs >= cutoff && p.id !== input.id) previous = p;
    }
    if (fresh) {
      const at = this.positions.findIndex((p) => p.timeMs > input.timeMs);
      this.positions.splice(at === -1 ? this.positions.length : at, 0, { ...input });
      if (this.positions.length > TRAVEL_POSITIONS_KEPT) this.positions.shift();
      if (input.timeMs > this.lastSeenMs) this.lastSeenMs = input.timeMs;
    }
    return previous ? { duplicate: !fresh, previous: { ...previous } } : { duplicate: !fresh };
  }
}
