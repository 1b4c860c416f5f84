/*
 * Local wall-clock time of an instant in an IANA time zone, for time-of-day rules. Intl is slow, so
 * results are cached per zone and quarter hour (every zone's offset is a multiple of 15 minutes).
 */

export interface LocalTime {
  /** 0 = Sunday .. 6 = Saturday. */
  day: number;
  hour: number;
  minute: number;
  /** day * 24 + hour. */
  hourOfWeek: number;
}

const QUARTER_MS = 900_000;
const DAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
export const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const formatters = new Map<string, Intl.DateTimeFormat>();
const cache = new Map<string, Map<number, { day: number; hour: number; minute: number }>>();
const CACHE_LIMIT = 4096;

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export function localTime(timeMs: number, zone: string): LocalTime {
  const quarter = Math.floor(timeMs / QUARTER_MS);
  let byQuarter = cache.get(zone);
  if (!byQuarter) {
    byQuarter = new Map();
    cache.set(zone, byQuarter);
  }
  let start = byQuarter.get(quarter);
  if (!start) {
    if (byQuarter.size >= CACHE_LIMIT) byQuarter.clear();
    const parts = formatter(zone).formatToParts(new Date(quarter * QUARTER_MS));
    let day = 0;
    let hour = 0;
    let minute = 0;
    for (const p of parts) {
      if (p.type === 'weekday') day = DAYS[p.value] ?? 0;
      else if (p.type === 'hour') hour = Number(p.value);
      else if (p.type === 'minute') minute = Number(p.value);
    }
    start = { day, hour, minute };
    byQuarter.set(quarter, start);
  }
  // Within a quarter hour no zone changes offset, so the rest is arithmetic.
  const extra = Math.floor((timeMs - quarter * QUARTER_MS) / 60_000);
  const minute = start.minute + extra;
  return { day: start.day, hour: start.hour, minute, hourOfWeek: start.day * 24 + start.hour };
}

export function formatLocal(t: LocalTime): string {
  const name = DAY_NAMES[t.day]!;
  return `${name[0]!.toUpperCase()}${name.slice(1)} ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}
