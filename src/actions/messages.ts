/*
 * The messages a detection's actions turn into (shared DESIGN.md, "Revocation"): revocations and
 * quarantines for the revocations topic, approval requests for the approvals topic. Ids derive from
 * the detection id and the action, so a redelivered batch republishes the same ids and consumers
 * deduplicate. Only identifiers from the event are copied: never a raw credential.
 */
import { createHash } from 'node:crypto';
import type { Detection } from '../engine/index.js';
import type { Action } from '../rules/index.js';

interface ActionBase {
  id: string;
  detectionId: string;
  tokenId: string;
  agentId: string;
  principalId: string | null;
  sessionId: string | null;
  ruleId: string;
  severity: Detection['rule']['severity'];
  reason: string;
  /** Event time of the event that triggered the detection. */
  eventTime: string;
  /** When the processor issued this message. */
  issuedAt: string;
}

export interface RevocationMessage extends ActionBase {
  type: 'revoke_token';
  /** Tells the agent runtime to wipe what the agent remembered under this token. */
  purgeMemory: true;
}

export interface QuarantineMessage extends ActionBase {
  type: 'quarantine_agent';
  /** The agent may not act before this time. */
  until: string;
  purgeMemory: true;
}

export interface ApprovalMessage extends ActionBase {
  type: 'require_approval';
  /** Everything the detection asked for, for the person deciding. */
  actions: Action[];
}

export type ActionMessage = RevocationMessage | QuarantineMessage | ApprovalMessage;

const PREFIX: Record<ActionMessage['type'], string> = { revoke_token: 'rev', quarantine_agent: 'rev', require_approval: 'apr' };

/** `rev-<hash>` for revocations and quarantines, `apr-<hash>` for approval requests; stable for a detection and action. */
export function actionId(detectionId: string, action: ActionMessage['type']): string {
  const h = createHash('sha256').update(`${detectionId}\n${action}`).digest('hex');
  return `${PREFIX[action]}-${h.slice(0, 24)}`;
}

function base(d: Detection, action: ActionMessage['type'], issuedAt: string): ActionBase {
  return {
    id: actionId(d.id, action),
    detectionId: d.id,
    tokenId: d.subject.tokenId,
    agentId: d.subject.agentId,
    principalId: d.subject.principalId,
    sessionId: d.subject.sessionId,
    ruleId: d.rule.id,
    severity: d.rule.severity,
    reason: d.reason,
    eventTime: d.time,
    issuedAt,
  };
}

export function revocationMessage(d: Detection, issuedAt: string): RevocationMessage {
  return { type: 'revoke_token', ...base(d, 'revoke_token', issuedAt), purgeMemory: true };
}

export function quarantineMessage(d: Detection, issuedAt: string, until: string): QuarantineMessage {
  return { type: 'quarantine_agent', ...base(d, 'quarantine_agent', issuedAt), until, purgeMemory: true };
}

export function approvalMessage(d: Detection, issuedAt: string): ApprovalMessage {
  return { type: 'require_approval', ...base(d, 'require_approval', issuedAt), actions: [...d.actions] };
}
