/*
 * Geo decisions: a location (country, network or device) the group has not used within its
 * history; travel faster than an airliner between two uses; a country outside an allowlist.
 */
import type { CountryAllowlistRule, ImpossibleTravelRule, NewLocationRule } from '../rules/types.js';
import type { Position, SeenObservation, TravelObservation } from '../state/types.js';
import { formatDuration, round } from './format.js';
import type { Hit } from './types.js';

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance (haversine). */
export function distanceKm(aLat: number, aLon: number, bLat: number, bLon: number): number {
  const rad = Math.PI / 180;
  const dLat = (bLat - aLat) * rad;
  const dLon = (bLon - aLon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(aLat * rad) * Math.cos(bLat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function evaluateNewLocation(rule: NewLocationRule, timeMs: number, value: string, obs: SeenObservation): Hit | undefined {
  if (obs.seenBefore || obs.known === 0) return undefined;
  const spanMs = timeMs - obs.firstSeenMs;
  if (spanMs < rule.minHistoryMs) return undefined;
  return {
    reason: `first use of ${rule.on} ${JSON.stringify(value)} in ${formatDuration(rule.historyMs)} (${obs.known} known ${rule.on === 'country' ? 'countries' : `${rule.on}s`})`,
    evidence: { on: rule.on, value, known: obs.known, history: formatDuration(rule.historyMs), observedFor: round(spanMs / 86_400_000, 1) + 'd' },
    windowStartMs: timeMs - rule.historyMs,
  };
}

export function evaluateTravel(rule: ImpossibleTravelRule, here: Position, obs: TravelObservation): Hit | undefined {
  const prev = obs.previous;
  if (!prev) return undefined;
  // Nearly every event comes from where the last one did: no trigonometry for a distance of zero
  // (exactly what the haversine gives for equal points).
  const km = prev.lat === here.lat && prev.lon === here.lon ? 0 : distanceKm(prev.lat, prev.lon, here.lat, here.lon);
  if (km < rule.minDistanceKm) return undefined;
  const hours = Math.abs(here.timeMs - prev.timeMs) / 3_600_000;
  const speed = hours === 0 ? Infinity : km / hours;
  if (speed <= rule.maxSpeedKmh) return undefined;
  const from = prev.country ?? `${round(prev.lat)},${round(prev.lon)}`;
  const to = here.country ?? `${round(here.lat)},${round(here.lon)}`;
  const minutes = round(hours * 60, 1);
  return {
    reason: `${from} to ${to}: ${Math.round(km)} km in ${minutes} min (${Number.isFinite(speed) ? `${Math.round(speed)} km/h` : 'at the same instant'}, limit ${rule.maxSpeedKmh} km/h)`,
    evidence: {
      from: { country: prev.country ?? null, lat: prev.lat, lon: prev.lon, time: new Date(prev.timeMs).toISOString(), eventId: prev.id },
      to: { country: here.country ?? null, lat: here.lat, lon: here.lon, time: new Date(here.timeMs).toISOString() },
      distanceKm: Math.round(km),
      minutes,
      speedKmh: Number.isFinite(speed) ? Math.round(speed) : null,
      maxSpeedKmh: rule.maxSpeedKmh,
    },
    windowStartMs: prev.timeMs,
  };
}

export function evaluateAllowlist(rule: CountryAllowlistRule, timeMs: number, country: string | undefined): Hit | undefined {
  if (country === undefined || rule.countries.includes(country)) return undefined;
  return {
    reason: `access from ${country}, outside the allowed countries (${rule.countries.join(', ')})`,
    evidence: { country, allowed: [...rule.countries] },
    windowStartMs: timeMs,
  };
}
