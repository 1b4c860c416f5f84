import { describe, expect, it } from 'vitest';
import { robustStats, robustStatsSorted } from '../../src/state/baseline.js';
import { rng } from '../rng.js';

describe('robustStatsSorted', () => {
  it('gives the bits of robustStats (simple-statistics) on sorted samples: odd and even sizes, ties, fractions, zeros', () => {
    const next = rng(42);
    const shapes: ((i: number) => number)[] = [
      () => Math.floor(next() * 10),
      () => next() * 1e9,
      () => Math.floor(next() * 3) * 1024 + next(),
      () => 0,
      (i) => i * 0.1,
      () => (next() < 0.8 ? 5 : next() * 1e12),
    ];
    const scratch: number[] = [];
    for (let round = 0; round < 3000; round++) {
      const n = 1 + Math.floor(next() * 400);
      const shape = shapes[round % shapes.length]!;
      const xs = Array.from({ length: n }, (_, i) => shape(i));
      const sorted = [...xs].sort((a, b) => a - b);
      const want = robustStats(xs);
      const got = robustStatsSorted(sorted, scratch);
      expect(Object.is(got.median, want.median) && Object.is(got.mad, want.mad), `n=${n} round ${round}: ${JSON.stringify({ got, want })}`).toBe(true);
    }
  });

  it('is 0 and 0 for no samples', () => {
    expect(robustStatsSorted([])).toEqual({ median: 0, mad: 0 });
  });
});
