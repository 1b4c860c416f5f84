import { describe, expect, it } from 'vitest';
import { RuleTestInvalidError } from '../../src/errors/index.js';
import { compileRuleFiles } from '../../src/rules/index.js';
import { parseRuleTests, runRuleTest } from '../../src/ruletest/index.js';

const problems = (text: string) => {
  try {
    parseRuleTests('t.test.yaml', text);
  } catch (err) {
    if (err instanceof RuleTestInvalidError) return err.message.split('\n');
    throw err;
  }
  return [];
};

describe('rule test files', () => {
  it('expand repeat blocks on a timeline, with defaults merged and ids generated', () => {
    const [t] = parseRuleTests('t.test.yaml', `
tests:
  - name: Three deletes
    defaults: { agent: { id: a-1 }, token: { id: t-1 }, resource: { type: db.row } }
    events:
      - { repeat: 3, every: 30s, from: 2026-11-02T10:00:00Z, event: { action: delete, agent: { name: bot } } }
    expect: []
`);
    expect(t!.events).toEqual([0, 1, 2].map((i) => ({
      agent: { id: 'a-1', name: 'bot' },
      token: { id: 't-1' },
      resource: { type: 'db.row' },
      action: 'delete',
      time: new Date(Date.parse('2026-11-02T10:00:00Z') + i * 30_000).toISOString(),
      id: `three-deletes-${i + 1}`,
    })));
  });

  it('report every mistake with its line and column', () => {
    expect(problems(`
tests:
  - name: x
    events:
      - { repeat: 0, every: 1s, from: 2026-11-02T10:00:00Z, event: {} }
      - { repeat: 2, every: soon, from: 2026-11-02T10:00:00Z, event: {} }
      - { repeat: 2, every: 1s, from: "2026-11-02T10:00:00", event: {} }
    expect:
      - { rule: r, cuont: 1 }
    expct: []
`)).toEqual([
      't.test.yaml:10:5: tests[0].expct: unknown key "expct" (use name, description, defaults, events, expect)',
      't.test.yaml:5:9: tests[0].events[0]: repeat: must be a whole number of events, at least 1',
      't.test.yaml:6:9: tests[0].events[1]: every: "soon" is not a duration (use 30s, 5m, 1h, 7d)',
      // No offset: it would mean a different instant on every machine.
      't.test.yaml:7:9: tests[0].events[2]: from: must be an RFC 3339 timestamp, e.g. 2026-11-02T09:00:00Z',
      't.test.yaml:9:20: tests[0].expect[0].cuont: unknown key "cuont" (use rule, count, actions, mode, severity, subject)',
    ]);
  });

  it('fail a test on a missing detection, a wrong action and any unlisted rule that fired', async () => {
    const ruleset = compileRuleFiles([{ file: 'r.yaml', text: `
rules:
  - { id: deletes, kind: rate, match: { action: [delete] }, window: 1m, threshold: { count: 2 }, actions: [alert] }
  - { id: any-delete, kind: match, match: { action: [delete] }, actions: [alert], cooldown: 1h }
` }]);
    const [t] = parseRuleTests('t.test.yaml', `
tests:
  - name: deletes
    defaults: { agent: { id: a-1 }, token: { id: t-1 }, resource: { type: db.row }, action: delete }
    events:
      - { repeat: 3, every: 1s, from: 2026-11-02T10:00:00Z, event: {} }
    expect:
      - { rule: deletes, actions: [revoke_token] }
`);
    const result = await runRuleTest(ruleset, t!);
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual([
      'deletes: expected actions [revoke_token], got [alert]',
      'unexpected: any-delete fired 1 time(s), first at 2026-11-02T10:00:00.000Z: matched',
    ]);
  });
});
