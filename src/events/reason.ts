/*
 * How decode reasons show paths and values. Reasons are counted, logged and sent to the dead-letter
 * topic, so every user-supplied piece in them is short and bounded: a bad value is echoed only up
 * to a few dozen characters, and credential reasons never echo the value at all.
 */

export type PathSegment = string | number;

const MAX_SHOWN = 32;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function clip(s: string): string {
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}…` : s;
}

/** `source.device.id`, `token.scopes[2]`, `labels["team name"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (IDENTIFIER.test(seg) && seg.length <= MAX_SHOWN) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(clip(seg))}]`;
  }
  return out;
}

/** A value as it appears in a reason: strings quoted and clipped, containers by kind only. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(clip(v));
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeof v;
}
