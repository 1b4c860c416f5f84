/*
 * Fail-open mode: while the state store is down, only rules that judge an event on its own run
 * (match rules, country allowlists, fixed office hours); windows, baselines, learned profiles,
 * seen locations, travel and composites need state and wait for the store.
 */
import type { FailMode } from '../config/index.js';
import { isStateless, type Ruleset } from '../rules/index.js';

export function statelessRuleset(ruleset: Ruleset): Ruleset {
  return { ...ruleset, rules: ruleset.rules.filter(isStateless) };
}

/**
 * The fail mode a ruleset asks for (DESIGN.md: per deployment, overridable per rule). Closed as soon
 * as one rule that needs state is closed, by its `failMode` or by the deployment's: pausing is the
 * only way not to judge events without it. Open when every such rule allows going on without it;
 * rules that need no state run either way.
 */
export function effectiveFailMode(ruleset: Ruleset, deployment: FailMode): FailMode {
  return ruleset.rules.some((r) => !isStateless(r) && (r.failMode ?? deployment) === 'closed') ? 'closed' : 'open';
}
