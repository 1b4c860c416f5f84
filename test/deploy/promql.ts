/*
 * Just enough PromQL reading for the deploy tests: the metric selectors of an expression (metric name
 * and label matchers), found by a small lexer that skips strings, range durations, function names and
 * the label lists of by/without/on/ignoring. Also Grafana's variables, replaced by values a query
 * can run with.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  label: string;
  op: MatchOp;
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
  /** The selector as PromQL, without a range: runs on its own as an instant query. */
  text: string;
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const NUMBER = /(?:0x[0-9a-fA-F]+|(?:[0-9]+(?:ms|[smhdwy]))+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)/y;

function readString(s: string, i: number): { value: string; end: number } {
  const quote = s[i]!;
  let value = '';
  let j = i + 1;
  while (j < s.length && s[j] !== quote) {
    if (s[j] === '\\' && quote !== '`') {
      j++;
      const c = s[j];
      value += c === 'n' ? '\n' : c === 't' ? '\t' : (c ?? '');
    } else {
      value += s[j];
    }
    j++;
  }
  if (j >= s.length) throw new Error(`unterminated string in: ${s}`);
  return { value, end: j + 1 };
}

function skipSpace(s: string, i: number): number {
  while (i < s.length) {
    if (/\s/.test(s[i]!)) i++;
    else if (s[i] === '#') while (i < s.length && s[i] !== '\n') i++;
    else break;
  }
  return i;
}

/** Index after the bracket that closes the one at `i` (strings inside are skipped). */
function skipBalanced(s: string, i: number, open: string, close: string): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j]!;
    if (c === '"' || c === "'" || c === '`') j = readString(s, j).end - 1;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
  }
  throw new Error(`unbalanced ${open}${close} in: ${s}`);
}

function readMatchers(s: string, i: number): { matchers: Matcher[]; end: number } {
  const matchers: Matcher[] = [];
  let j = skipSpace(s, i + 1);
  while (s[j] !== '}') {
    IDENT.lastIndex = j;
    const m = IDENT.exec(s);
    if (!m) throw new Error(`expected a label name at ${j} in: ${s}`);
    j = skipSpace(s, j + m[0].length);
    const op = (['=~', '!~', '!=', '='] as const).find((o) => s.startsWith(o, j));
    if (!op) throw new Error(`expected a matcher operator at ${j} in: ${s}`);
    j = skipSpace(s, j + op.length);
    const str = readString(s, j);
    matchers.push({ label: m[0], op, value: str.value });
    j = skipSpace(s, str.end);
    if (s[j] === ',') j = skipSpace(s, j + 1);
    else if (s[j] !== '}') throw new Error(`expected , or } at ${j} in: ${s}`);
  }
  return { matchers, end: j + 1 };
}

function selectorText(metric: string, matchers: Matcher[]): string {
  if (matchers.length === 0) return metric;
  return `${metric}{${matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;
}

/** Every vector selector of a PromQL expression, in order of appearance. */
export function selectors(expr: string): Selector[] {
  const out: Selector[] = [];
  let i = 0;
  while ((i = skipSpace(expr, i)) < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = readString(expr, i).end;
    } else if (c === '[') {
      i = skipBalanced(expr, i, '[', ']');
    } else if (c === '{') {
      // A selector without a metric name: {__name__="..."} or a bare label set.
      const { matchers, end } = readMatchers(expr, i);
      const name = matchers.find((m) => m.label === '__name__' && m.op === '=');
      out.push({ metric: name?.value ?? '', matchers: matchers.filter((m) => m !== name), text: expr.slice(i, end) });
      i = end;
    } else if (/[0-9.]/.test(c)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(expr);
      i += m ? m[0].length : 1;
    } else if (/[a-zA-Z_:]/.test(c)) {
      IDENT.lastIndex = i;
      const word = IDENT.exec(expr)![0];
      let j = skipSpace(expr, i + word.length);
      const lower = word.toLowerCase();
      if (LABEL_LISTS.has(lower)) {
        i = expr[j] === '(' ? skipBalanced(expr, j, '(', ')') : j;
      } else if (KEYWORDS.has(lower)) {
        i = j;
      } else if (expr[j] === '(' || /^(by|without)\b/i.test(expr.slice(j))) {
        i = j; // a function or an aggregation (`sum by (x) (...)`): its arguments are read as the loop goes on
      } else {
        let matchers: Matcher[] = [];
        if (expr[j] === '{') {
          const read = readMatchers(expr, j);
          matchers = read.matchers;
          j = read.end;
        } else {
          j = i + word.length;
        }
        out.push({ metric: word, matchers, text: selectorText(word, matchers) });
        i = j;
      }
    } else {
      i++;
    }
  }
  return out;
}

/** The metric names an expression reads. */
export function metricNames(expr: string): string[] {
  return [...new Set(selectors(expr).map((s) => s.metric))];
}

/** The PromQL inside a Grafana variable query such as `label_values(up{job="x"}, instance)`. */
export function variableQueryExpr(query: string): string | undefined {
  const m = /^\s*(?:label_values|query_result)\s*\((.*)\)\s*$/s.exec(query);
  if (!m) return undefined;
  const inner = m[1]!;
  if (query.trimStart().startsWith('query_result')) return inner;
  // label_values(expr, label): the expression is everything before the last top-level comma.
  let depth = 0;
  let last = -1;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === '"' || c === "'" || c === '`') i = readString(inner, i).end - 1;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) last = i;
  }
  return last === -1 ? undefined : inner.slice(0, last);
}

export interface GrafanaValues {
  /** $__rate_interval, e.g. '1m'. */
  rateInterval: string;
  /** $__interval. */
  interval: string;
  /** $__range. */
  range: string;
  /** Every dashboard variable, by name (regex values for multi-value variables). */
  variables: Record<string, string>;
}

/** Replaces Grafana's variables ($name, ${name}, ${name:format}, [[name]]) by values. */
export function substituteGrafana(expr: string, v: GrafanaValues): string {
  const builtins: Record<string, string> = {
    __rate_interval: v.rateInterval,
    __interval: v.interval,
    __range: v.range,
    __range_s: String(durationSeconds(v.range)),
  };
  const lookup = (name: string): string => {
    const value = builtins[name] ?? v.variables[name];
    if (value === undefined) throw new Error(`unknown Grafana variable $${name} in: ${expr}`);
    return value;
  };
  return expr
    .replace(/\$\{([a-zA-Z0-9_]+)(?::[a-z]+)?\}/g, (_, name: string) => lookup(name))
    .replace(/\[\[([a-zA-Z0-9_]+)\]\]/g, (_, name: string) => lookup(name))
    .replace(/\$([a-zA-Z_][a-zA-Z0-9_]*)/g, (_, name: string) => lookup(name));
}

/** The Grafana variables an expression uses, built-in ones ($__...) left out. */
export function grafanaVariables(expr: string): string[] {
  const names = new Set<string>();
  for (const m of expr.matchAll(/\$\{([a-zA-Z0-9_]+)(?::[a-z]+)?\}|\[\[([a-zA-Z0-9_]+)\]\]|\$([a-zA-Z_][a-zA-Z0-9_]*)/g)) {
    const name = m[1] ?? m[2] ?? m[3]!;
    if (!name.startsWith('__')) names.add(name);
  }
  return [...names];
}

function durationSeconds(d: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  for (const m of d.matchAll(/([0-9]+)(ms|[smhdwy])/g)) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

const COMPARISON = /^(?:==|!=|>=|<=|>|<)/;
const SET_OPERATOR = /^(?:and|or|unless)(?![a-zA-Z0-9_:])/i;
const MODIFIERS = /^(?:bool\b\s*)?(?:(?:on|ignoring)\s*\([^)]*\)\s*)?(?:(?:group_left|group_right)\s*(?:\([^)]*\))?\s*)?/i;

/**
 * The parts of a condition that carry values: the expression split at its top-level set operators
 * (and, or, unless) and comparisons (==, !=, >, <, >=, <=), each part with its vector matching
 * modifiers dropped and `absent(x)` read as `x`, keeping only parts that read a metric. An alert
 * expression like `sum(rate(a[5m])) / sum(rate(b[5m])) > 0.01 and sum(increase(a[5m])) >= 10` gives
 * `sum(rate(a[5m])) / sum(rate(b[5m]))` and `sum(increase(a[5m]))`: what the condition compares, which
 * has data whenever the metrics are right, although the condition itself is normally false.
 */
export function valueExprs(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = readString(expr, i).end - 1;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      depth--;
    } else if (depth === 0) {
      const rest = expr.slice(i);
      const op = COMPARISON.exec(rest)?.[0] ?? (/[a-zA-Z0-9_:]/.test(expr[i - 1] ?? ' ') ? undefined : SET_OPERATOR.exec(rest)?.[0]);
      if (op !== undefined) {
        parts.push(expr.slice(start, i));
        i += op.length - 1;
        start = i + 1;
      }
    }
  }
  parts.push(expr.slice(start));
  return parts
    .map((p) => p.trim().replace(MODIFIERS, '').trim())
    .map((p) => /^absent(?:_over_time)?\s*\((.*)\)$/s.exec(p)?.[1]?.trim() ?? p)
    .filter((p) => p !== '' && selectors(p).length > 0);
}
