/*
 * What a detector returns when a rule fires for an event: a sentence for people and numbers for
 * the record. Detectors are pure functions of a rule, an event and the state the store observed.
 */

export interface Hit {
  reason: string;
  evidence: Record<string, unknown>;
  /** Start of the span the decision looked at (event time, ms); part of the detection id. */
  windowStartMs: number;
}
