/*
 * In-memory signals feeding one composite rule for one subject: the latest signal of each input
 * rule, so the composite can ask which of its inputs fired within its span.
 */
import { IdHorizon, type IdMemory, type IdSnapshot } from '../ids.js';
import { finite } from './window.js';
import type { SignalEntry, SignalInput, SignalObservation, SignalSpec } from '../types.js';

/** [last seen, latest signal per rule as [rule, time, event id, reason?], id memory]. */
export type SignalSnapshot = [number | null, [string, number, string, string?][], IdSnapshot | null];

export class MemorySignal {
  private readonly latest = new Map<string, SignalEntry>();
  lastSeenMs = -Infinity;

  constructor(
    private readonly spec: SignalSpec,
    private readonly ids: IdMemory,
  ) {
  }

  get retainMs(): number {
    return this.spec.withinMs;
  }

  toSnapshot(): SignalSnapshot {
    const latest: [string, number, string, string?][] = [];
    for (const [rule, s] of this.latest) latest.push(s.reason === undefined ? [rule, s.timeMs, s.eventId] : [rule, s.timeMs, s.eventId, s.reason]);
    return [finite(this.lastSeenMs), latest, this.ids instanceof IdHorizon ? this.ids.toSnapshot() : null];
  }

  static fromSnapshot(spec: SignalSpec, dedupHorizonMs: number, [last, latest, ids]: SignalSnapshot): MemorySignal {
    const s = new MemorySignal(spec, ids ? IdHorizon.fromSnapshot(dedupHorizonMs, ids) : new IdHorizon(dedupHorizonMs));
    s.lastSeenMs = last ?? -Infinity;
    for (const [rule, timeMs, eventId, reason] of latest) s.latest.set(rule, reason === undefined ? { timeMs, eventId } : { timeMs, eventId, reason });
    return s;
  }

  apply(input: SignalInput): SignalObservation {
    const fresh = this.ids.add(input.id, input.timeMs);
    if (fresh) {
      const prev = this.latest.get(input.rule);
      if (!prev || input.timeMs >= prev.timeMs) {
        const entry: SignalEntry = { timeMs: input.timeMs, eventId: input.eventId };
        if (input.reason) entry.reason = input.reason;
        this.latest.set(input.rule, entry);
      }
      if (input.timeMs > this.lastSeenMs) this.lastSeenMs = input.timeMs;
    }
    const latest: SignalObservation['latest'] = {};
    for (const [rule, s] of this.latest) {
      if (Math.abs(input.timeMs - s.timeMs) <= this.spec.withinMs) latest[rule] = { ...s };
    }
    return { duplicate: !fresh, latest };
  }
}
