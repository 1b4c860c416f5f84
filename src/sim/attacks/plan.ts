/*
 * Which agents are attacked, how, and on which day. Instances of a kind are spread over the run
 * (after a warm-up, so victims have a history) and over distinct victims, so one detection cannot
 * take credit for two attacks.
 */
import { DAY } from '../clock.js';
import { Rng } from '../random.js';
import { ATTACK_KINDS, type AgentSpec, type AttackInstance, type AttackKind, type ProfileKind, type SimOptions } from '../types.js';

const VICTIMS: Readonly<Record<AttackKind, readonly ProfileKind[]>> = {
  offhours_exfil: ['office_assistant', 'crm_support', 'heavy_data', 'vpn_user', 'evening_phone', 'new_laptop', 'oncall'],
  delete_loop: ['coding_agent', 'weekly_cleanup', 'office_assistant', 'crm_support'],
  token_replay: ['office_assistant', 'crm_support', 'coding_agent', 'heavy_data', 'vpn_user', 'evening_phone', 'new_laptop'],
  scrape_flood: ['crm_support', 'office_assistant', 'evening_phone'],
  bulk_export: ['office_assistant', 'crm_support', 'evening_phone', 'new_laptop', 'vpn_user'],
  svc_offschedule: ['nightly_batch'],
  slow_exfil: ['office_assistant', 'crm_support', 'vpn_user', 'heavy_data'],
  new_agent_stolen: ['new_agent'],
};

/** Default instances per kind: several over weeks of traffic, at least one in a short sample. */
export function defaultAttacksPerKind(days: number, agents: number): number {
  return Math.max(1, Math.min(8, Math.round((days * agents) / 1500)));
}

export function planAttacks(agents: readonly AgentSpec[], opts: SimOptions): AttackInstance[] {
  const rng = new Rng(`${opts.seed}:attacks`);
  const perKind = opts.attacksPerKind ?? defaultAttacksPerKind(opts.days, opts.agents);
  const warmup = opts.days >= 14 ? 7 : Math.max(1, Math.floor(opts.days / 2));
  const lastDay = Math.max(warmup, opts.days >= 3 ? opts.days - 2 : opts.days - 1);
  const used = new Set<number>();
  const attacks: AttackInstance[] = [];
  const weekday = (d: number) => new Date(opts.startMs + d * DAY).getUTCDay();

  for (const kind of ATTACK_KINDS) {
    for (let n = 0; n < perKind; n++) {
      // Stratify days so the instances of a kind land across the run, not on one afternoon.
      const span = lastDay - warmup + 1;
      const lo = warmup + Math.floor((n * span) / perKind);
      const hi = Math.max(lo, warmup + Math.floor(((n + 1) * span) / perKind) - 1);
      const picked = pickVictim(rng, agents, kind, used, lo, hi, warmup, lastDay, weekday, n);
      if (!picked) continue;
      used.add(picked.agent.index);
      attacks.push({
        id: `atk-${kind.replace(/_/g, '-')}-${n + 1}`,
        kind,
        agentIndex: picked.agent.index,
        day: picked.day,
        seed: rng.u32(),
        heavy: picked.agent.profile === 'heavy_data',
      });
    }
  }
  return attacks;
}

function pickVictim(
  rng: Rng,
  agents: readonly AgentSpec[],
  kind: AttackKind,
  used: ReadonlySet<number>,
  lo: number,
  hi: number,
  warmup: number,
  lastDay: number,
  weekday: (d: number) => number,
  n: number,
): { agent: AgentSpec; day: number } | undefined {
  let pool = agents.filter((a) => VICTIMS[kind].includes(a.profile));
  if (kind === 'bulk_export') {
    // Alternate light and heavy victims: 20-50x a light agent is still small, 10-20x a heavy one is huge.
    const heavy = agents.filter((a) => a.profile === 'heavy_data');
    if (n % 2 === 1 && heavy.some((a) => !used.has(a.index))) pool = heavy;
  }
  if (kind === 'slow_exfil' && n > 0) pool = pool.filter((a) => a.profile !== 'heavy_data' || n % 3 === 2);
  const fresh = pool.filter((a) => !used.has(a.index));
  const candidates = rng.shuffle(fresh.length > 0 ? fresh : [...pool]);

  for (const agent of candidates) {
    const day = pickDay(rng, agent, kind, lo, hi, warmup, lastDay, weekday);
    if (day !== undefined) return { agent, day };
  }
  return undefined;
}

function pickDay(rng: Rng, agent: AgentSpec, kind: AttackKind, lo: number, hi: number, warmup: number, lastDay: number, weekday: (d: number) => number): number | undefined {
  const isWeekday = (d: number) => weekday(d) !== 0 && weekday(d) !== 6;
  if (kind === 'new_agent_stolen') {
    // Stolen within its first day or two, before it has any history worth the name.
    const days = [agent.firstDay, agent.firstDay + 1].filter((d) => d <= lastDay && d >= 1);
    const weekdays = days.filter(isWeekday);
    return weekdays.length > 0 ? rng.pick(weekdays) : days[0];
  }
  const inRange = (a: number, b: number, weekdaysOnly: boolean) => {
    const out: number[] = [];
    for (let d = Math.max(a, agent.firstDay > 0 ? agent.firstDay + 3 : a); d <= b; d++) {
      if (kind === 'delete_loop' && agent.cleanup) {
        // A clean-up job runs away on its clean-up day.
        if (weekday(d) === agent.cleanup.weekday) out.push(d);
      } else if (!weekdaysOnly || kind === 'svc_offschedule' || isWeekday(d)) out.push(d);
    }
    return out;
  };
  // Prefer a working day in this instance's stretch of the run; short runs may have none.
  for (const [a, b, weekdaysOnly] of [[lo, hi, true], [warmup, lastDay, true], [warmup, lastDay, false]] as const) {
    const days = inRange(a, b, weekdaysOnly);
    if (days.length > 0) return rng.pick(days);
  }
  return undefined;
}
