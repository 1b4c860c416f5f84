/* Durations, sizes and hours as rule files write them. */
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseSize, tryParseDuration, tryParseSize } from '../../src/rules/index.js';
import { tryParseHours } from '../../src/rules/hours.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['0s', 0],
    ['90m', 5_400_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['5 minutes', '1h30m', '5', '-1s', '1.5h', '5M', '2w', ''])('refuses %j with a sentence', (text) => {
    expect(tryParseDuration(text)).toBeUndefined();
    expect(() => parseDuration(text)).toThrow(`${JSON.stringify(text)} is not a duration (use 30s, 5m, 1h, 7d)`);
  });

  it('formats back to the shortest exact unit', () => {
    expect([86_400_000, 5_400_000, 30_000, 1_500, 0].map(formatDuration)).toEqual(['1d', '90m', '30s', '1500ms', '0ms']);
  });
});

describe('parseSize', () => {
  it.each([
    ['500KB', 500_000],
    ['10MB', 10_000_000],
    ['2GB', 2_000_000_000],
    ['1TB', 1e12],
    ['1KiB', 1024],
    ['512MiB', 536_870_912],
    ['1GiB', 1_073_741_824],
    ['2TiB', 2 * 2 ** 40],
    ['1.5GB', 1_500_000_000],
    ['10 MB', 10_000_000],
    ['100B', 100],
    [123_456, 123_456],
    [0, 0],
  ] as const)('%j is %d bytes', (value, bytes) => expect(parseSize(value)).toBe(bytes));

  it.each(['2 gigs', '5XB', '10mb', 'MB', '-1KB', -1, 1.5])('refuses %j', (value) => {
    expect(tryParseSize(value)).toBeUndefined();
    expect(() => parseSize(value)).toThrow('is not a size (use 500KB, 10MB, 2GB or 512MiB)');
  });
});

describe('hours', () => {
  it('turns spans into minutes of the day, 24:00 as an end, wrapping past midnight', () => {
    expect(tryParseHours('06:00-21:00')).toEqual({ fromMinute: 360, toMinute: 1260 });
    expect(tryParseHours('00:00-24:00')).toEqual({ fromMinute: 0, toMinute: 1440 });
    expect(tryParseHours('22:30-06:00')).toEqual({ fromMinute: 1350, toMinute: 360 });
  });

  it('refuses malformed and empty spans', () => {
    for (const text of ['6-21', '06:00', '24:00-06:00', '06:60-07:00', '08:00-08:00', '06:00 - 21:00']) expect(tryParseHours(text)).toBeUndefined();
  });
});
