/*
 * Rule test files (`*.test.yaml` beside the rules): input events and the detections they must
 * produce, as data, like Sigma's regression samples. This module parses and checks their shape,
 * with file:line:column for every problem.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { LocatedProblem } from '../errors/index.js';
import { RuleTestInvalidError } from '../errors/index.js';
import { parseRfc3339 } from '../events/index.js';
import { parseDuration } from '../rules/index.js';

export interface EventRepeat {
  repeat: number;
  everyMs: number;
  fromMs: number;
  event: Record<string, unknown>;
}

export interface ExpectedDetection {
  rule: string;
  /** Exact number of detections; undefined means at least one. */
  count?: number;
  actions?: string[];
  mode?: string;
  severity?: string;
  subject?: Record<string, unknown>;
}

export interface RuleTestCase {
  file: string;
  line: number;
  name: string;
  events: Record<string, unknown>[];
  expect: ExpectedDetection[];
}

const TEST_KEYS = new Set(['name', 'description', 'defaults', 'events', 'expect']);
const EXPECT_KEYS = new Set(['rule', 'count', 'actions', 'mode', 'severity', 'subject']);
const REPEAT_KEYS = new Set(['repeat', 'every', 'from', 'event']);
/** A test can generate at most this many events, to keep `guardrail test` quick. */
const MAX_EVENTS_PER_TEST = 200_000;

export function parseRuleTests(file: string, text: string): RuleTestCase[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const problems: LocatedProblem[] = [];
  const at = (path: (string | number)[], p: string, message: string) => {
    const node = (keyNode(doc, path) ?? doc.getIn(path, true)) as { range?: [number, number, number] } | undefined;
    const pos = lineCounter.linePos(node?.range?.[0] ?? 0);
    problems.push({ file, line: pos.line, column: pos.col, path: p, message });
  };
  for (const err of doc.errors) {
    const pos = lineCounter.linePos(err.pos[0]);
    problems.push({ file, line: pos.line, column: pos.col, path: '', message: err.message.split('\n')[0] ?? err.message });
  }
  if (problems.length > 0) throw new RuleTestInvalidError(problems);
  const root = doc.toJS() as unknown;
  const tests = isRecord(root) ? root['tests'] : undefined;
  if (!Array.isArray(tests) || !isSeq(doc.get('tests', true))) {
    at([], '', 'a rule test file needs a `tests:` list');
    throw new RuleTestInvalidError(problems);
  }
  const cases: RuleTestCase[] = [];
  tests.forEach((t: unknown, i) => {
    const path = `tests[${i}]`;
    if (!isRecord(t)) return at(['tests', i], path, 'must be a mapping with name, events and expect');
    for (const k of Object.keys(t)) if (!TEST_KEYS.has(k)) at(['tests', i, k], `${path}.${k}`, `unknown key "${k}" (use ${[...TEST_KEYS].join(', ')})`);
    const name = typeof t['name'] === 'string' ? t['name'] : undefined;
    if (!name) at(['tests', i], `${path}.name`, 'every test needs a name');
    const defaults = t['defaults'] ?? {};
    if (!isRecord(defaults)) at(['tests', i, 'defaults'], `${path}.defaults`, 'must be a mapping of event fields');
    const events = expandEvents(t['events'], isRecord(defaults) ? defaults : {}, slug(name ?? `test-${i}`), (j, msg) =>
      at(['tests', i, 'events', ...(j === undefined ? [] : [j])], `${path}.events${j === undefined ? '' : `[${j}]`}`, msg),
    );
    const expect = parseExpect(t['expect'], (j, key, msg) =>
      at(['tests', i, 'expect', ...(j === undefined ? [] : [j]), ...(key ? [key] : [])], `${path}.expect${j === undefined ? '' : `[${j}]`}${key ? `.${key}` : ''}`, msg),
    );
    const node = doc.getIn(['tests', i], true) as { range?: [number, number, number] } | undefined;
    if (name) cases.push({ file, line: lineCounter.linePos(node?.range?.[0] ?? 0).line, name, events, expect });
  });
  if (problems.length > 0) throw new RuleTestInvalidError(problems);
  return cases;
}

function expandEvents(raw: unknown, defaults: Record<string, unknown>, prefix: string, problem: (i: number | undefined, msg: string) => void): Record<string, unknown>[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    problem(undefined, 'must be a non-empty list of events (or `repeat:` blocks)');
    return [];
  }
  const out: Record<string, unknown>[] = [];
  raw.forEach((item: unknown, i) => {
    if (!isRecord(item)) return problem(i, 'must be an event mapping or a `repeat:` block');
    if (!('repeat' in item)) {
      const e = merge(defaults, item);
      e['id'] ??= `${prefix}-${out.length + 1}`;
      out.push(e);
      return;
    }
    const r = parseRepeat(item, (msg) => problem(i, msg));
    if (!r) return;
    if (out.length + r.repeat > MAX_EVENTS_PER_TEST) return problem(i, `a test may generate at most ${MAX_EVENTS_PER_TEST} events`);
    const base = merge(defaults, r.event);
    for (let n = 0; n < r.repeat; n++) {
      const e = merge(base, {});
      e['time'] = new Date(r.fromMs + n * r.everyMs).toISOString();
      e['id'] = `${prefix}-${out.length + 1}`;
      out.push(e);
    }
  });
  return out;
}

function parseRepeat(item: Record<string, unknown>, problem: (msg: string) => void): EventRepeat | undefined {
  for (const k of Object.keys(item)) if (!REPEAT_KEYS.has(k)) problem(`unknown key "${k}" in a repeat block (use repeat, every, from, event)`);
  const repeat = item['repeat'];
  if (typeof repeat !== 'number' || !Number.isInteger(repeat) || repeat < 1) return problem('repeat: must be a whole number of events, at least 1'), undefined;
  let everyMs: number;
  try {
    everyMs = parseDuration(String(item['every'] ?? ''));
  } catch {
    return problem(`every: ${JSON.stringify(item['every'] ?? null)} is not a duration (use 30s, 5m, 1h, 7d)`), undefined;
  }
  // RFC 3339 as the message says: Date.parse would read a time without an offset in the machine's zone.
  const from = item['from'] instanceof Date ? item['from'].getTime() : parseRfc3339(String(item['from'] ?? ''));
  if (!Number.isFinite(from)) return problem('from: must be an RFC 3339 timestamp, e.g. 2026-11-02T09:00:00Z'), undefined;
  const event = item['event'];
  if (!isRecord(event)) return problem('event: must be a mapping of event fields'), undefined;
  return { repeat, everyMs, fromMs: from, event };
}

function parseExpect(raw: unknown, problem: (i: number | undefined, key: string | undefined, msg: string) => void): ExpectedDetection[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problem(undefined, undefined, 'must be a list of expected detections (an empty list means none)');
    return [];
  }
  const out: ExpectedDetection[] = [];
  raw.forEach((item: unknown, i) => {
    if (!isRecord(item)) return problem(i, undefined, 'must be a mapping with at least `rule`');
    for (const k of Object.keys(item)) if (!EXPECT_KEYS.has(k)) problem(i, k, `unknown key "${k}" (use ${[...EXPECT_KEYS].join(', ')})`);
    if (typeof item['rule'] !== 'string') return problem(i, 'rule', 'must name the rule id expected to fire');
    const count = item['count'];
    if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 0)) problem(i, 'count', 'must be a whole number');
    const actions = item['actions'];
    if (actions !== undefined && !(Array.isArray(actions) && actions.every((a) => typeof a === 'string'))) problem(i, 'actions', 'must be a list of action names');
    const subject = item['subject'];
    if (subject !== undefined && !isRecord(subject)) problem(i, 'subject', 'must be a mapping, e.g. { agentId: a-1 }');
    out.push({
      rule: item['rule'],
      ...(typeof count === 'number' ? { count } : {}),
      ...(Array.isArray(actions) ? { actions: actions as string[] } : {}),
      ...(typeof item['mode'] === 'string' ? { mode: item['mode'] } : {}),
      ...(typeof item['severity'] === 'string' ? { severity: item['severity'] } : {}),
      ...(isRecord(subject) ? { subject } : {}),
    });
  });
  return out;
}

/** For a path ending in a mapping key, the key's own node, so a problem with a key points at the key. */
function keyNode(doc: Document, path: (string | number)[]): unknown {
  const last = path[path.length - 1];
  if (typeof last !== 'string') return undefined;
  const parent = doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  return parent.items.find((pair) => isScalar(pair.key) && pair.key.value === last)?.key;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Deep merge for event templates: mappings merge, everything else replaces. Dates become RFC 3339 text. */
export function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(base)) out[k] = isRecord(v) ? merge(v, {}) : v instanceof Date ? v.toISOString() : v;
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] = isRecord(v) ? merge(isRecord(prev) ? prev : {}, v) : v instanceof Date ? v.toISOString() : v;
  }
  return out;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'test';
}
