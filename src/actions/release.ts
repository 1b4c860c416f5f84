/*
 * Lifting a quarantine by hand (`guardrail quarantine lift`): a false positive at 3 AM must not
 * wait for the TTL. The release is published first, as a `release_agent` message on the
 * revocations topic, so enforcement points that keep quarantines from that topic drop theirs and
 * the lift is on record (who, why, when); then the entry is deleted from Redis, only if it is
 * still the one released (a newer quarantine of the agent stays). Both steps are idempotent: a lift
 * retried after a failure publishes the same message id again and deletes what is left.
 * Token revocations stand: the agent needs a new token from its issuer.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Producer } from 'kafkajs';
import { quarantineKey, type QuarantineEntry } from './quarantine.js';

export interface ReleaseMessage {
  type: 'release_agent';
  /** `rel-<hash>` of the quarantine released: the same for every attempt to release it. */
  id: string;
  /** The quarantine_agent message (and Redis entry) released. */
  quarantineId: string;
  detectionId: string;
  agentId: string;
  /** The token of the quarantine's event, when the entry recorded it. */
  tokenId: string | null;
  ruleId: string;
  /** Why the person lifted it (required). */
  reason: string;
  liftedBy: string;
  /** The quarantine's own end, had it not been lifted. */
  until: string;
  issuedAt: string;
}

export interface QuarantineListing extends QuarantineEntry {
  agentId: string;
  /** Milliseconds left before the entry expires. */
  remainingMs: number;
}

export function releaseId(quarantineId: string): string {
  return `rel-${createHash('sha256').update(`${quarantineId}\nrelease_agent`).digest('hex').slice(0, 24)}`;
}

export function releaseMessage(agentId: string, entry: QuarantineEntry, reason: string, liftedBy: string, issuedAt: string): ReleaseMessage {
  return {
    type: 'release_agent',
    id: releaseId(entry.id),
    quarantineId: entry.id,
    detectionId: entry.detectionId,
    agentId,
    tokenId: entry.tokenId ?? null,
    ruleId: entry.ruleId,
    reason,
    liftedBy,
    until: entry.until,
    issuedAt,
  };
}

// Deletes the key only while it holds the entry that was released.
const DELETE_IF_SAME = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export type LiftResult =
  | { outcome: 'lifted'; message: ReleaseMessage; entry: QuarantineEntry }
  | { outcome: 'not_quarantined' }
  /** A newer quarantine replaced the entry between the read and the delete: it stays. */
  | { outcome: 'replaced'; message: ReleaseMessage; entry: QuarantineEntry; current: QuarantineEntry | undefined };

export interface LiftOptions {
  redis: Redis;
  producer: Producer;
  prefix: string;
  topic: string;
  agentId: string;
  reason: string;
  liftedBy: string;
  now?: () => number;
}

export async function liftQuarantine(o: LiftOptions): Promise<LiftResult> {
  const key = quarantineKey(o.prefix, o.agentId);
  const text = await o.redis.get(key);
  if (text === null) return { outcome: 'not_quarantined' };
  const entry = JSON.parse(text) as QuarantineEntry;
  const message = releaseMessage(o.agentId, entry, o.reason, o.liftedBy, new Date((o.now ?? Date.now)()).toISOString());
  await o.producer.send({
    topic: o.topic,
    acks: -1,
    messages: [{ key: message.tokenId ?? o.agentId, value: JSON.stringify(message), headers: { 'content-type': 'application/json', 'guardrail-type': 'release_agent' } }],
  });
  const deleted = Number(await o.redis.eval(DELETE_IF_SAME, 1, key, text));
  if (deleted === 1) return { outcome: 'lifted', message, entry };
  const now = await o.redis.get(key);
  return { outcome: 'replaced', message, entry, current: now === null ? undefined : (JSON.parse(now) as QuarantineEntry) };
}

/** Every quarantine in force under the prefix, soonest to end first. */
export async function listQuarantines(redis: Redis, prefix: string): Promise<QuarantineListing[]> {
  const head = quarantineKey(prefix, '');
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${escapeGlob(head)}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  const out: QuarantineListing[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const pipeline = redis.pipeline();
    const part = keys.slice(i, i + 500);
    for (const k of part) pipeline.get(k).pttl(k);
    const replies = (await pipeline.exec()) ?? [];
    part.forEach((k, j) => {
      const text = replies[2 * j]?.[1];
      const ttl = Number(replies[2 * j + 1]?.[1]);
      if (typeof text !== 'string' || ttl < 0) return;
      out.push({ ...(JSON.parse(text) as QuarantineEntry), agentId: k.slice(head.length), remainingMs: ttl });
    });
  }
  return out.sort((a, b) => a.remainingMs - b.remainingMs || a.agentId.localeCompare(b.agentId));
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
