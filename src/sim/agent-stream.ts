/*
 * One agent's events in arrival order, generated a local day at a time. A day's activity can run
 * past the next local midnight (on-call nights, late deliveries), so events are released only once
 * no later day can produce anything earlier; the rest carry over into the next day's batch.
 */
import { DAY } from './clock.js';
import { generateAttack } from './attacks/generate.js';
import { benignDay } from './profiles/index.js';
import type { AgentRuntime } from './runtime.js';
import type { AttackInstance, Pending } from './types.js';

const byArrival = (a: Pending, b: Pending) => a.k - b.k;
const byTime = (a: Pending, b: Pending) => a.t - b.t;

export class AgentStream {
  private buf: Pending[] = [];
  private pos = 0;
  private carry: Pending[] = [];
  private day: number;

  constructor(
    private readonly rt: AgentRuntime,
    private readonly attacks: ReadonlyMap<number, readonly AttackInstance[]>,
    firstDay: number,
    private readonly lastDay: number,
    private readonly fromMs: number,
    private readonly toMs: number,
  ) {
    this.day = firstDay;
  }

  /** The next event in arrival order, or undefined when the agent is done. */
  peek(): Pending | undefined {
    while (this.pos >= this.buf.length) {
      if (!this.refill()) return undefined;
    }
    return this.buf[this.pos];
  }

  shift(): void {
    this.pos++;
  }

  private refill(): boolean {
    this.buf = [];
    this.pos = 0;
    if (this.day > this.lastDay) {
      if (this.carry.length === 0) return false;
      this.release(this.carry);
      this.carry = [];
      return true;
    }
    const day = this.day++;
    const out: Pending[] = [];
    benignDay(this.rt, day, out);
    const attacks = this.attacks.get(day);
    if (attacks) {
      const benign = out.slice().sort(byTime);
      for (const a of attacks) generateAttack(this.rt, a, benign, out);
    }
    const all = this.carry.length > 0 ? this.carry.concat(out) : out;
    all.sort(byArrival);
    const bound = this.nextDayStart(day + 1);
    let split = 0;
    while (split < all.length && (all[split] as Pending).k < bound) split++;
    this.release(all.slice(0, split));
    this.carry = all.slice(split);
    this.rt.pruneIssued(bound - 3 * DAY);
    return true;
  }

  private release(events: Pending[]): void {
    for (const p of events) if (p.t >= this.fromMs && p.t < this.toMs) this.buf.push(p);
  }

  /** The earliest instant anything of calendar day `day` can happen, in any zone the agent lives by then. */
  private nextDayStart(day: number): number {
    const { spec, cal } = this.rt;
    let start = cal.dayStart(spec.zone, day);
    for (const trip of spec.trips) {
      if (day > trip.departDay && day <= trip.returnDay) start = Math.min(start, cal.dayStart(trip.dest.timezone, day));
    }
    return start;
  }
}
