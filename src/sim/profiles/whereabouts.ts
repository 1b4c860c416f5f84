/*
 * Where a person works on a given day: the office, home, the corporate VPN, or abroad on a trip.
 * Trips carry the flights, so the workday generator can stop before take-off and keep the person
 * offline until a realistic arrival.
 */
import { HOUR } from '../clock.js';
import { travelHours, type City } from '../geo.js';
import type { AgentRuntime } from '../runtime.js';
import type { Place } from '../types.js';

export interface Whereabouts {
  /** The zone whose clock the person's day follows. */
  zone: string;
  morning: Place;
  afternoon: Place;
  /** Local hour at which work stops for a flight, and where to. */
  flight?: { hour: number; from: City; to: City };
  /** Away from home: no evening phone checks or on-call pages. */
  away: boolean;
}

export function whereabouts(rt: AgentRuntime, day: number): Whereabouts {
  const spec = rt.spec;
  const rng = rt.rng;
  for (const trip of spec.trips) {
    if (day < trip.departDay || day > trip.returnDay) continue;
    if (day === trip.departDay) {
      const place = usualPlace(rt);
      return { zone: spec.zone, morning: place, afternoon: place, flight: { hour: trip.departHour, from: spec.home, to: trip.dest }, away: true };
    }
    const place = trip.office && rng.chance(0.7) ? trip.office : trip.hotel;
    const w: Whereabouts = { zone: trip.dest.timezone, morning: place, afternoon: place, away: true };
    if (day === trip.returnDay) w.flight = { hour: trip.returnHour, from: trip.dest, to: spec.home };
    return w;
  }
  const morning = usualPlace(rt);
  const afternoon = rng.chance(0.15) ? usualPlace(rt) : morning;
  return { zone: spec.zone, morning, afternoon, away: false };
}

function usualPlace(rt: AgentRuntime): Place {
  const spec = rt.spec;
  if (!rt.rng.chance(spec.remoteShare)) return spec.office;
  return spec.vpn ?? spec.homePlace;
}

/** Keeps the person offline until the flight has landed and they have reached a desk. */
export function takeFlight(rt: AgentRuntime, departMs: number, from: City, to: City): void {
  rt.busyUntil = departMs + (travelHours(from, to) + rt.rng.uniform(0.5, 2)) * HOUR;
}
