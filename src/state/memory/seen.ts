/*
 * In-memory set of values (countries, networks, devices) one group has used, each remembered until
 * its last use falls out of the history.
 */
import { IdHorizon, type IdMemory, type IdSnapshot } from '../ids.js';
import { finite } from './window.js';
import type { SeenInput, SeenObservation, SeenSpec } from '../types.js';

/**
 * [first seen, last seen, oldest use bound, values as flat [value, last use]..., id memory, and the
 * additions as flat [value, order, id]... with the last order given]. Snapshots written before
 * 2026-12-03 end after the id memory: their values count as added before any input that comes again.
 */
export type SeenSnapshot = [number | null, number | null, number | null, (string | number)[], IdSnapshot | null, (string | number)[]?, number?];

/** Which input put a value in the set, and in what order of additions: enough to answer a redelivered input as the first time. */
interface Added {
  order: number;
  id: string;
}

/** The observation `apply(input, true)` fills and returns (OpenState.apply). */
const TRANSIENT: SeenObservation = { duplicate: false, seenBefore: false, known: 0, firstSeenMs: 0 };

export class MemorySeen {
  private readonly lastUse = new Map<string, number>();
  /**
   * The input that added each value (since it was last absent) and the order of that addition. An
   * input that comes again (a batch redelivered after a crash between the state write and the
   * publish) then reports what it saw the first time: "not seen before" when it added the value,
   * with the values added before it as known, so the detection the crash lost is made again.
   */
  private readonly added = new Map<string, Added>();
  private additions = 0;
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
    const added: (string | number)[] = [];
    for (const [v, a] of this.added) added.push(v, a.order, a.id);
    return [finite(this.firstSeenMs), finite(this.lastSeenMs), finite(this.oldestUseMs), values, this.ids instanceof IdHorizon ? this.ids.toSnapshot() : null, added, this.additions];
  }

  static fromSnapshot(spec: SeenSpec, dedupHorizonMs: number, [first, last, oldest, values, ids, added, additions]: SeenSnapshot): MemorySeen {
    const s = new MemorySeen(spec, ids ? IdHorizon.fromSnapshot(dedupHorizonMs, ids) : new IdHorizon(dedupHorizonMs));
    s.firstSeenMs = first ?? Infinity;
    s.lastSeenMs = last ?? -Infinity;
    s.oldestUseMs = oldest ?? Infinity;
    for (let i = 0; i + 1 < values.length; i += 2) s.lastUse.set(String(values[i]), Number(values[i + 1]));
    if (added) for (let i = 0; i + 2 < added.length; i += 3) s.added.set(String(added[i]), { order: Number(added[i + 1]), id: String(added[i + 2]) });
    s.additions = additions ?? 0;
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
    if (!fresh) {
      const by = this.added.get(input.value);
      if (by !== undefined && by.id === input.id) {
        // This input added the value: as the first time, not seen before, and known what was added before it.
        obs.seenBefore = false;
        let known = 0;
        for (const v of this.lastUse.keys()) if ((this.added.get(v)?.order ?? -1) < by.order) known++;
        obs.known = known;
      }
    } else {
      if (last === undefined) this.added.set(input.value, { order: ++this.additions, id: input.id });
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
    for (const [value, t] of this.lastUse) {
      if (t >= cutoff) continue;
      this.lastUse.delete(value);
      this.added.delete(value);
    }
    this.oldestUseMs = this.earliestUse();
  }

  private earliestUse(): number {
    let min = Infinity;
    for (const t of this.lastUse.values()) if (t < min) min = t;
    return min;
  }
}
