/*
 * The id memory behind per-key dedup (IdHorizon): in-order input is remembered without a lookup,
 * anything earlier is looked up (a scan while few ids are held, a Set beyond), ids leave once older
 * than the horizon, and a snapshot (the cached Redis store's value) restores the same memory.
 */
import { describe, expect, it } from 'vitest';
import { IdHorizon } from '../../src/state/ids.js';

const H = 3_600_000;

describe('IdHorizon', () => {
  it('tells a redelivered id from a new one, in order and out of order', () => {
    const ids = new IdHorizon(H);
    expect(ids.add('a', 1000)).toBe(true);
    expect(ids.add('b', 2000)).toBe(true);
    expect(ids.add('late', 1500)).toBe(true); // out of order, new
    expect(ids.add('a', 1000)).toBe(false); // redelivered
    expect(ids.add('late', 1500)).toBe(false);
    expect(ids.add('b', 2000)).toBe(false);
    expect(ids.size).toBe(3);
  });

  it('looks ids up by scanning while it holds few', () => {
    const ids = new IdHorizon(100 * 1000);
    for (let i = 0; i < 200; i++) expect(ids.add(`e${i}`, i * 1000)).toBe(true);
    // 101 ids in the horizon (times 99 s to 199 s): an earlier one is looked up.
    expect(ids.size).toBe(101);
    expect(ids.add('e150', 150_000)).toBe(false);
    expect(ids.add('e50', 50_000)).toBe(true); // forgotten: older than the horizon
    expect(ids.has('e199')).toBe(true);
    expect(ids.has('e98')).toBe(false);
  });

  it('looks ids up in a Set once it holds thousands, and keeps it right as ids leave', () => {
    const ids = new IdHorizon(5000 * 1000);
    for (let i = 0; i < 6000; i++) ids.add(`e${i}`, i * 1000);
    expect(ids.size).toBe(5001);
    expect(ids.add('e5500', 5_500_000)).toBe(false); // the first lookup builds the Set
    expect(ids.add('late', 4_000_000)).toBe(true);
    expect(ids.add('late', 4_000_000)).toBe(false);
    for (let i = 6000; i < 12_000; i++) ids.add(`e${i}`, i * 1000);
    expect(ids.add('e11000', 11_000_000)).toBe(false);
    expect(ids.add('e5500', 5_500_000)).toBe(true); // left the horizon, and the Set
    expect(ids.has('e11999')).toBe(true);
    expect(ids.has('late')).toBe(false);
  });

  it('counts an id repeated with a later time as new per key, and not at stream level (byIdOnly)', () => {
    const key = new IdHorizon(H);
    key.add('a', 1000);
    expect(key.add('a', 5000)).toBe(true);
    const stream = new IdHorizon(H, true);
    stream.add('a', 1000);
    expect(stream.add('a', 5000)).toBe(false);
  });

  it('keeps only the ids inside the horizon, however few a key sees', () => {
    const ids = new IdHorizon(1000);
    for (let i = 0; i < 10_000; i++) ids.add(`e${i}`, i * 10_000);
    expect(ids.size).toBe(1);
    expect(ids.toSnapshot()[1]).toEqual(['e9999']);
  });

  it('restores from its snapshot the same memory', () => {
    const ids = new IdHorizon(H);
    ids.add('a', 10_000);
    ids.add('b', 20_000);
    ids.add('c', 15_000);
    const snapshot = JSON.parse(JSON.stringify(ids.toSnapshot()));
    expect(snapshot).toEqual([20_000, ['a', 'b', 'c'], [10_000, 0, 5000]]);
    const back = IdHorizon.fromSnapshot(H, snapshot);
    expect(back.add('c', 15_000)).toBe(false);
    expect(back.add('d', 12_000)).toBe(true);
    expect(back.toSnapshot()).toEqual([20_000, ['a', 'b', 'c', 'd'], [10_000, 0, 5000, 8000]]);
    expect(IdHorizon.fromSnapshot(H, new IdHorizon(H).toSnapshot()).size).toBe(0);
  });
});
