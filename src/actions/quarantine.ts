/*
 * The quarantine deny-list in Redis: one key per quarantined agent with a TTL, which enforcement
 * points (API gateways, the agent runtime) read before letting an agent act:
 *
 *   GET <prefix>:quarantine:<agent id>   -> JSON { id, detectionId, ruleId, severity, reason, issuedAt, until, tokenId }, or nil
 *
 * The key expires at `until`, so a present key means quarantined. A later quarantine of the same
 * agent overwrites the entry with its own `until`. A person lifts one with `guardrail quarantine
 * lift` (release.ts), which deletes the key and publishes a `release_agent` message.
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

type Pipeline = ReturnType<Redis['pipeline']>;

/** Queues the SET of each entry (TTL until its `until`) on a pipeline the caller executes. */
export function queueQuarantines(pipeline: Pipeline, prefix: string, quarantines: readonly { agentId: string; entry: QuarantineEntry }[], nowMs: number): void {
  for (const q of quarantines) {
    const ttl = Math.max(1, Date.parse(q.entry.until) - nowMs);
    pipeline.set(quarantineKey(prefix, q.agentId), JSON.stringify(q.entry), 'PX', ttl);
  }
}

/** The lookup an enforcement point makes: the agent's quarantine, or undefined when it may act. */
export async function lookupQuarantine(client: Redis, prefix: string, agentId: string): Promise<QuarantineEntry | undefined> {
  const text = await client.get(quarantineKey(prefix, agentId));
  return text === null ? undefined : (JSON.parse(text) as QuarantineEntry);
}
