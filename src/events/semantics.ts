/*
 * Checks on field contents that a JSON Schema states poorly: RFC 3339 time (also parsed here, once,
 * for the engine), IANA time zone, IP address, ISO country. Called only on structurally valid events.
 */
import { isIP } from 'node:net';
import { isCountryCode } from './countries.js';
import { showValue } from './reason.js';
import { parseRfc3339, rfc3339Hint } from './time.js';
import { isIanaTimeZone } from './timezone.js';
import type { AgentAccessEvent } from './types.js';

/** Event time in epoch ms, or a reason string if the event's contents are wrong. */
export function checkSemantics(e: AgentAccessEvent): number | string {
  const timeMs = parseRfc3339(e.time);
  if (Number.isNaN(timeMs)) return `time: ${showValue(e.time)} is not an RFC 3339 timestamp${rfc3339Hint(e.time)}`;

  const zone = e.principal?.timezone;
  if (zone !== undefined && !isIanaTimeZone(zone)) return `principal.timezone: ${showValue(zone)} is not an IANA time zone`;

  const source = e.source;
  if (source !== undefined) {
    if (source.ip !== undefined && isIP(source.ip) === 0) return `source.ip: ${showValue(source.ip)} is not an IPv4 or IPv6 address`;
    if (source.country !== undefined && !isCountryCode(source.country)) {
      return `source.country: ${countryFault(source.country)}`;
    }
  }
  return timeMs;
}

/** Shared with the schema's pattern error, so both paths give the same sentence. */
export function countryFault(v: unknown): string {
  const upper = typeof v === 'string' ? v.toUpperCase() : '';
  const hint = upper !== v && isCountryCode(upper) ? ` (use upper case: ${upper})` : '';
  return `${showValue(v)} is not an ISO 3166-1 alpha-2 code${hint}`;
}
