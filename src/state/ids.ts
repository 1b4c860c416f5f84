/*
 * A set of ids remembered for a bounded span of event time: the dedup memory behind "an event
 * applied twice changes nothing". Ids leave in arrival order once older than the horizon.
 */

export class IdHorizon {
  private readonly times = new Map<string, number>();
  private maxTimeMs = -Infinity;

  constructor(private readonly horizonMs: number) {}

  has(id: string): boolean {
    return this.times.has(id);
  }

  /** Remembers the id; returns false when it was already there. */
  add(id: string, timeMs: number): boolean {
    if (this.times.has(id)) return false;
    this.times.set(id, timeMs);
    if (timeMs > this.maxTimeMs) this.maxTimeMs = timeMs;
    this.prune();
    return true;
  }

  get size(): number {
    return this.times.size;
  }

  // Map iteration order is insertion order; events arrive nearly in time order, so the oldest
  // are at the front. A late straggler further in is kept a little longer, never dropped early.
  private prune(): void {
    const cutoff = this.maxTimeMs - this.horizonMs;
    for (const [id, t] of this.times) {
      if (t >= cutoff) break;
      this.times.delete(id);
    }
  }
}
