/*
 * A set of ids remembered for a bounded span of event time: the dedup memory behind "an event
 * applied twice changes nothing". Ids leave in arrival order once older than the horizon.
 */

/** What a state key remembers of the input ids applied to it. */
export interface IdMemory {
  /** Remembers the id; returns false when it was already there. */
  add(id: string, timeMs: number): boolean;
}

/**
 * For a store whose only caller drops repeated ids before any state work (the engine's markSeen on
 * an in-process store, where nothing can half-apply a batch): per-key memory could only repeat that
 * answer, so it remembers nothing.
 */
export const NO_ID_MEMORY: IdMemory = { add: () => true };

/** [newest time, ids oldest first, each id's time as milliseconds before the newest]. */
export type IdSnapshot = [number, string[], number[]];

/**
 * Live ids beyond which a lookup builds a Set instead of scanning. Lookups are rare (under 1% of
 * adds on the benchmark traffic), so a scan is cheaper than keeping a Set on every add; a key that
 * holds thousands of ids (one grouped by tenant, say) gets the Set, so a lookup stays O(1).
 */
const INDEX_FROM = 4096;

export class IdHorizon implements IdMemory {
  // Arrival order as a queue (ids and their times, consumed from `head`): pruning reads the front
  // without allocating an iterator, since it runs on every add of every state key.
  private order: string[] = [];
  private orderTimes: number[] = [];
  private head = 0;
  private maxTimeMs = -Infinity;
  /**
   * A Set of the live ids, built the first time a key with many ids must look one up, and kept
   * from then on. Most keys never need it: see add().
   */
  private index: Set<string> | undefined;

  /**
   * `byIdOnly`: every add is looked up by id, whatever its time (the stream-level memory of
   * markSeen, which must catch an id repeated with another time). Per-key memories leave it off.
   */
  private readonly byIdOnly: boolean;

  constructor(
    private readonly horizonMs: number,
    byIdOnly = false,
  ) {
    this.byIdOnly = byIdOnly;
    if (byIdOnly) this.index = new Set();
  }

  has(id: string): boolean {
    if (this.index) return this.index.has(id);
    const { order } = this;
    for (let i = order.length - 1; i >= this.head; i--) if (order[i] === id) return true;
    return false;
  }

  /**
   * Remembers the id; returns false when it was already there. An input later than every one the
   * key remembers cannot have been applied to it (an event's id comes with its time), so in-order
   * input, nearly all of it, is remembered without a lookup; an earlier one (out of order, or a
   * redelivery) is looked up: a scan from the newest while the key holds few ids, a Set beyond.
   */
  add(id: string, timeMs: number): boolean {
    if (timeMs <= this.maxTimeMs || this.byIdOnly) {
      if (!this.index && this.order.length - this.head > INDEX_FROM) this.index = new Set(this.order.slice(this.head));
      if (this.has(id)) return false;
    }
    if (timeMs > this.maxTimeMs) this.maxTimeMs = timeMs;
    this.order.push(id);
    this.orderTimes.push(timeMs);
    this.index?.add(id);
    this.prune();
    return true;
  }

  get size(): number {
    return this.order.length - this.head;
  }

  /** The remembered ids in arrival order and their times, as plain data (the cached Redis store's value). */
  toSnapshot(): IdSnapshot {
    const ids = this.order.slice(this.head);
    const max = this.maxTimeMs;
    const ago = new Array<number>(ids.length);
    for (let i = 0; i < ids.length; i++) ago[i] = max - this.orderTimes[this.head + i]!;
    return [ids.length === 0 ? 0 : max, ids, ago];
  }

  /** The memory a snapshot describes; it remembers exactly the snapshot's ids. */
  static fromSnapshot(horizonMs: number, [max, ids, ago]: IdSnapshot): IdHorizon {
    const h = new IdHorizon(horizonMs);
    h.order = ids.slice();
    h.orderTimes = ago.map((a) => max - a);
    if (ids.length > 0) h.maxTimeMs = max;
    return h;
  }

  // Events arrive nearly in time order, so the oldest are at the front. A late straggler further
  // in is kept a little longer, never dropped early.
  private prune(): void {
    const cutoff = this.maxTimeMs - this.horizonMs;
    const { order, orderTimes, index } = this;
    let head = this.head;
    while (head < order.length && orderTimes[head]! < cutoff) {
      index?.delete(order[head]!);
      head++;
    }
    // Compact once the forgotten front is half the queue (amortized O(1) per id): a queue that only
    // moved its head would keep every id a key ever saw.
    if (head >= 16 && head * 2 >= order.length) {
      this.order = order.slice(head);
      this.orderTimes = orderTimes.slice(head);
      head = 0;
    }
    this.head = head;
  }
}
