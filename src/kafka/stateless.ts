/*
 * Fail-open mode: while the state store is down, only rules that judge an event on its own run
 * (match rules, country allowlists, fixed office hours); windows, baselines, learned profiles,
 * seen locations, travel and composites need state and wait for the store.
 */
import type { CompiledRule, Ruleset } from '../rules/index.js';

export function isStateless(rule: CompiledRule): boolean {
  switch (rule.kind) {
    case 'match':
      return true;
    case 'geo':
      return rule.check === 'country_allowlist';
    case 'time_of_day':
      return rule.learned === undefined;
    default:
      return false;
  }
}

export function statelessRuleset(ruleset: Ruleset): Ruleset {
  return { ...ruleset, rules: ruleset.rules.filter(isStateless) };
}
