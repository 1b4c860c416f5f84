/*
 * Checks across all rule files of a ruleset: rule ids and schedule names are unique, composites
 * name rules that exist (not themselves, not in a loop), and `except: - schedule:` names a schedule
 * defined somewhere. Each problem points at the offending reference and names where the other is.
 */
import type { PathProblem } from './messages.js';
import type { DataPath } from './positions.js';
import { didYouMean } from './suggest.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface FileData {
  data: unknown;
}

/** A problem in file number `file` of the list given to checkReferences. */
export interface FileProblem extends PathProblem {
  file: number;
}

/** `file:line` of a path in one of the files, for "already defined at ..." sentences. */
export type Where = (file: number, path: DataPath) => string;

interface RuleRef {
  id: string;
  file: number;
  index: number;
  kind: unknown;
  allOf: unknown;
  anyOf: unknown;
}

export interface ReferenceOptions {
  /** False when some file could not be parsed: its rules and schedules are unknown, so "no rule has id" would be a guess. */
  complete: boolean;
}

export function checkReferences(files: readonly FileData[], where: Where, options: ReferenceOptions): FileProblem[] {
  const out: FileProblem[] = [];
  const rules = new Map<string, RuleRef>();
  const ordered: RuleRef[] = [];
  const schedules = new Map<string, number>();

  files.forEach(({ data }, file) => {
    if (!isObj(data)) return;
    if (isObj(data['schedules'])) {
      for (const name of Object.keys(data['schedules'])) {
        const first = schedules.get(name);
        if (first === undefined) schedules.set(name, file);
        else out.push({ file, path: ['schedules', name], key: true, message: `a schedule named "${name}" is already defined at ${where(first, ['schedules', name])} (names are shared by all rule files)` });
      }
    }
    if (!Array.isArray(data['rules'])) return;
    data['rules'].forEach((rule, index) => {
      if (!isObj(rule) || typeof rule['id'] !== 'string') return;
      const ref: RuleRef = { id: rule['id'], file, index, kind: rule['kind'], allOf: rule['allOf'], anyOf: rule['anyOf'] };
      const first = rules.get(ref.id);
      if (first) {
        out.push({ file, path: ['rules', index, 'id'], message: `${JSON.stringify(ref.id)} is already the id of the rule at ${where(first.file, ['rules', first.index])} (ids are unique across all files)` });
        return;
      }
      rules.set(ref.id, ref);
      ordered.push(ref);
    });
  });

  // Composite references: known, not itself.
  const edges = new Map<string, { target: string; path: DataPath }[]>();
  for (const r of ordered) {
    if (r.kind !== 'composite') continue;
    const list: { target: string; path: DataPath }[] = [];
    for (const key of ['allOf', 'anyOf'] as const) {
      const refs = r[key];
      if (!Array.isArray(refs)) continue;
      refs.forEach((target, j) => {
        if (typeof target !== 'string') return;
        const path: DataPath = ['rules', r.index, key, j];
        if (target === r.id) out.push({ file: r.file, path, message: 'a composite cannot read itself' });
        else if (rules.has(target)) list.push({ target, path });
        else if (options.complete) out.push({ file: r.file, path, message: `no rule has id ${JSON.stringify(target)}${didYouMean(target, rules.keys())}` });
      });
    }
    edges.set(r.id, list);
  }

  // Loops between composites: depth-first, reporting the reference that closes each loop once.
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'active');
    stack.push(id);
    for (const edge of edges.get(id) ?? []) {
      const s = state.get(edge.target);
      if (s === 'active') {
        const loop = [...stack.slice(stack.indexOf(edge.target)), edge.target];
        const r = rules.get(id)!;
        out.push({ file: r.file, path: edge.path, message: `${JSON.stringify(edge.target)} reads this rule back, a loop (${loop.join(' → ')}); composites cannot depend on each other in a circle` });
      } else if (s === undefined && edges.has(edge.target)) visit(edge.target);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of edges.keys()) if (!state.has(id)) visit(id);

  // except: - schedule: NAME
  if (options.complete) {
    files.forEach(({ data }, file) => {
      if (!isObj(data) || !Array.isArray(data['rules'])) return;
      data['rules'].forEach((rule, i) => {
        if (!isObj(rule) || !Array.isArray(rule['except'])) return;
        rule['except'].forEach((entry, j) => {
          if (!isObj(entry) || typeof entry['schedule'] !== 'string' || schedules.has(entry['schedule'])) return;
          const name = entry['schedule'];
          const hint = schedules.size === 0 ? ' (no rule file defines schedules:)' : didYouMean(name, schedules.keys()) || ` (defined: ${[...schedules.keys()].join(', ')})`;
          out.push({ file, path: ['rules', i, 'except', j, 'schedule'], message: `no schedule named ${JSON.stringify(name)}${hint}` });
        });
      });
    });
  }
  return out;
}
