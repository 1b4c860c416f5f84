/*
 * The simulator's entry point: plans a run (roster and attacks) and produces its events lazily,
 * merged across agents in arrival order, as objects or JSON lines. The summary fills in as the
 * events are consumed, so a caller streaming millions of lines never holds them.
 */
import type { AgentAccessEvent } from '../events/types.js';
import { AgentStream } from './agent-stream.js';
import { planAttacks } from './attacks/plan.js';
import { Calendar, DAY, parseStartDate } from './clock.js';
import { mergeStreams } from './merge.js';
import { buildRoster } from './population.js';
import { AgentRuntime } from './runtime.js';
import { Rng } from './random.js';
import { ATTACK_KINDS, type AttackInstance, type AttackKind, type SimOptions, type SimPlan, type SimSummary } from './types.js';

export const DEFAULT_SIM_OPTIONS: Readonly<SimOptions> = Object.freeze({
  days: 21,
  seed: 1,
  agents: 300,
  startMs: parseStartDate('2026-10-01'),
});

export function planSimulation(options: Partial<SimOptions> = {}): SimPlan {
  const opts: SimOptions = { ...DEFAULT_SIM_OPTIONS, ...options };
  if (!Number.isInteger(opts.days) || opts.days < 1) throw new RangeError(`days must be a positive whole number (got ${opts.days})`);
  if (!Number.isInteger(opts.agents) || opts.agents < 1) throw new RangeError(`agents must be a positive whole number (got ${opts.agents})`);
  if (!Number.isFinite(opts.startMs)) throw new RangeError('start must be a date (YYYY-MM-DD)');
  if (opts.activity !== undefined && !(opts.activity > 0)) throw new RangeError(`activity must be above 0 (got ${opts.activity})`);
  const agents = buildRoster(opts);
  return { options: opts, agents, attacks: planAttacks(agents, opts) };
}

export interface Simulation {
  plan: SimPlan;
  /** Live counts: complete once `events()` or `lines()` has been fully consumed. */
  summary: SimSummary;
  events(): Generator<AgentAccessEvent>;
  lines(): Generator<string>;
}

export function createSimulation(options: Partial<SimOptions> = {}): Simulation {
  const plan = planSimulation(options);
  const summary = emptySummary(plan);
  function* events(): Generator<AgentAccessEvent> {
    const { options: opts, agents } = plan;
    const cal = new Calendar(opts.startMs);
    const byAgent = new Map<number, Map<number, AttackInstance[]>>();
    for (const a of plan.attacks) {
      let days = byAgent.get(a.agentIndex);
      if (!days) byAgent.set(a.agentIndex, (days = new Map()));
      const list = days.get(a.day) ?? [];
      list.push(a);
      days.set(a.day, list);
    }
    const endMs = opts.startMs + opts.days * DAY;
    const streams = agents.map((spec) => {
      const attacks = byAgent.get(spec.index) ?? new Map<number, AttackInstance[]>();
      const rt = new AgentRuntime(spec, new Rng(`${opts.seed}:run:${spec.index}`), cal, `${opts.seed.toString(36)}${spec.index.toString(36)}`, new Set(attacks.keys()));
      // Day -1 and the day after the end cover the parts of the window that other zones' days reach.
      return new AgentStream(rt, attacks, spec.firstDay > 0 ? spec.firstDay : -1, opts.days, opts.startMs, endMs);
    });
    for (const p of mergeStreams(streams)) {
      summary.events++;
      if (p.e.labels?.sim_attack !== undefined) summary.attackEvents++;
      yield p.e;
    }
  }
  function* lines(): Generator<string> {
    for (const e of events()) yield JSON.stringify(e);
  }
  return { plan, summary, events, lines };
}

function emptySummary(plan: SimPlan): SimSummary {
  const attacks = Object.fromEntries(ATTACK_KINDS.map((k) => [k, 0])) as Record<AttackKind, number>;
  for (const a of plan.attacks) attacks[a.kind]++;
  const profiles: Record<string, number> = {};
  for (const a of plan.agents) profiles[a.profile] = (profiles[a.profile] ?? 0) + 1;
  return { events: 0, agents: plan.agents.length, attacks, attackEvents: 0, profiles };
}

/** One line for stderr: what was generated. */
export function formatSimSummary(s: SimSummary): string {
  const attacks = ATTACK_KINDS.map((k) => `${k}=${s.attacks[k]}`).join(' ');
  return `simulate: ${s.events} events (${s.attackEvents} attack events), ${s.agents} agents, attacks: ${attacks}`;
}
