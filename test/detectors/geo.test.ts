import { describe, expect, it } from 'vitest';
import { distanceKm, evaluateAllowlist, evaluateComposite, evaluateNewLocation, evaluateTravel } from '../../src/detectors/index.js';
import type { CompositeRule, CountryAllowlistRule, ImpossibleTravelRule, NewLocationRule } from '../../src/rules/types.js';
import { rule } from './fixtures.js';

const T = Date.parse('2026-11-02T10:00:00Z');
const D = 86_400_000;

describe('geo detectors', () => {
  it('measures great-circle distance', () => {
    expect(Math.round(distanceKm(52.52, 13.405, 40.7128, -74.006))).toBe(6385); // Berlin - New York
    expect(distanceKm(1, 1, 1, 1)).toBe(0);
  });

  const newCountry = rule<NewLocationRule>({ kind: 'geo', check: 'new_location', on: 'country', historyMs: 30 * D, minHistoryMs: 3 * D });
  it('flags a country first used after minHistory of observation', () => {
    const hit = evaluateNewLocation(newCountry, T, 'BR', { duplicate: false, seenBefore: false, known: 2, firstSeenMs: T - 10 * D })!;
    expect(hit.reason).toBe('first use of country "BR" in 30d (2 known countries)');
  });
  it('says nothing for a known country, or while the group is new', () => {
    expect(evaluateNewLocation(newCountry, T, 'DE', { duplicate: false, seenBefore: true, known: 2, firstSeenMs: T - 10 * D })).toBeUndefined();
    expect(evaluateNewLocation(newCountry, T, 'BR', { duplicate: false, seenBefore: false, known: 1, firstSeenMs: T - D })).toBeUndefined();
  });

  const travel = rule<ImpossibleTravelRule>({ kind: 'geo', check: 'impossible_travel', maxSpeedKmh: 900, minDistanceKm: 500 });
  const berlin = { id: 'e1', timeMs: T, lat: 52.52, lon: 13.405, country: 'DE' };
  it('flags travel faster than an airliner', () => {
    const hit = evaluateTravel(travel, { id: 'e2', timeMs: T + 20 * 60_000, lat: 40.7128, lon: -74.006, country: 'US' }, { duplicate: false, previous: berlin })!;
    expect(hit.reason).toBe('DE to US: 6385 km in 20 min (19155 km/h, limit 900 km/h)');
    expect(hit.evidence).toMatchObject({ distanceKm: 6385, speedKmh: 19155, from: { eventId: 'e1' } });
  });
  it('allows a plausible flight and short GeoIP jumps', () => {
    expect(evaluateTravel(travel, { id: 'e2', timeMs: T + 9 * 3_600_000, lat: 40.7128, lon: -74.006 }, { duplicate: false, previous: berlin })).toBeUndefined();
    expect(evaluateTravel(travel, { id: 'e2', timeMs: T + 60_000, lat: 52.0, lon: 14.5 }, { duplicate: false, previous: berlin })).toBeUndefined();
  });

  it('flags countries outside an allowlist, ignoring events without a country', () => {
    const allow = rule<CountryAllowlistRule>({ kind: 'geo', check: 'country_allowlist', countries: ['DE', 'FR'] });
    expect(evaluateAllowlist(allow, T, 'DE')).toBeUndefined();
    expect(evaluateAllowlist(allow, T, undefined)).toBeUndefined();
    expect(evaluateAllowlist(allow, T, 'RU')!.reason).toBe('access from RU, outside the allowed countries (DE, FR)');
  });
});

describe('composite detector', () => {
  const c = rule<CompositeRule>({ kind: 'composite', allOf: ['new-country'], anyOf: ['untrusted-device', 'off-hours'], withinMs: 30 * 60_000 });
  const sig = (timeMs: number, eventId: string) => ({ timeMs, eventId });
  it('needs every allOf and at least one anyOf', () => {
    expect(evaluateComposite(c, T, { duplicate: false, latest: { 'new-country': sig(T, 'e1') } })).toBeUndefined();
    expect(evaluateComposite(c, T, { duplicate: false, latest: { 'off-hours': sig(T, 'e1') } })).toBeUndefined();
    const hit = evaluateComposite(c, T, { duplicate: false, latest: { 'new-country': sig(T - 60_000, 'e1'), 'off-hours': sig(T, 'e2') } })!;
    expect(hit.reason).toBe('new-country + off-hours within 30m');
    expect(hit.windowStartMs).toBe(T - 60_000);
  });
});
