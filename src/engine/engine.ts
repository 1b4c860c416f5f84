/*
 * The engine: one batch of decoded events in, detections out. It knows the rules, the detectors
 * and the store interface, never Kafka or files. A batch is worked in phases (primary rules,
 * composite levels, cooldowns); each phase is one store call with one operation per state key.
 */
import { compositeEventIds, evaluateComposite, type Hit } from '../detectors/index.js';
import { deriveGeo, noGeoCounts, type GeoCounts, type GeoLookup } from '../events/geoip.js';
import type { DecodedEvent } from '../events/types.js';
import { isStateless } from '../rules/index.js';
import type { CompiledRule, CompositeRule, FieldCondition, Ruleset, TimeRange } from '../rules/types.js';
import { StoreContentionError } from '../errors/index.js';
import { isBatchStore, type StateStore } from '../state/types.js';
import { Plan, type Ref } from './plan.js';
import { plannerFor, stateOf, type Pending, type Planner, type PrimaryRule } from './primary.js';
import { detectionId, groupKeyOf, subjectOf, type GroupKey } from './subject.js';
import type { Detection } from './types.js';

export interface EngineOptions {
  ruleset: Ruleset;
  store: StateStore;
  /** Events older than the newest seen minus this are late: kept out of every state, judged only by the rules that need none. Default 10m. */
  latenessMs?: number;
  /** How long event ids are remembered to drop redelivered events. Default 1h. */
  dedupHorizonMs?: number;
  /** Processing clock for detectedAt. */
  now?: () => number;
  /** A GeoIP database: events with a source.ip and no position get their geo fields from it (src/events/geoip.ts). */
  geo?: GeoLookup;
}

export interface BatchOutcome {
  detections: Detection[];
  processed: number;
  duplicates: number;
  late: number;
  /** Rule firings per rule id, before cooldown (signal-only rules included). */
  hits: Record<string, number>;
  /** Detections held back by cooldown. */
  suppressed: number;
  /** Geo derived from source.ip (with a GeoIP database), per outcome; events with nothing to look up are not counted. */
  geo: GeoCounts;
}

/** A primary rule ready to run: its planner, and which of the ruleset's distinct groupBy lists it uses. */
interface PrimaryRuntime {
  rule: PrimaryRule;
  plan: Planner;
  groupBy: number;
  /** Judges an event on its own (isStateless): such rules also judge late events. */
  stateless: boolean;
}

interface RuleHit {
  rule: CompiledRule;
  group: GroupKey;
  hit: Hit;
}

export const DEFAULT_LATENESS_MS = 600_000;
/** Attempts of one batch against a store whose states keep changing elsewhere (BatchStateStore). */
const MAX_BATCH_ATTEMPTS = 8;
/** The longest pause between two attempts of a batch whose states changed elsewhere. */
const MAX_RETRY_PAUSE_MS = 100;
export const DEFAULT_DEDUP_HORIZON_MS = 3_600_000;

export class Engine {
  private ruleset: Ruleset;
  private primary: PrimaryRuntime[] = [];
  /**
   * The primary rules that can accept an event of each action named in some rule's `action:` list,
   * in rule order; `anyAction` those for every other action (rules that do not restrict it). A rule
   * whose match lists actions is not even tested on events of other actions.
   */
  private byAction = new Map<string, PrimaryRuntime[]>();
  private anyAction: PrimaryRuntime[] = [];
  /** The distinct groupBy lists of the primary rules: an event's group keys are computed once per list. */
  private groupBys: (readonly string[])[] = [];
  private compositeLevels: CompositeRule[][] = [];
  private readonly store: StateStore;
  private readonly latenessMs: number;
  private readonly dedupHorizonMs: number;
  private readonly now: () => number;
  private readonly geo: GeoLookup | undefined;
  private watermarkMs = -Infinity;

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.latenessMs = options.latenessMs ?? DEFAULT_LATENESS_MS;
    this.dedupHorizonMs = options.dedupHorizonMs ?? DEFAULT_DEDUP_HORIZON_MS;
    this.now = options.now ?? Date.now;
    this.geo = options.geo;
    this.ruleset = options.ruleset;
    this.setRuleset(options.ruleset);
  }

  get rules(): Ruleset {
    return this.ruleset;
  }

  /** Swaps the rules between batches; state of rules whose parameters did not change carries over. */
  setRuleset(ruleset: Ruleset): void {
    this.ruleset = ruleset;
    const groupBys = new Map<string, number>();
    this.groupBys = [];
    this.primary = ruleset.rules
      .filter((r): r is PrimaryRule => r.kind !== 'composite')
      .map((rule) => {
        const sig = JSON.stringify(rule.groupBy);
        let g = groupBys.get(sig);
        if (g === undefined) {
          g = this.groupBys.length;
          groupBys.set(sig, g);
          this.groupBys.push(rule.groupBy);
        }
        return { rule, plan: plannerFor(rule), groupBy: g, stateless: isStateless(rule) };
      });
    const actionsOf = (p: PrimaryRuntime) => actionList(p.rule.match.conditions);
    const named = new Set(this.primary.flatMap((p) => actionsOf(p) ?? []));
    this.byAction = new Map([...named].map((a) => [a, this.primary.filter((p) => actionsOf(p)?.includes(a) ?? true)]));
    this.anyAction = this.primary.filter((p) => actionsOf(p) === undefined);
    const level = new Map<string, number>();
    const levels: CompositeRule[][] = [];
    for (const r of ruleset.rules) {
      if (r.kind !== 'composite') continue;
      const l = 1 + Math.max(0, ...[...r.allOf, ...r.anyOf].map((id) => level.get(id) ?? 0));
      level.set(r.id, l);
      (levels[l - 1] ??= []).push(r);
    }
    this.compositeLevels = levels.filter((l) => l !== undefined);
  }

  async process(batch: readonly DecodedEvent[]): Promise<BatchOutcome> {
    const outcome: BatchOutcome = { detections: [], processed: 0, duplicates: 0, late: 0, hits: {}, suppressed: 0, geo: noGeoCounts() };
    // Late events stay out of every state (windows, baselines, profiles, locations, composites), but
    // the rules that judge an event on its own still judge them: an unmanaged device or a country
    // off the allowlist is no less so for arriving late.
    // Events keep their arrival order (cooldowns decide in it), late ones flagged.
    let lateAt: boolean[] | undefined;
    batch.forEach((e, i) => {
      if (e.timeMs < this.watermarkMs - this.latenessMs) {
        (lateAt ??= new Array<boolean>(batch.length).fill(false))[i] = true;
        return;
      }
      if (e.timeMs > this.watermarkMs) this.watermarkMs = e.timeMs;
    });
    const seen = batch.length === 0 ? [] : await this.store.markSeen(batch.map((e) => ({ id: e.event.id, timeMs: e.timeMs })), this.dedupHorizonMs);
    const events: DecodedEvent[] = [];
    let late: boolean[] | undefined;
    batch.forEach((e, i) => {
      if (seen[i]) return;
      if (lateAt?.[i]) (late ??= new Array<boolean>(events.length).fill(false))[events.length] = true;
      else if (late) late[events.length] = false;
      events.push(e);
    });
    outcome.duplicates = batch.length - events.length;
    outcome.late = late ? late.filter(Boolean).length : 0;
    outcome.processed = events.length - outcome.late;
    if (events.length === 0) return outcome;
    if (this.geo) {
      for (const e of events) {
        const derived = deriveGeo(e.event, this.geo);
        if (derived !== undefined) outcome.geo[derived]++;
      }
    }

    const batched = isBatchStore(this.store) ? this.store : undefined;
    if (!batched) {
      await this.decide(events, late, outcome);
      return outcome;
    }
    const token = await batched.begin();
    try {
      for (let attempt = 1; ; attempt++) {
        await this.decide(events, late, outcome);
        if (await batched.flush(token)) return outcome;
        // A state had changed elsewhere: the store put the batch's keys back; decide again, after a
        // random pause that grows with the attempts, so two instances writing the same keys (a
        // principal's agents on two partitions) stop meeting at every attempt.
        if (attempt >= MAX_BATCH_ATTEMPTS) {
          throw new StoreContentionError(`state store: the batch's states kept changing elsewhere for ${MAX_BATCH_ATTEMPTS} attempts`);
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(MAX_RETRY_PAUSE_MS, 2 ** attempt)));
        outcome.detections = [];
        outcome.hits = {};
        outcome.suppressed = 0;
      }
    } finally {
      batched.end(token);
    }
  }

  /** The batch's phases: primary rules, composite levels, cooldowns. Events flagged in `late` are judged only by rules without state. */
  private async decide(events: readonly DecodedEvent[], late: readonly boolean[] | undefined, outcome: BatchOutcome): Promise<void> {
    const hits = await this.runPrimary(events, late);
    for (const level of this.compositeLevels) await this.runComposites(level, events, late, hits);
    for (const list of hits) for (const h of list) outcome.hits[h.rule.id] = (outcome.hits[h.rule.id] ?? 0) + 1;
    await this.runCooldowns(events, hits, outcome);
  }

  private async runPrimary(events: readonly DecodedEvent[], lateAt: readonly boolean[] | undefined): Promise<RuleHit[][]> {
    const plan = new Plan(this.store);
    const pending: { event: number; rule: CompiledRule; group: GroupKey; decide: Pending }[] = [];
    // Most events fire nothing: they share one empty list until their first hit.
    const hits: RuleHit[][] = new Array<RuleHit[]>(events.length).fill(NO_HITS);
    // This event's group key per distinct groupBy: undefined until computed, null when a field is absent.
    const groups: (GroupKey | null | undefined)[] = new Array<GroupKey | null | undefined>(this.groupBys.length);
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      groups.fill(undefined);
      const late = lateAt?.[i] === true;
      for (const p of this.byAction.get(e.event.action) ?? this.anyAction) {
        if (late && !p.stateless) continue;
        if (!applies(p.rule, e)) continue;
        let group = groups[p.groupBy];
        if (group === undefined) {
          group = groupKeyOf(this.groupBys[p.groupBy]!, e) ?? null;
          groups[p.groupBy] = group;
        }
        if (group === null) continue;
        const decide = p.plan(e, group, plan);
        if (!decide) continue;
        if (!plan.immediate) {
          pending.push({ event: i, rule: p.rule, group, decide });
          continue;
        }
        const hit = decide();
        if (hit) addHit(hits, i, { rule: p.rule, group, hit });
      }
    }
    await plan.run();
    for (const p of pending) {
      const hit = p.decide();
      if (hit) addHit(hits, p.event, { rule: p.rule, group: p.group, hit });
    }
    return hits;
  }

  /** Records each event's signals for the composites of one level and decides them; firings join the event's hits. */
  private async runComposites(level: readonly CompositeRule[], events: readonly DecodedEvent[], late: readonly boolean[] | undefined, hits: RuleHit[][]): Promise<void> {
    const plan = new Plan(this.store);
    const pending: { event: number; rule: CompositeRule; group: GroupKey; ref: Ref<'signal'> }[] = [];
    events.forEach((e, i) => {
      const fired = hits[i]!;
      // A late event's signals stay out of the composites' state, as out of every other.
      if (fired.length === 0 || late?.[i]) return;
      for (const rule of level) {
        const inputs = fired.filter((h) => rule.allOf.includes(h.rule.id) || rule.anyOf.includes(h.rule.id));
        if (inputs.length === 0 || !applies(rule, e)) continue;
        const group = groupKeyOf(rule.groupBy, e);
        if (!group) continue;
        const state = stateOf(rule, 'signal', () => ({ withinMs: rule.withinMs }));
        let ref: Ref<'signal'> | undefined;
        for (const h of inputs) {
          ref = plan.add(state, group.text, {
            id: `${e.event.id}\u0000${h.rule.id}`,
            timeMs: e.timeMs,
            rule: h.rule.id,
            eventId: e.event.id,
            reason: signalReason(h),
          });
        }
        pending.push({ event: i, rule, group, ref: ref! });
      }
    });
    await plan.run();
    for (const p of pending) {
      const hit = evaluateComposite(p.rule, events[p.event]!.timeMs, plan.observation(p.ref));
      if (hit) addHit(hits, p.event, { rule: p.rule, group: p.group, hit });
    }
  }

  private async runCooldowns(events: readonly DecodedEvent[], hits: RuleHit[][], outcome: BatchOutcome): Promise<void> {
    const plan = new Plan(this.store);
    const pending: { event: number; h: RuleHit; id: string; ref: Ref<'cooldown'> }[] = [];
    hits.forEach((list, i) => {
      const e = events[i]!;
      for (const h of list) {
        if (!h.rule.actions.some((a) => a !== 'signal')) continue;
        const id = detectionId(h.rule, h.group, h.hit.windowStartMs, e.timeMs, e.event.id);
        // A shadow rule's cooldown is its own state: promoted to enforce, the rule must not be held
        // back by firings that restricted nobody. (Enforcing rules keep the key they always had.)
        const state = stateOf(h.rule, 'cooldown', () => (h.rule.mode === 'shadow' ? { cooldownMs: h.rule.cooldownMs, mode: 'shadow' as const } : { cooldownMs: h.rule.cooldownMs }));
        const ref = plan.add(state, h.group.text, { id, timeMs: e.timeMs });
        pending.push({ event: i, h, id, ref });
      }
    });
    await plan.run();
    const detectedAt = new Date(this.now()).toISOString();
    for (const p of pending) {
      const obs = plan.observation(p.ref);
      if (!obs.fire) {
        outcome.suppressed++;
        continue;
      }
      outcome.detections.push(this.detection(events[p.event]!, p.h, p.id, obs.suppressed, detectedAt));
    }
  }

  private detection(e: DecodedEvent, { rule, group, hit }: RuleHit, id: string, suppressed: number, detectedAt: string): Detection {
    return {
      id,
      time: new Date(e.timeMs).toISOString(),
      detectedAt,
      rule: { id: rule.id, kind: rule.kind, severity: rule.severity },
      mode: rule.mode,
      subject: subjectOf(e),
      groupKey: { ...group.values },
      actions: rule.actions.filter((a) => a !== 'signal'),
      reason: hit.reason,
      evidence: hit.evidence,
      eventIds: rule.kind === 'composite' ? compositeEventIds(hit) : [e.event.id],
      suppressed,
    };
  }
}

/**
 * What a firing tells the composites it feeds. A composite input's own reason only names its inputs
 * ("a + b within 30m"), so theirs follow, and the numbers stay visible one level up.
 */
function signalReason({ rule, hit }: RuleHit): string {
  if (rule.kind !== 'composite') return hit.reason;
  const signals = (hit.evidence['signals'] ?? {}) as Record<string, { reason?: string }>;
  const inner = Object.entries(signals)
    .filter(([, s]) => s.reason !== undefined && s.reason !== 'matched')
    .map(([id, s]) => `${id}: ${s.reason}`);
  return inner.length === 0 ? hit.reason : `${hit.reason} (${inner.join('; ')})`;
}

// Frozen: a push into the shared list would throw instead of giving every event the hit.
const NO_HITS = Object.freeze([]) as unknown as RuleHit[];

function addHit(hits: RuleHit[][], event: number, hit: RuleHit): void {
  const list = hits[event]!;
  if (list === NO_HITS) hits[event] = [hit];
  else list.push(hit);
}

/**
 * The rule's match accepts the event and no `except` entry suppresses it. Runs for every event and
 * rule, so it holds no closure (V8 would allocate a context for each call).
 */
function applies(rule: CompiledRule, e: DecodedEvent): boolean {
  if (!rule.match.test(e)) return false;
  for (const x of rule.except) {
    if (!x.matcher.test(e)) continue;
    if (!x.schedule || inRanges(x.schedule.ranges, e.timeMs)) return false;
  }
  return true;
}

/** The actions a match accepts, when it names them (an `action:` list without null); undefined when any action can pass. */
function actionList(conditions: readonly FieldCondition[]): readonly string[] | undefined {
  const c = conditions.find((x) => x.path === 'action' && x.op === 'in');
  if (!c || c.values.some((v) => typeof v !== 'string')) return undefined;
  return c.values as string[];
}

function inRanges(ranges: readonly TimeRange[], timeMs: number): boolean {
  for (const r of ranges) if (timeMs >= r.fromMs && timeMs < r.toMs) return true;
  return false;
}
