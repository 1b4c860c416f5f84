/*
 * In-memory hour-of-week activity profile for one state key: counts per (UTC day, local hour of
 * week), with a running aggregate over the history so a lookup costs 21 reads, not a scan.
 */
import type { IdMemory } from '../ids.js';
import type { ProfileInput, ProfileObservation, ProfileSpec } from '../types.js';

const DAY_MS = 86_400_000;

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

  apply(input: ProfileInput): ProfileObservation {
    const fresh = this.ids.add(input.id, input.timeMs);
    this.prune(input.timeMs);
    const obs: ProfileObservation = {
      duplicate: !fresh,
      total: this.total,
      nearHour: nearHourCount(this.aggregate, input.hourOfWeek),
      firstSeenMs: Math.min(this.firstSeenMs, input.timeMs),
    };
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
