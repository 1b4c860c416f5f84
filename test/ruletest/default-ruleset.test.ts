// The default ruleset's own rule tests (rules/**/*.test.yaml), one vitest case each, so `npm test`
// fails when a rule change breaks a behaviour the ruleset promises.
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/rules/index.js';
import { findRuleTestFiles, loadRuleTests, runRuleTest } from '../../src/ruletest/index.js';

const ruleset = await loadRules('rules');
const cases = await loadRuleTests(await findRuleTestFiles('rules'));

describe('default ruleset', () => {
  it('has rule tests', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });
  for (const test of cases) {
    it(`${test.file}:${test.line} ${test.name}`, async () => {
      const result = await runRuleTest(ruleset, test);
      expect(result.failures).toEqual([]);
    });
  }
});
