/*
 * Slot arithmetic shared by the stores: a window of windowMs is kept as whole slots of slotMs, so a
 * window's sum is the sum of its slots, whichever store computes it.
 */

/** The slot size for a window: the largest of windowMs/60, /50, ... that divides it evenly, at least 1 ms. */
export function slotSizeFor(windowMs: number): number {
  for (const n of [60, 50, 40, 30, 25, 20, 15, 12, 10, 8, 6, 5, 4, 3, 2]) {
    if (windowMs % n === 0) return windowMs / n;
  }
  return windowMs;
}

export function slotOf(timeMs: number, slotMs: number): number {
  return Math.floor(timeMs / slotMs);
}
