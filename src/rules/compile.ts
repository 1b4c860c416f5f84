/*
 * Validated rule files turned into the Ruleset the engine runs: units converted (milliseconds,
 * bytes, minutes of the day), defaults applied, matchers built, and rules ordered so that every
 * composite comes after the rules it reads. Runs only on files that passed every check.
 */
import { parseRfc3339 } from '../events/index.js';
import { parseDuration } from './duration.js';
import { DAY_NUMBERS, DAY_NAMES, tryParseHours } from './hours.js';
import { compileMatcher } from './matcher.js';
import type { ExceptSpec, MatchConditionSpec, RuleFileSpec, RuleSpec } from './schema.js';
import { DEFAULTS } from './semantics.js';
import { parseSize } from './size.js';
import type { AllowedSpan, BaselineSpec, CompiledRule, ExceptEntry, RuleCommon, Ruleset, Schedule, SourceLocation, Thresholds } from './types.js';

export interface ValidFile {
  file: string;
  data: RuleFileSpec;
  /** Where rule number `index` of this file is written. */
  sourceOf(index: number): SourceLocation;
}

function compileSchedules(files: readonly ValidFile[]): Map<string, Schedule> {
  const schedules = new Map<string, Schedule>();
  for (const { data } of files) {
    for (const [name, ranges] of Object.entries(data.schedules ?? {})) {
      schedules.set(name, { name, ranges: ranges.map((r) => ({ fromMs: parseRfc3339(r.from), toMs: parseRfc3339(r.to) })) });
    }
  }
  return schedules;
}

function compileExcept(entries: readonly ExceptSpec[] | undefined, schedules: ReadonlyMap<string, Schedule>): ExceptEntry[] {
  return (entries ?? []).map((entry) => {
    const { schedule, ...fields } = entry;
    const compiled: ExceptEntry = { matcher: compileMatcher(fields as Record<string, MatchConditionSpec>) };
    if (schedule !== undefined) compiled.schedule = schedules.get(schedule)!;
    return compiled;
  });
}

function compileBaseline(spec: NonNullable<RuleSpec['baseline']>, kind: 'rate' | 'bulk_download'): BaselineSpec {
  const d = DEFAULTS.baseline;
  const metric = spec.metric ?? (kind === 'rate' ? 'count' : 'bytes');
  const minObserved = spec.minObserved ?? d.minObserved;
  return {
    metric,
    historyMs: parseDuration(spec.history ?? d.history),
    bucketMs: parseDuration(spec.bucket ?? d.bucket),
    above: spec.above ?? d.above,
    minHistoryMs: parseDuration(spec.minHistory ?? d.minHistory),
    minObserved: metric === 'bytes' ? parseSize(minObserved) : Number(minObserved),
    minRatio: spec.minRatio ?? d.minRatio,
    overPeak: spec.overPeak ?? d.overPeak,
    growth: spec.growth === 'off' ? 0 : (spec.growth ?? d.growth),
    thresholdUntilTrusted: spec.thresholdUntilTrusted ?? d.thresholdUntilTrusted,
  };
}

function compileThreshold(spec: RuleSpec['threshold']): Thresholds {
  const t: Thresholds = {};
  if (spec?.count !== undefined) t.count = spec.count;
  if (spec?.bytes !== undefined) t.bytes = parseSize(spec.bytes);
  if (spec?.records !== undefined) t.records = spec.records;
  return t;
}

function compileAllow(spans: NonNullable<RuleSpec['allow']>): AllowedSpan[] {
  return spans.map((s) => {
    const { fromMinute, toMinute } = tryParseHours(s.hours)!;
    const days = (s.days ?? DAY_NAMES).map((d) => DAY_NUMBERS[d]).sort((a, b) => a - b);
    return { days, fromMinute, toMinute };
  });
}

export function compileRule(spec: RuleSpec, source: SourceLocation, schedules: ReadonlyMap<string, Schedule>): CompiledRule {
  const common: RuleCommon = {
    id: spec.id,
    kind: spec.kind,
    severity: spec.severity ?? DEFAULTS.severity,
    mode: spec.mode ?? DEFAULTS.mode,
    match: compileMatcher(spec.match),
    groupBy: spec.groupBy ?? [...DEFAULTS.groupBy],
    actions: spec.actions,
    cooldownMs: parseDuration(spec.cooldown ?? DEFAULTS.cooldown),
    except: compileExcept(spec.except, schedules),
    source,
  };
  if (spec.description !== undefined) common.description = spec.description;
  if (spec.failMode !== undefined) common.failMode = spec.failMode;

  switch (spec.kind) {
    case 'rate':
    case 'bulk_download': {
      const rule = { ...common, kind: spec.kind, windowMs: parseDuration(spec.window!), threshold: compileThreshold(spec.threshold) };
      return spec.baseline ? { ...rule, baseline: compileBaseline(spec.baseline, spec.kind) } : rule;
    }
    case 'time_of_day': {
      const rule: CompiledRule = { ...common, kind: 'time_of_day', timezone: spec.timezone ?? DEFAULTS.timezone, fallbackTimezone: spec.fallbackTimezone ?? DEFAULTS.fallbackTimezone };
      if (spec.allow) rule.allow = compileAllow(spec.allow);
      if (spec.learned) {
        const d = DEFAULTS.learned;
        rule.learned = { historyMs: parseDuration(spec.learned.history ?? d.history), minEvents: spec.learned.minEvents ?? d.minEvents, rareBelow: spec.learned.rareBelow ?? d.rareBelow };
      }
      return rule;
    }
    case 'geo':
      switch (spec.check!) {
        case 'new_location': {
          const d = DEFAULTS.newLocation;
          return { ...common, kind: 'geo', check: 'new_location', on: spec.on ?? d.on, historyMs: parseDuration(spec.history ?? d.history), minHistoryMs: parseDuration(spec.minHistory ?? d.minHistory) };
        }
        case 'impossible_travel': {
          const d = DEFAULTS.impossibleTravel;
          return { ...common, kind: 'geo', check: 'impossible_travel', maxSpeedKmh: spec.maxSpeedKmh ?? d.maxSpeedKmh, minDistanceKm: spec.minDistanceKm ?? d.minDistanceKm };
        }
        case 'country_allowlist':
          return { ...common, kind: 'geo', check: 'country_allowlist', countries: [...spec.countries!] };
      }
      break;
    case 'match':
      return { ...common, kind: 'match' };
    case 'composite':
      return { ...common, kind: 'composite', allOf: spec.allOf ?? [], anyOf: spec.anyOf ?? [], withinMs: parseDuration(spec.within ?? DEFAULTS.within) };
  }
  throw new Error(`unreachable: rule kind ${String(spec.kind)}`);
}

/**
 * File order, except that a composite waits until every rule it reads is placed. Passes over the
 * waiting rules, each in file order, so rules that read nothing never move. References are acyclic
 * by now, so every pass places at least one rule.
 */
export function evaluationOrder(rules: readonly CompiledRule[]): CompiledRule[] {
  const placed = new Set<string>();
  const out: CompiledRule[] = [];
  let waiting = [...rules];
  while (waiting.length > 0) {
    const next: CompiledRule[] = [];
    for (const r of waiting) {
      if (r.kind !== 'composite' || [...r.allOf, ...r.anyOf].every((id) => placed.has(id))) {
        out.push(r);
        placed.add(r.id);
      } else next.push(r);
    }
    if (next.length === waiting.length) throw new Error('unreachable: composite references form a loop');
    waiting = next;
  }
  return out;
}

export function compileFiles(files: readonly ValidFile[]): Ruleset {
  const schedules = compileSchedules(files);
  const rules = files.flatMap((f) => (f.data.rules ?? []).map((spec, i) => compileRule(spec, f.sourceOf(i), schedules)));
  return { rules: evaluationOrder(rules), schedules, files: files.map((f) => f.file) };
}
