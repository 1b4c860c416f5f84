/*
 * Robust statistics of a learned baseline: median and median absolute deviation of per-bucket
 * peaks. Every store computes them with these functions (the Redis store's Lua mirrors them), so a
 * baseline means the same thing whichever store holds it.
 */
import { median, medianAbsoluteDeviation, medianSorted } from 'simple-statistics';

export function robustStats(samples: readonly number[]): { median: number; mad: number } {
  if (samples.length === 0) return { median: 0, mad: 0 };
  const xs = samples.slice();
  return { median: median(xs), mad: medianAbsoluteDeviation(xs) };
}

/**
 * robustStats of samples already sorted ascending, to the last bit the same numbers, without
 * copying or selecting: the absolute deviations come out sorted by merging the two sides of the
 * median (m - x below it, x - m above; each the exact negation of x - m), and only as far as their
 * median. `scratch` is reused between calls.
 */
export function robustStatsSorted(sorted: readonly number[], scratch: number[] = []): { median: number; mad: number } {
  const n = sorted.length;
  if (n === 0) return { median: 0, mad: 0 };
  const m = medianSorted(sorted as number[]);
  // Deviations in ascending order: walk outwards from the median, taking the nearer side first.
  let lo = upperBound(sorted, m) - 1;
  let hi = lo + 1;
  const need = Math.floor((n - 1) / 2) + 2;
  scratch.length = 0;
  for (let k = 0; k < n && k < need; k++) {
    const below = lo >= 0 ? m - sorted[lo]! : Infinity;
    const above = hi < n ? sorted[hi]! - m : Infinity;
    if (below <= above) {
      scratch.push(below);
      lo--;
    } else {
      scratch.push(above);
      hi++;
    }
  }
  // medianSorted reads positions floor((n-1)/2) and ceil((n-1)/2) of the n deviations; both are kept.
  return { median: m, mad: medianOfFirst(scratch, n) };
}

/** The median of n sorted values of which only the first floor((n-1)/2)+2 (or all) are given. */
function medianOfFirst(prefix: readonly number[], n: number): number {
  const idx = (n - 1) * 0.5;
  if (idx % 1 === 0) return prefix[idx]!;
  const lower = Math.floor(idx);
  // simple-statistics' interpolation, written as it writes it, so the result is the same bits.
  return prefix[lower]! + (idx - lower) * (prefix[lower + 1]! - prefix[lower]!);
}

/** First index whose value is not less than x (sorted ascending). */
export function lowerBound(sorted: readonly number[], x: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (sorted[mid]! < x) a = mid + 1;
    else b = mid;
  }
  return a;
}

/** First index whose value is greater than x (sorted ascending). */
export function upperBound(sorted: readonly number[], x: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (sorted[mid]! <= x) a = mid + 1;
    else b = mid;
  }
  return a;
}
