/*
 * In-memory sliding window for one state key: per-slot sums on event time, a running sum for the
 * in-order fast path, and per-bucket peaks for the learned baseline.
 */
import { lowerBound, robustStatsSorted, upperBound } from '../baseline.js';
import { IdHorizon, type IdMemory, type IdSnapshot } from '../ids.js';
import { slotOf } from '../slots.js';
import type { BaselineStats, Sums, WindowInput, WindowObservation, WindowSpec } from '../types.js';

/** Slots a new window has room for before its buffer first grows (it doubles when full). */
const INITIAL_SLOTS = 8;
/** Likewise for the buckets' peaks. */
const INITIAL_PEAKS = 8;
/** A bucket's peak before its first input (window sums are never negative). */
const EMPTY = -Infinity;

/**
 * A window as plain data: [head slot or null, first seen, last seen, slots as flat
 * [slot, count, bytes, records]..., peaks as flat [bucket, peak]..., id memory]. The running sums
 * are the slots' and the cached statistics are recomputed, so neither is stored.
 */
export type WindowSnapshot = [number | null, number | null, number | null, number[], number[], IdSnapshot | null];

export class MemoryWindow {
  /*
   * The slots held, in ascending slot order, as a queue of [slot, count, bytes, records] records in
   * one Float64Array, consumed from `front` (slot positions, not array indices). Slots are created
   * at the back nearly always (in-order input), leave the window and are forgotten at the front, so
   * moving the window's end costs one step per slot held that leaves it, not one per slot number
   * passed (a Map keyed by slot number cost a lookup per number: at 5-second slots, an agent idle
   * for a minute paid twelve). One flat buffer keeps a slot's numbers in one cache line: thousands
   * of windows take turns, and most of a window's cost was fetching its pieces.
   */
  private buf = new Float64Array(INITIAL_SLOTS * 4);
  private front = 0;
  private end = 0;
  /** Position of the first slot inside the window ending at head; the slots before it have left it. */
  private inWindow = 0;
  private readonly slotsPerWindow: number;
  /** Slots kept behind the window for late input. */
  private readonly lateSlots: number;
  /** Highest slot seen and the running sums of the window ending there. */
  private head = -Infinity;
  private runCount = 0;
  private runBytes = 0;
  private runRecords = 0;
  /**
   * The peak of each bucket with input, as [bucket, peak] pairs in ascending bucket order in one
   * Float64Array, consumed from `pkFront` (pair positions): the current bucket is the last pair,
   * and buckets leave the history at the front.
   */
  private pk = new Float64Array(INITIAL_PEAKS * 2);
  private pkFront = 0;
  private pkEnd = 0;
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
    const slots = Array.from(this.buf.subarray(this.front * 4, this.end * 4));
    const peaks = Array.from(this.pk.subarray(this.pkFront * 2, this.pkEnd * 2));
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
      const at = w.push(slots[i]!) * 4;
      w.buf[at + 1] = slots[i + 1]!;
      w.buf[at + 2] = slots[i + 2]!;
      w.buf[at + 3] = slots[i + 3]!;
    }
    const byBucket: number[] = [];
    for (let i = 0; i + 1 < peaks.length; i += 2) byBucket.push(i);
    byBucket.sort((a, b) => peaks[a]! - peaks[b]!);
    for (const i of byBucket) {
      const at = w.pushPeak(peaks[i]!) * 2 + 1;
      w.pk[at] = peaks[i + 1]!;
    }
    if (head !== null) {
      w.inWindow = w.firstAtOrAfter(head - w.slotsPerWindow + 1);
      const r = w.sumWindowAt(head);
      w.runCount = r.count;
      w.runBytes = r.bytes;
      w.runRecords = r.records;
    }
    return w;
  }

  apply(input: WindowInput): WindowObservation {
    const fresh = this.ids.add(input.id, input.timeMs);
    const s = slotOf(input.timeMs, this.spec.slotMs);
    if (fresh) this.add(s, input);
    if (input.timeMs > this.lastSeenMs) this.lastSeenMs = input.timeMs;
    if (input.timeMs < this.firstSeenMs) this.firstSeenMs = input.timeMs;
    const sums = s === this.head ? { count: this.runCount, bytes: this.runBytes, records: this.runRecords } : this.sumWindowAt(s);
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
    const buf = this.buf;
    const back = this.end - 1;
    let i: number;
    if (back >= this.front && buf[back * 4] === s) {
      i = back;
    } else if (back < this.front || buf[back * 4]! < s) {
      i = this.push(s);
    } else {
      // Behind the newest slot (out of order): an existing slot, or a new one put in its place.
      i = this.firstAtOrAfter(s);
      if (this.buf[i * 4] !== s) {
        i = this.insert(i, s);
        if (s <= this.head - this.slotsPerWindow) this.inWindow++;
      }
    }
    const at = i * 4;
    const b = this.buf;
    b[at + 1]! += 1;
    b[at + 2]! += input.bytes;
    b[at + 3]! += input.records;
    if (s > this.head - this.slotsPerWindow) {
      this.runCount += 1;
      this.runBytes += input.bytes;
      this.runRecords += input.records;
    }
  }

  /** Makes room for one more slot at the back: the forgotten front is dropped first, then the buffer grows. */
  private reserve(): void {
    if (this.end * 4 < this.buf.length) return;
    const live = this.end - this.front;
    const next = live * 2 * 4 <= this.buf.length ? this.buf : new Float64Array(this.buf.length * 2);
    if (next === this.buf) this.buf.copyWithin(0, this.front * 4, this.end * 4);
    else next.set(this.buf.subarray(this.front * 4, this.end * 4));
    this.buf = next;
    this.inWindow -= this.front;
    this.end = live;
    this.front = 0;
  }

  /** A new, empty slot s after every slot held; returns its position. */
  private push(s: number): number {
    this.reserve();
    const i = this.end++;
    const at = i * 4;
    this.buf[at] = s;
    this.buf[at + 1] = 0;
    this.buf[at + 2] = 0;
    this.buf[at + 3] = 0;
    return i;
  }

  /** A new, empty slot s at position i (out of order), the slots from i on moved back by one; returns its position. */
  private insert(i: number, s: number): number {
    const front = this.front;
    this.reserve();
    i -= front - this.front;
    this.buf.copyWithin((i + 1) * 4, i * 4, this.end * 4);
    this.end++;
    const at = i * 4;
    this.buf[at] = s;
    this.buf[at + 1] = 0;
    this.buf[at + 2] = 0;
    this.buf[at + 3] = 0;
    return i;
  }

  /** Position of the first slot held at or after slot s (the end of the queue when there is none). */
  private firstAtOrAfter(s: number): number {
    const buf = this.buf;
    let a = this.front;
    let b = this.end;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (buf[mid * 4]! < s) a = mid + 1;
      else b = mid;
    }
    return a;
  }

  /** Moves the window's end to slot s: slots that leave it stop counting, and slots past lateness are forgotten. */
  private advance(s: number): void {
    const n = this.slotsPerWindow;
    const buf = this.buf;
    const end = this.end;
    if (this.head === -Infinity || s - this.head >= n) {
      this.runCount = 0;
      this.runBytes = 0;
      this.runRecords = 0;
      this.inWindow = end;
    } else {
      // In slot order: sums of fractions depend on the order, and window-5.lua subtracts in it too.
      let i = this.inWindow;
      for (; i < end && buf[i * 4]! <= s - n; i++) {
        this.runCount -= buf[i * 4 + 1]!;
        this.runBytes -= buf[i * 4 + 2]!;
        this.runRecords -= buf[i * 4 + 3]!;
      }
      this.inWindow = i;
    }
    this.head = s;
    const keepFrom = s - n - this.lateSlots;
    let f = this.front;
    while (f < end && buf[f * 4]! < keepFrom) f++;
    this.front = f;
    if (f === end) {
      // Nothing held: start the queue over at the front of the buffer.
      this.front = 0;
      this.end = 0;
      this.inWindow = 0;
    }
  }

  private sumWindowAt(s: number): Sums {
    const sums = { count: 0, bytes: 0, records: 0 };
    const buf = this.buf;
    for (let i = this.firstAtOrAfter(s - this.slotsPerWindow + 1); i < this.end && buf[i * 4]! <= s; i++) {
      sums.count += buf[i * 4 + 1]!;
      sums.bytes += buf[i * 4 + 2]!;
      sums.records += buf[i * 4 + 3]!;
    }
    return sums;
  }

  private recordPeak(bucket: number, value: number): void {
    const pk = this.pk;
    const back = this.pkEnd - 1;
    let i: number;
    if (back >= this.pkFront && pk[back * 2] === bucket) {
      i = back;
    } else if (back < this.pkFront || pk[back * 2]! < bucket) {
      i = this.pushPeak(bucket);
    } else {
      i = this.firstPeakAtOrAfter(bucket);
      if (pk[i * 2] !== bucket) i = this.insertPeak(i, bucket);
    }
    const at = i * 2 + 1;
    if (this.pk[at] === EMPTY || value > this.pk[at]!) {
      this.pk[at] = value;
      // An out-of-order event can raise the peak of a bucket the statistics already used.
      if (this.cachedStats && bucket < this.cachedStats.bucket) this.cachedStats = undefined;
      if (bucket < this.samplesTo) this.sorted = undefined;
    }
  }

  /** Makes room for one more peak at the back: the forgotten front is dropped first, then the buffer grows. */
  private reservePeak(): void {
    if (this.pkEnd * 2 < this.pk.length) return;
    const live = this.pkEnd - this.pkFront;
    if (live * 2 * 2 <= this.pk.length) {
      this.pk.copyWithin(0, this.pkFront * 2, this.pkEnd * 2);
    } else {
      const next = new Float64Array(this.pk.length * 2);
      next.set(this.pk.subarray(this.pkFront * 2, this.pkEnd * 2));
      this.pk = next;
    }
    this.pkEnd = live;
    this.pkFront = 0;
  }

  private pushPeak(bucket: number): number {
    this.reservePeak();
    const i = this.pkEnd++;
    this.pk[i * 2] = bucket;
    this.pk[i * 2 + 1] = EMPTY;
    return i;
  }

  private insertPeak(i: number, bucket: number): number {
    const front = this.pkFront;
    this.reservePeak();
    i -= front - this.pkFront;
    this.pk.copyWithin((i + 1) * 2, i * 2, this.pkEnd * 2);
    this.pkEnd++;
    this.pk[i * 2] = bucket;
    this.pk[i * 2 + 1] = EMPTY;
    return i;
  }

  private firstPeakAtOrAfter(bucket: number): number {
    const pk = this.pk;
    let a = this.pkFront;
    let b = this.pkEnd;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (pk[mid * 2]! < bucket) a = mid + 1;
      else b = mid;
    }
    return a;
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
    const pk = this.pk;
    let sorted = this.sorted;
    let f = this.pkFront;
    if (sorted === undefined || from < this.samplesFrom || to < this.samplesTo || steps > this.pkEnd - f + 64) {
      while (f < this.pkEnd && pk[f * 2]! < from) f++;
      sorted = [];
      for (let i = f; i < this.pkEnd && pk[i * 2]! < to; i++) sorted.push(pk[i * 2 + 1]!);
      sorted.sort((a, b) => a - b);
    } else {
      for (; f < this.pkEnd && pk[f * 2]! < from; f++) {
        const b = pk[f * 2]!;
        // Only the buckets of the last span are in the samples: not one that left the span before
        // it entered (a jump past both ends), nor one recorded behind the span since.
        if (b >= this.samplesFrom && b < this.samplesTo) sorted.splice(lowerBound(sorted, pk[f * 2 + 1]!), 1);
      }
      const entering = Math.max(this.samplesTo, from);
      for (let i = entering > from ? this.firstPeakAtOrAfter(entering) : f; i < this.pkEnd && pk[i * 2]! < to; i++) {
        const peak = pk[i * 2 + 1]!;
        sorted.splice(upperBound(sorted, peak), 0, peak);
      }
    }
    this.pkFront = f;
    if (f === this.pkEnd) {
      this.pkFront = 0;
      this.pkEnd = 0;
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
