/*
 * Detection: the engine's output (shared DESIGN.md, "Detection"). Replay prints one per line; the
 * live processor publishes them to the detections topic and turns their actions into revocations,
 * quarantines, approval requests and alerts.
 */
import type { Action, Mode, RuleKind, Severity } from '../rules/types.js';

export interface Detection {
  id: string;
  /** Event time of the event that triggered it. */
  time: string;
  /** When the engine decided (processing time). */
  detectedAt: string;
  rule: { id: string; kind: RuleKind; severity: Severity };
  mode: Mode;
  subject: { agentId: string; principalId: string | null; tokenId: string; sessionId: string | null };
  groupKey: Record<string, string | null>;
  /** What was done; in shadow mode what would have been done. Never contains `signal`. */
  actions: Action[];
  reason: string;
  evidence: Record<string, unknown>;
  eventIds: string[];
  /** Extension: detections of this rule for this subject suppressed by cooldown since the previous one. */
  suppressed: number;
}
