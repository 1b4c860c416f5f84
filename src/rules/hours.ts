/*
 * The pieces of time-of-day rules: `"06:00-21:00"` spans (minutes of the local day, end exclusive,
 * `24:00` allowed as an end, wrapping past midnight when the end is earlier) and day names.
 */

/** Day names as rules write them, mapped to Date#getDay numbers (0 = Sunday). */
export const DAY_NUMBERS = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } as const;
export type DayName = keyof typeof DAY_NUMBERS;
export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const satisfies readonly DayName[];

export const HOURS_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';
const HOURS = new RegExp(HOURS_PATTERN);

export const HOURS_HINT = 'use HH:MM-HH:MM on a 24-hour clock, e.g. "06:00-21:00" or "22:00-06:00"';

export interface MinuteSpan {
  fromMinute: number;
  toMinute: number;
}

/** Minutes of the day, or undefined when `text` is not a span; a span from a time to itself is empty and refused. */
export function tryParseHours(text: string): MinuteSpan | undefined {
  if (!HOURS.test(text)) return undefined;
  const [from, to] = text.split('-') as [string, string];
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const span = { fromMinute: minutes(from), toMinute: minutes(to) };
  return span.fromMinute === span.toMinute ? undefined : span;
}
