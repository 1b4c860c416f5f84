import { describe, expect, it } from 'vitest';
import { parseRfc3339 } from '../../src/events/index.js';

describe('parseRfc3339', () => {
  it('agrees with Date.parse on valid timestamps', () => {
    for (const s of [
      '2026-10-20T07:07:12Z',
      '2026-10-20T07:07:12.1Z',
      '2026-10-20T07:07:12.12Z',
      '2026-10-20T07:07:12.123Z',
      '2026-10-20T09:07:12+02:00',
      '2026-10-20T01:37:12-05:30',
      '2024-02-29T00:00:00Z',
      '2000-02-29T12:00:00Z',
      '1970-01-01T00:00:00Z',
      '1969-12-31T23:59:59.999Z',
      '9999-12-31T23:59:59Z',
      '2026-01-01T00:00:00+23:59',
    ]) {
      expect(parseRfc3339(s), s).toBe(Date.parse(s));
    }
  });

  it('accepts lower-case t and z, and truncates fractions below a millisecond', () => {
    expect(parseRfc3339('2026-10-20t07:07:12z')).toBe(Date.parse('2026-10-20T07:07:12Z'));
    expect(parseRfc3339('2026-10-20T07:07:12.123999Z')).toBe(Date.parse('2026-10-20T07:07:12.123Z'));
  });

  it('handles years below 100 without the Date.UTC two-digit-year trap', () => {
    expect(parseRfc3339('0050-06-01T00:00:00Z')).toBe(new Date('0050-06-01T00:00:00Z').getTime());
  });

  it('counts a leap second as the next second', () => {
    expect(parseRfc3339('2016-12-31T23:59:60Z')).toBe(Date.parse('2017-01-01T00:00:00Z'));
  });

  it('rejects what is not an RFC 3339 date-time', () => {
    for (const s of [
      'yesterday',
      '2026-10-20',
      '2026-10-20T07:07:12',
      '2026-10-20 07:07:12Z',
      '2026-10-20T07:07Z',
      '2026-10-20T07:07:12.Z',
      '2026-10-20T07:07:12+0200',
      '2026-10-20T07:07:12+02',
      '2026-10-20T07:07:12Z ',
      '2026-13-01T00:00:00Z',
      '2026-00-01T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '1900-02-29T00:00:00Z',
      '2026-10-20T24:00:00Z',
      '2026-10-20T07:60:00Z',
      '2026-10-20T07:07:61Z',
      '2026-10-20T07:07:12+24:00',
      '2026-10-20T07:07:12+02:60',
      '+02026-10-20T07:07:12Z',
      '２０２６-10-20T07:07:12Z',
    ]) {
      expect(parseRfc3339(s), s).toBeNaN();
    }
  });
});
