/* Rules: load, validate and compile YAML rule files into the Ruleset the engine runs. */
export type * from './types.js';
export { ACTIONS, RESTRICTING_ACTIONS, RULE_KINDS, SEVERITIES } from './types.js';
export { loadRules, findRuleFiles } from './load.js';
export { compileRuleFiles, cooldownsOf, inShadowMode, isStateless, type RuleFileText } from './ruleset.js';
export { parseDuration, tryParseDuration, formatDuration } from './duration.js';
export { parseSize, tryParseSize } from './size.js';
export { compileMatcher } from './matcher.js';
export { ruleFileJsonSchema, type MatchConditionSpec, type MatchSpec } from './schema.js';
export { renderRulesSchema, writeRulesSchema } from './schema-file.js';
export { DEFAULTS as RULE_DEFAULTS } from './semantics.js';
