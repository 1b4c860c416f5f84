/*
 * The quality score of a ruleset on labelled traffic: which attacks were restricted (a token
 * revoked or the agent quarantined by an enforcing rule) and how much got through first, and which
 * restrictions and alerts hit benign agents. Events are fed one at a time and only attack events
 * are kept, so weeks of traffic can be scored in a streaming pass.
 *
 * A restriction of a stolen token counts for the attack even when the owner's own next use of the
 * token triggered it (the classic token-replay catch): the thief's copy is revoked all the same, so
 * it is reported as a catch "via the same token", never as a false restriction. Likewise a window
 * rule that fires on a benign event while the attack's bytes are still in its window is "in window",
 * and so is a composite whose signals looked back (`within`, from the earliest signal) over attack
 * traffic: those signals fired on windows that held it.
 */
import { quarantineMs } from '../actions/quarantine.js';
import type { Detection } from '../engine/types.js';
import { RESTRICTING_ACTIONS } from '../rules/types.js';
import { ATTACK_KINDS } from './types.js';

/** The parts of an event the scorer reads. */
export interface ScoredEvent {
  id: string;
  time: string;
  agent: { id: string };
  token?: { id?: string };
  volume?: { bytes?: number };
  labels?: Record<string, string>;
}

export interface InstanceScore {
  id: string;
  kind: string;
  agentId: string;
  profile: string;
  events: number;
  bytes: number;
  start: string;
  end: string;
  restricted: boolean;
  /** Event time of the first restricting detection. */
  restrictedAt: string | null;
  /** Rules whose restricting detections involved this attack; "(same token)" when triggered by the owner's use of the stolen token. */
  restrictedBy: string[];
  detected: boolean;
  detectedBy: string[];
  /** Attack events at or before the first restriction (all of them if never restricted). */
  leakedEvents: number;
  leakedBytes: number;
  timeToRestrictMs: number | null;
}

export interface KindScore {
  kind: string;
  attacks: number;
  restricted: number;
  detected: number;
  events: number;
  bytes: number;
  leakedEvents: number;
  leakedBytes: number;
  medianTimeToRestrictMs: number | null;
  maxTimeToRestrictMs: number | null;
  /** Instance ids never restricted. */
  missed: string[];
}

export interface FalseRestriction {
  detectionId: string;
  rule: string;
  agentId: string;
  profile: string;
  time: string;
  actions: string[];
}

export interface QualityReport {
  events: number;
  attackEvents: number;
  detections: number;
  kinds: KindScore[];
  overall: Omit<KindScore, 'kind' | 'missed'> & { missed: string[] };
  instances: InstanceScore[];
  falseRestrictions: {
    total: number;
    byRule: Record<string, number>;
    byProfile: Record<string, number>;
    list: FalseRestriction[];
  };
  /** Restricting detections triggered by a benign event on a token an attack was using (the owner's next use of a stolen token, or an agent misusing its own), counted as catches. */
  sameTokenRestrictions: number;
  /** Restrictions by a window rule triggered by a benign event while attack traffic was still in its window. */
  inWindowRestrictions: number;
  /** Detections that restrict nothing (alert-only, approval, or shadow mode) and involve no attack event. */
  benignAlerts: { total: number; byRule: Record<string, number>; byProfile: Record<string, number> };
  /** Every attack kind fully restricted and no false restriction. */
  pass: boolean;
}

interface Instance {
  id: string;
  kind: string;
  agentId: string;
  profile: string;
  first: number;
  times: number[];
  bytes: number[];
  /** The token of each event (undefined when it had none), to tell which a revocation stopped. */
  tokens: (string | undefined)[];
}

/** How long a quarantine lasts when scoring, unless its rule's cooldown is longer: GUARDRAIL_QUARANTINE_TTL's default. */
const QUARANTINE_TTL_MS = 3_600_000;
/** The longest a rule's cooldown makes it when scoring: GUARDRAIL_QUARANTINE_MAX_TTL's default. */
const QUARANTINE_MAX_TTL_MS = 12 * 3_600_000;

export interface QualityOptions {
  /** Each rule's cooldown by id (cooldownsOf the ruleset): a quarantine lasts it when longer than the TTL, as `guardrail run` does. */
  cooldownMsOf?: (ruleId: string) => number | undefined;
}

export function isRestricting(d: Pick<Detection, 'mode' | 'actions'>): boolean {
  return d.mode === 'enforce' && d.actions.some((a) => RESTRICTING_ACTIONS.includes(a));
}

export class QualityCollector {
  constructor(private readonly options: QualityOptions = {}) {}

  private events = 0;
  private readonly instances = new Map<string, Instance>();
  /** Attack event id -> its instance. Benign event ids are not kept. */
  private readonly attackEvents = new Map<string, Instance>();
  private readonly profiles = new Map<string, string>();
  /** Token id -> the attacks that used it. */
  private readonly attackTokens = new Map<string, Set<Instance>>();
  private readonly detections: Detection[] = [];
  private readonly detectionIds = new Set<string>();

  addEvent(e: ScoredEvent): void {
    this.events++;
    const labels = e.labels;
    const agentId = e.agent.id;
    if (labels?.sim_profile !== undefined && !this.profiles.has(agentId)) this.profiles.set(agentId, labels.sim_profile);
    const attackId = labels?.sim_attack_id;
    if (attackId === undefined) return;
    // An attack event whose time does not parse is one the engine rejects too: not scored. One
    // delivered again (a producer retry, a replayed export) is the same event: scored once.
    if (Number.isNaN(Date.parse(e.time)) || this.attackEvents.has(e.id)) return;
    let inst = this.instances.get(attackId);
    if (!inst) {
      inst = { id: attackId, kind: labels?.sim_attack ?? 'unknown', agentId, profile: labels?.sim_profile ?? 'unknown', first: Number.POSITIVE_INFINITY, times: [], bytes: [], tokens: [] };
      this.instances.set(attackId, inst);
    }
    const t = Date.parse(e.time);
    if (t < inst.first) inst.first = t;
    inst.times.push(t);
    const tokenId = e.token?.id;
    inst.tokens.push(tokenId);
    if (tokenId !== undefined) {
      let set = this.attackTokens.get(tokenId);
      if (!set) this.attackTokens.set(tokenId, (set = new Set()));
      set.add(inst);
    }
    inst.bytes.push(e.volume?.bytes ?? 0);
    this.attackEvents.set(e.id, inst);
  }

  /** A detection published again (a redelivered batch) has the same id: it counts once, as consumers deduplicate it. */
  addDetection(d: Detection): void {
    if (this.detectionIds.has(d.id)) return;
    this.detectionIds.add(d.id);
    this.detections.push(d);
  }

  report(): QualityReport {
    const restrictedAt = new Map<string, number>();
    const restrictedBy = new Map<string, Set<string>>();
    const detectedBy = new Map<string, Set<string>>();
    const falseList: FalseRestriction[] = [];
    const alertsByRule: Record<string, number> = {};
    const alertsByProfile: Record<string, number> = {};
    let sameToken = 0;
    let inWindow = 0;
    // What every restriction stopped, whichever attack it is credited to: a revoked token's later
    // events, a quarantined agent's events while the quarantine lasts.
    const revokedAt = new Map<string, number>();
    const quarantined = new Map<string, [number, number][]>();
    for (const d of this.detections) {
      if (!isRestricting(d)) continue;
      const at = Date.parse(d.time);
      if (d.actions.includes('revoke_token')) revokedAt.set(d.subject.tokenId, Math.min(at, revokedAt.get(d.subject.tokenId) ?? Number.POSITIVE_INFINITY));
      if (d.actions.includes('quarantine_agent')) {
        const span: [number, number] = [at, at + quarantineMs(QUARANTINE_TTL_MS, this.options.cooldownMsOf?.(d.rule.id), QUARANTINE_MAX_TTL_MS)];
        const list = quarantined.get(d.subject.agentId);
        if (list) list.push(span);
        else quarantined.set(d.subject.agentId, [span]);
      }
    }
    const stopped = (agentId: string, tokenId: string | undefined, t: number): boolean => {
      const revoked = tokenId === undefined ? undefined : revokedAt.get(tokenId);
      if (revoked !== undefined && revoked < t) return true;
      return (quarantined.get(agentId) ?? []).some(([from, until]) => from < t && t < until);
    };

    for (const d of this.detections) {
      const restricting = isRestricting(d);
      const at = Date.parse(d.time);
      let touched = new Set<Instance>();
      for (const id of triggeringEventIds(d)) {
        const inst = this.attackEvents.get(id);
        if (inst) touched.add(inst);
      }
      let suffix = '';
      if (touched.size === 0) {
        touched = new Set([...(this.attackTokens.get(d.subject.tokenId) ?? [])].filter((i) => i.first <= at));
        if (touched.size > 0) {
          suffix = ' (same token)';
          if (restricting) sameToken++;
        }
      }
      if (touched.size === 0) {
        const span = windowMs(d.evidence);
        const from = earliestSignalMs(d.evidence, at) - span;
        if (span > 0) touched = new Set([...this.instances.values()].filter((i) => i.agentId === d.subject.agentId && i.times.some((t) => t <= at && t > from)));
        if (touched.size > 0) {
          suffix = ' (in window)';
          if (restricting) inWindow++;
        }
      }
      if (touched.size === 0) {
        const profile = this.profiles.get(d.subject.agentId) ?? 'unknown';
        if (restricting) falseList.push({ detectionId: d.id, rule: d.rule.id, agentId: d.subject.agentId, profile, time: d.time, actions: [...d.actions] });
        else {
          alertsByRule[d.rule.id] = (alertsByRule[d.rule.id] ?? 0) + 1;
          alertsByProfile[profile] = (alertsByProfile[profile] ?? 0) + 1;
        }
        continue;
      }
      for (const inst of touched) {
        addTo(detectedBy, inst.id, d.rule.id + suffix);
        if (!restricting) continue;
        addTo(restrictedBy, inst.id, d.rule.id + suffix);
        const prev = restrictedAt.get(inst.id);
        if (prev === undefined || at < prev) restrictedAt.set(inst.id, at);
      }
    }

    const instances = [...this.instances.values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })).map((inst) => {
      const at = restrictedAt.get(inst.id);
      let leakedEvents = 0;
      let leakedBytes = 0;
      let first = Number.POSITIVE_INFINITY;
      let last = Number.NEGATIVE_INFINITY;
      let bytes = 0;
      inst.times.forEach((t, i) => {
        const b = inst.bytes[i] ?? 0;
        bytes += b;
        if (t < first) first = t;
        if (t > last) last = t;
        // Leaked: not stopped by a revocation of its token or a quarantine of its agent in force at
        // that time (the attack may go on with another token, or after the quarantine ends).
        if (at === undefined || !stopped(inst.agentId, inst.tokens[i], t)) {
          leakedEvents++;
          leakedBytes += b;
        }
      });
      // A restriction after the attack's last event stopped none of it: detected, not restricted.
      const restricted = at !== undefined && at <= last;
      const score: InstanceScore = {
        id: inst.id,
        kind: inst.kind,
        agentId: inst.agentId,
        profile: inst.profile,
        events: inst.times.length,
        bytes,
        start: new Date(first).toISOString(),
        end: new Date(last).toISOString(),
        restricted,
        restrictedAt: restricted ? new Date(at).toISOString() : null,
        restrictedBy: [...(restrictedBy.get(inst.id) ?? [])].sort(),
        detected: detectedBy.has(inst.id),
        detectedBy: [...(detectedBy.get(inst.id) ?? [])].sort(),
        leakedEvents,
        leakedBytes,
        timeToRestrictMs: restricted ? Math.max(0, at - first) : null,
      };
      return score;
    });

    const known = new Set<string>(ATTACK_KINDS);
    const kindNames = [...ATTACK_KINDS, ...[...new Set(instances.map((i) => i.kind))].filter((k) => !known.has(k)).sort()];
    const kinds = kindNames.map((kind) => ({ kind, ...aggregate(instances.filter((i) => i.kind === kind)) }));
    const overall = aggregate(instances);
    const falseRestrictions = {
      total: falseList.length,
      byRule: countBy(falseList, (f) => f.rule),
      byProfile: countBy(falseList, (f) => f.profile),
      list: falseList,
    };
    const benignTotal = Object.values(alertsByRule).reduce((s, n) => s + n, 0);
    return {
      events: this.events,
      attackEvents: this.attackEvents.size,
      detections: this.detections.length,
      kinds,
      overall,
      instances,
      falseRestrictions,
      sameTokenRestrictions: sameToken,
      inWindowRestrictions: inWindow,
      benignAlerts: { total: benignTotal, byRule: alertsByRule, byProfile: alertsByProfile },
      // Nothing labelled is nothing proven: a file without attack labels does not pass.
      pass: overall.attacks > 0 && overall.restricted === overall.attacks && falseList.length === 0,
    };
  }
}

/** The event ids behind a detection: its own, plus the events of the signals a composite combined. */
function triggeringEventIds(d: Detection): string[] {
  const ids = [...d.eventIds];
  const signals = d.evidence['signals'];
  if (signals && typeof signals === 'object') {
    for (const sig of Object.values(signals as Record<string, unknown>)) {
      const id = (sig as { eventId?: unknown } | null)?.eventId;
      if (typeof id === 'string') ids.push(id);
    }
  }
  return ids;
}

/** The time of a composite's earliest signal (its evidence reaches back from there), else the detection's own. */
function earliestSignalMs(evidence: Record<string, unknown>, at: number): number {
  let earliest = at;
  const signals = evidence['signals'];
  if (signals && typeof signals === 'object') {
    for (const sig of Object.values(signals as Record<string, unknown>)) {
      const t = Date.parse(String((sig as { time?: unknown } | null)?.time));
      if (t < earliest) earliest = t;
    }
  }
  return earliest;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The span a window or composite rule looked back over, from its evidence (`window: 12h`, `within: 30m`). */
function windowMs(evidence: Record<string, unknown>): number {
  const w = evidence['window'] ?? evidence['within'];
  if (typeof w === 'number') return w;
  if (typeof w !== 'string') return 0;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(w.trim());
  return m ? Number(m[1]) * (UNIT_MS[m[2] as string] as number) : 0;
}

/** Scores a finished run in one call. */
export function scoreQuality(events: Iterable<ScoredEvent>, detections: Iterable<Detection>, options: QualityOptions = {}): QualityReport {
  const c = new QualityCollector(options);
  for (const e of events) c.addEvent(e);
  for (const d of detections) c.addDetection(d);
  return c.report();
}

function aggregate(list: readonly InstanceScore[]): Omit<KindScore, 'kind'> {
  const ttr = list.flatMap((i) => (i.timeToRestrictMs === null ? [] : [i.timeToRestrictMs])).sort((a, b) => a - b);
  return {
    attacks: list.length,
    restricted: list.filter((i) => i.restricted).length,
    detected: list.filter((i) => i.detected).length,
    events: sum(list.map((i) => i.events)),
    bytes: sum(list.map((i) => i.bytes)),
    leakedEvents: sum(list.map((i) => i.leakedEvents)),
    leakedBytes: sum(list.map((i) => i.leakedBytes)),
    medianTimeToRestrictMs: ttr.length === 0 ? null : median(ttr),
    maxTimeToRestrictMs: ttr.length === 0 ? null : (ttr[ttr.length - 1] as number),
    missed: list.filter((i) => !i.restricted).map((i) => i.id),
  };
}

function median(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function addTo(m: Map<string, Set<string>>, key: string, value: string): void {
  let s = m.get(key);
  if (!s) m.set(key, (s = new Set()));
  s.add(value);
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
