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

export class IdHorizon implements IdMemory {
  private readonly ids = new Set<string>();
  // Arrival order as a queue (ids and their times, consumed from `head`): pruning reads the front
  // without allocating an iterator, since it runs on every add of every state key.
  private order: string[] = [];
  private orderTimes: number[] = [];
  private head = 0;
  private maxTimeMs = -Infinity;

  constructor(private readonly horizonMs: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers the id; returns false when it was already there. */
  add(id: string, timeMs: number): boolean {
    // One hash lookup: a Set's size grows only when the id is new.
    const before = this.ids.size;
    this.ids.add(id);
    if (this.ids.size === before) return false;
    this.order.push(id);
    this.orderTimes.push(timeMs);
    if (timeMs > this.maxTimeMs) this.maxTimeMs = timeMs;
    this.prune();
    return true;
  }

  get size(): number {
    return this.ids.size;
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
    for (const id of ids) h.ids.add(id);
    if (ids.length > 0) h.maxTimeMs = max;
    return h;
  }

  // Events arrive nearly in time order, so the oldest are at the front. A late straggler further
  // in is kept a little longer, never dropped early.
  private prune(): void {
    const cutoff = this.maxTimeMs - this.horizonMs;
    const { order, orderTimes } = this;
    let head = this.head;
    while (head < order.length && orderTimes[head]! < cutoff) {
      this.ids.delete(order[head]!);
      head++;
    }
    if (head > 1024 && head * 2 > order.length) {
      this.order = order.slice(head);
      this.orderTimes = orderTimes.slice(head);
      head = 0;
    }
    this.head = head;
  }
}
