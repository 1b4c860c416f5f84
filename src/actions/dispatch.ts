/*
 * From a batch's detections to what the processor must make durable before it commits: records for
 * the detections, revocations and approvals topics, quarantine entries for Redis, and the outcome of
 * every action for the metrics. Restricting actions pass the revocation budget first; past it they
 * are held (the detection still publishes, listing them under `held`). Shadow mode, per rule or for
 * the whole processor, publishes the detection and takes no action.
 */
import type { Detection } from '../engine/index.js';
import { RESTRICTING_ACTIONS, type Action, type Mode } from '../rules/index.js';
import type { RevocationBudget } from './budget.js';
import { actionId, approvalMessage, quarantineMessage, revocationMessage, type ActionMessage } from './messages.js';
import { quarantineEntry, quarantineMs, type QuarantineEntry } from './quarantine.js';

export type ActionOutcome = 'executed' | 'held' | 'shadow' | 'failed';

/** A message to produce; `value` is JSON text or, for the dead-letter topic, the original bytes. */
export interface OutRecord {
  topic: string;
  key: string | Buffer | null;
  value: string | Buffer | null;
  /** null: a header without a value, as an event's own headers may have (copied into its dead letter as they came). */
  headers: Record<string, string | Buffer | null | (string | Buffer | null)[]>;
}

export interface ActionTopics {
  detections: string;
  revocations: string;
  approvals: string;
}

export interface DispatchOptions {
  topics: ActionTopics;
  /** `shadow` turns every rule to shadow mode. */
  mode: Mode;
  quarantineTtlMs: number;
  /**
   * The cooldown of a rule by id (cooldownsOf; undefined for a rule no longer loaded). A quarantine
   * lasts the rule's cooldown when that is longer than quarantineTtlMs, up to quarantineMaxTtlMs
   * (quarantineMs). Without it, every quarantine lasts quarantineTtlMs.
   */
  cooldownMsOf?: (ruleId: string) => number | undefined;
  /** GUARDRAIL_QUARANTINE_MAX_TTL; default quarantineTtlMs. */
  quarantineMaxTtlMs?: number;
  budget: RevocationBudget;
  now: () => number;
  /**
   * True when the `alert` of this enforce-mode detection is pushed to Alertmanager: its outcome is
   * then counted by the push (executed once accepted, failed per failed attempt), not here.
   */
  alertPushed?: (d: Detection) => boolean;
}

/** The detection as published: mode after the processor-wide override, `actions` what was done, `held` what the budget held. */
export interface PublishedDetection extends Detection {
  held?: Action[];
}

export interface Dispatch {
  records: OutRecord[];
  quarantines: { agentId: string; entry: QuarantineEntry }[];
  outcomes: { action: Action; outcome: ActionOutcome }[];
  detections: PublishedDetection[];
  /** Restricting actions held by the budget: detection id and action, for the log. */
  held: { detectionId: string; ruleId: string; action: Action }[];
}

const isRestricting = (a: Action) => RESTRICTING_ACTIONS.includes(a);

/**
 * A detection or action message is a few KB. One longer than this carries a huge value copied from
 * an event (a 300 KB device id quoted in a reason, a group key, a composite's inner reasons): it is
 * published with such strings clipped, rather than refused by the broker (max.message.bytes, 1 MB
 * by default) and retried forever, stalling the partition. Ids are kept whole (enforcement needs
 * them); the `guardrail-clipped` header gives the length the message had.
 */
export const MAX_MESSAGE_CHARS = 64 * 1024;
export const CLIPPED_HEADER = 'guardrail-clipped';
const KEEP_WHOLE: ReadonlySet<string> = new Set(['id', 'detectionId', 'tokenId', 'agentId', 'principalId', 'sessionId', 'ruleId']);

/** A long text cut to its first `max` characters, saying how long it was. */
export function clipText(s: string, max = 256): string {
  return s.length <= max ? s : `${s.slice(0, max)}… (${s.length} characters)`;
}

function clipLong(key: string, value: unknown): unknown {
  return typeof value === 'string' && !KEEP_WHOLE.has(key) ? clipText(value) : value;
}

function record(topic: string, key: string, message: ActionMessage | PublishedDetection, type: string): OutRecord {
  const headers: OutRecord['headers'] = { 'content-type': 'application/json', 'guardrail-type': type };
  let value = JSON.stringify(message);
  if (value.length > MAX_MESSAGE_CHARS) {
    headers[CLIPPED_HEADER] = String(value.length);
    value = JSON.stringify(message, clipLong);
  }
  return { topic, key, value, headers };
}

export async function dispatchDetections(detections: readonly Detection[], o: DispatchOptions): Promise<Dispatch> {
  const out: Dispatch = { records: [], quarantines: [], outcomes: [], detections: [], held: [] };
  if (detections.length === 0) return out;
  const nowMs = o.now();
  const issuedAt = new Date(nowMs).toISOString();
  const untilOf = (d: Detection) => new Date(nowMs + quarantineMs(o.quarantineTtlMs, o.cooldownMsOf?.(d.rule.id), o.quarantineMaxTtlMs ?? o.quarantineTtlMs)).toISOString();
  // `guardrail run` already hands the engine every rule in shadow under GUARDRAIL_MODE=shadow
  // (inShadowMode); this covers callers that dispatch detections of rules they did not wrap.
  const modeOf = (d: Detection): Mode => (o.mode === 'shadow' ? 'shadow' : d.mode);

  // One budget call for the batch: every restricting action of every enforcing detection, by its message id.
  const asks: string[] = [];
  for (const d of detections) {
    if (modeOf(d) !== 'enforce') continue;
    for (const a of d.actions) if (isRestricting(a)) asks.push(actionId(d.id, a as ActionMessage['type']));
  }
  const admitted = new Map<string, boolean>();
  if (asks.length > 0) {
    const answers = await o.budget.admit(asks, nowMs);
    asks.forEach((id, i) => admitted.set(id, answers[i] ?? false));
  }

  for (const d of detections) {
    const mode = modeOf(d);
    if (mode === 'shadow') {
      const published: PublishedDetection = { ...d, mode };
      out.detections.push(published);
      out.records.push(record(o.topics.detections, d.subject.agentId, published, 'detection'));
      for (const action of d.actions) out.outcomes.push({ action, outcome: 'shadow' });
      continue;
    }
    const done: Action[] = [];
    const held: Action[] = [];
    const messages: { topic: string; key: string; message: ActionMessage }[] = [];
    for (const action of d.actions) {
      if (isRestricting(action) && admitted.get(actionId(d.id, action as ActionMessage['type'])) !== true) {
        held.push(action);
        out.held.push({ detectionId: d.id, ruleId: d.rule.id, action });
        out.outcomes.push({ action, outcome: 'held' });
        continue;
      }
      done.push(action);
      if (action === 'alert' && o.alertPushed?.(d)) continue;
      out.outcomes.push({ action, outcome: 'executed' });
      if (action === 'revoke_token') {
        messages.push({ topic: o.topics.revocations, key: d.subject.tokenId, message: revocationMessage(d, issuedAt) });
      } else if (action === 'quarantine_agent') {
        const m = quarantineMessage(d, issuedAt, untilOf(d));
        messages.push({ topic: o.topics.revocations, key: d.subject.tokenId, message: m });
        out.quarantines.push({ agentId: d.subject.agentId, entry: quarantineEntry(m) });
      } else if (action === 'require_approval') {
        messages.push({ topic: o.topics.approvals, key: d.subject.agentId, message: approvalMessage(d, issuedAt) });
      }
    }
    const published: PublishedDetection = held.length > 0 ? { ...d, actions: done, held } : d;
    out.detections.push(published);
    // The detection first: a consumer of both topics sees the evidence before the action it caused.
    out.records.push(record(o.topics.detections, d.subject.agentId, published, 'detection'));
    for (const m of messages) out.records.push(record(m.topic, m.key, m.message, m.message.type));
  }
  return out;
}
