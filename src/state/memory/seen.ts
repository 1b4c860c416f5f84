/*
 * In-memory set of values (countries, networks, devices) one group has used, each remembered until
 * its last use falls out of the history.
 */
import { IdHorizon, type IdMemory, type IdSnapshot } from '../ids.js';
import { finite } from './window.js';
import type { SeenInput, SeenObservation, SeenSpec } from '../types.js';

/** [first seen, last seen, oldest use bound, values as flat [value, last use]..., id memory]. */
export type SeenSnapshot = [number | null, number | null, number | null, (string | number)[], IdSnapshot | null];

/** The observation `apply(input, true)` fills and returns (OpenState.apply). */
const TRANSIENT: SeenObservation = { duplicate: false, seenBefore: false, known: 0, firstSeenMs: 0 };

export class MemorySeen {
  private readonly lastUse = new Map<string, number>();
  private firstSeenMs = Infinity;
  /** At most the earliest last use among the remembered values: nothing to forget while it is in the history. */
  private oldestUseMs = Infinity;
  lastSeenMs = -Infinity;

  constructor(
    private readonly spec: SeenSpec,
    private readonly ids: IdMemory,
  ) {
  }

  get retainMs(): number {
    return this.spec.historyMs;
  }

  toSnapshot(): SeenSnapshot {
    const values: (string | number)[] = [];
    for (const [v, t] of this.lastUse) values.push(v, t);
    return [finite(this.firstSeenMs), finite(this.lastSeenMs), finite(this.oldestUseMs), values, this.ids instanceof IdHorizon ? this.ids.toSnapshot() : null];
  }

  static fromSnapshot(spec: SeenSpec, dedupHorizonMs: number, [first, last, oldest, values, ids]: SeenSnapshot): MemorySeen {
    const s = new MemorySeen(spec, ids ? IdHorizon.fromSnapshot(dedupHorizonMs, ids) : new IdHorizon(dedupHorizonMs));
    s.firstSeenMs = first ?? Infinity;
    s.lastSeenMs = last ?? -Infinity;
    s.oldestUseMs = oldest ?? Infinity;
    for (let i = 0; i + 1 < values.length; i += 2) s.lastUse.set(String(values[i]), Number(values[i + 1]));
    return s;
  }

  apply(input: SeenInput, transient = false): SeenObservation {
    const fresh = this.ids.add(input.id, input.timeMs);
    const cutoff = input.timeMs - this.spec.historyMs;
    if (this.oldestUseMs < cutoff) this.forgetBefore(cutoff);
    const last = this.lastUse.get(input.value);
    const obs: SeenObservation = transient ? TRANSIENT : { duplicate: false, seenBefore: false, known: 0, firstSeenMs: 0 };
    obs.duplicate = !fresh;
    obs.seenBefore = last !== undefined;
    obs.known = this.lastUse.size;
    obs.firstSeenMs = Math.min(this.firstSeenMs, input.timeMs);
    if (fresh) {
      if (last === undefined || input.timeMs > last) {
        this.lastUse.set(input.value, input.timeMs);
        if (input.timeMs < this.oldestUseMs) this.oldestUseMs = input.timeMs;
      }
      if (input.timeMs < this.firstSeenMs) this.firstSeenMs = input.timeMs;
      if (input.timeMs > this.lastSeenMs) this.lastSeenMs = input.timeMs;
    }
    return obs;
  }

  private forgetBefore(cutoff: number): void {
    for (const [value, t] of this.lastUse) if (t < cutoff) this.lastUse.delete(value);
    this.oldestUseMs = this.earliestUse();
  }

  private earliestUse(): number {
    let min = Infinity;
    for (const t of this.lastUse.values()) if (t < min) min = t;
    return min;
  }
}
