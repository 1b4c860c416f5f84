/*
 * In-memory hour-of-week activity profile for one state key: counts per (UTC day, local hour of
 * week), with a running aggregate over the history so a lookup costs 21 reads, not a scan.
 */
import { IdHorizon, type IdMemory, type IdSnapshot } from '../ids.js';
import { finite } from './window.js';
import type { ProfileInput, ProfileObservation, ProfileSpec } from '../types.js';

const DAY_MS = 86_400_000;

/** [first seen, last seen, days as flat [day, n, then n pairs of hour of week and count]..., id memory]. */
export type ProfileSnapshot = [number | null, number | null, number[], IdSnapshot | null];

/** The observation `apply(input, true)` fills and returns (OpenState.apply). */
const TRANSIENT: ProfileObservation = { duplicate: false, total: 0, nearHour: 0, firstSeenMs: 0 };

export class MemoryProfile {
  private readonly days = new Map<number, Uint32Array>();
  private readonly aggregate = new Uint32Array(168);
  private total = 0;
  /** The earliest day with counts: pruning has nothing to do while it is inside the history. */
  private firstDay = Infinity;
  private firstSeenMs = Infinity;
  lastSeenMs = -Infinity;

  constructor(
    private readonly spec: ProfileSpec,
    private readonly ids: IdMemory,
  ) {
  }

  get retainMs(): number {
    return this.spec.historyMs;
  }

  toSnapshot(): ProfileSnapshot {
    const days: number[] = [];
    for (const [day, counts] of this.days) {
      const at = days.length;
      days.push(day, 0);
      for (let h = 0; h < 168; h++) if (counts[h]! > 0) days.push(h, counts[h]!);
      days[at + 1] = (days.length - at - 2) / 2;
    }
    return [finite(this.firstSeenMs), finite(this.lastSeenMs), days, this.ids instanceof IdHorizon ? this.ids.toSnapshot() : null];
  }

  static fromSnapshot(spec: ProfileSpec, dedupHorizonMs: number, [first, last, days, ids]: ProfileSnapshot): MemoryProfile {
    const p = new MemoryProfile(spec, ids ? IdHorizon.fromSnapshot(dedupHorizonMs, ids) : new IdHorizon(dedupHorizonMs));
    p.firstSeenMs = first ?? Infinity;
    p.lastSeenMs = last ?? -Infinity;
    for (let i = 0; i + 1 < days.length; ) {
      const day = days[i]!;
      const n = days[i + 1]!;
      const counts = new Uint32Array(168);
      for (let j = 0; j < n; j++) {
        const h = days[i + 2 + 2 * j]!;
        const c = days[i + 3 + 2 * j]!;
        counts[h] = c;
        p.aggregate[h]! += c;
        p.total += c;
      }
      p.days.set(day, counts);
      if (day < p.firstDay) p.firstDay = day;
      i += 2 + 2 * n;
    }
    return p;
  }

  apply(input: ProfileInput, transient = false): ProfileObservation {
    const fresh = this.ids.add(input.id, input.timeMs);
    this.prune(input.timeMs);
    const obs: ProfileObservation = transient ? TRANSIENT : { duplicate: false, total: 0, nearHour: 0, firstSeenMs: 0 };
    obs.duplicate = !fresh;
    obs.total = this.total;
    obs.nearHour = nearHourCount(this.aggregate, input.hourOfWeek);
    obs.firstSeenMs = Math.min(this.firstSeenMs, input.timeMs);
    if (fresh) {
      const day = Math.floor(input.timeMs / DAY_MS);
      if (day < this.firstDay) this.firstDay = day;
      let counts = this.days.get(day);
      if (!counts) {
        counts = new Uint32Array(168);
        this.days.set(day, counts);
      }
      counts[input.hourOfWeek]! += 1;
      this.aggregate[input.hourOfWeek]! += 1;
      this.total += 1;
      if (input.timeMs < this.firstSeenMs) this.firstSeenMs = input.timeMs;
      if (input.timeMs > this.lastSeenMs) this.lastSeenMs = input.timeMs;
    }
    return obs;
  }

  private prune(timeMs: number): void {
    const oldestDay = Math.floor((timeMs - this.spec.historyMs) / DAY_MS);
    if (oldestDay <= this.firstDay) return;
    this.firstDay = Infinity;
    for (const [day, counts] of this.days) {
      if (day >= oldestDay && day < this.firstDay) this.firstDay = day;
      if (day >= oldestDay) continue;
      for (let h = 0; h < 168; h++) {
        this.aggregate[h]! -= counts[h]!;
        this.total -= counts[h]!;
      }
      this.days.delete(day);
      this.firstSeenMs = Math.max(this.firstSeenMs, (day + 1) * DAY_MS);
    }
  }
}

/** Events at the same local hour of day, or the hour either side, on any day of the week. */
export function nearHourCount(aggregate: ArrayLike<number>, hourOfWeek: number): number {
  const hour = hourOfWeek % 24;
  let n = 0;
  const before = (hour + 23) % 24;
  const after = (hour + 1) % 24;
  for (let d = 0; d < 168; d += 24) n += aggregate[d + before]! + aggregate[d + hour]! + aggregate[d + after]!;
  return n;
}
