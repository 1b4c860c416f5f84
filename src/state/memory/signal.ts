/*
 * In-memory signals feeding one composite rule for one subject: the latest signal of each input
 * rule, so the composite can ask which of its inputs fired within its span.
 */
import type { IdMemory } from '../ids.js';
import type { SignalEntry, SignalInput, SignalObservation, SignalSpec } from '../types.js';

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
