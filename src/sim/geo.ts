/*
 * Real-looking geography for simulated traffic: cities with their country, coordinates, time zone
 * and continent, great-circle distance, and plausible flight times, so location changes in the
 * generated stream obey the same physics that impossible-travel checks assume.
 */

export type Continent = 'NA' | 'SA' | 'EU' | 'AF' | 'AS' | 'OC';

export interface City {
  /** Short stable key, also used in ids (office and datacenter names). */
  key: string;
  name: string;
  country: string;
  lat: number;
  lon: number;
  timezone: string;
  continent: Continent;
}

export const CITIES: readonly City[] = [
  { key: 'nyc', name: 'New York', country: 'US', lat: 40.71, lon: -74.01, timezone: 'America/New_York', continent: 'NA' },
  { key: 'iad', name: 'Ashburn', country: 'US', lat: 39.04, lon: -77.49, timezone: 'America/New_York', continent: 'NA' },
  { key: 'chi', name: 'Chicago', country: 'US', lat: 41.88, lon: -87.63, timezone: 'America/Chicago', continent: 'NA' },
  { key: 'sfo', name: 'San Francisco', country: 'US', lat: 37.77, lon: -122.42, timezone: 'America/Los_Angeles', continent: 'NA' },
  { key: 'pdx', name: 'Portland', country: 'US', lat: 45.52, lon: -122.68, timezone: 'America/Los_Angeles', continent: 'NA' },
  { key: 'yyz', name: 'Toronto', country: 'CA', lat: 43.65, lon: -79.38, timezone: 'America/Toronto', continent: 'NA' },
  { key: 'mex', name: 'Mexico City', country: 'MX', lat: 19.43, lon: -99.13, timezone: 'America/Mexico_City', continent: 'NA' },
  { key: 'sao', name: 'São Paulo', country: 'BR', lat: -23.55, lon: -46.63, timezone: 'America/Sao_Paulo', continent: 'SA' },
  { key: 'bue', name: 'Buenos Aires', country: 'AR', lat: -34.6, lon: -58.38, timezone: 'America/Argentina/Buenos_Aires', continent: 'SA' },
  { key: 'bog', name: 'Bogotá', country: 'CO', lat: 4.71, lon: -74.07, timezone: 'America/Bogota', continent: 'SA' },
  { key: 'lon', name: 'London', country: 'GB', lat: 51.51, lon: -0.13, timezone: 'Europe/London', continent: 'EU' },
  { key: 'dub', name: 'Dublin', country: 'IE', lat: 53.35, lon: -6.26, timezone: 'Europe/Dublin', continent: 'EU' },
  { key: 'par', name: 'Paris', country: 'FR', lat: 48.86, lon: 2.35, timezone: 'Europe/Paris', continent: 'EU' },
  { key: 'ber', name: 'Berlin', country: 'DE', lat: 52.52, lon: 13.4, timezone: 'Europe/Berlin', continent: 'EU' },
  { key: 'fra', name: 'Frankfurt', country: 'DE', lat: 50.11, lon: 8.68, timezone: 'Europe/Berlin', continent: 'EU' },
  { key: 'ams', name: 'Amsterdam', country: 'NL', lat: 52.37, lon: 4.9, timezone: 'Europe/Amsterdam', continent: 'EU' },
  { key: 'mad', name: 'Madrid', country: 'ES', lat: 40.42, lon: -3.7, timezone: 'Europe/Madrid', continent: 'EU' },
  { key: 'lis', name: 'Lisbon', country: 'PT', lat: 38.72, lon: -9.14, timezone: 'Europe/Lisbon', continent: 'EU' },
  { key: 'mil', name: 'Milan', country: 'IT', lat: 45.46, lon: 9.19, timezone: 'Europe/Rome', continent: 'EU' },
  { key: 'zrh', name: 'Zurich', country: 'CH', lat: 47.38, lon: 8.54, timezone: 'Europe/Zurich', continent: 'EU' },
  { key: 'sto', name: 'Stockholm', country: 'SE', lat: 59.33, lon: 18.07, timezone: 'Europe/Stockholm', continent: 'EU' },
  { key: 'waw', name: 'Warsaw', country: 'PL', lat: 52.23, lon: 21.01, timezone: 'Europe/Warsaw', continent: 'EU' },
  { key: 'los', name: 'Lagos', country: 'NG', lat: 6.52, lon: 3.38, timezone: 'Africa/Lagos', continent: 'AF' },
  { key: 'nbo', name: 'Nairobi', country: 'KE', lat: -1.29, lon: 36.82, timezone: 'Africa/Nairobi', continent: 'AF' },
  { key: 'jnb', name: 'Johannesburg', country: 'ZA', lat: -26.2, lon: 28.05, timezone: 'Africa/Johannesburg', continent: 'AF' },
  { key: 'cai', name: 'Cairo', country: 'EG', lat: 30.04, lon: 31.24, timezone: 'Africa/Cairo', continent: 'AF' },
  { key: 'dxb', name: 'Dubai', country: 'AE', lat: 25.2, lon: 55.27, timezone: 'Asia/Dubai', continent: 'AS' },
  { key: 'bom', name: 'Mumbai', country: 'IN', lat: 19.08, lon: 72.88, timezone: 'Asia/Kolkata', continent: 'AS' },
  { key: 'blr', name: 'Bangalore', country: 'IN', lat: 12.97, lon: 77.59, timezone: 'Asia/Kolkata', continent: 'AS' },
  { key: 'sin', name: 'Singapore', country: 'SG', lat: 1.35, lon: 103.82, timezone: 'Asia/Singapore', continent: 'AS' },
  { key: 'jkt', name: 'Jakarta', country: 'ID', lat: -6.2, lon: 106.85, timezone: 'Asia/Jakarta', continent: 'AS' },
  { key: 'hkg', name: 'Hong Kong', country: 'HK', lat: 22.32, lon: 114.17, timezone: 'Asia/Hong_Kong', continent: 'AS' },
  { key: 'tyo', name: 'Tokyo', country: 'JP', lat: 35.68, lon: 139.69, timezone: 'Asia/Tokyo', continent: 'AS' },
  { key: 'sel', name: 'Seoul', country: 'KR', lat: 37.57, lon: 126.98, timezone: 'Asia/Seoul', continent: 'AS' },
  { key: 'syd', name: 'Sydney', country: 'AU', lat: -33.87, lon: 151.21, timezone: 'Australia/Sydney', continent: 'OC' },
  { key: 'akl', name: 'Auckland', country: 'NZ', lat: -36.85, lon: 174.76, timezone: 'Pacific/Auckland', continent: 'OC' },
];

const BY_KEY: ReadonlyMap<string, City> = new Map(CITIES.map((c) => [c.key, c]));

export function city(key: string): City {
  const c = BY_KEY.get(key);
  if (!c) throw new Error(`unknown city ${key}`);
  return c;
}

/** Where the company's people sit, weighted by headcount. */
export const OFFICE_CITIES: readonly (readonly [string, number])[] = [
  ['nyc', 14], ['sfo', 10], ['chi', 4], ['yyz', 4], ['lon', 12], ['dub', 5], ['ber', 8], ['par', 5],
  ['ams', 4], ['mad', 3], ['waw', 3], ['sto', 2], ['sao', 4], ['mex', 2], ['blr', 6], ['sin', 5],
  ['tyo', 4], ['syd', 4], ['nbo', 1], ['jnb', 1],
];

/** Datacenter regions where batch and housekeeping service accounts run. */
export const DATACENTER_CITIES: readonly string[] = ['iad', 'pdx', 'fra', 'dub', 'sin', 'syd'];

/** Corporate VPN concentrators: a remote worker's traffic leaves the network here. */
export const VPN_EXITS: Readonly<Record<string, readonly string[]>> = {
  NA: ['iad', 'chi'],
  SA: ['iad'],
  EU: ['ams', 'fra', 'zrh', 'lon'],
  AF: ['ams', 'lon'],
  AS: ['sin', 'hkg'],
  OC: ['sin', 'syd'],
};

const EARTH_RADIUS_KM = 6371;

export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Door-to-door hours for a flight: cruise at ~800 km/h plus airports on both ends. */
export function travelHours(from: City, to: City): number {
  return distanceKm(from, to) / 800 + 3;
}
