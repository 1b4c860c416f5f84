/* The simulator: deterministic, contract-valid, time-ordered traffic with every population and every attack. */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent } from '../../src/events/index.js';
import type { AgentAccessEvent } from '../../src/events/types.js';
import { ATTACK_KINDS, CITIES, PROFILE_KINDS, createSimulation, distanceKm, planSimulation, type SimPlan } from '../../src/sim/index.js';

const OPTIONS = { days: 12, agents: 90, seed: 7 };

let lines: string[] = [];
let events: AgentAccessEvent[] = [];
let plan: SimPlan;

beforeAll(() => {
  const sim = createSimulation(OPTIONS);
  plan = sim.plan;
  lines = [...sim.lines()];
  events = lines.map((l) => JSON.parse(l) as AgentAccessEvent);
});

const attackOf = (id: string) => events.filter((e) => e.labels?.sim_attack_id === id);
const benignOf = (agentId: string) => events.filter((e) => e.agent.id === agentId && e.labels?.sim_attack === undefined);

/** Local hour of an instant in a zone. */
function localHour(ms: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric' }).formatToParts(new Date(ms));
  const h = Number(parts.find((p) => p.type === 'hour')?.value);
  const m = Number(parts.find((p) => p.type === 'minute')?.value);
  return h + m / 60;
}

function continentOf(country: string | undefined): string | undefined {
  return CITIES.find((c) => c.country === country)?.continent;
}

describe('simulate', () => {
  it('produces a realistic amount of traffic', () => {
    expect(events.length).toBeGreaterThan(50_000);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = [...createSimulation(OPTIONS).lines()];
    expect(again.length).toBe(lines.length);
    expect(again.slice(0, 2000)).toEqual(lines.slice(0, 2000));
    expect(again.slice(-2000)).toEqual(lines.slice(-2000));
    const other = createSimulation({ ...OPTIONS, seed: 8 }).lines().next().value;
    expect(other).not.toBe(lines[0]);
  });

  it('writes only events that the AgentAccessEvent v1 decoder accepts', () => {
    const bad: string[] = [];
    for (const line of lines) {
      const r = decodeEvent(line);
      if (!r.ok) bad.push(r.reason);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('fills the required fields with the right types and unique ids', () => {
    const ids = new Set<string>();
    const faults: string[] = [];
    for (const e of events) {
      ids.add(e.id);
      if (typeof e.agent.id !== 'string' || typeof e.token.id !== 'string' || typeof e.action !== 'string' || typeof e.resource.type !== 'string') faults.push(`${e.id}: required field`);
      if (!Number.isInteger(e.volume?.records) || !((e.volume?.bytes ?? -1) >= 0)) faults.push(`${e.id}: volume`);
      if (!/^[A-Z]{2}$/.test(e.source?.country ?? '') || typeof e.source?.lat !== 'number' || typeof e.source?.lon !== 'number') faults.push(`${e.id}: source`);
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(e.time)) faults.push(`${e.id}: time`);
    }
    expect(faults.slice(0, 5)).toEqual([]);
    expect(ids.size).toBe(events.length);
  });

  it('stays within the run window, ordered by time except for a few events delivered seconds late', () => {
    const start = Date.parse('2026-10-01T00:00:00Z');
    const end = start + OPTIONS.days * 86_400_000;
    let latest = 0;
    let outOfOrder = 0;
    for (const e of events) {
      const t = Date.parse(e.time);
      expect(t).toBeGreaterThanOrEqual(start);
      expect(t).toBeLessThan(end);
      if (t < latest) {
        outOfOrder++;
        expect(latest - t).toBeLessThanOrEqual(5_000);
      } else latest = t;
    }
    expect(outOfOrder).toBeGreaterThan(0);
    expect(outOfOrder / events.length).toBeLessThan(0.03);
  });

  it('includes every benign population, none of it labelled as an attack', () => {
    const seen = new Set(events.filter((e) => e.labels?.sim_attack === undefined).map((e) => e.labels?.sim_profile));
    for (const p of PROFILE_KINDS) expect(seen, p).toContain(p);
    for (const e of events) {
      if (e.labels?.sim_attack === undefined) expect(e.labels?.sim_attack_id).toBeUndefined();
    }
  });

  it('includes every attack kind, each instance labelled with its kind and a unique id', () => {
    for (const kind of ATTACK_KINDS) expect(plan.attacks.some((a) => a.kind === kind), kind).toBe(true);
    for (const a of plan.attacks) {
      const evs = attackOf(a.id);
      expect(evs.length, a.id).toBeGreaterThan(0);
      for (const e of evs) expect(e.labels?.sim_attack).toBe(a.kind);
      const victim = plan.agents[a.agentIndex];
      expect(new Set(evs.map((e) => e.agent.id))).toEqual(new Set([victim?.id]));
    }
  });

  it('gives service accounts no principal, and people a principal with their time zone', () => {
    for (const e of events) {
      const batch = e.labels?.sim_profile === 'nightly_batch';
      if (batch) expect(e.principal).toBeUndefined();
      else if (e.labels?.sim_profile !== 'weekly_cleanup') expect(e.principal?.timezone).toMatch(/\//);
    }
  });

  it('rotates short-lived tokens: several per agent per working day', () => {
    const perAgentDay = new Map<string, Set<string>>();
    for (const e of events) {
      if (e.labels?.sim_profile !== 'crm_support') continue;
      const key = `${e.agent.id}|${e.time.slice(0, 10)}`;
      const set = perAgentDay.get(key) ?? new Set<string>();
      set.add(e.token.id);
      perAgentDay.set(key, set);
    }
    const counts = [...perAgentDay.values()].map((s) => s.size);
    expect(counts.filter((n) => n >= 2).length / counts.length).toBeGreaterThan(0.5);
  });

  it('keeps benign movement physically possible, except for VPN exits', () => {
    const last = new Map<string, { t: number; lat: number; lon: number }>();
    for (const e of events) {
      if (e.labels?.sim_attack !== undefined) continue;
      const t = Date.parse(e.time);
      const here = { lat: e.source?.lat as number, lon: e.source?.lon as number };
      const prev = last.get(e.agent.id);
      if (prev && e.labels?.sim_profile !== 'vpn_user') {
        const km = distanceKm(prev, here);
        if (km > 500) expect(km / Math.max(1e-9, (t - prev.t) / 3_600_000), `${e.agent.id} at ${e.time}`).toBeLessThan(900);
      }
      last.set(e.agent.id, { t, ...here });
    }
  });

  it('sends travellers abroad on their usual managed laptop, with their home time zone', () => {
    const travellers = plan.agents.filter((a) => a.profile === 'traveler' && a.trips.length > 0);
    expect(travellers.length).toBeGreaterThan(0);
    for (const a of travellers) {
      const abroad = benignOf(a.id).filter((e) => e.source?.country !== a.home.country);
      expect(abroad.length, a.id).toBeGreaterThan(0);
      for (const e of abroad) {
        expect(e.principal?.timezone).toBe(a.home.timezone);
        expect(e.source?.device?.managed).toBe(true);
      }
    }
  });

  it('moves VPN users between the office and an exit in another country', () => {
    for (const a of plan.agents.filter((x) => x.profile === 'vpn_user')) {
      const networks = new Set(benignOf(a.id).map((e) => `${e.source?.network}:${e.source?.country}`));
      expect(networks).toContain(`corporate:${a.home.country}`);
      expect([...networks].some((n) => n.startsWith('vpn:') && !n.endsWith(`:${a.home.country}`))).toBe(true);
    }
  });

  it('has evening phone checks from an unmanaged device at home between 19:00 and 22:00', () => {
    const phoneEvents = events.filter((e) => e.labels?.sim_profile === 'evening_phone' && e.labels?.sim_attack === undefined && e.source?.device?.managed === false);
    expect(phoneEvents.length).toBeGreaterThan(0);
    for (const e of phoneEvents) {
      const h = localHour(Date.parse(e.time), e.principal?.timezone as string);
      expect(h).toBeGreaterThanOrEqual(19);
      expect(h).toBeLessThan(22.6);
    }
  });

  it('runs nightly batches at night from a fixed datacenter, moving gigabytes', () => {
    for (const a of plan.agents.filter((x) => x.profile === 'nightly_batch')) {
      const mine = benignOf(a.id);
      expect(new Set(mine.map((e) => e.source?.ip)).size).toBe(1);
      const heavy = mine.filter((e) => (e.volume?.bytes ?? 0) > 10_000_000);
      expect(heavy.length).toBeGreaterThan(0);
      for (const e of heavy) {
        const h = localHour(Date.parse(e.time), a.zone);
        expect(h >= 0.5 && h < 6, `${a.id} at ${e.time}`).toBe(true);
      }
    }
  });

  it('has heavy agents moving tens of times what a light assistant moves in a day', () => {
    const perDay = (profile: string) => {
      const totals = plan.agents
        .filter((a) => a.profile === profile)
        .map((a) => {
          const mine = benignOf(a.id);
          const days = new Set(mine.map((e) => e.time.slice(0, 10))).size;
          return mine.reduce((s, e) => s + (e.volume?.bytes ?? 0), 0) / Math.max(1, days);
        })
        .sort((x, y) => x - y);
      return totals[totals.length >> 1] as number;
    };
    expect(perDay('heavy_data') / perDay('office_assistant')).toBeGreaterThan(30);
  });

  it('has coding agents firing bursts of dozens of tool calls within a minute', () => {
    for (const a of plan.agents.filter((x) => x.profile === 'coding_agent')) {
      const times = benignOf(a.id).map((e) => Date.parse(e.time)).sort((x, y) => x - y);
      let most = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while ((times[i] as number) - (times[j] as number) > 60_000) j++;
        most = Math.max(most, i - j + 1);
      }
      expect(most, a.id).toBeGreaterThanOrEqual(30);
    }
  });

  it('has weekly clean-ups deleting dozens of items on one day a week', () => {
    for (const a of plan.agents.filter((x) => x.profile === 'weekly_cleanup')) {
      const perDay = new Map<string, number>();
      for (const e of benignOf(a.id)) if (e.action === 'delete') perDay.set(e.time.slice(0, 10), (perDay.get(e.time.slice(0, 10)) ?? 0) + 1);
      expect(perDay.size, a.id).toBeGreaterThan(0);
      for (const n of perDay.values()) {
        expect(n).toBeGreaterThanOrEqual(12);
        expect(n).toBeLessThan(150);
      }
    }
  });

  it('has on-call people working at night, from home on their managed laptop', () => {
    const night = events.filter((e) => {
      if (e.labels?.sim_profile !== 'oncall' || e.labels?.sim_attack !== undefined) return false;
      const h = localHour(Date.parse(e.time), e.principal?.timezone as string);
      return h >= 22.5 || h < 5;
    });
    expect(night.length).toBeGreaterThan(0);
    for (const e of night) {
      expect(e.source?.device?.managed).toBe(true);
      expect(e.source?.network).not.toBe('corporate');
    }
  });

  it('gives some people a new managed laptop part way through', () => {
    for (const a of plan.agents.filter((x) => x.profile === 'new_laptop')) {
      const devices = [...new Set(benignOf(a.id).map((e) => e.source?.device?.id))];
      expect(devices.length, a.id).toBe(2);
      for (const e of benignOf(a.id)) expect(e.source?.device?.managed).toBe(true);
    }
  });

  it('gives new agents no history before they appear', () => {
    for (const a of plan.agents.filter((x) => x.profile === 'new_agent')) {
      const first = events.find((e) => e.agent.id === a.id);
      expect(first, a.id).toBeDefined();
      expect(Date.parse(first?.time as string)).toBeGreaterThanOrEqual(Date.parse('2026-10-01T00:00:00Z') + (a.firstDay - 1) * 86_400_000);
      expect(a.firstDay).toBeGreaterThan(0);
    }
  });
});

describe('attacks', () => {
  const instances = (kind: string) => plan.attacks.filter((a) => a.kind === kind);

  it('offhours_exfil: ~3 AM local, a country the agent never used, GB-scale confidential downloads in minutes', () => {
    for (const a of instances('offhours_exfil')) {
      const victim = plan.agents[a.agentIndex];
      const evs = attackOf(a.id);
      const benignCountries = new Set(benignOf(victim?.id as string).map((e) => e.source?.country));
      for (const e of evs) expect(benignCountries.has(e.source?.country)).toBe(false);
      const h = localHour(Date.parse(evs[0]?.time as string), victim?.zone as string);
      expect(h).toBeGreaterThanOrEqual(2);
      expect(h).toBeLessThan(4.5);
      const bytes = evs.reduce((s, e) => s + (e.volume?.bytes ?? 0), 0);
      expect(bytes).toBeGreaterThan(200_000_000);
      expect(Date.parse(evs.at(-1)?.time as string) - Date.parse(evs[0]?.time as string)).toBeLessThan(20 * 60_000);
      expect(evs.filter((e) => e.action === 'download' || e.action === 'export').every((e) => ['confidential', 'restricted'].includes(e.resource.sensitivity as string))).toBe(true);
    }
  });

  it('delete_loop: hundreds to thousands of deletes within minutes from the usual source', () => {
    for (const a of instances('delete_loop')) {
      const evs = attackOf(a.id);
      expect(evs.length).toBeGreaterThanOrEqual(300);
      expect(evs.every((e) => e.action === 'delete')).toBe(true);
      expect(Date.parse(evs.at(-1)?.time as string) - Date.parse(evs[0]?.time as string)).toBeLessThan(25 * 60_000);
      const usual = new Set(benignOf(evs[0]?.agent.id as string).map((e) => e.source?.ip));
      expect(usual.has(evs[0]?.source?.ip)).toBe(true);
    }
  });

  it('token_replay: the same token minutes after legitimate use, from another continent', () => {
    for (const a of instances('token_replay')) {
      const evs = attackOf(a.id);
      const first = evs[0] as AgentAccessEvent;
      const legit = benignOf(first.agent.id).filter((e) => e.token.id === first.token.id && Date.parse(e.time) <= Date.parse(first.time));
      expect(legit.length).toBeGreaterThan(0);
      const lastLegit = legit.at(-1) as AgentAccessEvent;
      expect(Date.parse(first.time) - Date.parse(lastLegit.time)).toBeLessThan(16 * 60_000);
      expect(continentOf(first.source?.country)).not.toBe(continentOf(lastLegit.source?.country));
      expect(first.source?.device?.managed).not.toBe(true);
      expect(evs.length).toBeGreaterThanOrEqual(5);
    }
  });

  it('scrape_flood: thousands of small crm.contact reads and lists in minutes', () => {
    for (const a of instances('scrape_flood')) {
      const evs = attackOf(a.id);
      expect(evs.length).toBeGreaterThanOrEqual(1_500);
      expect(evs.every((e) => e.resource.type === 'crm.contact' && (e.action === 'read' || e.action === 'list'))).toBe(true);
      expect(Date.parse(evs.at(-1)?.time as string) - Date.parse(evs[0]?.time as string)).toBeLessThan(15 * 60_000);
    }
  });

  it('bulk_export: many times the agent usual daily volume, from its usual place and device', () => {
    for (const a of instances('bulk_export')) {
      const victim = plan.agents[a.agentIndex];
      const evs = attackOf(a.id);
      const bytes = evs.reduce((s, e) => s + (e.volume?.bytes ?? 0), 0);
      const benign = benignOf(victim?.id as string);
      const days = new Set(benign.map((e) => e.time.slice(0, 10))).size;
      const perDay = benign.reduce((s, e) => s + (e.volume?.bytes ?? 0), 0) / days;
      expect(bytes / perDay).toBeGreaterThan(5);
      const devices = new Set(benign.map((e) => e.source?.device?.id));
      expect(evs.every((e) => devices.has(e.source?.device?.id))).toBe(true);
    }
  });

  it('svc_offschedule: a service account at midday from a new country', () => {
    for (const a of instances('svc_offschedule')) {
      const victim = plan.agents[a.agentIndex];
      const evs = attackOf(a.id);
      expect(evs.every((e) => e.principal === undefined)).toBe(true);
      const h = localHour(Date.parse(evs[0]?.time as string), victim?.zone as string);
      expect(h).toBeGreaterThanOrEqual(10);
      expect(h).toBeLessThan(16);
      expect(evs.every((e) => e.source?.country !== victim?.home.country)).toBe(true);
    }
  });

  it('slow_exfil: a working day of modest downloads adding up to many times the usual day', () => {
    for (const a of instances('slow_exfil')) {
      const evs = attackOf(a.id);
      const span = Date.parse(evs.at(-1)?.time as string) - Date.parse(evs[0]?.time as string);
      expect(span).toBeGreaterThan(6 * 3_600_000);
      expect(span).toBeLessThan(12 * 3_600_000);
      const victim = plan.agents[a.agentIndex];
      const total = evs.reduce((s, e) => s + (e.volume?.bytes ?? 0), 0);
      expect(total / (victim?.typicalDailyBytes as number)).toBeGreaterThan(8);
      const biggest = Math.max(...evs.map((e) => e.volume?.bytes ?? 0));
      expect(biggest / total).toBeLessThan(0.05);
    }
  });

  it('new_agent_stolen: a brand-new agent token used from another continent on an unknown unmanaged device', () => {
    for (const a of instances('new_agent_stolen')) {
      const victim = plan.agents[a.agentIndex];
      expect(victim?.profile).toBe('new_agent');
      expect(a.day - (victim?.firstDay as number)).toBeLessThanOrEqual(1);
      const evs = attackOf(a.id);
      const knownDevices = new Set(benignOf(victim?.id as string).map((e) => e.source?.device?.id));
      for (const e of evs) {
        expect(e.source?.device?.managed).toBe(false);
        expect(knownDevices.has(e.source?.device?.id)).toBe(false);
        expect(continentOf(e.source?.country)).not.toBe(victim?.home.continent);
      }
    }
  });

  it('plans several instances per kind over weeks of traffic, on distinct victims', () => {
    const p = planSimulation({ days: 21, agents: 300, seed: 3 });
    for (const kind of ATTACK_KINDS) expect(p.attacks.filter((a) => a.kind === kind).length).toBeGreaterThanOrEqual(3);
    expect(new Set(p.attacks.map((a) => a.agentIndex)).size).toBe(p.attacks.length);
    expect(new Set(p.attacks.map((a) => a.id)).size).toBe(p.attacks.length);
  });
});
