/*
 * Redis may evict keys under memory pressure, and every state key has a TTL, so a volatile-*
 * policy (a common managed-Redis default) evicts exactly them. A state split over several keys
 * (scripts mode: a window's sums and its slots) then disagrees with itself (a count that never
 * comes down: false detections), and an evicted ledger, id memory or cooldown drops dedup. The
 * processor asks Redis for its policy at start-up and warns unless it is noeviction.
 */
import type { Redis } from 'ioredis';

/** The warning for a policy read from `INFO memory`, or undefined when keys are never evicted (or the policy cannot be read). */
export function evictionWarning(infoMemory: string): string | undefined {
  const policy = /^maxmemory_policy:(\S+)/m.exec(infoMemory)?.[1];
  if (policy === undefined || policy === 'noeviction') return undefined;
  return (
    `Redis evicts keys under memory pressure (maxmemory-policy ${policy}): evicted state makes windows ` +
    'disagree with themselves and drops dedup, so detections can be false or lost; set maxmemory-policy noeviction (docs/state.md, "Redis settings")'
  );
}

/** Reads the eviction policy (INFO works where CONFIG is disabled, as on managed Redis); undefined if all is well or Redis does not answer. */
export async function checkEvictionPolicy(redis: Redis): Promise<string | undefined> {
  try {
    return evictionWarning(await redis.info('memory'));
  } catch {
    return undefined;
  }
}
