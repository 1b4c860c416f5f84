/*
 * Durations as rule files write them (`500ms 30s 5m 1h 7d`), turned into milliseconds. One unit per
 * value on purpose: `1h30m` reads well but invites `1h90m`; write `90m`.
 */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const DURATION = /^([0-9]+)(ms|s|m|h|d)$/;

/** JSON Schema patterns; the schema and the parser accept exactly the same strings. */
export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h|d)$';
export const POSITIVE_DURATION_PATTERN = '^0*[1-9][0-9]*(ms|s|m|h|d)$';

export const DURATION_HINT = 'use 30s, 5m, 1h, 7d';

/** Milliseconds, or undefined when `text` is not a duration. */
export function tryParseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Milliseconds; throws a RangeError whose message is a sentence fit for a user. */
export function parseDuration(text: string): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) throw new RangeError(`${JSON.stringify(text)} is not a duration (${DURATION_HINT})`);
  return ms;
}

/** The shortest exact rendering (`90m`, `1d`), for messages that echo a duration back. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms >= UNIT_MS[unit] && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}
