/*
 * `match:` blocks compiled into a predicate the engine runs on every event for every rule, so the
 * work is done once here: paths split, value lists turned into sets. Values compare by type and
 * value (false matches the boolean false, not the text "false"); `null` stands for "absent"; an
 * array-valued field matches when any element does, and an empty array counts as absent.
 */
import type { DecodedEvent } from '../events/types.js';
import type { MatchConditionSpec } from './schema.js';
import type { FieldCondition, MatchValue, Matcher } from './types.js';

/** The value at a dotted path; arrays met on the way fan out, so `a.b` over `a: [{b: 1}, {b: 2}]` is `[1, 2]`. */
function lookup(root: unknown, segments: readonly string[]): unknown {
  let cur = root;
  for (let i = 0; i < segments.length; i++) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) return fanOut(cur, segments.slice(i));
    cur = (cur as Record<string, unknown>)[segments[i]!];
  }
  return cur;
}

// Kept out of lookup and isOneOf: their closures would make V8 allocate a context on every call of
// those functions (every event, every rule), arrays or not.
function fanOut(items: readonly unknown[], rest: readonly string[]): unknown[] {
  return items.flatMap((item) => {
    const v = lookup(item, rest);
    return v === undefined ? [] : [v];
  });
}

const absent = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

function isOneOf(value: unknown, set: ReadonlySet<unknown>, nullMatches: boolean): boolean {
  if (absent(value)) return nullMatches;
  if (Array.isArray(value)) {
    for (const v of value as unknown[]) if (v === null ? nullMatches : set.has(v)) return true;
    return false;
  }
  return set.has(value);
}

function asList(v: MatchValue | readonly MatchValue[]): MatchValue[] {
  return Array.isArray(v) ? [...(v as MatchValue[])] : [v as MatchValue];
}

export function compileCondition(path: string, spec: MatchConditionSpec): FieldCondition {
  const segments = path.split('.');
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    if ('exists' in spec) return { path, segments, op: 'exists', values: [], exists: spec.exists };
    return { path, segments, op: 'not_in', values: asList(spec.not) };
  }
  return { path, segments, op: 'in', values: asList(spec) };
}

type Predicate = (event: unknown) => boolean;

function predicateOf(c: FieldCondition): Predicate {
  const { segments } = c;
  const get = segments.length === 1 ? (e: unknown) => (e as Record<string, unknown>)[segments[0]!] : (e: unknown) => lookup(e, segments);
  if (c.op === 'exists') {
    const want = c.exists !== false;
    return (e) => absent(get(e)) !== want;
  }
  const set = new Set<unknown>(c.values.filter((v) => v !== null));
  const nullMatches = c.values.includes(null);
  // `not` is the exact negation of the list form, so { not: [vpn] } accepts an absent network.
  return c.op === 'in' ? (e) => isOneOf(get(e), set, nullMatches) : (e) => !isOneOf(get(e), set, nullMatches);
}

function build(conditions: FieldCondition[]): Matcher {
  const predicates = conditions.map(predicateOf);
  if (predicates.length === 0) return { conditions, test: () => true };
  return {
    conditions,
    test(event: DecodedEvent): boolean {
      const e = event.event;
      for (const p of predicates) if (!p(e)) return false;
      return true;
    },
  };
}

/** A matcher for a plain `match:` object (as parsed from YAML); absent or empty matches every event. */
export function compileMatcher(match: Readonly<Record<string, MatchConditionSpec>> | undefined): Matcher {
  return build(Object.entries(match ?? {}).map(([path, spec]) => compileCondition(path, spec)));
}
