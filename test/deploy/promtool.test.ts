/*
 * The Prometheus and Alertmanager configuration, checked by their own tools: promtool validates the
 * scrape config and the alert rules and runs the rules' unit tests (deploy/prometheus/alerts.test.yml);
 * amtool validates the Alertmanager config with its templates and tests where alerts are routed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadRules, parseDuration } from '../../src/rules/index.js';
import { requireTool, run, skipWithout } from './tools.js';

describe('Prometheus configuration (promtool)', () => {
  it.skipIf(skipWithout('promtool'))('promtool check config accepts prometheus.yml and the rule files it loads', () => {
    requireTool('promtool');
    const r = run('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml']);
    expect(r.output).toContain('SUCCESS');
    expect(r.status, r.output).toBe(0);
  });

  it.skipIf(skipWithout('promtool'))('promtool check rules accepts alerts.yml', () => {
    requireTool('promtool');
    const r = run('promtool', ['check', 'rules', 'deploy/prometheus/alerts.yml']);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it.skipIf(skipWithout('promtool'))('the alert rules pass their unit tests (alerts.test.yml)', () => {
    requireTool('promtool');
    const r = run('promtool', ['test', 'rules', 'deploy/prometheus/alerts.test.yml']);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });
});

describe('Alertmanager configuration (amtool)', () => {
  const config = 'deploy/alertmanager/alertmanager.yml';

  it.skipIf(skipWithout('amtool'))('amtool check-config accepts alertmanager.yml and its templates', () => {
    requireTool('amtool');
    const r = run('amtool', ['check-config', config]);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('1 templates');
  });

  const routes: [string, string[], string][] = [
    ['a critical alert pages and posts to the channel', ['alertname=GuardrailStoreDown', 'severity=critical', 'service=guardrail'], 'security-pager,security-tickets'],
    ['a pushed critical detection of an enforcing rule pages', ['alertname=GuardrailCriticalDetection', 'severity=critical', 'mode=enforce', 'rule=r'], 'security-pager,security-tickets'],
    ['a critical detection of a shadow-mode rule does not page', ['alertname=GuardrailCriticalDetection', 'severity=critical', 'mode=shadow', 'rule=r'], 'security-tickets'],
    ['a warning goes to the channel and a ticket', ['alertname=GuardrailStoreSlow', 'severity=warning', 'service=guardrail'], 'security-tickets'],
    ['an alert without a severity still reaches someone', ['alertname=Unexpected'], 'security-tickets'],
  ];
  it('does not page a pushed detection again before its rule\'s cooldown, the alert\'s span, is over', async () => {
    type Route = { matchers?: string[]; repeat_interval?: string; routes?: Route[] };
    const tree = parse(readFileSync(config, 'utf8')) as { route: Route };
    const detection = tree.route.routes!.find((r) => r.matchers?.join() === 'alertname="GuardrailCriticalDetection"')!;
    const longest = Math.max(...(await loadRules('rules')).rules.map((r) => r.cooldownMs));
    expect(parseDuration(detection.repeat_interval!)).toBeGreaterThanOrEqual(longest);
  });

  for (const [what, labels, receivers] of routes) {
    it.skipIf(skipWithout('amtool'))(`routing: ${what}`, () => {
      requireTool('amtool');
      const r = run('amtool', ['config', 'routes', 'test', `--config.file=${config}`, `--verify.receivers=${receivers}`, ...labels]);
      expect(r.status, r.output).toBe(0);
    });
  }
});
