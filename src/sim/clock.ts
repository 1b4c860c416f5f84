/*
 * Local wall-clock time for simulated people and datacenters. Behaviour is planned in local days
 * and hours (work 09:00-18:00, batch at 01:00) and turned into UTC here, with daylight saving
 * applied per day; the offset is looked up once per zone and day because Intl is slow.
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC in milliseconds at instant `ms`. */
export function offsetAt(zone: string, ms: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const local = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0);
  return local - Math.floor(ms / MINUTE) * MINUTE;
}

/**
 * A calendar anchored at the run's first day: day 0 is the start date in every zone, so "day 3,
 * 09:00" means 09:00 on the fourth calendar day wherever the person is.
 */
export class Calendar {
  constructor(readonly startMs: number) {}

  /** UTC instant of local midnight that begins calendar day `day` in `zone`. */
  dayStart(zone: string, day: number): number {
    const key = `${zone}|${day}`;
    let off = offsets.get(key);
    if (off === undefined) {
      // Noon local is never inside a DST jump, so its offset is the day's working-hours offset.
      off = offsetAt(zone, this.startMs + day * DAY + 12 * HOUR);
      offsets.set(key, off);
    }
    return this.startMs + day * DAY - off;
  }

  /** UTC instant of local time `hours` (fractional, may exceed 24) on calendar day `day`. */
  at(zone: string, day: number, hours: number): number {
    return this.dayStart(zone, day) + Math.round(hours * HOUR);
  }

  /** 0 = Sunday .. 6 = Saturday; the same in every zone because days are calendar dates. */
  weekday(day: number): number {
    return new Date(this.startMs + day * DAY).getUTCDay();
  }

  isWeekend(day: number): boolean {
    const w = this.weekday(day);
    return w === 0 || w === 6;
  }
}

/** Parses YYYY-MM-DD as a UTC midnight; NaN when malformed. */
export function parseStartDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return Number.NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().startsWith(text) ? ms : Number.NaN;
}
