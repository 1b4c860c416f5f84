/*
 * From rule file texts to a Ruleset: parse each file, validate its structure against the schema,
 * run the semantic and cross-file checks, and compile only if nothing at all is wrong. Every
 * problem of every file is collected first, so one run of `guardrail validate` lists them all.
 */
import { RulesInvalidError, type LocatedProblem } from '../errors/index.js';
import { compileFiles } from './compile.js';
import { locate, parseRuleDocument, positionIn, type RuleDocument } from './document.js';
import { explainSchemaErrors } from './messages.js';
import { checkReferences } from './references.js';
import type { RuleFileSpec } from './schema.js';
import { checkFile } from './semantics.js';
import type { CompiledRule, Ruleset } from './types.js';
import { schemaErrors } from './validator.js';

export interface RuleFileText {
  file: string;
  text: string;
}

function byPosition(a: LocatedProblem, b: LocatedProblem): number {
  return a.line - b.line || a.column - b.column;
}

function countRules(docs: readonly RuleDocument[]): number {
  let n = 0;
  for (const d of docs) {
    const rules = (d.data as { rules?: unknown } | undefined)?.rules;
    if (Array.isArray(rules)) n += rules.length;
  }
  return n;
}

/** Compiles rule files given as text; throws RulesInvalidError listing every problem found. */
export function compileRuleFiles(files: readonly RuleFileText[]): Ruleset {
  const docs = files.map((f) => parseRuleDocument(f.file, f.text));
  const perFile: LocatedProblem[][] = docs.map((d) => [...d.syntaxProblems]);

  docs.forEach((d, i) => {
    if (d.data === undefined) return;
    const problems = [...explainSchemaErrors(schemaErrors(d.data), d.data), ...checkFile(d.data)];
    perFile[i]!.push(...problems.map((p) => locate(d, p)));
  });

  const parsed = docs.filter((d) => d.data !== undefined);
  const where = (file: number, path: readonly (string | number)[]) => {
    const d = parsed[file]!;
    return `${d.file}:${positionIn(d, path).line}`;
  };
  for (const p of checkReferences(parsed, where, { complete: parsed.length === docs.length })) {
    const d = parsed[p.file]!;
    perFile[docs.indexOf(d)]!.push(locate(d, p));
  }

  const problems = perFile.flatMap((list) => list.sort(byPosition));
  if (problems.length === 0 && countRules(docs) === 0) {
    const first = files[0];
    problems.push({ file: first?.file ?? '(no files)', line: 1, column: 1, path: '', message: 'no rules: a rule file holds a rules: list (`guardrail schema rules` prints the format)' });
  }
  if (problems.length > 0) throw new RulesInvalidError(problems);

  return compileFiles(
    docs.map((d) => ({
      file: d.file,
      data: d.data as RuleFileSpec,
      sourceOf: (index: number) => ({ file: d.file, ...positionIn(d, ['rules', index]) }),
    })),
  );
}

/**
 * The ruleset as a deployment in shadow mode (GUARDRAIL_MODE=shadow) runs it: every rule in shadow.
 * The engine then keys each rule's cooldown as a shadow rule's (engine.ts), so switching the
 * deployment to enforce mid-incident is not held back by firings that restricted nobody; windows,
 * baselines and profiles keep their keys and carry over.
 */
export function inShadowMode(ruleset: Ruleset): Ruleset {
  if (ruleset.rules.every((r) => r.mode === 'shadow')) return ruleset;
  return { ...ruleset, rules: ruleset.rules.map((r) => (r.mode === 'shadow' ? r : { ...r, mode: 'shadow' as const })) };
}

const cooldownsCache = new WeakMap<Ruleset, (ruleId: string) => number | undefined>();

/**
 * The cooldown by rule id of each rule that holds back the agent as a whole (groupBy [agent.id],
 * the default), for how long the quarantines it asks for last (quarantineMs). Undefined for an id
 * the ruleset does not hold, and for a rule grouped otherwise: cooling down for one token or one
 * resource, it still fires on the agent's next.
 */
export function cooldownsOf(ruleset: Ruleset): (ruleId: string) => number | undefined {
  let of = cooldownsCache.get(ruleset);
  if (!of) {
    const byId = new Map(ruleset.rules.filter((r) => r.groupBy.length === 1 && r.groupBy[0] === 'agent.id').map((r) => [r.id, r.cooldownMs]));
    cooldownsCache.set(ruleset, (of = (id) => byId.get(id)));
  }
  return of;
}

/**
 * Whether a rule judges an event on its own, with no state: match rules, country allowlists, fixed
 * office hours. Only these judge late events, and, failing open, events while the store is down.
 */
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
