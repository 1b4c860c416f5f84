/*
 * Whether a string is an IANA time zone the runtime knows. Intl is the authority (the time-of-day
 * detectors format with it), but constructing a DateTimeFormat costs microseconds and throws on
 * bad input, so answers are cached; the cache is bounded because zone names come from the stream.
 */

const MAX_CACHED = 2048;
const known = new Map<string, boolean>();

export function isIanaTimeZone(zone: string): boolean {
  const cached = known.get(zone);
  if (cached !== undefined) return cached;
  // Newer runtimes accept offsets ("+05:00") as zones; those are not IANA names and carry no DST.
  let valid = /^[A-Za-z]/.test(zone);
  if (valid) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      valid = false;
    }
  }
  if (known.size >= MAX_CACHED) known.clear();
  known.set(zone, valid);
  return valid;
}
