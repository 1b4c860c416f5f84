/*
 * Legitimate activity outside office hours: a quick evening check from a personal phone at home,
 * and on-call engineers paged at night, some nights every week, from home on their work laptop.
 */
import { MINUTE } from '../clock.js';
import type { AgentRuntime } from '../runtime.js';
import type { Pending } from '../types.js';
import { fillSession } from './sessions.js';
import { lastTime } from './workday.js';

export function eveningPhoneCheck(rt: AgentRuntime, day: number, out: Pending[]): void {
  const { spec, rng, cal } = rt;
  const phone = spec.phone;
  if (!phone || day < phone.fromDay || !rng.chance(phone.share)) return;
  const after = lastTime(out, 0) + 10 * MINUTE;
  const start = Math.max(cal.at(spec.zone, day, rng.uniform(19, 21.6)), after);
  const end = Math.min(start + rng.uniform(2, 20) * MINUTE, cal.at(spec.zone, day, 22));
  fillSession(rt, { start, end, source: rt.source(phone.place, phone.device), role: 'phone', perHour: rng.uniform(20, 50) * spec.busyness, volume: spec.volume, pace: 'tasks' }, out);
}

export function oncallNight(rt: AgentRuntime, day: number, out: Pending[]): void {
  const { spec, rng, cal } = rt;
  if (spec.oncallNights <= 0 || !rng.chance(spec.oncallNights)) return;
  // A page between 22:00 and 04:00; sometimes a second one later the same night.
  let hour = rng.uniform(22, 27.5);
  const pages = rng.chance(0.3) ? 2 : 1;
  const device = rt.laptopOn(day);
  for (let i = 0; i < pages && hour < 28.5; i++) {
    const start = Math.max(cal.at(spec.zone, day, hour), lastTime(out, 0) + 5 * MINUTE);
    const end = start + rng.uniform(15, 110) * MINUTE;
    fillSession(rt, { start, end, source: rt.source(spec.homePlace, device), role: 'ops', perHour: rng.uniform(40, 90) * spec.busyness, volume: spec.volume, pace: 'tasks' }, out);
    hour += rng.uniform(2, 4);
  }
}
