/*
 * In-memory sliding window for one state key: per-slot sums on event time, a running sum for the
 * in-order fast path, and per-bucket peaks for the learned baseline.
 */
import { lowerBound, robustStatsSorted, upperBound } from '../baseline.js';
import { IdHorizon, type IdMemory, type IdSnapshot } from '../ids.js';
import { slotOf } from '../slots.js';
import type { BaselineStats, Sums, WindowInput, WindowObservation, WindowSpec } from '../types.js';

type Slot = { count: number; bytes: number; records: number };

/** Forgotten slots at the front of the queue beyond which it is compacted (and at least half of it). */
const COMPACT_FROM = 16;

/**
 * A window as plain data: [head slot or null, first seen, last seen, slots as flat
 * [slot, count, bytes, records]..., peaks as flat [bucket, peak]..., id memory]. The running sums
 * are the slots' and the cached statistics are recomputed, so neither is stored.
 */
export type WindowSnapshot = [number | null, number | null, number | null, number[], number[], IdSnapshot | null];

export class MemoryWindow {
  /*
   * The slots held, in ascending slot order, as parallel arrays consumed from `front`: slots are
   * created at the back nearly always (in-order input), leave the window and are forgotten at the
   * front. Moving the window's end costs one step per slot held that leaves it, not one per slot
   * number passed (a Map keyed by slot number cost a lookup per number: at 5-second slots, an
   * agent idle for a minute paid twelve).
   */
  private slotIds: number[] = [];
  private counts: number[] = [];
  private bytes: number[] = [];
  private records: number[] = [];
  private front = 0;
  /** Index of the first slot inside the window ending at head; the slots before it have left it. */
  private inWindow = 0;
  private readonly slotsPerWindow: number;
  /** Slots kept behind the window for late input. */
  private readonly lateSlots: number;
  /** Highest slot seen and the running sums of the window ending there. */
  private head = -Infinity;
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
    this.lateSlots = Math.ceil(latenessMs / spec.slotMs);
  }

  get retainMs(): number {
    return Math.max(this.spec.windowMs + this.latenessMs, this.spec.baseline?.historyMs ?? 0);
  }

  toSnapshot(): WindowSnapshot {
    const slots: number[] = [];
    for (let i = this.front; i < this.slotIds.length; i++) slots.push(this.slotIds[i]!, this.counts[i]!, this.bytes[i]!, this.records[i]!);
    const peaks: number[] = [];
    for (const [b, v] of this.peaks) peaks.push(b, v);
    return [finite(this.head), finite(this.firstSeenMs), finite(this.lastSeenMs), slots, peaks, this.ids instanceof IdHorizon ? this.ids.toSnapshot() : null];
  }

  static fromSnapshot(spec: WindowSpec, dedupHorizonMs: number, latenessMs: number, [head, first, last, slots, peaks, ids]: WindowSnapshot): MemoryWindow {
    const w = new MemoryWindow(spec, ids ? IdHorizon.fromSnapshot(dedupHorizonMs, ids) : new IdHorizon(dedupHorizonMs), latenessMs);
    w.head = head ?? -Infinity;
    w.firstSeenMs = first ?? Infinity;
    w.lastSeenMs = last ?? -Infinity;
    // Snapshots written before the slots were kept in order list them as they were created.
    const order: number[] = [];
    for (let i = 0; i + 3 < slots.length; i += 4) order.push(i);
    order.sort((a, b) => slots[a]! - slots[b]!);
    for (const i of order) {
      w.slotIds.push(slots[i]!);
      w.counts.push(slots[i + 1]!);
      w.bytes.push(slots[i + 2]!);
      w.records.push(slots[i + 3]!);
    }
    for (let i = 0; i + 1 < peaks.length; i += 2) w.peaks.set(peaks[i]!, peaks[i + 1]!);
    if (head !== null) {
      w.inWindow = w.firstAtOrAfter(head - w.slotsPerWindow + 1);
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
    const ids = this.slotIds;
    const back = ids.length - 1;
    let i: number;
    if (back >= this.front && ids[back] === s) {
      i = back;
    } else if (back < this.front || ids[back]! < s) {
      i = this.push(s);
    } else {
      // Behind the newest slot (out of order): an existing slot, or a new one put in its place.
      i = this.firstAtOrAfter(s);
      if (ids[i] !== s) {
        this.insert(i, s);
        if (s <= this.head - this.slotsPerWindow) this.inWindow++;
      }
    }
    this.counts[i]! += 1;
    this.bytes[i]! += input.bytes;
    this.records[i]! += input.records;
    if (s > this.head - this.slotsPerWindow) {
      this.running.count += 1;
      this.running.bytes += input.bytes;
      this.running.records += input.records;
    }
  }

  private push(s: number): number {
    this.slotIds.push(s);
    this.counts.push(0);
    this.bytes.push(0);
    this.records.push(0);
    return this.slotIds.length - 1;
  }

  private insert(i: number, s: number): void {
    this.slotIds.splice(i, 0, s);
    this.counts.splice(i, 0, 0);
    this.bytes.splice(i, 0, 0);
    this.records.splice(i, 0, 0);
  }

  /** Index of the first slot held at or after slot s (the end of the queue when there is none). */
  private firstAtOrAfter(s: number): number {
    const ids = this.slotIds;
    let a = this.front;
    let b = ids.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (ids[mid]! < s) a = mid + 1;
      else b = mid;
    }
    return a;
  }

  /** Moves the window's end to slot s: slots that leave it stop counting, and slots past lateness are forgotten. */
  private advance(s: number): void {
    const n = this.slotsPerWindow;
    const ids = this.slotIds;
    const end = ids.length;
    if (this.head === -Infinity || s - this.head >= n) {
      this.running.count = 0;
      this.running.bytes = 0;
      this.running.records = 0;
      this.inWindow = end;
    } else {
      // In slot order: sums of fractions depend on the order, and window-5.lua subtracts in it too.
      let i = this.inWindow;
      for (; i < end && ids[i]! <= s - n; i++) {
        this.running.count -= this.counts[i]!;
        this.running.bytes -= this.bytes[i]!;
        this.running.records -= this.records[i]!;
      }
      this.inWindow = i;
    }
    this.head = s;
    const keepFrom = s - n - this.lateSlots;
    let f = this.front;
    while (f < end && ids[f]! < keepFrom) f++;
    this.front = f;
    if (f >= COMPACT_FROM && f * 2 >= end) {
      this.slotIds = ids.slice(f);
      this.counts = this.counts.slice(f);
      this.bytes = this.bytes.slice(f);
      this.records = this.records.slice(f);
      this.inWindow -= f;
      this.front = 0;
    }
  }

  private sumWindowAt(s: number): Sums {
    const sums = { count: 0, bytes: 0, records: 0 };
    const ids = this.slotIds;
    for (let i = this.firstAtOrAfter(s - this.slotsPerWindow + 1); i < ids.length && ids[i]! <= s; i++) {
      sums.count += this.counts[i]!;
      sums.bytes += this.bytes[i]!;
      sums.records += this.records[i]!;
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
