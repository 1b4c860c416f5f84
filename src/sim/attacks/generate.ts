/*
 * The eight attacks, each written into a victim's stream on its planned day. Sizes and paces are
 * drawn from wide ranges and scaled to the victim's own normal where the attack is "more than
 * usual", so the default rules are judged against behaviour, not against constants.
 */
import { HOUR, MINUTE } from '../clock.js';
import { GB, KB, MB } from '../operations.js';
import { foreignCity } from '../places.js';
import { Rng } from '../random.js';
import { resourceId, type Access, type AgentRuntime, type Credential } from '../runtime.js';
import type { AttackInstance, AttackKind, Pending, Role, Source } from '../types.js';
import { attackerSource, continentOf, midDay, momentAt, stolenAt, type Moment } from './context.js';

interface AttackContext {
  rt: AgentRuntime;
  inst: AttackInstance;
  rng: Rng;
  /** The victim's benign events of the day, by event time. */
  benign: readonly Pending[];
  labels: Record<string, string>;
  out: Pending[];
}

type Sensitive = readonly [type: string, sensitivity: Access['sensitivity']];

const LOOT: readonly Sensitive[] = [
  ['hr.record', 'restricted'],
  ['payroll.record', 'restricted'],
  ['crm.contact', 'confidential'],
  ['finance.report', 'confidential'],
  ['docs.file', 'confidential'],
  ['warehouse.table', 'confidential'],
];

const DELETE_TYPE: Readonly<Record<Role, string>> = {
  office: 'docs.file',
  phone: 'mail.message',
  crm: 'crm.contact',
  heavy: 'analytics.dataset',
  coding: 'repo.file',
  ops: 'ticket.issue',
  batch: 'warehouse.table',
  cleanup: 'storage.object',
};

/** What a normal download of this role moves (median), for attacks made of "unremarkable" downloads. */
const DOWNLOAD: Readonly<Record<Role, { type: string; median: number }>> = {
  office: { type: 'docs.file', median: 250 * KB },
  phone: { type: 'docs.file', median: 250 * KB },
  crm: { type: 'docs.file', median: 300 * KB },
  heavy: { type: 'analytics.dataset', median: 18 * MB },
  coding: { type: 'repo.file', median: 50 * KB },
  ops: { type: 'logs.stream', median: 2 * MB },
  batch: { type: 'warehouse.table', median: 200 * MB },
  cleanup: { type: 'storage.object', median: 100 * KB },
};

export function generateAttack(rt: AgentRuntime, inst: AttackInstance, benign: readonly Pending[], out: Pending[]): void {
  const ctx: AttackContext = {
    rt,
    inst,
    rng: new Rng(`${inst.id}:${inst.seed}`),
    benign,
    labels: { ...rt.spec.labels, sim_attack: inst.kind, sim_attack_id: inst.id },
    out,
  };
  GENERATORS[inst.kind](ctx);
}

const GENERATORS: Readonly<Record<AttackKind, (c: AttackContext) => void>> = {
  offhours_exfil,
  delete_loop: deleteLoop,
  token_replay: tokenReplay,
  scrape_flood: scrapeFlood,
  bulk_export: bulkExport,
  svc_offschedule: serviceOffSchedule,
  slow_exfil: slowExfil,
  new_agent_stolen: newAgentStolen,
};

function push(c: AttackContext, t: number, a: Access, cred: Credential, source: Source | undefined): void {
  c.out.push(c.rt.event(Math.round(t), a, cred, source, c.labels));
}

function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
}

function loot(rng: Rng, action: string, [type, sensitivity]: Sensitive, bytes: number, records = 1): Access {
  return { action, type, id: resourceId(type, rng.int(1, 50_000)), sensitivity, bytes: Math.round(bytes), records };
}

/** Where an attack that hides in work hours starts: a moment in the victim's day, or a fallback. */
function anchor(c: AttackContext, from: number, to: number): Moment {
  const p = midDay(c.rng, c.benign, from, to);
  const m = p ? momentAt(c.benign, p.t) : undefined;
  if (m) return m;
  const { rt, inst } = c;
  const t = rt.cal.at(rt.spec.zone, inst.day, rt.spec.workStart + 2);
  return { t, cred: stolenAt(rt, t), source: rt.source(rt.spec.office, rt.laptopOn(inst.day)) };
}

function offhours_exfil(c: AttackContext): void {
  const { rt, rng, inst } = c;
  const spec = rt.spec;
  let t = rt.cal.at(spec.zone, inst.day, rng.uniform(2.5, 3.6));
  const cred = stolenAt(rt, t);
  const where = foreignCity(rng, spec.countries, rng.chance(0.7) ? spec.home.continent : undefined);
  const source = attackerSource(rng, where, 'unmanaged');
  const main = rng.pick(LOOT);
  const probes = rng.int(2, 8);
  for (let i = 0; i < probes; i++) {
    push(c, t, loot(rng, 'list', main, rng.uniform(5, 30) * KB, rng.int(20, 200)), cred, source);
    t += rng.uniform(1_000, 8_000);
  }
  const total = logUniform(rng, 300 * MB, 3 * GB);
  const count = rng.int(20, 150);
  const step = (rng.uniform(3, 15) * MINUTE) / count;
  for (let i = 0; i < count; i++) {
    const target = rng.chance(0.7) ? main : rng.pick(LOOT);
    push(c, t, loot(rng, rng.chance(0.8) ? 'download' : 'export', target, (total / count) * rng.logNormal(1, 0.35)), cred, source);
    t += step * rng.uniform(0.5, 1.5);
  }
}

function deleteLoop(c: AttackContext): void {
  const { rt, rng, benign } = c;
  let start: Moment;
  const last = benign[benign.length - 1];
  if (rt.spec.cleanup && last) {
    // The weekly job does not stop after its usual batch: it keeps deleting.
    const m = momentAt(benign, last.t) as Moment;
    start = { ...m, t: last.t + rng.uniform(5_000, 60_000) };
  } else {
    const m = anchor(c, 0.2, 0.8);
    start = { ...m, t: m.t + rng.uniform(0, 5) * MINUTE };
  }
  const type = DELETE_TYPE[rt.spec.role];
  const n = Math.round(logUniform(rng, 300, 3_000));
  const step = (rng.uniform(2, 12) * MINUTE) / n;
  const base = rng.int(1_000, 90_000);
  let t = start.t;
  for (let i = 0; i < n; i++) {
    const a: Access = { action: 'delete', type, id: resourceId(type, base + i), sensitivity: 'internal', bytes: 0, records: 1 };
    if (rng.chance(0.03)) a.outcome = 'error';
    push(c, t, a, start.cred, start.source);
    t += step * rng.uniform(0.2, 1.8);
  }
}

function tokenReplay(c: AttackContext): void {
  const { rt, rng } = c;
  const legit = anchor(c, 0.1, 0.9);
  let t = legit.t + rng.uniform(1, 15) * MINUTE;
  const continent = continentOf(legit.source?.country, rt.spec.home);
  const where = foreignCity(rng, new Set([legit.source?.country ?? rt.spec.home.country]), continent);
  const source = attackerSource(rng, where, 'either');
  const n = rng.int(5, 40);
  const step = (rng.uniform(2, 20) * MINUTE) / n;
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    const a =
      r < 0.35
        ? loot(rng, 'read', ['docs.file', rng.chance(0.5) ? 'confidential' : 'internal'], rng.logNormal(30 * KB, 0.8))
        : r < 0.55
          ? loot(rng, 'read', ['mail.message', 'internal'], rng.logNormal(10 * KB, 0.8))
          : r < 0.7
            ? loot(rng, 'list', ['drive.folder', 'internal'], rng.logNormal(4 * KB, 0.5), rng.int(5, 40))
            : r < 0.85
              ? loot(rng, 'read', ['crm.contact', 'confidential'], rng.logNormal(3 * KB, 0.4))
              : loot(rng, 'download', ['docs.file', 'confidential'], logUniform(rng, 200 * KB, 5 * MB));
    push(c, t, a, legit.cred, source);
    t += step * rng.uniform(0.3, 1.7);
  }
}

function scrapeFlood(c: AttackContext): void {
  const { rng } = c;
  const m = anchor(c, 0.2, 0.8);
  const source = rng.chance(0.5) ? m.source : attackerSource(rng, foreignCity(rng, new Set()), 'either');
  const n = Math.round(logUniform(rng, 1_500, 8_000));
  const step = (rng.uniform(3, 10) * MINUTE) / n;
  const base = rng.int(1, 40_000);
  let t = m.t + rng.uniform(0, 10) * MINUTE;
  for (let i = 0; i < n; i++) {
    const list = rng.chance(0.25);
    const a: Access = list
      ? { action: 'list', type: 'crm.contact', id: resourceId('crm.contact', base + i), sensitivity: 'confidential', bytes: Math.round(rng.uniform(10, 25) * KB), records: rng.int(20, 50) }
      : { action: 'read', type: 'crm.contact', id: resourceId('crm.contact', base + i), sensitivity: 'confidential', bytes: Math.round(rng.uniform(1, 4) * KB), records: 1 };
    push(c, t, a, m.cred, source);
    t += step * rng.uniform(0.2, 1.8);
  }
}

function bulkExport(c: AttackContext): void {
  const { rt, rng, inst, benign } = c;
  const spec = rt.spec;
  const start = anchor(c, 0.1, 0.6);
  const total = spec.typicalDailyBytes * (inst.heavy ? rng.uniform(10, 20) : rng.uniform(20, 50));
  const chunk = inst.heavy ? 300 * MB : total / 40;
  const span = rng.uniform(10, 45) * MINUTE;
  const step = span / Math.max(1, total / chunk);
  const targets: readonly Sensitive[] = inst.heavy
    ? [['warehouse.table', 'confidential'], ['analytics.dataset', 'confidential'], ['warehouse.table', 'restricted']]
    : [['docs.file', 'confidential'], ['crm.contact', 'confidential'], ['finance.report', 'confidential']];
  let t = start.t + rng.uniform(0, 10) * MINUTE;
  let moved = 0;
  while (moved < total) {
    const m = momentAt(benign, t) ?? start;
    const bytes = rng.logNormal(chunk, 0.4);
    push(c, t, loot(rng, rng.chance(0.6) ? 'export' : 'download', rng.pick(targets), bytes, rng.int(1_000, 200_000)), m.cred, m.source);
    moved += Math.round(bytes);
    t += step * rng.uniform(0.4, 1.6);
  }
}

function serviceOffSchedule(c: AttackContext): void {
  const { rt, rng, inst } = c;
  const spec = rt.spec;
  let t = rt.cal.at(spec.zone, inst.day, rng.uniform(10.5, 15.5));
  const cred = stolenAt(rt, t);
  const where = foreignCity(rng, spec.countries, rng.chance(0.5) ? spec.home.continent : undefined);
  const source = attackerSource(rng, where, 'either');
  const lists = rng.int(5, 20);
  for (let i = 0; i < lists; i++) {
    push(c, t, loot(rng, 'list', ['warehouse.table', 'internal'], rng.uniform(4, 12) * KB, rng.int(20, 400)), cred, source);
    t += rng.uniform(2_000, 10_000);
  }
  const total = logUniform(rng, 500 * MB, 5 * GB);
  const span = rng.uniform(10, 30) * MINUTE;
  const chunk = 150 * MB;
  const step = span / Math.max(1, total / chunk);
  let moved = 0;
  while (moved < total) {
    const bytes = rng.logNormal(chunk, 0.5);
    const a = rng.chance(0.75)
      ? loot(rng, 'export', ['warehouse.table', rng.chance(0.7) ? 'confidential' : 'restricted'], bytes, rng.int(100_000, 3_000_000))
      : loot(rng, 'download', ['backup.snapshot', 'restricted'], bytes);
    push(c, t, a, cred, source);
    moved += a.bytes;
    t += step * rng.uniform(0.4, 1.6);
  }
}

function slowExfil(c: AttackContext): void {
  const { rt, rng, benign } = c;
  const spec = rt.spec;
  const first = benign[0];
  const start = first ? first.t + rng.uniform(10, 40) * MINUTE : anchor(c, 0, 0.1).t;
  const span = rng.uniform(8, 10) * HOUR;
  const dl = DOWNLOAD[spec.role];
  const per = dl.median * spec.volume * rng.uniform(1.5, 3);
  const total = spec.typicalDailyBytes * rng.uniform(10, 30);
  const meanPer = per * Math.exp(0.5 * 0.5 * 0.5);
  const count = Math.max(10, Math.ceil(total / meanPer));
  const step = span / count;
  let t = start;
  let moved = 0;
  for (let i = 0; i < count && moved < total * 1.1; i++) {
    const m = momentAt(benign, t);
    const cred = m?.cred ?? stolenAt(rt, t);
    const source = m?.source ?? rt.source(spec.office, rt.laptopOn(c.inst.day));
    const a = loot(rng, 'download', [dl.type, rng.chance(0.7) ? 'confidential' : 'internal'], rng.logNormal(per, 0.5));
    push(c, t, a, cred, source);
    moved += a.bytes;
    t += step * rng.exponential(1);
  }
}

function newAgentStolen(c: AttackContext): void {
  const { rt, rng } = c;
  const spec = rt.spec;
  const legit = anchor(c, 0.1, 0.8);
  let t = legit.t + rng.uniform(10, 90) * MINUTE;
  const cred = stolenAt(rt, t);
  const where = foreignCity(rng, spec.countries, spec.home.continent);
  const source = attackerSource(rng, where, 'unmanaged');
  const n = rng.int(10, 60);
  const step = (rng.uniform(5, 30) * MINUTE) / n;
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    const a =
      r < 0.25
        ? loot(rng, 'list', ['drive.folder', 'internal'], rng.logNormal(4 * KB, 0.5), rng.int(5, 40))
        : r < 0.55
          ? loot(rng, 'read', ['docs.file', 'confidential'], rng.logNormal(40 * KB, 0.8))
          : r < 0.75
            ? loot(rng, 'read', ['crm.contact', 'confidential'], rng.logNormal(3 * KB, 0.4))
            : loot(rng, 'download', rng.pick(LOOT), logUniform(rng, 1 * MB, 20 * MB));
    push(c, t, a, cred, source);
    t += step * rng.uniform(0.3, 1.7);
  }
}
