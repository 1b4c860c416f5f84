/*
 * RFC 3339 timestamps to epoch milliseconds, by hand. Every window and baseline runs on event time,
 * so the parse must be strict (an offset or Z is required: a local time is ambiguous) and cheap
 * (Date.parse is lenient, accepts non-RFC forms, and rolls impossible dates over).
 */

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil); unlike
// Date.UTC it has no special case for years below 100.
function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Epoch milliseconds of an RFC 3339 date-time, or NaN if it is not one. Fractions below 1 ms are truncated. */
export function parseRfc3339(s: string): number {
  const n = s.length;
  if (n < 20 || n > 64) return NaN;
  const c = (i: number) => s.charCodeAt(i);
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 0 || c(4) !== 45 || c(7) !== 45 || (c(10) !== 84 && c(10) !== 116) || c(13) !== 58 || c(16) !== 58) return NaN;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  // Second 60 is RFC 3339's leap second; it lands on the next second, as the stream cannot tell them apart.
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return NaN;

  let i = 19;
  let ms = 0;
  if (c(i) === 46) {
    i++;
    const start = i;
    while (i < n && c(i) >= 48 && c(i) <= 57) {
      if (i - start < 3) ms = ms * 10 + (c(i) - 48);
      i++;
    }
    if (i === start) return NaN;
    for (let k = i - start; k < 3; k++) ms *= 10;
  }

  let offsetMinutes = 0;
  const z = c(i);
  if (z === 90 || z === 122) {
    if (i + 1 !== n) return NaN;
  } else if (z === 43 || z === 45) {
    if (i + 6 !== n || c(i + 3) !== 58) return NaN;
    const oh = digits(s, i + 1, 2);
    const om = digits(s, i + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
    offsetMinutes = (z === 45 ? -1 : 1) * (oh * 60 + om);
  } else {
    return NaN;
  }

  return (
    daysFromCivil(year, month, day) * MS_PER_DAY +
    (hour * 60 + minute - offsetMinutes) * MS_PER_MINUTE +
    second * 1000 +
    ms
  );
}

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const SHAPED = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Why a string failed parseRfc3339, as a hint for the emitter (only called on the error path). */
export function rfc3339Hint(s: string): string {
  if (LOCAL_DATE_TIME.test(s)) return ' (it needs Z or an offset such as +02:00)';
  if (SHAPED.test(s)) return ' (no such date or time)';
  return '';
}
