/*
 * How long each op type's state is kept, in event time: the same numbers as the memory classes'
 * `retainMs`, since a key idle for longer starts afresh in both stores.
 */
import type { StoreOp } from '../types.js';

export interface RetentionOptions {
  dedupHorizonMs: number;
  latenessMs: number;
}

export function retainMsOf(op: StoreOp, o: RetentionOptions): number {
  switch (op.type) {
    case 'window':
      return Math.max(op.spec.windowMs + o.latenessMs, op.spec.baseline?.historyMs ?? 0);
    case 'profile':
    case 'seen':
      return op.spec.historyMs;
    case 'travel':
      return op.spec.retainMs;
    case 'signal':
      return op.spec.withinMs;
    case 'cooldown':
      // Decisions are remembered for the dedup horizon, so a redelivered detection gets the same answer.
      return Math.max(op.spec.cooldownMs, o.dedupHorizonMs);
  }
}
