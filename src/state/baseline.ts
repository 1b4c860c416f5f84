/*
 * Robust statistics of a learned baseline: median and median absolute deviation of per-bucket
 * peaks. Every store computes them with this function (the Redis store's Lua mirrors it), so a
 * baseline means the same thing whichever store holds it.
 */
import { median, medianAbsoluteDeviation } from 'simple-statistics';

export function robustStats(samples: readonly number[]): { median: number; mad: number } {
  if (samples.length === 0) return { median: 0, mad: 0 };
  const xs = samples.slice();
  return { median: median(xs), mad: medianAbsoluteDeviation(xs) };
}
