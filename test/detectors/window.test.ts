import { describe, expect, it } from 'vitest';
import { evaluateWindow, robustScore } from '../../src/detectors/index.js';
import type { WindowRule } from '../../src/rules/types.js';
import type { WindowObservation } from '../../src/state/index.js';
import { rule } from './fixtures.js';

const T = Date.parse('2026-11-02T10:00:00Z');
const D = 86_400_000;
const obs = (sums: Partial<WindowObservation['sums']>, baseline?: WindowObservation['baseline']): WindowObservation => ({
  duplicate: false,
  sums: { count: 0, bytes: 0, records: 0, ...sums },
  ...(baseline ? { baseline } : {}),
});

describe('window detector: static ceilings', () => {
  const r = rule<WindowRule>({ kind: 'rate', windowMs: 60_000, threshold: { count: 50 } });
  it('fires once the count exceeds the ceiling, not at it', () => {
    expect(evaluateWindow(r, T, obs({ count: 50 }))).toBeUndefined();
    const hit = evaluateWindow(r, T, obs({ count: 51 }))!;
    expect(hit.reason).toBe('51 events in 1m (ceiling 50 events)');
    expect(hit.evidence).toEqual({ window: '1m', observed: { count: 51, bytes: 0, records: 0 }, threshold: { count: 50 } });
    expect(hit.windowStartMs).toBe(T - 60_000);
  });
  it('names sizes in the units the rule language uses', () => {
    const bulk = rule<WindowRule>({ kind: 'bulk_download', windowMs: 300_000, threshold: { bytes: 2e9 } });
    expect(evaluateWindow(bulk, T, obs({ count: 3, bytes: 2.5e9 }))!.reason).toBe('2.5 GB in 5m (ceiling 2 GB)');
  });
});

describe('window detector: learned baseline', () => {
  const baseline = { metric: 'bytes' as const, historyMs: 14 * D, bucketMs: 3_600_000, above: 6, minHistoryMs: 3 * D, minObserved: 100e6, minRatio: 1, overPeak: 0, growth: 2, thresholdUntilTrusted: false };
  const r = rule<WindowRule>({ kind: 'bulk_download', windowMs: 300_000, threshold: {}, baseline });
  const learned = { median: 4e6, mad: 0.6e6, max: 30e6, samples: 310, spanMs: 10 * D };

  it('fires on an anomaly against the group\'s own history and explains it in numbers', () => {
    const hit = evaluateWindow(r, T, obs({ count: 40, bytes: 812e6 }, learned))!;
    expect(hit.reason).toBe('812 MB in 5m; usual for this agent is 4 MB (robust z 908.3)');
    expect(hit.evidence['baseline']).toEqual({ metric: 'bytes', median: 4e6, mad: 0.6e6, max: 30e6, score: 908.31, samples: 310 });
  });
  it('does not trust a baseline before minHistory (cold start)', () => {
    expect(evaluateWindow(r, T, obs({ bytes: 812e6 }, { ...learned, spanMs: 2 * D }))).toBeUndefined();
  });
  it('ignores anomalies smaller than minObserved', () => {
    expect(evaluateWindow(r, T, obs({ bytes: 90e6 }, learned))).toBeUndefined();
  });
  it('leaves a heavy group alone at its usual volume', () => {
    const heavy = { median: 2e9, mad: 0.4e9, max: 5e9, samples: 200, spanMs: 14 * D };
    expect(evaluateWindow(r, T, obs({ bytes: 3e9 }, heavy))).toBeUndefined();
    expect(evaluateWindow(r, T, obs({ bytes: 40e9 }, heavy))).toBeDefined();
  });
  it('needs the observation to be minRatio times the median as well', () => {
    const ratio = rule<WindowRule>({ kind: 'bulk_download', windowMs: 300_000, threshold: {}, baseline: { ...baseline, minObserved: 0, minRatio: 10 } });
    const steady = { median: 100e6, mad: 0, max: 100e6, samples: 100, spanMs: 14 * D };
    expect(evaluateWindow(ratio, T, obs({ bytes: 500e6 }, steady))).toBeUndefined();
    expect(evaluateWindow(ratio, T, obs({ bytes: 1.1e9 }, steady))).toBeDefined();
  });
  it('with thresholdUntilTrusted, applies the ceiling until the baseline is trusted, then judges by the baseline alone', () => {
    const flood = rule<WindowRule>({
      kind: 'rate',
      windowMs: 300_000,
      threshold: { count: 3000 },
      baseline: { ...baseline, metric: 'count', minObserved: 3000, overPeak: 2, thresholdUntilTrusted: true },
    });
    const heavy = { median: 1500, mad: 400, max: 4200, samples: 150, spanMs: 10 * D };
    // A heavy indexer's usual sync is over the ceiling: left alone once its history is trusted,
    // and caught when it goes past twice its own peak.
    expect(evaluateWindow(flood, T, obs({ count: 4100 }, heavy))).toBeUndefined();
    expect(evaluateWindow(flood, T, obs({ count: 9000 }, heavy))!.reason).toBe('9000 events in 5m; usual for this agent is 1500 events (robust z 12.6)');
    // A new agent (cold start: no history, or too little) is held to the ceiling.
    expect(evaluateWindow(flood, T, obs({ count: 4100 }))!.reason).toBe('4100 events in 5m (ceiling 3000 events)');
    expect(evaluateWindow(flood, T, obs({ count: 4100 }, { ...heavy, spanMs: 2 * D }))!.reason).toBe('4100 events in 5m (ceiling 3000 events)');
    // A ceiling on a metric the baseline does not learn still applies.
    const both = rule<WindowRule>({ ...flood, threshold: { count: 3000, bytes: 2e9 } });
    expect(evaluateWindow(both, T, obs({ count: 4100, bytes: 50e9 }, heavy))!.reason).toBe('50 GB in 5m (ceiling 2 GB)');
    expect(evaluateWindow(both, T, obs({ count: 4100, bytes: 1e9 }, heavy))).toBeUndefined();
    // Without the key the ceiling always applies.
    const always = rule<WindowRule>({ ...flood, baseline: { ...flood.baseline!, thresholdUntilTrusted: false } });
    expect(evaluateWindow(always, T, obs({ count: 4100 }, heavy))!.reason).toBe('4100 events in 5m (ceiling 3000 events)');
  });
  it('with overPeak, needs the observation to exceed the largest bucket in the history by that factor', () => {
    const peak = rule<WindowRule>({ kind: 'bulk_download', windowMs: 300_000, threshold: {}, baseline: { ...baseline, minObserved: 0, overPeak: 3 } });
    const spiky = { median: 10e6, mad: 2e6, max: 200e6, samples: 100, spanMs: 14 * D };
    expect(evaluateWindow(peak, T, obs({ bytes: 550e6 }, spiky))).toBeUndefined();
    expect(evaluateWindow(peak, T, obs({ bytes: 650e6 }, spiky))).toBeDefined();
  });
  it('floors the spread so a perfectly regular group still scores finitely', () => {
    expect(robustScore(150, 100, 0)).toBe(5);
    expect(Number.isFinite(robustScore(1e9, 0, 0))).toBe(true);
  });
});
