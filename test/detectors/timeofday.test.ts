import { describe, expect, it } from 'vitest';
import { evaluateTimeOfDay, isAllowed, localTime } from '../../src/detectors/index.js';
import type { TimeOfDayRule } from '../../src/rules/types.js';
import { rule } from './fixtures.js';

const weekdays = [1, 2, 3, 4, 5];
const office = rule<TimeOfDayRule>({
  kind: 'time_of_day',
  timezone: 'principal',
  fallbackTimezone: 'UTC',
  allow: [{ days: weekdays, fromMinute: 6 * 60, toMinute: 21 * 60 }],
  learned: { historyMs: 14 * 86_400_000, minEvents: 200, rareBelow: 0.01 },
});

describe('local time', () => {
  it('converts an instant to the wall clock of an IANA zone, across DST', () => {
    // 2026-03-29 is the EU switch to summer time: 01:00Z is 03:00 in Berlin.
    expect(localTime(Date.parse('2026-03-29T00:30:00Z'), 'Europe/Berlin')).toMatchObject({ day: 0, hour: 1, minute: 30 });
    expect(localTime(Date.parse('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toMatchObject({ day: 0, hour: 3, minute: 30 });
    expect(localTime(Date.parse('2026-11-02T03:10:00Z'), 'America/New_York')).toMatchObject({ day: 0, hour: 22, minute: 10, hourOfWeek: 22 });
    expect(localTime(Date.parse('2026-11-02T03:10:00Z'), 'Asia/Kolkata')).toMatchObject({ day: 1, hour: 8, minute: 40 });
  });
});

describe('allowed spans', () => {
  it('accept inside, reject outside, with the end exclusive', () => {
    const spans = office.allow!;
    expect(isAllowed(spans, { day: 1, hour: 6, minute: 0, hourOfWeek: 30 })).toBe(true);
    expect(isAllowed(spans, { day: 1, hour: 21, minute: 0, hourOfWeek: 45 })).toBe(false);
    expect(isAllowed(spans, { day: 6, hour: 12, minute: 0, hourOfWeek: 156 })).toBe(false);
  });
  it('wrap past midnight, belonging to the day they start on', () => {
    const night = [{ days: [5], fromMinute: 22 * 60, toMinute: 2 * 60 }];
    expect(isAllowed(night, { day: 5, hour: 23, minute: 0, hourOfWeek: 0 })).toBe(true);
    expect(isAllowed(night, { day: 6, hour: 1, minute: 59, hourOfWeek: 0 })).toBe(true);
    expect(isAllowed(night, { day: 5, hour: 1, minute: 0, hourOfWeek: 0 })).toBe(false);
  });
});

describe('time-of-day detector', () => {
  const at3am = Date.parse('2026-11-03T02:00:00Z'); // Tuesday 03:00 in Berlin
  const local = localTime(at3am, 'Europe/Berlin');

  it('judges a subject with little history by the allowed hours', () => {
    const hit = evaluateTimeOfDay(office, at3am, 'Europe/Berlin', local, { duplicate: false, total: 12, nearHour: 0, firstSeenMs: 0 })!;
    expect(hit.reason).toBe('activity at Tue 03:00 Europe/Berlin is outside the allowed hours (profile not yet trusted: 12 events)');
  });
  it('lets a learned profile decide once it holds enough events: night workers are left alone', () => {
    expect(evaluateTimeOfDay(office, at3am, 'Europe/Berlin', local, { duplicate: false, total: 900, nearHour: 60, firstSeenMs: 0 })).toBeUndefined();
  });
  it('fires when the hour is rare for the subject\'s own profile', () => {
    const hit = evaluateTimeOfDay(office, at3am, 'Europe/Berlin', local, { duplicate: false, total: 900, nearHour: 2, firstSeenMs: 0 })!;
    expect(hit.evidence).toMatchObject({ localTime: 'Tue 03:00', timezone: 'Europe/Berlin', profile: { events: 900, nearHour: 2 } });
  });
});
