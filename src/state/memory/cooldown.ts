/*
 * In-memory cooldown of one rule for one subject: lets a detection through at most once per
 * cooldown and counts the ones it holds back, so the next one can say how many there were.
 */
import type { CooldownInput, CooldownObservation, CooldownSpec } from '../types.js';
import { finite } from './window.js';

/** [last fire, suppressed since, last seen, decisions in arrival order as [detection id, time, fired 1|0, suppressed]]. */
export type CooldownSnapshot = [number | null, number, number | null, [string, number, number, number][]];

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

  toSnapshot(): CooldownSnapshot {
    const decided: [string, number, number, number][] = [];
    for (const [id, d] of this.decided) decided.push([id, d.timeMs, d.fire ? 1 : 0, d.suppressed]);
    return [finite(this.lastFireMs), this.suppressed, finite(this.lastSeenMs), decided];
  }

  static fromSnapshot(spec: CooldownSpec, dedupHorizonMs: number, [lastFire, suppressed, last, decided]: CooldownSnapshot): MemoryCooldown {
    const c = new MemoryCooldown(spec, dedupHorizonMs);
    c.lastFireMs = lastFire ?? -Infinity;
    c.suppressed = suppressed;
    c.lastSeenMs = last ?? -Infinity;
    for (const [id, timeMs, fire, n] of decided) c.decided.set(id, { timeMs, fire: fire === 1, suppressed: n });
    return c;
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
