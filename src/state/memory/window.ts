/*
 * In-memory sliding window for one state key: per-slot sums on event time, a running sum for the
 * in-order fast path, and per-bucket peaks for the learned baseline.
 */
import { lowerBound, robustStatsSorted, upperBound } from '../baseline.js';
import { IdHorizon, type IdMemory, type IdSnapshot } from '../ids.js';
import { slotOf } from '../slots.js';
import type { BaselineStats, Sums, WindowInput, WindowObservation, WindowSpec } from '../types.js';

type Slot = { count: number; bytes: number; records: number };

/**
 * A window as plain data: [head slot or null, first seen, last seen, slots as flat
 * [slot, count, bytes, records]..., peaks as flat [bucket, peak]..., id memory]. The running sums
 * are the slots' and the cached statistics are recomputed, so neither is stored.
 */
export type WindowSnapshot = [number | null, number | null, number | null, number[], number[], IdSnapshot | null];

export class MemoryWindow {
  private readonly slots = new Map<number, Slot>();
  private readonly slotsPerWindow: number;
  /** Highest slot seen and the running sums of the window ending there. */
  private head = -Infinity;
  /** At most the lowest slot held: nothing to forget while it is not below the slots kept. */
  private lowestSlot = Infinity;
  private readonly running: Slot = { count: 0, bytes: 0, records: 0 };
  private readonly peaks = new Map<number, number>();
  private firstSeenMs = Infinity;
  lastSeenMs = -Infinity;
  private cachedStats: { bucket: number; stats: Omit<BaselineStats, 'spanMs'> } | undefined;
  /**
   * The peaks of the buckets in [samplesFrom, samplesTo), sorted ascending: the samples of the last
   * statistics, moved along with the bucket instead of collected and selected again each time.
   * Undefined until first needed, and again after a peak inside that span changed (out of order).
   */
  private sorted: number[] | undefined;
  private samplesFrom = 0;
  private samplesTo = 0;

  constructor(
    private readonly spec: WindowSpec,
    private readonly ids: IdMemory,
    private readonly latenessMs: number,
  ) {
    this.slotsPerWindow = spec.windowMs / spec.slotMs;
  }

  get retainMs(): number {
    return Math.max(this.spec.windowMs + this.latenessMs, this.spec.baseline?.historyMs ?? 0);
  }

  toSnapshot(): WindowSnapshot {
    const slots: number[] = [];
    for (const [k, v] of this.slots) slots.push(k, v.count, v.bytes, v.records);
    const peaks: number[] = [];
    for (const [b, v] of this.peaks) peaks.push(b, v);
    return [finite(this.head), finite(this.firstSeenMs), finite(this.lastSeenMs), slots, peaks, this.ids instanceof IdHorizon ? this.ids.toSnapshot() : null];
  }

  static fromSnapshot(spec: WindowSpec, dedupHorizonMs: number, latenessMs: number, [head, first, last, slots, peaks, ids]: WindowSnapshot): MemoryWindow {
    const w = new MemoryWindow(spec, ids ? IdHorizon.fromSnapshot(dedupHorizonMs, ids) : new IdHorizon(dedupHorizonMs), latenessMs);
    w.head = head ?? -Infinity;
    w.firstSeenMs = first ?? Infinity;
    w.lastSeenMs = last ?? -Infinity;
    for (let i = 0; i + 3 < slots.length; i += 4) {
      w.slots.set(slots[i]!, { count: slots[i + 1]!, bytes: slots[i + 2]!, records: slots[i + 3]! });
      if (slots[i]! < w.lowestSlot) w.lowestSlot = slots[i]!;
    }
    for (let i = 0; i + 1 < peaks.length; i += 2) w.peaks.set(peaks[i]!, peaks[i + 1]!);
    if (head !== null) {
      const r = w.sumWindowAt(head);
      w.running.count = r.count;
      w.running.bytes = r.bytes;
      w.running.records = r.records;
    }
    return w;
  }

  apply(input: WindowInput): WindowObservation {
    const fresh = this.ids.add(input.id, input.timeMs);
    const s = slotOf(input.timeMs, this.spec.slotMs);
    if (fresh) this.add(s, input);
    if (input.timeMs > this.lastSeenMs) this.lastSeenMs = input.timeMs;
    if (input.timeMs < this.firstSeenMs) this.firstSeenMs = input.timeMs;
    const r = this.running;
    const sums = s === this.head ? { count: r.count, bytes: r.bytes, records: r.records } : this.sumWindowAt(s);
    const baseline = this.spec.baseline;
    if (!baseline) return { duplicate: !fresh, sums };
    const bucket = Math.floor(input.timeMs / baseline.bucketMs);
    // The history ends where this window begins: buckets the window overlaps hold its own start (an
    // anomaly that crosses a bucket boundary would otherwise become its own baseline).
    const st = this.statsBefore(Math.floor((input.timeMs - this.spec.windowMs) / baseline.bucketMs));
    const obs: WindowObservation = {
      duplicate: !fresh,
      sums,
      baseline: { median: st.median, mad: st.mad, max: st.max, samples: st.samples, spanMs: input.timeMs - this.firstSeenMs },
    };
    if (fresh) this.recordPeak(bucket, sums[baseline.metric]);
    return obs;
  }

  private add(s: number, input: WindowInput): void {
    if (s > this.head) this.advance(s);
    let slot = this.slots.get(s);
    if (!slot) {
      slot = { count: 0, bytes: 0, records: 0 };
      this.slots.set(s, slot);
      if (s < this.lowestSlot) this.lowestSlot = s;
    }
    slot.count += 1;
    slot.bytes += input.bytes;
    slot.records += input.records;
    if (s > this.head - this.slotsPerWindow) {
      this.running.count += 1;
      this.running.bytes += input.bytes;
      this.running.records += input.records;
    }
  }

  /** Moves the window's end to slot s: slots that leave it stop counting, and slots past lateness are forgotten. */
  private advance(s: number): void {
    const n = this.slotsPerWindow;
    if (this.head === -Infinity || s - this.head >= n) {
      this.running.count = 0;
      this.running.bytes = 0;
      this.running.records = 0;
    } else {
      for (let leaving = this.head - n + 1; leaving <= s - n; leaving++) {
        const slot = this.slots.get(leaving);
        if (!slot) continue;
        this.running.count -= slot.count;
        this.running.bytes -= slot.bytes;
        this.running.records -= slot.records;
      }
    }
    this.head = s;
    const keepFrom = s - n - Math.ceil(this.latenessMs / this.spec.slotMs);
    if (this.lowestSlot >= keepFrom) return;
    let lowest = Infinity;
    for (const k of this.slots.keys()) {
      if (k < keepFrom) this.slots.delete(k);
      else if (k < lowest) lowest = k;
    }
    this.lowestSlot = lowest;
  }

  private sumWindowAt(s: number): Sums {
    const sums = { count: 0, bytes: 0, records: 0 };
    for (let k = s - this.slotsPerWindow + 1; k <= s; k++) {
      const slot = this.slots.get(k);
      if (!slot) continue;
      sums.count += slot.count;
      sums.bytes += slot.bytes;
      sums.records += slot.records;
    }
    return sums;
  }

  private recordPeak(bucket: number, value: number): void {
    const prev = this.peaks.get(bucket);
    if (prev === undefined || value > prev) {
      this.peaks.set(bucket, value);
      // An out-of-order event can raise the peak of a bucket the statistics already used.
      if (this.cachedStats && bucket < this.cachedStats.bucket) this.cachedStats = undefined;
      if (bucket < this.samplesTo) this.sorted = undefined;
    }
  }

  /** Statistics of the buckets in the history before `bucket` (where the window begins); peaks older than the history are forgotten. */
  private statsBefore(bucket: number): Omit<BaselineStats, 'spanMs'> {
    const baseline = this.spec.baseline!;
    if (this.cachedStats?.bucket === bucket) return this.cachedStats.stats;
    const from = bucket - Math.floor(baseline.historyMs / baseline.bucketMs);
    const sorted = this.samplesFor(from, bucket);
    const n = sorted.length;
    const stats = { ...robustStatsSorted(sorted, SCRATCH), max: n === 0 ? 0 : sorted[n - 1]!, samples: n };
    this.cachedStats = { bucket, stats };
    return stats;
  }

  /**
   * The sorted peaks of the buckets in [from, to). Moving forward from the last span, the buckets
   * that left it are taken out (and forgotten) and those that entered put in; a span that went
   * back, jumped further than the peaks held, or had a peak change is collected afresh.
   */
  private samplesFor(from: number, to: number): number[] {
    const steps = from - this.samplesFrom + (to - this.samplesTo);
    let sorted = this.sorted;
    if (sorted === undefined || from < this.samplesFrom || to < this.samplesTo || steps > this.peaks.size + 64) {
      sorted = [];
      for (const [b, peak] of this.peaks) {
        if (b < from) this.peaks.delete(b);
        else if (b < to) sorted.push(peak);
      }
      sorted.sort((a, b) => a - b);
    } else {
      for (let b = this.samplesFrom; b < from; b++) {
        const peak = this.peaks.get(b);
        if (peak === undefined) continue;
        // A bucket that left the span before it entered (a jump past both ends) was never put in.
        if (b < this.samplesTo) sorted.splice(lowerBound(sorted, peak), 1);
        this.peaks.delete(b);
      }
      for (let b = Math.max(this.samplesTo, from); b < to; b++) {
        const peak = this.peaks.get(b);
        if (peak !== undefined) sorted.splice(upperBound(sorted, peak), 0, peak);
      }
    }
    this.sorted = sorted;
    this.samplesFrom = from;
    this.samplesTo = to;
    return sorted;
  }
}

/** Working space of robustStatsSorted, shared: statistics are computed one at a time. */
const SCRATCH: number[] = [];

/** JSON has no infinities: the unset extremes travel as null. */
export function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}
