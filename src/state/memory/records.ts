/*
 * An ordered queue of fixed-size numeric records in one Float64Array: [key, field, field, ...] per
 * record, keys ascending. Records are added at the back nearly always (input in time order), put in
 * their place now and then (out of order), and forgotten at the front. A window's slots and its
 * baseline's per-bucket peaks are two of these: their numbers sit in a few cache lines, where a Map
 * with an object per entry spread them over many (thousands of windows take turns, and most of a
 * window's cost was fetching its pieces).
 *
 * Positions count records from the start of `buf` (record i is at buf[i * stride]); the live ones
 * are [front, end). Making room may move the live records to the start of the buffer: `moved` is
 * then how far their positions went down, for owners that keep positions of their own. It may also
 * replace `buf`: read `buf` after a call that adds (`q.buf[q.at(k)]` reads the old buffer first).
 */
export class RecordQueue {
  buf: Float64Array;
  front = 0;
  end = 0;
  /** How far positions went down during the last push or insert (0 when nothing moved). */
  moved = 0;
  /** Whether the last at() created the record (false when it found it). */
  created = false;

  constructor(
    readonly stride: number,
    capacity = 8,
  ) {
    this.buf = new Float64Array(capacity * stride);
  }

  /** A new record with this key after every record held, its fields 0 (or `fill`); returns its position. */
  push(key: number, fill = 0): number {
    this.reserve();
    const i = this.end++;
    this.init(i, key, fill);
    return i;
  }

  /** A new record with this key at position i (out of order; the records from i on move back by one); returns its position. */
  insert(i: number, key: number, fill = 0): number {
    this.reserve();
    i -= this.moved;
    const s = this.stride;
    this.buf.copyWithin((i + 1) * s, i * s, this.end * s);
    this.end++;
    this.init(i, key, fill);
    return i;
  }

  /** Position of the record with this key, put in its place (fields 0 or `fill`) if there is none. */
  at(key: number, fill = 0): number {
    this.moved = 0;
    this.created = false;
    const back = this.end - 1;
    const buf = this.buf;
    const s = this.stride;
    if (back >= this.front && buf[back * s] === key) return back;
    const i = back < this.front || buf[back * s]! < key ? this.end : this.firstAtOrAfter(key);
    if (i < this.end && buf[i * s] === key) return i;
    this.created = true;
    return i === this.end ? this.push(key, fill) : this.insert(i, key, fill);
  }

  /** Position of the first record whose key is at least `key` (`end` when there is none). */
  firstAtOrAfter(key: number): number {
    const buf = this.buf;
    const s = this.stride;
    let a = this.front;
    let b = this.end;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (buf[mid * s]! < key) a = mid + 1;
      else b = mid;
    }
    return a;
  }

  /** Forgets the records whose key is below `key`; an emptied queue starts over at the start of the buffer. */
  dropBefore(key: number): void {
    const buf = this.buf;
    const s = this.stride;
    let f = this.front;
    while (f < this.end && buf[f * s]! < key) f++;
    this.front = f;
    if (f === this.end) {
      this.front = 0;
      this.end = 0;
    }
  }

  /** The live records as flat numbers, in order (a snapshot's form). */
  toArray(): number[] {
    return Array.from(this.buf.subarray(this.front * this.stride, this.end * this.stride));
  }

  /** Appends records given flat, in any order of keys (snapshots written before the queue listed them as created). */
  load(flat: readonly number[]): void {
    const s = this.stride;
    const order: number[] = [];
    for (let i = 0; i + s - 1 < flat.length; i += s) order.push(i);
    order.sort((a, b) => flat[a]! - flat[b]!);
    for (const i of order) {
      const at = this.push(flat[i]!) * s;
      for (let k = 1; k < s; k++) this.buf[at + k] = flat[i + k]!;
    }
  }

  private init(i: number, key: number, fill: number): void {
    const at = i * this.stride;
    this.buf[at] = key;
    for (let k = 1; k < this.stride; k++) this.buf[at + k] = fill;
  }

  /** Room for one more record at the back: the forgotten front is dropped first when that frees half the buffer, else the buffer doubles. */
  private reserve(): void {
    this.moved = 0;
    const s = this.stride;
    if (this.end * s < this.buf.length) return;
    const live = this.end - this.front;
    if (live * 2 * s <= this.buf.length) {
      this.buf.copyWithin(0, this.front * s, this.end * s);
    } else {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf.subarray(this.front * s, this.end * s));
      this.buf = next;
    }
    this.moved = this.front;
    this.end = live;
    this.front = 0;
  }
}
