/*
 * Rate and bulk-download decisions: static ceilings on a sliding window's sums, and a learned
 * baseline per group (robust z-score of this window against the group's usual per-bucket peaks).
 */
import { MIN_BASELINE_SAMPLES, type Metric, type WindowRule } from '../rules/types.js';
import type { Sums, WindowObservation } from '../state/types.js';
import { formatBytes, formatDuration, round } from './format.js';
import type { Hit } from './types.js';

/** Consistency constant: 1.4826 * MAD estimates the standard deviation of normal data. */
const MAD_TO_SIGMA = 1.4826;
/**
 * A group whose history is perfectly regular has MAD 0, which would make any change infinitely
 * anomalous; the spread is floored at this share of the median.
 */
export const MIN_SPREAD_SHARE = 0.1;
// The baseline needs this many active buckets before it is trusted (a rule term: validation rejects
// a history too short to hold them).
export { MIN_BASELINE_SAMPLES };

const METRIC_NOUN: Record<Metric, string> = { count: 'events', bytes: 'bytes', records: 'records' };

export function describeAmount(metric: Metric, n: number): string {
  return metric === 'bytes' ? formatBytes(n) : `${Math.round(n)} ${METRIC_NOUN[metric]}`;
}

export interface BaselineScore {
  median: number;
  mad: number;
  score: number;
  samples: number;
}

/** Robust z of `observed` against the baseline, with the spread floored so regular groups score finitely. */
export function robustScore(observed: number, median: number, mad: number): number {
  const spread = Math.max(MAD_TO_SIGMA * mad, MIN_SPREAD_SHARE * median, 1);
  return (observed - median) / spread;
}

const METRICS: readonly Metric[] = ['count', 'bytes', 'records'];

/** Whether a static ceiling is exceeded; `skip` is a metric whose ceiling no longer applies (thresholdUntilTrusted). */
function overCeiling(rule: WindowRule, sums: Sums, skip: Metric | undefined): boolean {
  const t = rule.threshold;
  return (
    (t.count !== undefined && skip !== 'count' && sums.count > t.count) ||
    (t.bytes !== undefined && skip !== 'bytes' && sums.bytes > t.bytes) ||
    (t.records !== undefined && skip !== 'records' && sums.records > t.records)
  );
}

export function evaluateWindow(rule: WindowRule, timeMs: number, obs: WindowObservation): Hit | undefined {
  // Runs for every event and rule: text and evidence are built only once the rule fires.
  const windowStartMs = timeMs - rule.windowMs;
  const baseline = rule.baseline;
  const b = obs.baseline;
  const trusted = baseline !== undefined && b !== undefined && b.spanMs >= baseline.minHistoryMs && b.samples >= MIN_BASELINE_SAMPLES;
  // thresholdUntilTrusted: the ceiling on the baseline's metric is the cold-start guard; a group with
  // a trusted history is judged on that metric against its history alone (a heavy agent's usual day
  // may be over a light agent's ceiling). Ceilings on other metrics, which the baseline does not
  // learn, still apply.
  const skip = trusted && baseline.thresholdUntilTrusted ? baseline.metric : undefined;
  if (overCeiling(rule, obs.sums, skip)) {
    const window = formatDuration(rule.windowMs);
    const observed = pick(obs.sums);
    const exceeded = METRICS.filter((m) => m !== skip && rule.threshold[m] !== undefined && obs.sums[m] > rule.threshold[m]);
    const parts = exceeded.map((m) => `${describeAmount(m, obs.sums[m])} in ${window} (ceiling ${describeAmount(m, rule.threshold[m]!)})`);
    return {
      reason: parts.join('; '),
      evidence: { window, observed, threshold: { ...rule.threshold } },
      windowStartMs,
    };
  }
  if (!trusted) return undefined;
  const value = obs.sums[baseline.metric];
  if (value < baseline.minObserved || value < baseline.minRatio * b.median || value <= baseline.overPeak * b.max) return undefined;
  const score = robustScore(value, b.median, b.mad);
  if (score < baseline.above) return undefined;
  const window = formatDuration(rule.windowMs);
  const observed = pick(obs.sums);
  return {
    reason:
      `${describeAmount(baseline.metric, value)} in ${window}; usual for this ${subjectNoun(rule.groupBy)} is ` +
      `${describeAmount(baseline.metric, b.median)} (robust z ${round(score, 1)})`,
    evidence: {
      window,
      observed,
      baseline: { metric: baseline.metric, median: b.median, mad: b.mad, max: b.max, score: round(score, 2), samples: b.samples },
    },
    windowStartMs,
  };
}

function pick(s: Sums): Sums {
  return { count: s.count, bytes: s.bytes, records: s.records };
}

/** "agent" for [agent.id], "principal+agent" for [principal.id, agent.id]. */
export function subjectNoun(groupBy: readonly string[]): string {
  return groupBy.map((p) => p.split('.')[0]).join('+');
}
