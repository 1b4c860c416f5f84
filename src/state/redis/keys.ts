/*
 * Redis key layout of the state store. Every key of one group shares a hash tag, so a script that
 * touches several keys of one state runs unchanged on Redis Cluster (docs/state.md has the table).
 */
import type { StateKey, StoreOp } from '../types.js';

/** Parts of one state key's data. */
/** Which parts an op type uses is fixed by its script; `c1` is the cached mode's whole state (format 1). */
export type KeyPart = 'st' | 'slots' | 'peaks' | 'idm' | 'idq' | 'days' | 'vals' | 'latest' | 'c1';

/**
 * The hash tag of a group: its text in base64url, which never contains `}` or `{`. An empty group
 * gets `-`, which no base64url text equals, because an empty tag `{}` would not tag at all.
 */
export function groupTag(group: string): string {
  return group === '' ? '-' : Buffer.from(group, 'utf8').toString('base64url');
}

/**
 * `<prefix>:{<group tag>}:<op type>:<part>:<rule>`. The rule comes last so that no rule id, whatever
 * its characters, can make one state's key equal another's.
 */
export function stateKey(prefix: string, type: StoreOp['type'], part: KeyPart, key: StateKey): string {
  return `${prefix}:{${groupTag(key.group)}}:${type}:${part}:${key.rule}`;
}

/** How many hash tags the stream-level dedup markers are spread over (one script call each). */
export const EVENT_TAGS = 16;

/** The tag bucket of an event id: FNV-1a of its UTF-16 code units, modulo EVENT_TAGS. */
export function eventBucket(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % EVENT_TAGS;
}

/**
 * Stream-level dedup marker of one event id, per horizon as the memory store keeps one set per
 * horizon. Ids are spread over EVENT_TAGS hash tags so that one script call marks many at once.
 */
export function eventKey(prefix: string, horizonMs: number, id: string): string {
  return `${prefix}:{ev${eventBucket(id)}}:event:${horizonMs}:${id}`;
}

/** Prefixes may not carry braces: the group's tag must be the first `{...}` of every key. */
export function checkPrefix(prefix: string): string {
  if (prefix === '' || /[{}]/.test(prefix)) throw new TypeError(`Redis key prefix "${prefix}" must be non-empty and free of { and }`);
  return prefix;
}

/** Indices 0..n-1 grouped by their hash tag (first appearance first), for one script call per tag. */
export function groupIndices<K>(n: number, tagOf: (i: number) => K): number[][] {
  const byTag = new Map<K, number[]>();
  for (let i = 0; i < n; i++) {
    const tag = tagOf(i);
    const group = byTag.get(tag);
    if (group) group.push(i);
    else byTag.set(tag, [i]);
  }
  return [...byTag.values()];
}
