import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/state/index.js';
import { IdHorizon, NO_ID_MEMORY } from '../../src/state/ids.js';
import { createState } from '../../src/state/memory/store.js';
import { MemoryWindow } from '../../src/state/memory/window.js';
import type { OpenState, StoreOp } from '../../src/state/types.js';
import { describeStoreConformance } from './conformance.js';

describeStoreConformance('memory', () => new MemoryStore());

describe('memory store', () => {
  it('drops keys idle past their retention, so memory stays bounded', async () => {
    const store = new MemoryStore();
    const T0 = Date.parse('2026-11-02T00:00:00Z');
    for (let i = 0; i < 30_000; i++) {
      await store.apply([{ type: 'window', key: { rule: 'r', group: `agent-${i}` }, spec: { windowMs: 60_000, slotMs: 1000 }, inputs: [{ id: `e${i}`, timeMs: T0 + i * 1000, bytes: 1, records: 0 }] }]);
    }
    // Windows of 1 minute plus 10 minutes of lateness: only the last ~11 minutes of agents remain after a sweep.
    expect(store.size).toBeLessThan(12_000);
  });
});

describe('memory window', () => {
  const T0 = Date.parse('2026-11-02T00:00:00Z');
  const spec = { windowMs: 60_000, slotMs: 10_000 };
  const input = (id: string, t: number, bytes = 1) => ({ id, timeMs: T0 + t, bytes, records: 0 });

  it('keeps its slots in order whatever the order of the input, and restores an unordered snapshot', () => {
    const w = new MemoryWindow(spec, NO_ID_MEMORY, 600_000);
    // In order, then behind the newest slot: into an existing slot, a new slot inside the window,
    // and a new slot behind it.
    for (const [id, t] of [['a', 0], ['b', 30_000], ['c', 95_000], ['d', 31_000], ['e', 52_000], ['f', 12_000]] as const) w.apply(input(id, t));
    const [, , , slots] = w.toSnapshot();
    const ids = slots.filter((_, i) => i % 4 === 0);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // The window ending at c's slot (9): slots 4..9 hold e (5) and c (9).
    expect(w.apply(input('g', 96_000)).sums.count).toBe(3);

    const snapshot = w.toSnapshot();
    const pairs: number[][] = [];
    for (let i = 0; i < snapshot[3].length; i += 4) pairs.push(snapshot[3].slice(i, i + 4));
    const shuffled: typeof snapshot = [snapshot[0], snapshot[1], snapshot[2], pairs.reverse().flat(), snapshot[4], null];
    const restored = MemoryWindow.fromSnapshot(spec, 3_600_000, 600_000, shuffled);
    expect(restored.toSnapshot()[3]).toEqual(snapshot[3]);
    for (const t of [97_000, 40_000, 130_000]) expect(restored.apply(input(`r${t}`, t)).sums).toEqual(w.apply(input(`r${t}`, t)).sums);
  });

  it('forgets slots past the lateness, also one that came in older than that', () => {
    const w = new MemoryWindow(spec, NO_ID_MEMORY, 30_000);
    w.apply(input('a', 200_000));
    // Older than the window plus the lateness behind the newest slot: counted in its own window only.
    expect(w.apply(input('old', 10_000)).sums.count).toBe(1);
    const held = () => w.toSnapshot()[3].filter((_, i) => i % 4 === 0).map((s) => s - T0 / 10_000);
    expect(held()).toEqual([1, 20]);
    w.apply(input('b', 210_000));
    expect(held()).toEqual([20, 21]);
  });
});

describe('transient observations (OpenState.apply(input, true))', () => {
  const T0 = Date.parse('2026-11-02T00:00:00Z');
  const HOUR = 3_600_000;
  // Out of order, across buckets, with a repeated id (a duplicate) and a jump past the window.
  const times = [0, 5_000, 4_000, 70_000, 3 * HOUR, 3 * HOUR + 1_000, 2 * HOUR, 26 * HOUR, 26 * HOUR + 7_000, 50 * HOUR];
  const cases: [StoreOp['type'], StoreOp['spec'], (id: string, t: number, i: number) => unknown][] = [
    ['window', { windowMs: 60_000, slotMs: 10_000 }, (id, t, i) => ({ id, timeMs: T0 + t, bytes: i * 10, records: i })],
    ['window', { windowMs: HOUR, slotMs: 60_000, baseline: { metric: 'bytes', bucketMs: HOUR, historyMs: 48 * HOUR } }, (id, t, i) => ({ id, timeMs: T0 + t, bytes: 1 + i * 100, records: 0 })],
    ['profile', { historyMs: 7 * 24 * HOUR }, (id, t, i) => ({ id, timeMs: T0 + t, hourOfWeek: (i * 13) % 168 })],
    ['seen', { historyMs: 24 * HOUR }, (id, t, i) => ({ id, timeMs: T0 + t, value: `v${i % 3}` })],
    ['travel', { retainMs: 24 * HOUR }, (id, t, i) => ({ id, timeMs: T0 + t, lat: i, lon: -i, ...(i % 2 ? { country: 'FR' } : {}) })],
  ];

  it.each(cases)('%s: the same numbers as a lasting observation, and lasting ones are never overwritten', (type, spec, make) => {
    const a = createState(type, spec, new IdHorizon(HOUR), HOUR, 600_000) as unknown as OpenState<typeof type>;
    const b = createState(type, spec, new IdHorizon(HOUR), HOUR, 600_000) as unknown as OpenState<typeof type>;
    const lasting: unknown[] = [];
    const copies: unknown[] = [];
    times.forEach((t, i) => {
      const id = i === 5 ? 'e1' : `e${i}`;
      const kept = a.apply(make(id, t, i) as never);
      const transient = b.apply(make(id, t, i) as never, true);
      expect(transient).toEqual(kept);
      lasting.push(kept);
      copies.push(structuredClone(kept));
    });
    expect(lasting).toEqual(copies);
    expect(new Set(lasting).size).toBe(lasting.length);
  });
});
