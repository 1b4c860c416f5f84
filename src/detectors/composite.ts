/*
 * Composite decisions: every allOf signal, and at least one anyOf signal, for the same subject
 * within the rule's span. Weak signals that are harmless alone become strong evidence together.
 */
import type { CompositeRule } from '../rules/types.js';
import type { SignalObservation } from '../state/types.js';
import { formatDuration } from './format.js';
import type { Hit } from './types.js';

export function evaluateComposite(rule: CompositeRule, timeMs: number, obs: SignalObservation): Hit | undefined {
  const has = (id: string) => obs.latest[id] !== undefined;
  if (!rule.allOf.every(has)) return undefined;
  const any = rule.anyOf.filter(has);
  if (rule.anyOf.length > 0 && any.length === 0) return undefined;
  const fired = [...rule.allOf, ...any];
  // Each input's own reason carries its numbers (bytes against the usual, the new country, ...).
  const signals = Object.fromEntries(
    fired.map((id) => {
      const s = obs.latest[id]!;
      return [id, { time: new Date(s.timeMs).toISOString(), eventId: s.eventId, ...(s.reason ? { reason: s.reason } : {}) }];
    }),
  );
  const start = Math.min(timeMs, ...fired.map((id) => obs.latest[id]!.timeMs));
  return {
    reason: `${fired.join(' + ')} within ${formatDuration(rule.withinMs)}`,
    evidence: { within: formatDuration(rule.withinMs), signals },
    windowStartMs: start,
  };
}

/** The ids of the events whose signals completed the composite, oldest first, without repeats. */
export function compositeEventIds(hit: Hit): string[] {
  const signals = (hit.evidence['signals'] ?? {}) as Record<string, { time: string; eventId: string }>;
  const sorted = Object.values(signals).sort((a, b) => a.time.localeCompare(b.time));
  return [...new Set(sorted.map((s) => s.eventId))];
}
