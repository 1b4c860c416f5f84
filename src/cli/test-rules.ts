/*
 * `guardrail test [DIR]`: loads the rules in DIR (default ./rules) and runs every `*.test.yaml`
 * under it. Prints one line per test and closes with `N passed, N failed`; exit 1 on any failure.
 */
import { loadRules } from '../rules/index.js';
import { findRuleTestFiles, loadRuleTests, runRuleTest } from '../ruletest/index.js';
import { parse } from './args.js';
import { TEST_USAGE } from './usage.js';

export async function testCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, TEST_USAGE.options, true);
  const dir = positionals[0] ?? 'rules';
  const ruleset = await loadRules(dir);
  const files = await findRuleTestFiles(dir);
  const cases = await loadRuleTests(files);
  let passed = 0;
  let failed = 0;
  for (const test of cases) {
    const result = await runRuleTest(ruleset, test);
    if (result.passed) {
      passed++;
      process.stdout.write(`ok    ${test.file}:${test.line} ${test.name}\n`);
    } else {
      failed++;
      process.stdout.write(`FAIL  ${test.file}:${test.line} ${test.name}\n${result.failures.map((f) => `        ${f}\n`).join('')}`);
    }
    if (values.verbose) for (const d of result.detections) process.stdout.write(`        ${d.rule.id} ${d.time} [${d.actions.join(', ')}] ${d.reason}\n`);
  }
  if (cases.length === 0) process.stdout.write(`no rule tests (*.test.yaml) under ${dir}\n`);
  process.stdout.write(`rule tests: ${passed} passed, ${failed} failed\n`);
  return failed === 0 && cases.length > 0 ? 0 : 1;
}
