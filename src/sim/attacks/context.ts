/*
 * What an attacker inherits from the victim at a moment: the token and session in use, and (for
 * an agent gone rogue rather than a stolen token) the place and device the agent was using. Read
 * from the victim's own benign events of the day, so the attack blends into its real stream.
 */
import { CITIES, type City } from '../geo.js';
import { attackerPlace } from '../places.js';
import type { Rng } from '../random.js';
import type { AgentRuntime, Credential, TokenRef } from '../runtime.js';
import type { Pending, Source } from '../types.js';

export interface Moment {
  t: number;
  cred: Credential;
  source: Source | undefined;
}

/** The victim's situation at `t`: its latest benign event at or before `t` (or the first after). */
export function momentAt(benign: readonly Pending[], t: number): Moment | undefined {
  if (benign.length === 0) return undefined;
  let lo = 0;
  let hi = benign.length - 1;
  let idx = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((benign[mid] as Pending).t <= t) {
      idx = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const p = benign[idx] as Pending;
  return { t: p.t, cred: { t: p.t, token: p.e.token as TokenRef, session: (p.e.session ?? { id: '' }) as { id: string } }, source: p.e.source as Source | undefined };
}

/** A benign event from the middle of the victim's day, where attacks that hide in work hours start. */
export function midDay(rng: Rng, benign: readonly Pending[], from = 0.15, to = 0.75): Pending | undefined {
  if (benign.length === 0) return undefined;
  const i = Math.floor(benign.length * rng.uniform(from, to));
  return benign[Math.min(benign.length - 1, i)];
}

/** The token a thief holds at `t`: the last one issued to the victim. */
export function stolenAt(rt: AgentRuntime, t: number): Credential {
  return rt.credentialBefore(t) ?? rt.startSession(t);
}

/** The attacker's own source; its device is unknown to the victim (unmanaged) or not reported at all. */
export function attackerSource(rng: Rng, where: City, device: 'unmanaged' | 'none' | 'either'): Source {
  const place = attackerPlace(rng, where);
  const s: Source = { ip: place.ip, country: where.country, lat: where.lat, lon: where.lon, network: place.network };
  const kind = device === 'either' ? (rng.chance(0.6) ? 'unmanaged' : 'none') : device;
  if (kind === 'unmanaged') s.device = { id: `dev-${rng.id(10)}`, managed: false };
  return s;
}

/** The continent of a source's country (from the city table), so "another continent" can be asked. */
export function continentOf(country: string | undefined, fallback: City): City['continent'] {
  const c = CITIES.find((x) => x.country === country);
  return c ? c.continent : fallback.continent;
}
