/*
 * From a path inside the parsed data (`['rules', 0, 'window']`) back to where it is written in the
 * YAML text, and to the `rules[0].window` form messages show. Aliases and merge keys are followed;
 * a path that does not exist in the text falls back to its nearest written ancestor.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';

export type DataPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

function resolve(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

// With `merge: true` the yaml package gives a merge key the value Symbol(<<).
function isMergeKey(pair: Pair): boolean {
  const k = keyOf(pair);
  return k === '<<' || (typeof k === 'symbol' && k.description === '<<');
}

function findPair(doc: Document, map: unknown, key: string, depth = 0): Pair | undefined {
  if (!isMap(map) || depth > 8) return undefined;
  for (const pair of map.items) if (isPair(pair) && !isMergeKey(pair) && String(keyOf(pair)) === key) return pair;
  // `<<: *defaults` merge keys: the key may be written in the merged mapping.
  for (const pair of map.items) {
    if (!isPair(pair) || !isMergeKey(pair)) continue;
    const value = resolve(doc, pair.value);
    const sources = isSeq(value) ? value.items.map((i) => resolve(doc, i)) : [value];
    for (const src of sources) {
      const found = findPair(doc, src, key, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The node written at `path`, or its nearest ancestor that is written. With `key: true` and a
 * mapping key at the end of the path, the key itself (where an unknown key should be pointed at).
 */
export function nodeAt(doc: Document, path: DataPath, options: { key?: boolean } = {}): Node | undefined {
  let node = resolve(doc, doc.contents) as Node | undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    let next: unknown;
    if (isSeq(node) && typeof seg === 'number') next = node.items[seg];
    else if (isMap(node)) {
      const pair = findPair(doc, node, String(seg));
      if (pair && options.key && i === path.length - 1 && pair.key) return pair.key as Node;
      next = pair?.value;
    }
    const resolved = resolve(doc, next) as Node | undefined;
    if (!resolved || !resolved.range) return node;
    node = resolved;
  }
  return node;
}

export function positionOf(doc: Document, counter: LineCounter, path: DataPath, options: { key?: boolean } = {}): Position {
  const node = nodeAt(doc, path, options);
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = counter.linePos(offset);
  return { line, column: col };
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `rules[0].match["resource.sensitivity"]`: dotted keys are quoted so the path stays unambiguous. */
export function formatPath(path: DataPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Ajv's instancePath (a JSON pointer) as path segments; array indexes become numbers. */
export function fromPointer(pointer: string, data: unknown): (string | number)[] {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let cur: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

/** The value at `path` in plain data, or undefined. */
export function valueAt(data: unknown, path: DataPath): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}
