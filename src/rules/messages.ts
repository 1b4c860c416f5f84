/*
 * Ajv's errors turned into sentences a security engineer understands, each tied to the path it is
 * about. Raw Ajv text ("must NOT have additional properties") never reaches a user: every keyword
 * the rule schema uses has a sentence here, and anything unforeseen gets a plain fallback.
 */
import type { ErrorObject } from 'ajv';
import { DURATION_HINT, DURATION_PATTERN, POSITIVE_DURATION_PATTERN, tryParseDuration } from './duration.js';
import { HOURS_HINT, HOURS_PATTERN } from './hours.js';
import { REQUIRED_EXAMPLES, checksUsing, kindsUsing } from './kinds.js';
import { fromPointer, valueAt, type DataPath } from './positions.js';
import { COUNTRY_PATTERN, FIELD_PATH_PATTERN, GEO_CHECKS, RULE_ID_PATTERN } from './schema.js';
import { SIZE_HINT, SIZE_PATTERN } from './size.js';
import { closest, didYouMean } from './suggest.js';
import { RULE_KINDS, type GeoCheck, type RuleKind } from './types.js';

/** A problem before it is located: `key` points at the mapping key rather than the value. */
export interface PathProblem {
  path: DataPath;
  /** Where to point; defaults to `path`. */
  at?: DataPath;
  key?: boolean;
  message: string;
}

interface SchemaLike {
  type?: string | string[];
  enum?: unknown[];
  pattern?: string;
  properties?: Record<string, unknown>;
  items?: SchemaLike;
}

export const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

const join = (words: readonly string[], last = 'or'): string => (words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} ${last} ${words.at(-1)}`);

/** What an enum value is called, by the key that holds it. */
const ENUM_NOUNS: Record<string, string> = {
  kind: 'a rule kind',
  severity: 'a severity',
  mode: 'a mode',
  failMode: 'a fail mode',
  actions: 'an action',
  metric: 'a metric',
  check: 'a geo check',
  on: 'a location dimension',
  days: 'a day',
};

/** How a list's items are called in "must be a list of ...". */
const LIST_NOUNS: Record<string, string> = {
  actions: 'actions',
  days: 'days',
  groupBy: 'dotted event paths',
  countries: 'country codes',
  allOf: 'rule ids',
  anyOf: 'rule ids',
  allow: 'allowed spans ({ days, hours })',
  except: 'exceptions (mappings of event paths, or schedule: NAME)',
  rules: 'rules',
};

function lastKey(path: DataPath): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return path[i] as string;
  return '';
}

function patternMessage(pattern: string, value: unknown, key: string): string {
  const v = show(value);
  switch (pattern) {
    case POSITIVE_DURATION_PATTERN:
      if (typeof value === 'string' && tryParseDuration(value) === 0) return `must be longer than ${value}`;
      return `${v} is not a duration (${DURATION_HINT})`;
    case DURATION_PATTERN:
      return `${v} is not a duration (${DURATION_HINT})`;
    case SIZE_PATTERN:
      return `${v} is not a size (${SIZE_HINT})`;
    case HOURS_PATTERN:
      return `${v} is not a span of hours (${HOURS_HINT})`;
    case COUNTRY_PATTERN:
      return `${v} is not a country code (use ISO 3166-1 alpha-2 in upper case, e.g. DE)`;
    case FIELD_PATH_PATTERN:
      return `${v} is not an event path (use dotted names such as resource.sensitivity)`;
    case RULE_ID_PATTERN:
      return key === 'schedule' || key === 'schedules'
        ? `${v} is not a schedule name (use letters, digits, dot, dash and underscore)`
        : `${v} is not a rule id (use letters, digits, dot, dash and underscore, starting with a letter or digit)`;
    default:
      return `${v} is not in the expected form`;
  }
}

function describeType(schema: SchemaLike, key: string): string {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.pattern === DURATION_PATTERN || schema.pattern === POSITIVE_DURATION_PATTERN) return `a duration (${DURATION_HINT})`;
  if (schema.pattern === SIZE_PATTERN) return key === 'minObserved' ? `a whole number, or a size when the metric is bytes (${SIZE_HINT})` : `a size (${SIZE_HINT})`;
  if (schema.pattern === HOURS_PATTERN) return `a span of hours in quotes (${HOURS_HINT})`;
  if (schema.enum) return `one of ${join(schema.enum.map(String))}`;
  const t = types[0];
  switch (t) {
    case 'array':
      return `a list of ${LIST_NOUNS[key] ?? (schema.items?.type === 'string' ? 'strings' : 'values')}`;
    case 'object':
      return 'a mapping of keys to values';
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'text';
    default:
      return 'something else';
  }
}

function typeMessage(schema: SchemaLike, value: unknown, key: string): string {
  const expected = describeType(schema, key);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (typeof value === 'number' && (schema.pattern === DURATION_PATTERN || schema.pattern === POSITIVE_DURATION_PATTERN)) return `${value} is not a duration: give it a unit (${DURATION_HINT})`;
  if (types[0] === 'array' && value !== null && typeof value !== 'object') return `must be ${expected} (write [${String(value)}] for one)`;
  if (types[0] === 'string' && (typeof value === 'number' || typeof value === 'boolean')) return `must be ${expected} (quote it: "${String(value)}")`;
  if (value === null) return `is empty; it must be ${expected}`;
  return `must be ${expected}`;
}

const RULE_CONDITION = /\/allOf\/(\d+)\/then\//;

/** Which per-kind condition of kinds.ts an error came from: a kind, or a geo check. */
function conditionOf(schemaPath: string): { kind: RuleKind } | { check: GeoCheck } | undefined {
  const m = RULE_CONDITION.exec(schemaPath);
  if (!m) return undefined;
  const i = Number(m[1]);
  if (i < RULE_KINDS.length) return { kind: RULE_KINDS[i]! };
  const check = GEO_CHECKS[i - RULE_KINDS.length];
  return check ? { check } : undefined;
}

function kindList(kinds: readonly string[]): string {
  return `${join(kinds, 'and')} rules`;
}

function misplacedKey(key: string, cond: { kind: RuleKind } | { check: GeoCheck }): string {
  if ('kind' in cond) {
    const kinds = kindsUsing(key);
    return `"${key}" does not apply to ${cond.kind} rules (it is for ${kindList(kinds)})`;
  }
  return `"${key}" does not apply to check: ${cond.check} (it is for check: ${join(checksUsing(key))})`;
}

function missingKey(key: string, cond: { kind: RuleKind } | { check: GeoCheck } | undefined): string {
  const example = REQUIRED_EXAMPLES[key];
  const tail = example ? ` (${example})` : '';
  if (!cond) return `missing required key "${key}"${tail}`;
  if ('kind' in cond) return `${cond.kind} rules need "${key}"${tail}`;
  return `check: ${cond.check} needs "${key}"${tail}`;
}

function unknownKey(key: string, allowed: readonly string[], where: DataPath): string {
  const suggestion = didYouMean(key, allowed);
  if (suggestion) return `unknown key "${key}"${suggestion}`;
  if (where.length === 2 && where[0] === 'rules') return `unknown key "${key}" (\`guardrail schema rules\` lists the keys a rule takes)`;
  return `unknown key "${key}" (use ${join(allowed)})`;
}

// --- match conditions: one sentence per condition, whichever branch of its anyOf failed -------

const CONDITION_FORMS = 'a value, a list of values, { not: value or list } or { exists: true|false }';

function firstLeaf(value: unknown, prefix: string): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const [k, v] = Object.entries(value)[0] ?? [];
    if (k !== undefined) return firstLeaf(v, `${prefix}.${k}`);
  }
  return prefix;
}

export function conditionMessage(field: string, value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return 'an empty list matches nothing (list the values, or remove the key)';
    return 'must be a list of plain values (text, numbers, true/false, or null for absent)';
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const obj = value as Record<string, unknown>;
    if (keys.length === 0) return `an empty mapping is not a condition (use ${CONDITION_FORMS})`;
    const unknown = keys.filter((k) => k !== 'not' && k !== 'exists');
    if (unknown.length > 0) {
      const k = unknown[0]!;
      const suggestion = didYouMean(k, ['not', 'exists']);
      if (suggestion) return `unknown key "${k}"${suggestion}`;
      return `a nested mapping is not a condition; write the dotted path instead (e.g. ${firstLeaf(value, field)}: ...)`;
    }
    if (keys.length > 1) return 'use either not or exists, not both';
    if ('exists' in obj) return 'exists must be true or false';
    return 'not must be a value or a list of values';
  }
  return `must be ${CONDITION_FORMS}`;
}

/** Paths of match conditions: rules[i].match.KEY and rules[i].except[j].KEY (except `schedule`). */
function conditionPath(path: DataPath): DataPath | undefined {
  if (path[0] !== 'rules' || typeof path[1] !== 'number') return undefined;
  if (path[2] === 'match' && path.length >= 4) return path.slice(0, 4);
  if (path[2] === 'except' && typeof path[3] === 'number' && path.length >= 5 && path[4] !== 'schedule') return path.slice(0, 5);
  return undefined;
}

function samePath(a: DataPath, b: DataPath): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

function rangeMessage(keyword: string, limit: number): string {
  switch (keyword) {
    case 'minimum':
      return `must be at least ${limit}`;
    case 'exclusiveMinimum':
      return `must be more than ${limit}`;
    case 'maximum':
      return `must be at most ${limit}`;
    default:
      return `must be less than ${limit}`;
  }
}

/** One problem per distinct fault, in Ajv's order. */
export function explainSchemaErrors(errors: readonly ErrorObject[], data: unknown): PathProblem[] {
  const out: PathProblem[] = [];
  const doneConditions: DataPath[] = [];
  // A misspelt key is one mistake: "unknown key "chek" — did you mean "check"?" says it all, so
  // the "missing check" that follows from it is not reported again.
  const misspelt = new Set<string>();
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') continue;
    const candidates = Object.keys(((e.parentSchema ?? {}) as SchemaLike).properties ?? {});
    const meant = closest(String((e.params as Record<string, unknown>)['additionalProperty']), candidates);
    if (meant) misspelt.add(`${e.instancePath}/${meant}`);
  }
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'propertyNames') continue;
    const path = fromPointer(e.instancePath, data);
    const key = lastKey(path);
    const schema = (e.parentSchema ?? {}) as SchemaLike;

    if (e.propertyName !== undefined) {
      // A key that is not a valid name (match paths, schedule names).
      out.push({ path, at: [...path, e.propertyName], key: true, message: patternMessage(String(e.schema), e.propertyName, key) });
      continue;
    }

    const cond = conditionPath(path);
    if (cond) {
      if (!doneConditions.some((p) => samePath(p, cond))) {
        doneConditions.push(cond);
        out.push({ path: cond, message: conditionMessage(String(cond.at(-1)), valueAt(data, cond)) });
      }
      continue;
    }

    const value = valueAt(data, path);
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'additionalProperties': {
        const extra = String(p['additionalProperty']);
        out.push({ path, at: [...path, extra], key: true, message: unknownKey(extra, Object.keys(schema.properties ?? {}), path) });
        break;
      }
      case 'false schema': {
        const c = conditionOf(e.schemaPath);
        out.push({ path, key: true, message: c ? misplacedKey(key, c) : `"${key}" is not allowed here` });
        break;
      }
      case 'required':
        if (misspelt.has(`${e.instancePath}/${String(p['missingProperty'])}`)) break;
        out.push({ path, message: missingKey(String(p['missingProperty']), conditionOf(e.schemaPath)) });
        break;
      case 'type':
        out.push({ path, message: path.length === 0 ? 'a rule file is a mapping with rules: (a list) and optionally schedules:' : typeMessage(schema, value, key) });
        break;
      case 'enum': {
        const noun = ENUM_NOUNS[key] ?? 'an allowed value';
        out.push({ path, message: `${show(value)} is not ${noun} (use ${(schema.enum ?? []).join(', ')})` });
        break;
      }
      case 'pattern':
        out.push({ path, message: patternMessage(String(e.schema), value, key) });
        break;
      case 'minimum':
      case 'exclusiveMinimum':
      case 'maximum':
      case 'exclusiveMaximum':
        out.push({ path, message: rangeMessage(e.keyword, Number(p['limit'])) });
        break;
      case 'minItems':
        out.push({ path, message: key === 'actions' ? 'must list at least one action (signal feeds composite rules only)' : 'must not be an empty list' });
        break;
      case 'uniqueItems': {
        const j = Number(p['j']);
        const items = Array.isArray(value) ? value : [];
        out.push({ path: [...path, j], message: `${show(items[j])} is listed twice` });
        break;
      }
      case 'minProperties':
        out.push({
          path,
          message:
            key === 'threshold'
              ? 'must set at least one of count, bytes, records'
              : key === 'except'
                ? 'an empty entry would suppress every event; give event paths to match or a schedule'
                : 'must not be empty',
        });
        break;
      case 'minLength':
        out.push({ path, message: 'must not be empty' });
        break;
      case 'maxLength':
        out.push({ path, message: `is too long (at most ${String(p['limit'])} characters)` });
        break;
      default:
        out.push({ path, message: `${show(value)} is not allowed here` });
    }
  }
  return dedupe(out);
}

function dedupe(problems: PathProblem[]): PathProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = `${JSON.stringify(p.at ?? p.path)}|${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
