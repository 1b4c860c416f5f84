import { describe, expect, it } from 'vitest';
import { RecordQueue } from '../../src/state/memory/records.js';

const keys = (q: RecordQueue) => q.toArray().filter((_, i) => i % q.stride === 0);

describe('RecordQueue', () => {
  it('keeps keys in order, out-of-order records put in their place, existing ones found', () => {
    const q = new RecordQueue(2, 2);
    // The position first: at() may replace the buffer (read q.buf after it).
    const add = (k: number, v: number) => {
      const i = q.at(k);
      q.buf[i * 2 + 1]! += v;
    };
    for (const k of [1, 2, 5, 9]) add(k, k);
    add(4, 4); // behind the back: a new record in its place
    expect(q.created).toBe(true);
    add(2, 20); // an existing one
    expect(q.created).toBe(false);
    expect(q.toArray()).toEqual([1, 1, 2, 22, 4, 4, 5, 5, 9, 9]);
    expect(q.firstAtOrAfter(3)).toBe(q.front + 2);
    expect(q.firstAtOrAfter(10)).toBe(q.end);
  });

  it('reuses the forgotten front before it grows, and says how far positions moved', () => {
    const q = new RecordQueue(1, 4);
    for (const k of [1, 2, 3, 4]) q.push(k);
    q.dropBefore(3);
    expect(q.front).toBe(2);
    const i = q.push(5);
    // Room was made by moving the two live records to the start.
    expect(q.moved).toBe(2);
    expect(i).toBe(2);
    expect(q.buf.length).toBe(4);
    // An insert given a position from before a move lands where it was meant to.
    q.push(7);
    q.dropBefore(4);
    const at = q.firstAtOrAfter(6);
    expect(q.insert(at, 6)).toBe(at - q.moved);
    expect(keys(q)).toEqual([4, 5, 6, 7]);
    // Full with nothing forgotten: the buffer doubles.
    q.push(8);
    expect(q.buf.length).toBe(8);
    expect(keys(q)).toEqual([4, 5, 6, 7, 8]);
  });

  it('starts over at the start of its buffer once emptied, and loads records given in any order', () => {
    const q = new RecordQueue(3);
    q.push(1, 7);
    q.dropBefore(2);
    expect([q.front, q.end]).toEqual([0, 0]);
    q.load([9, 1, 2, 3, 4, 5]);
    expect(q.toArray()).toEqual([3, 4, 5, 9, 1, 2]);
  });
});
