/*
 * One benign day of an agent, by population: which daily pattern each profile follows. Calls must
 * come in time order within a day, because tokens rotate as time passes.
 */
import type { AgentRuntime } from '../runtime.js';
import type { Pending } from '../types.js';
import { eveningPhoneCheck, oncallNight } from './evenings.js';
import { nightlyBatch, weeklyCleanup } from './service.js';
import { workday } from './workday.js';

export function benignDay(rt: AgentRuntime, day: number, out: Pending[]): void {
  const spec = rt.spec;
  if (day < spec.firstDay) return;
  switch (spec.profile) {
    case 'nightly_batch':
      nightlyBatch(rt, day, out);
      return;
    case 'weekly_cleanup':
      weeklyCleanup(rt, day, out);
      return;
    case 'coding_agent':
      workday(rt, day, 'bursts', out);
      return;
    case 'crm_support':
    case 'heavy_data':
      workday(rt, day, 'steady', out);
      return;
    case 'evening_phone': {
      const w = workday(rt, day, 'tasks', out);
      if (!w?.away) eveningPhoneCheck(rt, day, out);
      return;
    }
    case 'oncall':
      workday(rt, day, 'tasks', out);
      oncallNight(rt, day, out);
      return;
    default:
      workday(rt, day, 'tasks', out);
  }
}
