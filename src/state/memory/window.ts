/*
 * In-memory sliding window for one state key: per-slot sums on event time, a running sum for the
 * in-order fast path, and per-bucket peaks for the learned baseline.
 */
import { lowerBound, robustStatsSorted, upperBound } from '../baseline.js';
import { IdHorizon, type IdMemory, type IdSnapshot } from '../ids.js';
import { slotOf } from '../slots.js';
import { RecordQueue } from './records.js';
import { growthGuardBuckets, MIN_GROWTH_SAMPLES, type BaselineStats, type Sums, type WindowInput, type WindowObservation, type WindowSpec } from '../types.js';

/** A bucket's peak before its first input (window sums are never negative). */
const EMPTY = -Infinity;

/**
 * A window as plain data: [head slot or null, first seen, last seen, slots as flat
 * [slot, count, bytes, records]..., peaks as flat [bucket, peak]..., id memory]. The running sums
 * are the slots' and the cached statistics are recomputed, so neither is stored.
 */
export type WindowSnapshot = [number | null, number | null, number | null, number[], number[], IdSnapshot | null];

export class MemoryWindow {
  /**
   * The slots held, [slot, count, bytes, records] records in slot order: created at the back nearly
   * always (in-order input), leaving the window and forgotten at the front, so moving the window's
   * end costs one step per slot held that leaves it, not one per slot number passed (a Map keyed by
   * slot number cost a lookup per number: at 5-second slots, an agent idle for a minute paid twelve).
   */
  private readonly slots = new RecordQueue(4);
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
  /** The peak of each bucket with input, [bucket, peak] records in bucket order: the current bucket is the last, and buckets leave the history at the front. */
  private readonly peaks = new RecordQueue(2);
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
  /**
   * The growth cap's history for bucket capBucket (NaN: none computed): the largest peak and the
   * number of active buckets in [capBucket - history, capBucket - guard). Recomputed when the bucket
   * moves, and after the statistics forgot a peak of that span (samplesFor). A raised peak needs
   * nothing: raising it computes its own bucket's cap first.
   */
  private capBucket = NaN;
  private capMax = 0;
  private capSamples = 0;

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
    return [finite(this.head), finite(this.firstSeenMs), finite(this.lastSeenMs), this.slots.toArray(), this.peaks.toArray(), this.ids instanceof IdHorizon ? this.ids.toSnapshot() : null];
  }

  static fromSnapshot(spec: WindowSpec, dedupHorizonMs: number, latenessMs: number, [head, first, last, slots, peaks, ids]: WindowSnapshot): MemoryWindow {
    const w = new MemoryWindow(spec, ids ? IdHorizon.fromSnapshot(dedupHorizonMs, ids) : new IdHorizon(dedupHorizonMs), latenessMs);
    w.head = head ?? -Infinity;
    w.firstSeenMs = first ?? Infinity;
    w.lastSeenMs = last ?? -Infinity;
    w.slots.load(slots);
    w.peaks.load(peaks);
    if (head !== null) {
      w.inWindow = w.slots.firstAtOrAfter(head - w.slotsPerWindow + 1);
      const r = w.sumWindowAt(head);
      w.runCount = r.count;
      w.runBytes = r.bytes;
      w.runRecords = r.records;
    }
    return w;
  }

  apply(input: WindowInput, transient = false): WindowObservation {
    const fresh = this.ids.add(input.id, input.timeMs);
    const s = slotOf(input.timeMs, this.spec.slotMs);
    if (fresh) this.add(s, input);
    if (input.timeMs > this.lastSeenMs) this.lastSeenMs = input.timeMs;
    if (input.timeMs < this.firstSeenMs) this.firstSeenMs = input.timeMs;
    const baseline = this.spec.baseline;
    const obs: WindowObservation = transient
      ? baseline
        ? TRANSIENT_WITH_BASELINE
        : TRANSIENT
      : { duplicate: false, sums: { count: 0, bytes: 0, records: 0 } };
    obs.duplicate = !fresh;
    const sums = obs.sums;
    if (s === this.head) {
      sums.count = this.runCount;
      sums.bytes = this.runBytes;
      sums.records = this.runRecords;
    } else this.sumWindowAt(s, sums);
    if (!baseline) return obs;
    const bucket = Math.floor(input.timeMs / baseline.bucketMs);
    // The history ends where this window begins: buckets the window overlaps hold its own start (an
    // anomaly that crosses a bucket boundary would otherwise become its own baseline).
    const st = this.statsBefore(Math.floor((input.timeMs - this.spec.windowMs) / baseline.bucketMs));
    const b = transient ? TRANSIENT_WITH_BASELINE.baseline : { median: 0, mad: 0, max: 0, samples: 0, spanMs: 0 };
    b.median = st.median;
    b.mad = st.mad;
    b.max = st.max;
    b.samples = st.samples;
    b.spanMs = input.timeMs - this.firstSeenMs;
    obs.baseline = b;
    if (fresh) this.recordPeak(bucket, sums[baseline.metric]);
    return obs;
  }

  private add(s: number, input: WindowInput): void {
    if (s > this.head) this.advance(s);
    const q = this.slots;
    let i = q.end - 1;
    // Nearly always the newest slot; else found or created (and the buffer perhaps replaced).
    if (i < q.front || q.buf[i * 4] !== s) {
      i = q.at(s);
      this.inWindow -= q.moved;
      // A new slot put in behind the window (out of order) comes before the first slot inside it.
      if (q.created && s <= this.head - this.slotsPerWindow) this.inWindow++;
    }
    const at = i * 4;
    const b = q.buf;
    b[at + 1]! += 1;
    b[at + 2]! += input.bytes;
    b[at + 3]! += input.records;
    if (s > this.head - this.slotsPerWindow) {
      this.runCount += 1;
      this.runBytes += input.bytes;
      this.runRecords += input.records;
    }
  }

  /** Moves the window's end to slot s: slots that leave it stop counting, and slots past lateness are forgotten. */
  private advance(s: number): void {
    const n = this.slotsPerWindow;
    const q = this.slots;
    const buf = q.buf;
    const end = q.end;
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
    q.dropBefore(s - n - this.lateSlots);
    // Emptied, the queue starts over at the start of its buffer.
    if (q.end === 0) this.inWindow = 0;
  }

  private sumWindowAt(s: number, sums: Sums = { count: 0, bytes: 0, records: 0 }): Sums {
    sums.count = 0;
    sums.bytes = 0;
    sums.records = 0;
    const q = this.slots;
    const buf = q.buf;
    for (let i = q.firstAtOrAfter(s - this.slotsPerWindow + 1); i < q.end && buf[i * 4]! <= s; i++) {
      sums.count += buf[i * 4 + 1]!;
      sums.bytes += buf[i * 4 + 2]!;
      sums.records += buf[i * 4 + 3]!;
    }
    return sums;
  }

  private recordPeak(bucket: number, value: number): void {
    const at = this.peaks.at(bucket, EMPTY) * 2 + 1;
    const pk = this.peaks.buf;
    if (!(value > pk[at]!)) return;
    const growth = this.spec.baseline!.growth;
    if (growth !== undefined) {
      const cap = this.capFor(bucket, growth.factor, growth.floor);
      if (value > cap) value = cap;
      if (!(value > pk[at]!)) return;
    }
    pk[at] = value;
    // An out-of-order event can raise the peak of a bucket the statistics already used.
    if (this.cachedStats && bucket < this.cachedStats.bucket) this.cachedStats = undefined;
    if (bucket < this.samplesTo) this.sorted = undefined;
    // The growth cap needs no clearing here: a raised peak's own cap was just computed, so the
    // cache is for this bucket, whose cap history ends before it.
  }

  private get historyBuckets(): number {
    const b = this.spec.baseline!;
    return Math.floor(b.historyMs / b.bucketMs);
  }

  private get capGuard(): number {
    const b = this.spec.baseline!;
    return b.growth ? growthGuardBuckets(b.growth.guardMs, b.bucketMs) : 0;
  }

  /**
   * The most a peak of `bucket` is learned as: `factor` times the largest peak of the history's
   * buckets that ended a guard (a day) or more before it began, but not less than `floor`; no limit
   * while fewer than MIN_GROWTH_SAMPLES of them are active or all their peaks are 0. So an anomaly
   * that runs for hours (each hour restricted, the agent carrying on after its quarantine) does not
   * become the peak its next hours are judged against, and a real change of habit is learned over
   * days (twice as much each day) instead.
   */
  private capFor(bucket: number, factor: number, floor: number): number {
    if (this.capBucket !== bucket) {
      const from = bucket - this.historyBuckets;
      const to = bucket - this.capGuard;
      const q = this.peaks;
      const pk = q.buf;
      let max = 0;
      let n = 0;
      for (let i = q.firstAtOrAfter(from); i < q.end && pk[i * 2]! < to; i++) {
        n++;
        if (pk[i * 2 + 1]! > max) max = pk[i * 2 + 1]!;
      }
      this.capBucket = bucket;
      this.capMax = max;
      this.capSamples = n;
    }
    return this.capSamples >= MIN_GROWTH_SAMPLES && this.capMax > 0 ? Math.max(factor * this.capMax, floor) : Infinity;
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
    const q = this.peaks;
    const pk = q.buf;
    let sorted = this.sorted;
    if (sorted === undefined || from < this.samplesFrom || to < this.samplesTo || steps > q.end - q.front + 64) {
      sorted = [];
      for (let i = q.firstAtOrAfter(from); i < q.end && pk[i * 2]! < to; i++) sorted.push(pk[i * 2 + 1]!);
      sorted.sort((a, b) => a - b);
    } else {
      let i = q.front;
      for (; i < q.end && pk[i * 2]! < from; i++) {
        const b = pk[i * 2]!;
        // Only the buckets of the last span are in the samples: not one that left the span before
        // it entered (a jump past both ends), nor one recorded behind the span since.
        if (b >= this.samplesFrom && b < this.samplesTo) sorted.splice(lowerBound(sorted, pk[i * 2 + 1]!), 1);
      }
      const entering = Math.max(this.samplesTo, from);
      for (let k = entering > from ? q.firstAtOrAfter(entering) : i; k < q.end && pk[k * 2]! < to; k++) {
        const peak = pk[k * 2 + 1]!;
        sorted.splice(upperBound(sorted, peak), 0, peak);
      }
    }
    q.dropBefore(from);
    // Peaks forgotten from the growth cap's history: its cached figures may count them.
    if (from > this.capBucket - this.historyBuckets) this.capBucket = NaN;
    this.sorted = sorted;
    this.samplesFrom = from;
    this.samplesTo = to;
    return sorted;
  }
}

/** The observations `apply(input, true)` fills and returns, one per shape (OpenState.apply). */
const TRANSIENT: WindowObservation = { duplicate: false, sums: { count: 0, bytes: 0, records: 0 } };
const TRANSIENT_WITH_BASELINE: WindowObservation & { baseline: BaselineStats } = {
  duplicate: false,
  sums: { count: 0, bytes: 0, records: 0 },
  baseline: { median: 0, mad: 0, max: 0, samples: 0, spanMs: 0 },
};

/** Working space of robustStatsSorted, shared: statistics are computed one at a time. */
const SCRATCH: number[] = [];

/** JSON has no infinities: the unset extremes travel as null. */
export function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}
