/*
 * Network places for simulated traffic, each with an address from the documentation ranges
 * (RFC 5737 IPv4, RFC 3849 IPv6): office egress, homes and hotels, corporate VPN exits,
 * datacenters, and the hosting providers and residential lines attackers come from.
 */
import { CITIES, DATACENTER_CITIES, OFFICE_CITIES, VPN_EXITS, city, type City } from './geo.js';
import type { Rng } from './random.js';
import type { Place } from './types.js';

const CITY_INDEX: ReadonlyMap<string, number> = new Map(CITIES.map((c, i) => [c.key, i]));
const OFFICE_INDEX: ReadonlyMap<string, number> = new Map(OFFICE_CITIES.map(([k], i) => [k, i]));
const EXIT_KEYS: readonly string[] = [...new Set(Object.values(VPN_EXITS).flat())];

function hex4(n: number): string {
  return (n & 0xffff).toString(16);
}

/** An office's NAT egress: a handful of fixed addresses per office. */
export function officePlace(rng: Rng, c: City): Place {
  const i = OFFICE_INDEX.get(c.key) ?? CITY_INDEX.get(c.key) ?? 0;
  return { ip: `198.51.100.${(i % 20) * 12 + rng.int(1, 4)}`, city: c, network: 'corporate' };
}

/** A home line, hotel wifi or mobile carrier: an IPv6 address in the city's block. */
export function consumerPlace(rng: Rng, c: City, network: string): Place {
  const i = CITY_INDEX.get(c.key) ?? 0;
  return { ip: `2001:db8:${hex4(0x1000 + i * 64 + rng.int(0, 63))}:${hex4(rng.u32())}::${hex4(rng.int(1, 0xfffe))}`, city: c, network };
}

export function datacenterPlace(rng: Rng, c: City): Place {
  const i = DATACENTER_CITIES.indexOf(c.key);
  return { ip: `192.0.2.${Math.max(0, i) * 20 + rng.int(1, 15)}`, city: c, network: 'datacenter' };
}

/** The corporate VPN exit a remote worker lands on: near home, but never in the home country. */
export function vpnPlace(rng: Rng, home: City): Place {
  let options = (VPN_EXITS[home.continent] ?? []).filter((k) => city(k).country !== home.country);
  if (options.length === 0) options = EXIT_KEYS.filter((k) => city(k).country !== home.country);
  const key = rng.pick(options);
  const i = EXIT_KEYS.indexOf(key);
  return { ip: `203.0.113.${i * 8 + rng.int(1, 6)}`, city: city(key), network: 'vpn' };
}

/** A rented server or a compromised home router somewhere an attacker operates from. */
export function attackerPlace(rng: Rng, c: City): Place {
  const network = rng.weighted<string>([['hosting', 5], ['public', 2], ['residential', 3]]);
  if (network === 'hosting') return { ip: `203.0.113.${rng.int(160, 254)}`, city: c, network };
  return consumerPlace(rng, c, network);
}

/** A city in a country outside `avoid`, on another continent than `notOn` when given. */
export function foreignCity(rng: Rng, avoid: ReadonlySet<string>, notOn?: City['continent']): City {
  const options = CITIES.filter((c) => !avoid.has(c.country) && (notOn === undefined || c.continent !== notOn));
  return rng.pick(options.length > 0 ? options : CITIES.filter((c) => !avoid.has(c.country)));
}
