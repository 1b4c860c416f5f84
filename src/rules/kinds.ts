/*
 * Which keys each rule kind (and each geo check) takes. One table drives both the JSON Schema's
 * per-kind conditions (so editors flag `window` on a geo rule) and the sentences that explain them.
 */
import type { GeoCheck, RuleKind } from './types.js';

export const COMMON_KEYS = ['id', 'description', 'kind', 'severity', 'mode', 'failMode', 'match', 'groupBy', 'actions', 'cooldown', 'except'] as const;

export const KIND_KEYS: Readonly<Record<RuleKind, readonly string[]>> = {
  rate: ['window', 'threshold', 'baseline'],
  bulk_download: ['window', 'threshold', 'baseline'],
  time_of_day: ['timezone', 'fallbackTimezone', 'allow', 'learned'],
  geo: ['check', 'on', 'history', 'minHistory', 'maxSpeedKmh', 'minDistanceKm', 'countries'],
  match: [],
  composite: ['allOf', 'anyOf', 'within'],
};

/** Keys a kind cannot do without; a missing one gets a sentence with an example. */
export const KIND_REQUIRED: Readonly<Record<RuleKind, readonly string[]>> = {
  rate: ['window'],
  bulk_download: ['window'],
  time_of_day: [],
  geo: ['check'],
  match: [],
  composite: [],
};

export const GEO_CHECK_KEYS: Readonly<Record<GeoCheck, readonly string[]>> = {
  new_location: ['on', 'history', 'minHistory'],
  impossible_travel: ['maxSpeedKmh', 'minDistanceKm'],
  country_allowlist: ['countries'],
};

export const GEO_CHECK_REQUIRED: Readonly<Record<GeoCheck, readonly string[]>> = {
  new_location: [],
  impossible_travel: [],
  country_allowlist: ['countries'],
};

/** Every kind-specific key, in a stable order. */
export const KIND_SPECIFIC_KEYS: readonly string[] = [...new Set(Object.values(KIND_KEYS).flat())];

export function kindsUsing(key: string): RuleKind[] {
  return (Object.keys(KIND_KEYS) as RuleKind[]).filter((k) => KIND_KEYS[k].includes(key));
}

export function checksUsing(key: string): GeoCheck[] {
  return (Object.keys(GEO_CHECK_KEYS) as GeoCheck[]).filter((c) => GEO_CHECK_KEYS[c].includes(key));
}

/** Examples shown when a required key is missing. */
export const REQUIRED_EXAMPLES: Readonly<Record<string, string>> = {
  id: 'e.g. id: bulk-download-spike',
  kind: 'one of rate, bulk_download, time_of_day, geo, match, composite',
  actions: 'e.g. actions: [alert]',
  window: 'e.g. window: 5m',
  check: 'one of new_location, impossible_travel, country_allowlist',
  countries: 'e.g. countries: [DE, FR]',
  hours: 'e.g. hours: "06:00-21:00"',
  from: 'e.g. from: 2026-12-28T00:00:00Z',
  to: 'e.g. to: 2027-01-05T00:00:00Z',
  not: 'e.g. { not: [vpn] }',
  exists: 'e.g. { exists: true }',
};
