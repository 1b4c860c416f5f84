/* Rule tests: sample events and the detections they must give, run through the real engine. */
export { parseRuleTests, merge, type RuleTestCase, type ExpectedDetection } from './format.js';
export { runRuleTest, type RuleTestResult } from './run.js';
export { findRuleTestFiles, loadRuleTests, RULE_TEST_FILE } from './discover.js';
