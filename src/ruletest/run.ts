/*
 * Runs rule test cases through the real engine (events are encoded and decoded as on the wire, so
 * a test also checks the event contract) and compares the detections with what the test expects.
 * A rule the test does not list must not fire: benign samples are tests too.
 */
import { runReplay, type Detection } from '../engine/index.js';
import type { Ruleset } from '../rules/types.js';
import type { ExpectedDetection, RuleTestCase } from './format.js';

export interface RuleTestResult {
  test: RuleTestCase;
  passed: boolean;
  failures: string[];
  detections: Detection[];
}

export async function runRuleTest(ruleset: Ruleset, test: RuleTestCase): Promise<RuleTestResult> {
  const detections: Detection[] = [];
  const failures: string[] = [];
  const known = new Set(ruleset.rules.map((r) => r.id));
  for (const e of test.expect) if (!known.has(e.rule)) failures.push(`expects rule "${e.rule}", which is not in the ruleset`);
  await runReplay({
    ruleset,
    // Blocks of events are written one after another but describe one timeline: replay it in time order.
    lines: [...test.events].sort((a, b) => timeOf(a) - timeOf(b)).map((e) => JSON.stringify(e)),
    onDetection: (d) => void detections.push(d),
    onInvalid: (line, reason) => failures.push(`event ${line} is not a valid event: ${reason}`),
    now: () => 0,
  });
  const byRule = new Map<string, Detection[]>();
  for (const d of detections) byRule.set(d.rule.id, [...(byRule.get(d.rule.id) ?? []), d]);
  for (const expected of test.expect) failures.push(...compare(expected, byRule.get(expected.rule) ?? []));
  const expectedRules = new Set(test.expect.map((e) => e.rule));
  for (const [rule, ds] of byRule) {
    if (expectedRules.has(rule)) continue;
    failures.push(`unexpected: ${rule} fired ${ds.length} time(s), first at ${ds[0]!.time}: ${ds[0]!.reason}`);
  }
  return { test, passed: failures.length === 0, failures, detections };
}

function compare(expected: ExpectedDetection, got: Detection[]): string[] {
  const failures: string[] = [];
  const rule = expected.rule;
  if (expected.count !== undefined ? got.length !== expected.count : got.length === 0) {
    failures.push(`expected ${expected.count ?? 'at least 1'} detection(s) of ${rule}, got ${got.length}`);
    return failures;
  }
  for (const d of got) {
    if (expected.actions && !sameSet(expected.actions, d.actions)) failures.push(`${rule}: expected actions [${expected.actions.join(', ')}], got [${d.actions.join(', ')}]`);
    if (expected.mode && d.mode !== expected.mode) failures.push(`${rule}: expected mode ${expected.mode}, got ${d.mode}`);
    if (expected.severity && d.rule.severity !== expected.severity) failures.push(`${rule}: expected severity ${expected.severity}, got ${d.rule.severity}`);
    for (const [k, v] of Object.entries(expected.subject ?? {})) {
      const actual = (d.subject as Record<string, unknown>)[k];
      if (actual !== v) failures.push(`${rule}: expected subject.${k} ${JSON.stringify(v)}, got ${JSON.stringify(actual)}`);
    }
  }
  return [...new Set(failures)];
}

function timeOf(e: Record<string, unknown>): number {
  const t = Date.parse(String(e['time']));
  return Number.isNaN(t) ? 0 : t;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
