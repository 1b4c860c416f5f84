/*
 * The quarantine deny-list in Redis: one key per quarantined agent with a TTL, which enforcement
 * points (API gateways, the agent runtime) read before letting an agent act:
 *
 *   GET <prefix>:quarantine:<agent id>   -> JSON { id, detectionId, ruleId, severity, reason, issuedAt, until, tokenId }, or nil
 *
 * The key expires at `until`, so a present key means quarantined. A later quarantine of the same
 * agent replaces the entry; when the one in force lasts longer, the new entry keeps its `until`: a
 * quarantine never shortens another (an hourly rule's does not cut short a twelve-hour rule's),
 * and the entry names the latest quarantine. A person lifts
 * one with `guardrail quarantine lift` (release.ts), which deletes the key and publishes a
 * `release_agent` message.
 */
import type { Redis } from 'ioredis';
import type { QuarantineMessage } from './messages.js';

export interface QuarantineEntry {
  id: string;
  detectionId: string;
  ruleId: string;
  severity: string;
  reason: string;
  issuedAt: string;
  until: string;
  /** The token of the event that led to the quarantine (entries written before 2026-12-02 lack it). */
  tokenId?: string;
}

export function quarantineKey(prefix: string, agentId: string): string {
  return `${prefix}:quarantine:${agentId}`;
}

export function quarantineEntry(m: QuarantineMessage): QuarantineEntry {
  return { id: m.id, detectionId: m.detectionId, ruleId: m.ruleId, severity: m.severity, reason: m.reason, issuedAt: m.issuedAt, until: m.until, tokenId: m.tokenId };
}

/**
 * How long a quarantine lasts: the deployment's GUARDRAIL_QUARANTINE_TTL, or the cooldown of the
 * rule that asked for it when that is longer, up to GUARDRAIL_QUARANTINE_MAX_TTL. While a rule
 * holds back its next detection of an agent (its cooldown), the agent stays quarantined: otherwise
 * a thief whose token was revoked carries on with the agent's next token once a shorter quarantine
 * ran out, and the rule, still cooling down, lets it (a 12-hour rule after a one-hour quarantine:
 * eleven hours). `cooldownMs` is undefined for a rule that does not hold back the agent as a whole
 * (cooldownsOf).
 */
export function quarantineMs(ttlMs: number, cooldownMs: number | undefined, maxTtlMs: number): number {
  return Math.max(ttlMs, Math.min(cooldownMs ?? 0, maxTtlMs));
}

type Pipeline = ReturnType<Redis['pipeline']>;

/**
 * SET of the new entry with its TTL; when the entry in force lasts longer, the new entry (its id,
 * rule and reason: the latest quarantine) with the `until` and the remaining TTL of the one in
 * force. So a quarantine never shortens another, and a lift that read the older entry finds it
 * replaced. `until` is a JSON string field our own JSON.stringify wrote: the pattern cannot match
 * inside another string value, where a quote is always escaped. (PTTL: -2 absent, -1 no TTL.)
 */
const SET_KEEPING_LONGER = `local ttl = tonumber(ARGV[2])
local left = redis.call('PTTL', KEYS[1])
if left > ttl then
  local until_old = string.match(redis.call('GET', KEYS[1]) or '', '"until":"([^"]*)"')
  if until_old then
    local entry = string.gsub(ARGV[1], '"until":"[^"]*"', function() return '"until":"' .. until_old .. '"' end, 1)
    redis.call('SET', KEYS[1], entry, 'PX', left)
    return 2
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
return 1`;

/** Queues the write of each entry (TTL until its `until`, or the entry in force's when that lasts longer) on a pipeline the caller executes. */
export function queueQuarantines(pipeline: Pipeline, prefix: string, quarantines: readonly { agentId: string; entry: QuarantineEntry }[], nowMs: number): void {
  for (const q of quarantines) {
    const ttl = Math.max(1, Date.parse(q.entry.until) - nowMs);
    pipeline.eval(SET_KEEPING_LONGER, 1, quarantineKey(prefix, q.agentId), JSON.stringify(q.entry), String(ttl));
  }
}

/** The lookup an enforcement point makes: the agent's quarantine, or undefined when it may act. */
export async function lookupQuarantine(client: Redis, prefix: string, agentId: string): Promise<QuarantineEntry | undefined> {
  const text = await client.get(quarantineKey(prefix, agentId));
  return text === null ? undefined : (JSON.parse(text) as QuarantineEntry);
}
