/*
 * What an on-call engineer relies on in every alert, checked without Prometheus: a severity the
 * routing knows, a summary and description, a runbook link to a section of docs/operations.md that
 * exists, and a unit test in alerts.test.yml that makes the alert fire on series the processor could
 * emit. Alertmanager's inhibitions name alerts that exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadAlertRules } from './grafana.js';
import { knownSeries, TARGET_LABELS } from './metrics-contract.js';
import { selectors } from './promql.js';
import { ROOT } from './tools.js';

const rules = loadAlertRules();
const operations = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');

/** GitHub's anchor of a Markdown heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
const anchors = new Set([...operations.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

/** The alert the processor pushes to Alertmanager itself, one per critical detection. */
const PUSHED = 'GuardrailCriticalDetection';

interface UnitTests {
  tests: { input_series?: { series: string }[]; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}
const unitTests = parse(readFileSync(join(ROOT, 'deploy', 'prometheus', 'alerts.test.yml'), 'utf8')) as UnitTests;

describe('alert rules', () => {
  it('have unique names starting with Guardrail', () => {
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^Guardrail[A-Z][A-Za-z]+$/);
    expect(names).not.toContain(PUSHED);
  });

  it('carry severity, service and category labels the routing and inhibitions use', () => {
    for (const r of rules) {
      expect(['critical', 'warning'], r.alert).toContain(r.labels?.severity);
      expect(r.labels?.service, r.alert).toBe('guardrail');
      expect(['detection', 'response', 'pipeline', 'availability'], r.alert).toContain(r.labels?.category);
    }
  });

  it('have a summary, a description and a runbook link to a section of docs/operations.md', () => {
    for (const r of rules) {
      expect(r.annotations?.summary ?? '', r.alert).not.toBe('');
      expect((r.annotations?.description ?? '').length, r.alert).toBeGreaterThan(40);
      const url = r.annotations?.runbook_url ?? '';
      expect(url, r.alert).toBe(`docs/operations.md#${r.alert.toLowerCase()}`);
      expect(anchors.has(r.alert.toLowerCase()), `docs/operations.md has no "### ${r.alert}" section`).toBe(true);
    }
    expect(anchors.has(PUSHED.toLowerCase()), `docs/operations.md has no "### ${PUSHED}" section`).toBe(true);
  });

  it('each have a unit test in alerts.test.yml that makes them fire', () => {
    const fired = new Set(unitTests.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => (a.exp_alerts ?? []).length > 0).map((a) => a.alertname)));
    expect(rules.map((r) => r.alert).filter((a) => !fired.has(a))).toEqual([]);
  });

  it('are unit-tested on label values the processor emits (a test on made-up values proves nothing)', async () => {
    const known = await knownSeries();
    const bad: string[] = [];
    for (const { series } of unitTests.tests.flatMap((t) => t.input_series ?? [])) {
      const [s] = selectors(series);
      const labels = s && known.get(s.metric)?.labels;
      if (!s || !labels) continue;
      for (const m of s.matchers) {
        const values = labels[m.label];
        if (TARGET_LABELS.includes(m.label) || m.label === 'le' || !values) continue;
        if (!values.includes(m.value)) bad.push(`${series}: ${m.label}="${m.value}" is not one of ${values.join(', ')}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('page (critical) for what needs a human now: critical detections, held or unpublished revocations, blindness', () => {
    const critical = rules.filter((r) => r.labels?.severity === 'critical').map((r) => r.alert);
    expect(critical).toEqual(
      expect.arrayContaining(['GuardrailCriticalDetectionsByRule', 'GuardrailRevocationBudgetExhausted', 'GuardrailRevocationsNotPublished', 'GuardrailStoreDown', 'GuardrailNotConsuming', 'GuardrailProcessorDown']),
    );
  });
});

describe('Alertmanager inhibitions', () => {
  interface Inhibit {
    source_matchers: string[];
    target_matchers: string[];
    equal?: string[];
  }
  const config = parse(readFileSync(join(ROOT, 'deploy', 'alertmanager', 'alertmanager.yml'), 'utf8')) as { inhibit_rules: Inhibit[] };
  const names = new Set([...rules.map((r) => r.alert), PUSHED]);

  it('name only alerts that exist', () => {
    for (const rule of config.inhibit_rules) {
      for (const m of [...rule.source_matchers, ...rule.target_matchers]) {
        const eq = /^alertname="([^"]+)"$/.exec(m);
        const re = /^alertname=~"([^"]+)"$/.exec(m);
        for (const n of eq ? [eq[1]!] : re ? re[1]!.split('|') : []) expect(names.has(n), `inhibit rule names ${n}`).toBe(true);
      }
    }
  });

  it('compare only labels that both sides carry', () => {
    const labels = new Set(['service', 'rule']);
    for (const rule of config.inhibit_rules) for (const l of rule.equal ?? []) expect(labels.has(l), `equal: ${l}`).toBe(true);
  });
});
