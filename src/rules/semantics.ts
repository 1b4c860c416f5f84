/*
 * Checks within one rule file that JSON Schema cannot express: relations between durations,
 * IANA time zones, what a threshold or baseline needs per kind, schedule ranges. They run on the
 * raw data even where the schema failed, so one pass reports every mistake; each check looks only
 * at values of the shape it expects and leaves the rest to the schema's sentences.
 */
import { EventSchema, isIanaTimeZone, parseRfc3339 } from '../events/index.js';
import { formatDuration, tryParseDuration } from './duration.js';
import { tryParseHours } from './hours.js';
import { COMMON_KEYS, KIND_SPECIFIC_KEYS } from './kinds.js';
import { show, type PathProblem } from './messages.js';
import type { DataPath } from './positions.js';
import { closest, didYouMean, editDistance } from './suggest.js';
import { MIN_BASELINE_SAMPLES, type RuleKind } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const durationOf = (v: unknown): number | undefined => (typeof v === 'string' ? tryParseDuration(v) : undefined);

/** Defaults shared with compile.ts, so a check about "the default 3d" uses the default compile applies. */
export const DEFAULTS = {
  severity: 'medium',
  mode: 'enforce',
  groupBy: ['agent.id'],
  cooldown: '15m',
  baseline: { history: '14d', bucket: '1h', above: 6, minHistory: '3d', minObserved: 0, minRatio: 1, overPeak: 0, growth: 2, thresholdUntilTrusted: false },
  learned: { history: '14d', minEvents: 200, rareBelow: 0.01 },
  newLocation: { on: 'country', history: '30d', minHistory: '3d' },
  impossibleTravel: { maxSpeedKmh: 900, minDistanceKm: 500 },
  timezone: 'principal',
  fallbackTimezone: 'UTC',
  within: '30m',
} as const;

let zones: string[] | undefined;
function zoneSuggestion(zone: string): string {
  zones ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  return didYouMean(zone, zones);
}

function timezoneProblem(value: unknown, allowPrincipal: boolean): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (allowPrincipal && value === 'principal') return undefined;
  if (isIanaTimeZone(value)) return undefined;
  const what = allowPrincipal ? 'an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC) or principal' : 'an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)';
  return `${show(value)} is not ${what}${zoneSuggestion(value)}`;
}

function checkBaseline(b: Obj, kind: RuleKind, at: DataPath, out: PathProblem[]): void {
  const d = DEFAULTS.baseline;
  const history = durationOf(b['history'] ?? d.history);
  const bucket = durationOf(b['bucket'] ?? d.bucket);
  const minHistory = durationOf(b['minHistory'] ?? d.minHistory);
  const said = (key: string, ms: number) => (b[key] === undefined ? `${key} (default ${formatDuration(ms)})` : `${key} ${formatDuration(ms)}`);
  if (history !== undefined && bucket !== undefined && bucket > 0) {
    if (bucket > history) out.push({ path: [...at, b['bucket'] === undefined ? 'history' : 'bucket'], message: `${said('bucket', bucket)} is longer than ${said('history', history)}` });
    else if (history % bucket !== 0) out.push({ path: [...at, 'history'], message: `${said('history', history)} is not a whole number of buckets (${said('bucket', bucket)})` });
    else if (history / bucket < MIN_BASELINE_SAMPLES) {
      // The detector trusts a baseline of at least this many buckets with activity: fewer in the whole history, and the rule could never fire.
      out.push({
        path: [...at, b['history'] === undefined ? 'bucket' : 'history'],
        message: `${said('history', history)} holds ${history / bucket} buckets (${said('bucket', bucket)}), and a baseline needs ${MIN_BASELINE_SAMPLES} with activity before it is trusted, so the rule would never fire; make the history at least ${formatDuration(MIN_BASELINE_SAMPLES * bucket)}`,
      });
    }
  }
  if (history !== undefined && minHistory !== undefined && minHistory > history) {
    out.push({ path: [...at, b['minHistory'] === undefined ? 'history' : 'minHistory'], message: `${said('minHistory', minHistory)} is longer than ${said('history', history)}, so the baseline would never be trusted` });
  }
  const metric = b['metric'] ?? (kind === 'rate' ? 'count' : 'bytes');
  if (typeof b['minObserved'] === 'string' && metric !== 'bytes' && (metric === 'count' || metric === 'records')) {
    const unit = metric === 'count' ? 'events' : 'records';
    const how = b['metric'] === undefined ? `a ${kind} baseline counts ${unit} unless metric: bytes` : `this baseline counts ${unit} (metric: ${metric})`;
    out.push({ path: [...at, 'minObserved'], message: `${show(b['minObserved'])} is a size, but ${how}; give a whole number` });
  }
}

/** A node of the event's JSON Schema (the contract): what a dotted path of the event holds. */
interface SchemaNode {
  type?: string;
  enum?: readonly unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/** The contract's schema of the field at a dotted path, or undefined for a field it does not define (rules may match those). */
function schemaAt(path: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = EventSchema as unknown as SchemaNode;
  for (const segment of path.split('.')) {
    node = node.properties?.[segment];
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * A path that leaves the contract one slip away from a field it defines (`source.devise`, `acton`,
 * `Action`): rules may match fields the contract does not define, but so near a defined one it is a
 * typo, and a condition on it tests a field no event has (nothing matches; under `not`, everything).
 * One slip is a different case, or one edit (a letter wrong, missing, extra, or two swapped) in a
 * name of 5 characters or more: short names one letter apart (`ip` and `id`, `alt` and `lat`) and
 * names two edits apart (`version` and `session`) are too likely to be fields of their own.
 */
function misspeltPath(path: string): string | undefined {
  let node: SchemaNode | undefined = EventSchema as unknown as SchemaNode;
  const segments = path.split('.');
  for (let i = 0; i < segments.length; i++) {
    if (node.type === 'array' && node.items) node = node.items;
    const fields: Record<string, SchemaNode> | undefined = node.properties;
    // Past the contract (labels and other free-form maps have no properties), anything goes.
    if (fields === undefined) return undefined;
    const segment = segments[i]!;
    const next: SchemaNode | undefined = fields[segment];
    if (next === undefined) {
      const near = oneSlipFrom(segment, Object.keys(fields));
      if (near === undefined) return undefined;
      const at = segments.slice(0, i);
      const said = [...at, segment].join('.');
      return `${said} is not in the event contract — did you mean "${[...at, near].join('.')}"? (a rule may match fields the contract does not define, but one this close to a defined field is taken for a typo)`;
    }
    node = next;
  }
  return undefined;
}

function oneSlipFrom(segment: string, fields: readonly string[]): string | undefined {
  const sameLetters = fields.find((f) => f.toLowerCase() === segment.toLowerCase());
  if (sameLetters !== undefined) return sameLetters;
  return segment.length >= 5 ? fields.find((f) => editDistance(segment, f) === 1) : undefined;
}

const fieldsOf = (path: string, node: SchemaNode) => Object.keys(node.properties ?? {}).slice(0, 3).map((f) => `${path}.${f}`).join(', ');

/**
 * Why a value in a condition on a contract field can never match, or undefined. Values compare by
 * type and value, so a typo here is a rule that silently matches nothing (or, under `not`, everything).
 */
function valueProblem(path: string, node: SchemaNode, v: unknown): string | undefined {
  if (v === null) return undefined;
  if (path.startsWith('labels.')) {
    return typeof v === 'number' || typeof v === 'boolean' ? `labels are text, so ${String(v)} never matches; quote it ("${String(v)}")` : undefined;
  }
  const leaf = node.type === 'array' && node.items ? node.items : node;
  if (leaf.type === 'object') return `${path} is an object, so no value matches it; match one of its fields (${fieldsOf(path, leaf)})`;
  if (leaf.enum) {
    if (leaf.enum.includes(v)) return undefined;
    const near = typeof v === 'string' ? leaf.enum.find((e) => typeof e === 'string' && e.toLowerCase() === v.toLowerCase()) : undefined;
    return `${show(v)} is not one of ${leaf.enum.join(', ')}, so it never matches${near === undefined ? '' : ` (values compare exactly: ${String(near)})`}`;
  }
  if (leaf.type === 'boolean' && typeof v !== 'boolean') {
    const word = typeof v === 'string' && /^(true|false)$/i.test(v) ? ` (write ${v.toLowerCase()} without quotes)` : '';
    return `${path} is true or false, so ${show(v)} never matches${word}`;
  }
  if ((leaf.type === 'number' || leaf.type === 'integer') && typeof v !== 'number') return `${path} is a number, so ${show(v)} never matches`;
  if (leaf.type === 'string' && typeof v !== 'string') return `${path} is text, so ${show(v)} never matches; quote it ("${String(v)}")`;
  return undefined;
}

function checkConditions(block: unknown, at: DataPath, out: PathProblem[]): void {
  if (!isObj(block)) return;
  for (const [field, cond] of Object.entries(block)) {
    const typo = field === 'schedule' ? undefined : misspeltPath(field);
    if (typo !== undefined) {
      out.push({ path: [...at, field], key: true, message: typo });
      continue;
    }
    if (isObj(cond) && 'exists' in cond) continue;
    const node = field.startsWith('labels.') ? {} : schemaAt(field);
    if (node === undefined) continue;
    // A mapping other than { not: ... } (a nested path, a misspelt "not") is the schema's to report.
    const values = isObj(cond) ? cond['not'] : cond;
    if (values === undefined) continue;
    const list = Array.isArray(values) ? values : [values];
    for (const v of list) {
      if (isObj(v) || Array.isArray(v)) continue;
      const problem = valueProblem(field, node, v);
      if (problem === undefined) continue;
      out.push({ path: [...at, field], message: problem });
      break;
    }
  }
}

/** A groupBy path the contract defines as an object: no event has a value there, so the rule would measure nothing. */
function checkGroupBy(groupBy: unknown, at: DataPath, out: PathProblem[]): void {
  if (!Array.isArray(groupBy)) return;
  groupBy.forEach((path, k) => {
    if (typeof path !== 'string') return;
    const typo = misspeltPath(path);
    if (typo !== undefined) {
      out.push({ path: [...at, k], message: typo });
      return;
    }
    const node = schemaAt(path);
    if (node?.type === 'object') out.push({ path: [...at, k], message: `${path} is an object, so no event has a value to group by and the rule would never fire; group by one of its fields (${fieldsOf(path, node)})` });
  });
}

const RULE_KEYS: ReadonlySet<string> = new Set([...COMMON_KEYS, ...KIND_SPECIFIC_KEYS]);

/** The rule sets `key`, or a misspelling of it that the schema already reports as an unknown key. */
function mentions(rule: Obj, key: string): boolean {
  return rule[key] !== undefined || Object.keys(rule).some((k) => !RULE_KEYS.has(k) && closest(k, [key]) === key);
}

function checkRule(rule: Obj, i: number, out: PathProblem[]): void {
  const at: DataPath = ['rules', i];
  const kind = rule['kind'] as RuleKind | undefined;
  checkConditions(rule['match'], [...at, 'match'], out);
  checkGroupBy(rule['groupBy'], [...at, 'groupBy'], out);
  if (Array.isArray(rule['except'])) {
    rule['except'].forEach((entry, j) => {
      checkConditions(entry, [...at, 'except', j], out);
      if (!isObj(entry)) return;
      for (const key of Object.keys(entry)) {
        if (key === 'schedule' || key.includes('.')) continue;
        const hint = didYouMean(key, ['schedule']);
        if (hint) out.push({ path: [...at, 'except', j], at: [...at, 'except', j, key], key: true, message: `unknown key "${key}"${hint}` });
      }
    });
  }

  switch (kind) {
    case 'rate':
    case 'bulk_download':
      if (!mentions(rule, 'threshold') && !mentions(rule, 'baseline')) out.push({ path: at, message: `${kind} rules need a threshold, a baseline, or both` });
      if (isObj(rule['baseline'])) {
        checkBaseline(rule['baseline'], kind, [...at, 'baseline'], out);
        if (rule['baseline']['thresholdUntilTrusted'] === true && !mentions(rule, 'threshold')) {
          out.push({ path: [...at, 'baseline', 'thresholdUntilTrusted'], message: 'the rule has no threshold to apply until the baseline is trusted; add one, or drop this key' });
        }
      }
      break;
    case 'time_of_day': {
      if (!mentions(rule, 'allow') && !mentions(rule, 'learned')) out.push({ path: at, message: 'time_of_day rules need allow, learned, or both' });
      const tz = timezoneProblem(rule['timezone'], true);
      if (tz) out.push({ path: [...at, 'timezone'], message: tz });
      const fallback = timezoneProblem(rule['fallbackTimezone'], false);
      if (fallback) out.push({ path: [...at, 'fallbackTimezone'], message: fallback });
      if (Array.isArray(rule['allow'])) {
        rule['allow'].forEach((span, j) => {
          if (!isObj(span) || typeof span['hours'] !== 'string') return;
          const hours = span['hours'];
          if (/^\d\d:\d\d-\d\d:\d\d$/.test(hours) && tryParseHours(hours) === undefined && hours.slice(0, 5) === hours.slice(6)) {
            out.push({ path: [...at, 'allow', j, 'hours'], message: `${show(hours)} is an empty span (for the whole day use "00:00-24:00")` });
          }
        });
      }
      break;
    }
    case 'geo':
      if (rule['check'] === 'new_location') {
        const d = DEFAULTS.newLocation;
        const history = durationOf(rule['history'] ?? d.history);
        const minHistory = durationOf(rule['minHistory'] ?? d.minHistory);
        if (history !== undefined && minHistory !== undefined && minHistory > history) {
          const said = (key: string, ms: number) => (rule[key] === undefined ? `${key} (default ${formatDuration(ms)})` : `${key} ${formatDuration(ms)}`);
          out.push({
            path: [...at, rule['minHistory'] === undefined ? 'history' : 'minHistory'],
            message: `${said('minHistory', minHistory)} is longer than ${said('history', history)}, so no location would ever count as new`,
          });
        }
      }
      break;
    case 'composite': {
      const empty = (key: string) => !mentions(rule, key) || (Array.isArray(rule[key]) && rule[key].length === 0);
      if (empty('allOf') && empty('anyOf')) out.push({ path: at, message: 'composite rules need allOf, anyOf, or both, naming the rules they combine' });
      break;
    }
    default:
      break;
  }
}

function checkSchedules(schedules: Obj, out: PathProblem[]): void {
  for (const [name, ranges] of Object.entries(schedules)) {
    if (!Array.isArray(ranges)) continue;
    ranges.forEach((range, j) => {
      if (!isObj(range)) return;
      const at: DataPath = ['schedules', name, j];
      const times: Record<string, number> = {};
      for (const key of ['from', 'to']) {
        const v = range[key];
        if (typeof v !== 'string') continue;
        const ms = parseRfc3339(v);
        if (Number.isNaN(ms)) out.push({ path: [...at, key], message: `${show(v)} is not an RFC 3339 instant (e.g. 2026-12-28T00:00:00Z)` });
        else times[key] = ms;
      }
      if (times['from'] !== undefined && times['to'] !== undefined && times['to'] <= times['from']) {
        out.push({ path: [...at, 'to'], message: `must be after from (${String(range['from'])})` });
      }
    });
  }
}

/** Problems inside one file's data that the schema cannot see. */
export function checkFile(data: unknown): PathProblem[] {
  const out: PathProblem[] = [];
  if (!isObj(data)) return out;
  if (isObj(data['schedules'])) checkSchedules(data['schedules'], out);
  if (Array.isArray(data['rules'])) data['rules'].forEach((rule, i) => isObj(rule) && checkRule(rule, i, out));
  return out;
}
