/*
 * AgentAccessEvent v1: the contract agents emit (shared DESIGN.md). The decoder turns raw bytes into
 * a DecodedEvent: the validated object (unknown fields kept, so rules can match them) plus the
 * fields the engine reads on every event, parsed once.
 */

export type Sensitivity = 'public' | 'internal' | 'confidential' | 'restricted';
export type Outcome = 'allowed' | 'denied' | 'error';

export interface AgentAccessEvent {
  id: string;
  time: string;
  agent: { id: string; name?: string; owner?: string; [k: string]: unknown };
  token: { id: string; issuer?: string; scopes?: string[]; [k: string]: unknown };
  principal?: { id?: string; tenant?: string; timezone?: string; [k: string]: unknown };
  session?: { id?: string; [k: string]: unknown };
  action: string;
  resource: { type: string; id?: string; sensitivity?: Sensitivity; [k: string]: unknown };
  volume?: { bytes?: number; records?: number; [k: string]: unknown };
  source?: {
    ip?: string;
    country?: string;
    lat?: number;
    lon?: number;
    network?: string;
    device?: { id?: string; managed?: boolean; [k: string]: unknown };
    [k: string]: unknown;
  };
  outcome?: Outcome;
  labels?: Record<string, string>;
  [k: string]: unknown;
}

/** A validated event with the hot fields parsed once. */
export interface DecodedEvent {
  readonly event: AgentAccessEvent;
  /** Event time in epoch milliseconds. */
  readonly timeMs: number;
}

/**
 * What the decoder returns instead of throwing: invalid input is routine on a stream (it goes to
 * the dead-letter topic), so it is a value, not an exception. `reason` names the field and the
 * fault in one sentence and never echoes a credential.
 */
export type DecodeResult = { ok: true; value: DecodedEvent } | { ok: false; reason: string };
