/*
 * Compiled rules: what the loader turns YAML into and what the engine runs. Units are converted
 * (durations to milliseconds, sizes to bytes, hours to minutes of the day) and defaults applied, so
 * nothing downstream parses text.
 */
import type { DecodedEvent } from '../events/types.js';

export type RuleKind = 'rate' | 'bulk_download' | 'time_of_day' | 'geo' | 'match' | 'composite';
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type Mode = 'enforce' | 'shadow';
/** What a rule asks for while the state store is unreachable (DESIGN.md: per deployment, overridable per rule). */
export type FailMode = 'closed' | 'open';
export type Action = 'revoke_token' | 'quarantine_agent' | 'require_approval' | 'alert' | 'signal';
export type Metric = 'count' | 'bytes' | 'records';
export type GeoCheck = 'new_location' | 'impossible_travel' | 'country_allowlist';
export type LocationDimension = 'country' | 'network' | 'device';

export const RULE_KINDS: readonly RuleKind[] = ['rate', 'bulk_download', 'time_of_day', 'geo', 'match', 'composite'];
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
export const ACTIONS: readonly Action[] = ['revoke_token', 'quarantine_agent', 'require_approval', 'alert', 'signal'];
/** Actions that take rights away from an agent; the revocation budget counts these. */
export const RESTRICTING_ACTIONS: readonly Action[] = ['revoke_token', 'quarantine_agent'];
/** A baseline needs at least this many active buckets before it is trusted, whatever minHistory says. */
export const MIN_BASELINE_SAMPLES = 5;

/** Where a rule came from, for messages that point a security engineer at the file. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A scalar a match can compare with: strings, numbers, booleans, or null for "absent". */
export type MatchValue = string | number | boolean | null;

/**
 * One key of a `match:` (or `except:` entry): a dotted path into the event and a condition.
 * Array-valued fields (token.scopes) match when any element matches.
 */
export interface FieldCondition {
  /** The dotted path as written, e.g. `resource.sensitivity`. */
  path: string;
  /** The path split on dots, for fast lookups. */
  segments: readonly string[];
  /** `in`: the value is one of `values`; `not_in`: it is none of them; `exists`: present or absent. */
  op: 'in' | 'not_in' | 'exists';
  values: readonly MatchValue[];
  /** For `exists`: true means the field must be present, false that it must be absent. */
  exists?: boolean;
}

/** A compiled `match:` block: every condition must hold. Empty matches every event. */
export interface Matcher {
  conditions: readonly FieldCondition[];
  test(event: DecodedEvent): boolean;
}

/** A time range, end exclusive, in epoch milliseconds. */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

export interface Schedule {
  name: string;
  ranges: readonly TimeRange[];
}

/** One `except:` entry; it suppresses the rule for an event when all its parts match. */
export interface ExceptEntry {
  matcher: Matcher;
  /** Present when the entry names a schedule: the event time must fall inside one of its ranges. */
  schedule?: Schedule;
}

export interface RuleCommon {
  id: string;
  description?: string;
  kind: RuleKind;
  severity: Severity;
  mode: Mode;
  /** Absent: the deployment's GUARDRAIL_FAIL_MODE applies. */
  failMode?: FailMode;
  match: Matcher;
  /** Dotted paths whose values identify whose behaviour is measured. Default [agent.id]. */
  groupBy: readonly string[];
  actions: readonly Action[];
  /** At most one detection per (rule, group key) per cooldown. */
  cooldownMs: number;
  except: readonly ExceptEntry[];
  source: SourceLocation;
}

export interface BaselineSpec {
  metric: Metric;
  historyMs: number;
  bucketMs: number;
  /** Robust z-score (median and MAD) above which the observation is an anomaly. */
  above: number;
  /** Cold start: the baseline is not trusted before this much history. */
  minHistoryMs: number;
  /** Anomalies whose observed value is below this are ignored. In the metric's unit. */
  minObserved: number;
  /** Extension: the observation must also be at least this many times the median (default 1). */
  minRatio: number;
  /** Extension: the observation must also exceed this many times the largest bucket peak in the history (default 0: off). */
  overPeak: number;
  /** Extension: a bucket's peak is learned as at most this many times the largest of the history before the last day (0: no limit). Default 2. */
  growth: number;
  /** Extension: the rule's static threshold applies only while this baseline is not trusted (cold start). Default false. */
  thresholdUntilTrusted: boolean;
}

export interface Thresholds {
  count?: number;
  bytes?: number;
  records?: number;
}

export interface WindowRule extends RuleCommon {
  kind: 'rate' | 'bulk_download';
  windowMs: number;
  threshold: Thresholds;
  baseline?: BaselineSpec;
}

/** A daily allowed span: days 0=Sunday..6=Saturday, minutes of the local day, end exclusive; wraps past midnight when to < from. */
export interface AllowedSpan {
  days: readonly number[];
  fromMinute: number;
  toMinute: number;
}

export interface LearnedProfileSpec {
  historyMs: number;
  /** The profile decides only once it holds this many events. */
  minEvents: number;
  /** An hour whose share of the agent's activity is below this is rare. */
  rareBelow: number;
}

export interface TimeOfDayRule extends RuleCommon {
  kind: 'time_of_day';
  /** `principal` uses the event's principal.timezone, falling back to `fallbackTimezone`. */
  timezone: 'principal' | string;
  fallbackTimezone: string;
  allow?: readonly AllowedSpan[];
  learned?: LearnedProfileSpec;
}

export interface NewLocationRule extends RuleCommon {
  kind: 'geo';
  check: 'new_location';
  on: LocationDimension;
  historyMs: number;
  minHistoryMs: number;
}

export interface ImpossibleTravelRule extends RuleCommon {
  kind: 'geo';
  check: 'impossible_travel';
  maxSpeedKmh: number;
  /** Jumps shorter than this are GeoIP noise, never travel. Default 500 km. */
  minDistanceKm: number;
}

export interface CountryAllowlistRule extends RuleCommon {
  kind: 'geo';
  check: 'country_allowlist';
  /** ISO 3166-1 alpha-2 codes, upper case. */
  countries: readonly string[];
}

export type GeoRule = NewLocationRule | ImpossibleTravelRule | CountryAllowlistRule;

export interface MatchRule extends RuleCommon {
  kind: 'match';
}

export interface CompositeRule extends RuleCommon {
  kind: 'composite';
  allOf: readonly string[];
  anyOf: readonly string[];
  withinMs: number;
}

export type CompiledRule = WindowRule | TimeOfDayRule | GeoRule | MatchRule | CompositeRule;

/** A loaded, validated rules directory. `rules` is in evaluation order: a composite comes after every rule it reads. */
export interface Ruleset {
  rules: readonly CompiledRule[];
  schedules: ReadonlyMap<string, Schedule>;
  files: readonly string[];
}
