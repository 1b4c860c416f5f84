/*
 * A person's working day through their agent: mostly weekdays in local office hours, with a lunch
 * break, the odd quiet weekend hour, now and then a busier day (2-3x, month-end reports, a deadline),
 * and trips that stop work for a flight.
 */
import type { AgentRuntime } from '../runtime.js';
import type { Pending } from '../types.js';
import { fillSession, type Pace } from './sessions.js';
import { takeFlight, whereabouts, type Whereabouts } from './whereabouts.js';

const WEEKDAY_PRESENCE = 0.93;
const WEEKEND_PRESENCE = 0.08;
const BUSY_DAY_SHARE = 0.05;

export function workday(rt: AgentRuntime, day: number, pace: Pace, out: Pending[]): Whereabouts | undefined {
  const { spec, rng, cal } = rt;
  const weekend = cal.isWeekend(day);
  const w = whereabouts(rt, day);
  const present = rt.attackDays.has(day) || rng.chance(weekend ? WEEKEND_PRESENCE : WEEKDAY_PRESENCE) || w.flight !== undefined;
  if (!present) return w;

  const busy = rng.chance(BUSY_DAY_SHARE) ? rng.uniform(2, 3) : 1;
  let startHour = spec.workStart + rng.normal(0, 0.35);
  let hours = spec.workHours + rng.normal(0, 0.6);
  let perHour = spec.activity * (busy > 1 ? 1.3 : 1);
  if (weekend) {
    startHour = rng.uniform(10, 16);
    hours = rng.uniform(0.4, 2.5);
    perHour *= 0.6;
  }
  let endHour = startHour + Math.max(1, hours);
  if (w.flight) endHour = Math.min(endHour, w.flight.hour);
  const lunch = startHour + (endHour - startHour) * rng.uniform(0.4, 0.55);
  const lunchEnd = lunch + rng.uniform(0.4, 1);
  const device = rt.laptopOn(day);
  const common = { role: spec.role, perHour, volume: spec.volume * busy, pace };

  if (lunch > startHour && !weekend) {
    fillSession(rt, { ...common, start: cal.at(w.zone, day, startHour), end: cal.at(w.zone, day, lunch), source: rt.source(w.morning, device) }, out);
    fillSession(rt, { ...common, start: cal.at(w.zone, day, lunchEnd), end: cal.at(w.zone, day, endHour), source: rt.source(w.afternoon, device) }, out);
  } else if (endHour > startHour) {
    fillSession(rt, { ...common, start: cal.at(w.zone, day, startHour), end: cal.at(w.zone, day, endHour), source: rt.source(w.morning, device) }, out);
  }
  if (w.flight) takeFlight(rt, cal.at(w.zone, day, w.flight.hour + rng.uniform(1.5, 3)), w.flight.from, w.flight.to);
  return w;
}

/** Latest event time generated so far today, so evening activity starts after the workday. */
export function lastTime(out: readonly Pending[], fallback: number): number {
  let t = fallback;
  for (const p of out) if (p.t > t) t = p.t;
  return t;
}
