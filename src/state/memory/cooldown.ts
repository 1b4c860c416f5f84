/*
 * In-memory cooldown of one rule for one subject: lets a detection through at most once per
 * cooldown and counts the ones it holds back, so the next one can say how many there were.
 */
import type { CooldownInput, CooldownObservation, CooldownSpec } from '../types.js';

export class MemoryCooldown {
  private lastFireMs = -Infinity;
  private suppressed = 0;
  /** Decisions already taken, by detection id, so a redelivered detection gets the same answer. */
  private readonly decided = new Map<string, { timeMs: number; fire: boolean; suppressed: number }>();
  lastSeenMs = -Infinity;

  constructor(
    private readonly spec: CooldownSpec,
    private readonly dedupHorizonMs: number,
  ) {}

  /** Decisions are remembered for the dedup horizon, so a redelivered detection gets the same answer. */
  get retainMs(): number {
    return Math.max(this.spec.cooldownMs, this.dedupHorizonMs);
  }

  apply(input: CooldownInput): CooldownObservation {
    const earlier = this.decided.get(input.id);
    if (earlier) return { duplicate: true, fire: earlier.fire, suppressed: earlier.suppressed };
    let obs: CooldownObservation;
    if (input.timeMs >= this.lastFireMs + this.spec.cooldownMs || input.timeMs <= this.lastFireMs - this.spec.cooldownMs) {
      obs = { duplicate: false, fire: true, suppressed: this.suppressed };
      this.suppressed = 0;
      this.lastFireMs = Math.max(this.lastFireMs, input.timeMs);
    } else {
      obs = { duplicate: false, fire: false, suppressed: 0 };
      this.suppressed += 1;
    }
    this.decided.set(input.id, { timeMs: input.timeMs, fire: obs.fire, suppressed: obs.suppressed });
    if (input.timeMs > this.lastSeenMs) this.lastSeenMs = input.timeMs;
    for (const [id, d] of this.decided) {
      if (d.timeMs >= this.lastSeenMs - this.dedupHorizonMs) break;
      this.decided.delete(id);
    }
    return obs;
  }
}
