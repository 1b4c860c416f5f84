/*
 * One rule file's text parsed as YAML, keeping the node tree and line counter so that any path
 * into the data can be pointed at in the text. YAML syntax errors become located problems too.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { LocatedProblem } from '../errors/index.js';
import type { PathProblem } from './messages.js';
import { formatPath, positionOf, type DataPath, type Position } from './positions.js';

export interface RuleDocument {
  file: string;
  doc: Document;
  counter: LineCounter;
  /** The plain data, or undefined when the YAML did not parse. */
  data: unknown;
  syntaxProblems: LocatedProblem[];
}

// The yaml package's sentences are clear; only their trailing "at line L, column C:" and code
// excerpt are dropped, since the location is already in front.
function syntaxMessage(message: string, code: string, text: string, offset: number): string {
  const sentence = message.split(/ at line \d+, column \d+/)[0]!.trim().replace(/\.$/, '');
  if (code === 'DUPLICATE_KEY') {
    const key = /^["']?([^"':\n]+)/.exec(text.slice(offset))?.[1]?.trim();
    return key ? `duplicate key "${key}" (a key may appear once per mapping)` : 'duplicate key (a key may appear once per mapping)';
  }
  if (code === 'TAB_AS_INDENT') return 'tabs cannot indent YAML; use spaces';
  if (sentence.startsWith('Sequence item without - indicator')) return 'YAML syntax: this line is indented like a list item but has no "- " (check its indentation)';
  if (code === 'BLOCK_AS_IMPLICIT_KEY') return 'YAML syntax: a value cannot hold ": " unquoted (quote it, or check the indentation)';
  return `YAML syntax: ${sentence.charAt(0).toLowerCase()}${sentence.slice(1)}`;
}

export function parseRuleDocument(file: string, text: string): RuleDocument {
  const counter = new LineCounter();
  // YAML 1.2 core schema: `on: country` stays a string and `2026-12-28T00:00:00Z` stays text for
  // the strict RFC 3339 parser; merge keys (`<<: *defaults`) let rules share settings.
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true, merge: true, uniqueKeys: true });
  const syntaxProblems: LocatedProblem[] = [];
  for (const err of doc.errors) {
    const pos = err.linePos?.[0] ?? counter.linePos(err.pos[0]);
    // One mistake often trips several errors at the same spot; the first says it best.
    if (syntaxProblems.some((p) => p.line === pos.line && p.column === pos.col)) continue;
    syntaxProblems.push({ file, line: pos.line, column: pos.col, path: '', message: syntaxMessage(err.message, err.code, text, err.pos[0]) });
  }
  if (syntaxProblems.length > 0) return { file, doc, counter, data: undefined, syntaxProblems };
  try {
    // An empty file (or only comments) holds nothing, which is allowed: shared schedules may live alone.
    const data: unknown = doc.contents === null ? {} : doc.toJS({ maxAliasCount: 1000 });
    return { file, doc, counter, data, syntaxProblems };
  } catch (err) {
    const message = `YAML: ${(err as Error).message}`;
    return { file, doc, counter, data: undefined, syntaxProblems: [{ file, line: 1, column: 1, path: '', message }] };
  }
}

export function positionIn(d: RuleDocument, path: DataPath, key = false): Position {
  return positionOf(d.doc, d.counter, path, { key });
}

export function locate(d: RuleDocument, p: PathProblem): LocatedProblem {
  const { line, column } = positionIn(d, p.at ?? p.path, p.key === true);
  return { file: d.file, line, column, path: formatPath(p.path), message: p.message };
}
