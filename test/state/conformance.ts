/*
 * The state store conformance suite: the semantics every store implementation must keep, run
 * against each (memory here; Redis in its own test file). Each suite run uses fresh key names.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { robustStats, type StateStore, type StoreOp, type StoreResult, type WindowSpec } from '../../src/state/index.js';
import type { SeenObservation } from '../../src/state/types.js';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

export function describeStoreConformance(name: string, makeStore: () => Promise<StateStore> | StateStore): void {
  describe(`state store conformance: ${name}`, () => {
    let store: StateStore;
    const run = randomUUID().slice(0, 8);
    const key = (rule: string, group = 'g') => ({ rule: `${rule}-${run}`, group });
    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => {
      await store.close();
    });
    const one = async <T extends StoreOp>(op: T) => (await store.apply([op]))[0] as Extract<StoreResult, { type: T['type'] }>;

    const win: WindowSpec = { windowMs: M, slotMs: S };
    const w = (id: string, t: number, bytes = 0, records = 0) => ({ id, timeMs: t, bytes, records });

    it('sums a sliding window on event time', async () => {
      const r = await one({ type: 'window', key: key('w1'), spec: win, inputs: [w('a', T0, 10), w('b', T0 + 30 * S, 20, 2), w('c', T0 + 59 * S, 5), w('d', T0 + 61 * S, 1)] });
      expect(r.observations.map((o) => o.sums)).toEqual([
        { count: 1, bytes: 10, records: 0 },
        { count: 2, bytes: 30, records: 2 },
        { count: 3, bytes: 35, records: 2 },
        { count: 3, bytes: 26, records: 2 },
      ]);
      expect(r.observations.every((o) => !o.duplicate)).toBe(true);
    });

    it('counts an out-of-order event in its own window', async () => {
      const k = key('w2');
      await one({ type: 'window', key: k, spec: win, inputs: [w('a', T0, 1), w('b', T0 + 90 * S, 1)] });
      const r = await one({ type: 'window', key: k, spec: win, inputs: [w('late', T0 + 10 * S, 1), w('c', T0 + 100 * S, 1)] });
      expect(r.observations[0]!.sums.count).toBe(2); // a and itself; b is 80 s later
      expect(r.observations[1]!.sums.count).toBe(2); // b and c; the late one is 90 s before c
    });

    it('applies an event id once per key, reporting redeliveries as duplicates', async () => {
      const k = key('w3');
      const first = await one({ type: 'window', key: k, spec: win, inputs: [w('a', T0, 100), w('b', T0 + S, 100)] });
      const again = await one({ type: 'window', key: k, spec: win, inputs: [w('a', T0, 100), w('b', T0 + S, 100), w('c', T0 + 2 * S, 100)] });
      expect(first.observations.map((o) => o.duplicate)).toEqual([false, false]);
      expect(again.observations.map((o) => o.duplicate)).toEqual([true, true, false]);
      expect(again.observations[2]!.sums).toEqual({ count: 3, bytes: 300, records: 0 });
    });

    it('gives the same observations whichever way a stream is cut into batches', async () => {
      const inputs = Array.from({ length: 40 }, (_, i) => w(`e${i}`, T0 + i * 7 * S + (i % 5 === 0 ? -20 * S : 0), i * 10));
      const whole = await one({ type: 'window', key: key('w4'), spec: win, inputs });
      const parts: StoreResult[] = [];
      for (let i = 0; i < inputs.length; i += 7) parts.push(...(await store.apply([{ type: 'window', key: key('w5'), spec: win, inputs: inputs.slice(i, i + 7) }])));
      expect(parts.flatMap((p): unknown[] => p.observations)).toEqual(whole.observations);
    });

    it('learns a baseline from per-bucket peaks, excluding the buckets the window overlaps', async () => {
      const spec: WindowSpec = { windowMs: 5 * M, slotMs: 5 * S, baseline: { metric: 'bytes', bucketMs: H, historyMs: 10 * H } };
      const inputs = [];
      // One event per hour for 8 hours, of 100..800 bytes; then two in the ninth hour.
      for (let h = 0; h < 8; h++) inputs.push(w(`h${h}`, T0 + h * H, (h + 1) * 100));
      inputs.push(w('n1', T0 + 8 * H + 2 * M, 50), w('n2', T0 + 8 * H + 6 * M, 5000));
      const r = await one({ type: 'window', key: key('b1'), spec, inputs });
      const first = r.observations[0]!.baseline!;
      expect(first).toEqual({ median: 0, mad: 0, max: 0, samples: 0, spanMs: 0 });
      // n1's window began in the eighth hour: that hour is left out.
      expect(r.observations[8]!.baseline).toMatchObject({ samples: 7, median: 400, mad: 200, max: 700 });
      const last = r.observations[9]!.baseline!;
      expect(last.samples).toBe(8);
      expect(last.median).toBe(450);
      expect(last.mad).toBe(200);
      expect(last.max).toBe(800);
      expect(last.spanMs).toBe(8 * H + 6 * M);
      expect(r.observations[9]!.sums.bytes).toBe(5050);
    });

    it('leaves the start of a burst that crosses a bucket boundary out of its own baseline', async () => {
      const spec: WindowSpec = { windowMs: H, slotMs: M, baseline: { metric: 'count', bucketMs: H, historyMs: 12 * H } };
      // A quiet event every other hour, then 20 in twenty minutes across the end of hour 9.
      const inputs = [0, 2, 4, 6, 8].map((h) => w(`q${h}`, T0 + h * H));
      for (let i = 0; i < 20; i++) inputs.push(w(`burst${i}`, T0 + 9 * H + 50 * M + i * M));
      const r = await one({ type: 'window', key: key('b5'), spec, inputs });
      const last = r.observations.at(-1)!;
      expect(last.sums.count).toBe(20);
      // Hour 9 holds the burst's first 10 events: judged against hours 0-8 only, not against itself.
      expect(last.baseline).toMatchObject({ samples: 5, median: 1, max: 1 });
    });

    it('learns a peak as at most growth times the largest peak before the last day, never below the floor', async () => {
      const spec = (floor: number): WindowSpec => ({ windowMs: 5 * M, slotMs: 5 * S, baseline: { metric: 'bytes', bucketMs: H, historyMs: 3 * D, growth: { factor: 2, floor, guardMs: D } } });
      // One event of 100 bytes in each of `hours` hours; a day later 1,000 bytes in hour 30 (ended
      // more than a day before it: hours 0-5); an hour later a small event, judged against hour 30.
      const inputs = (hours: number) => [
        ...Array.from({ length: hours }, (_, h) => w(`h${h}`, T0 + h * H + 10 * M, 100)),
        w('big', T0 + 30 * H + 10 * M, 1000),
        w('big2', T0 + 30 * H + 12 * M, 300),
        w('next', T0 + 31 * H + 10 * M, 1),
      ];
      const capped = await one({ type: 'window', key: key('g1'), spec: spec(0), inputs: inputs(6) });
      expect(capped.observations.at(-1)!.baseline).toMatchObject({ samples: 7, max: 200, median: 100 });
      // The observations are the window's own sums: only what is learned is capped.
      expect(capped.observations.at(-2)!.sums.bytes).toBe(1300);
      const floored = await one({ type: 'window', key: key('g2'), spec: spec(500), inputs: inputs(6) });
      expect(floored.observations.at(-1)!.baseline).toMatchObject({ samples: 7, max: 500 });
      // Fewer than 5 active buckets a day back: a group this new learns its peaks as they are.
      const young = await one({ type: 'window', key: key('g3'), spec: spec(0), inputs: inputs(4) });
      expect(young.observations.at(-1)!.baseline).toMatchObject({ samples: 5, max: 1300 });
      // Without growth, as before.
      const free = await one({ type: 'window', key: key('g4'), spec: { ...spec(0), baseline: { metric: 'bytes', bucketMs: H, historyMs: 3 * D } }, inputs: inputs(6) });
      expect(free.observations.at(-1)!.baseline).toMatchObject({ samples: 7, max: 1300 });
    });

    it('learns nothing capped from a history of zeros, and raises the cap as the history grows', async () => {
      const spec: WindowSpec = { windowMs: 5 * M, slotMs: 5 * S, baseline: { metric: 'bytes', bucketMs: H, historyMs: 4 * D, growth: { factor: 2, floor: 0, guardMs: D } } };
      const k = key('g5');
      // Six hours of reads that move no bytes, then a day later the first real download: uncapped.
      const zeros = Array.from({ length: 6 }, (_, h) => w(`z${h}`, T0 + h * H + 10 * M, 0));
      await one({ type: 'window', key: k, spec, inputs: [...zeros, w('first', T0 + 30 * H + 10 * M, 800)] });
      // Day 3: 10,000 bytes, capped at twice the largest peak before the last day (800): 1,600.
      const r = await one({ type: 'window', key: k, spec, inputs: [w('big', T0 + 55 * H + 10 * M, 10_000), w('next', T0 + 56 * H + 10 * M, 1)] });
      expect(r.observations[1]!.baseline).toMatchObject({ samples: 8, max: 1600 });
    });

    it('caps a peak by the buckets that ended a guard or more before it, once exactly 5 of them are active', async () => {
      const spec: WindowSpec = { windowMs: 5 * M, slotMs: 5 * S, baseline: { metric: 'bytes', bucketMs: H, historyMs: 3 * D, growth: { factor: 2, floor: 0, guardMs: D } } };
      // Hours 0-4 at 100 bytes (5 active buckets), hour 7 at 150: it ended 23 hours before hour 31
      // began, inside the guard, so it does not raise the cap (200, not 300).
      const inputs = [
        ...[0, 1, 2, 3, 4].map((h) => w(`h${h}`, T0 + h * H + 10 * M, 100)),
        w('h7', T0 + 7 * H + 10 * M, 150),
        w('big', T0 + 31 * H + 10 * M, 5000),
        w('next', T0 + 32 * H + 10 * M, 0),
      ];
      const r = await one({ type: 'window', key: key('g6'), spec, inputs });
      expect(r.observations.at(-1)!.baseline).toMatchObject({ samples: 7, max: 200 });
    });

    it('caps by the peaks still held, also after the statistics forgot one the cap had counted', async () => {
      const spec: WindowSpec = { windowMs: 5 * M, slotMs: 5 * S, baseline: { metric: 'bytes', bucketMs: H, historyMs: 3 * D, growth: { factor: 2, floor: 0, guardMs: D } } };
      const k = key('g7');
      const at = (h: number, m: number) => T0 + h * H + m * M;
      // Hour 8 at 1,000 bytes, hours 9-13 at 100. At hour 80 the cap's history begins at hour 8
      // (2,000); at hour 81 the statistics forget hour 8, so a late input into hour 80 is capped by
      // hours 9-13 alone (200), as a store reading the state afresh computes it.
      const batches = [
        [w('h8', at(8, 10), 1000), ...[9, 10, 11, 12, 13].map((h) => w(`h${h}`, at(h, 10), 100))],
        [w('x1', at(81, 1), 1)],
        [w('l1', at(80, 59), 1)],
        [w('x2', at(81, 6), 0)],
        [w('l2', at(80, 58), 500)],
        [w('n', at(82, 10), 0)],
      ];
      let last;
      for (const inputs of batches) last = await one({ type: 'window', key: k, spec, inputs });
      expect(last!.observations[0]!.baseline).toMatchObject({ max: 200 });
    });

    it('caps afresh after a late input raised a peak the cap had counted', async () => {
      // No guard (the rules' is a day; a late input cannot reach that far back): the cap of hour 5
      // counts hour 4, which a late input raises after the cap was first computed.
      const spec: WindowSpec = { windowMs: 5 * M, slotMs: 5 * S, baseline: { metric: 'bytes', bucketMs: H, historyMs: 3 * D, growth: { factor: 2, floor: 0, guardMs: 0 } } };
      const k = key('g8');
      await one({ type: 'window', key: k, spec, inputs: [...[0, 1, 2, 3, 4].map((h) => w(`h${h}`, T0 + h * H + 10 * M, 100)), w('a', T0 + 5 * H + 2 * M, 1000)] });
      // Hour 5 is capped at 200 (twice hours 0-4). Then hour 4 is raised to 300 (uncapped: only 4
      // buckets before it), and hour 5's next peak may be 600.
      await one({ type: 'window', key: k, spec, inputs: [w('late', T0 + 4 * H + 58 * M, 300), w('b', T0 + 5 * H + 4 * M, 1000)] });
      const r = await one({ type: 'window', key: k, spec, inputs: [w('n', T0 + 6 * H + 10 * M, 0)] });
      expect(r.observations[0]!.baseline).toMatchObject({ samples: 6, max: 600 });
    });

    it('forgets baseline buckets older than the history', async () => {
      const spec: WindowSpec = { windowMs: M, slotMs: S, baseline: { metric: 'count', bucketMs: H, historyMs: 3 * H } };
      // Two minutes past each hour: each window begins in its own hour.
      const inputs = [0, 1, 2, 3, 4, 5].map((h) => w(`h${h}`, T0 + h * H + 2 * M));
      const r = await one({ type: 'window', key: key('b2'), spec, inputs });
      expect(r.observations.map((o) => o.baseline!.samples)).toEqual([0, 1, 2, 3, 3, 3]);
    });

    it('keeps an hour-of-week profile over its history', async () => {
      const k = key('p1');
      const spec = { historyMs: 2 * D };
      const r = await one({
        type: 'profile', key: k, spec,
        inputs: [
          { id: 'a', timeMs: T0, hourOfWeek: 34 },
          { id: 'b', timeMs: T0 + H, hourOfWeek: 35 },
          { id: 'c', timeMs: T0 + 2 * H, hourOfWeek: 36 },
          { id: 'd', timeMs: T0 + 3 * H, hourOfWeek: 37 + 24 },
          { id: 'c', timeMs: T0 + 2 * H, hourOfWeek: 36 },
        ],
      });
      expect(r.observations.map((o) => [o.total, o.nearHour])).toEqual([[0, 0], [1, 1], [2, 1], [3, 1], [4, 3]]);
      expect(r.observations[4]!.duplicate).toBe(true);
      expect(r.observations[3]!.firstSeenMs).toBe(T0);
      const later = await one({ type: 'profile', key: k, spec, inputs: [{ id: 'e', timeMs: T0 + 3 * D, hourOfWeek: 34 }] });
      expect(later.observations[0]!.total).toBe(0);
    });

    it('remembers which values a group used, until they fall out of its history', async () => {
      const k = key('s1');
      const spec = { historyMs: 2 * D };
      const r = await one({
        type: 'seen', key: k, spec,
        inputs: [
          { id: 'a', timeMs: T0, value: 'DE' },
          { id: 'b', timeMs: T0 + H, value: 'DE' },
          { id: 'c', timeMs: T0 + 2 * H, value: 'FR' },
          { id: 'd', timeMs: T0 + D + 2 * H, value: 'FR' },
          { id: 'e', timeMs: T0 + 2 * D + 3 * H, value: 'DE' },
        ],
      });
      expect(r.observations.map((o) => [o.seenBefore, o.known])).toEqual([[false, 0], [true, 1], [false, 1], [true, 2], [false, 1]]);
      expect(r.observations[2]!.firstSeenMs).toBe(T0);
    });

    it('answers a seen input that comes again as the first time, so a detection lost to a crash is made again', async () => {
      const k = key('s-again');
      const spec = { historyMs: 2 * D };
      const inputs = [
        { id: 'a', timeMs: T0, value: 'DE' },
        { id: 'b', timeMs: T0 + M, value: 'FR' },
        { id: 'c', timeMs: T0 + 2 * M, value: 'DE' },
      ];
      const first = await one({ type: 'seen', key: k, spec, inputs });
      const again = await one({ type: 'seen', key: k, spec, inputs: [...inputs, { id: 'd', timeMs: T0 + 3 * M, value: 'IT' }] });
      const view = (o: SeenObservation) => [o.duplicate, o.seenBefore, o.known];
      expect(first.observations.map(view)).toEqual([[false, false, 0], [false, false, 1], [false, true, 2]]);
      expect(again.observations.map(view)).toEqual([[true, false, 0], [true, false, 1], [true, true, 2], [false, false, 2]]);
    });

    it('reports the position before each event, also out of order', async () => {
      const k = key('t1');
      const spec = { retainMs: D };
      const r = await one({
        type: 'travel', key: k, spec,
        inputs: [
          { id: 'a', timeMs: T0, lat: 52.5, lon: 13.4, country: 'DE' },
          { id: 'b', timeMs: T0 + 10 * M, lat: 40.7, lon: -74, country: 'US' },
          { id: 'c', timeMs: T0 + 5 * M, lat: 48.9, lon: 2.35, country: 'FR' },
          { id: 'd', timeMs: T0 + 3 * D, lat: 0, lon: 0 },
        ],
      });
      expect(r.observations.map((o) => o.previous?.id)).toEqual([undefined, 'a', 'a', undefined]);
      expect(r.observations[1]!.previous).toEqual({ id: 'a', timeMs: T0, lat: 52.5, lon: 13.4, country: 'DE' });
    });

    it('keeps the latest signal of each rule within the span', async () => {
      const k = key('sig');
      const spec = { withinMs: 30 * M };
      const r = await one({
        type: 'signal', key: k, spec,
        inputs: [
          { id: 'e1/x', timeMs: T0, rule: 'x', eventId: 'e1' },
          { id: 'e2/y', timeMs: T0 + 10 * M, rule: 'y', eventId: 'e2' },
          { id: 'e3/y', timeMs: T0 + 45 * M, rule: 'y', eventId: 'e3' },
        ],
      });
      expect(Object.keys(r.observations[1]!.latest).sort()).toEqual(['x', 'y']);
      expect(r.observations[2]!.latest).toEqual({ y: { timeMs: T0 + 45 * M, eventId: 'e3' } });
    });

    it('keeps each signal reason with it, text of any kind, and replaces it with the newer signal', async () => {
      const k = key('sig-reason');
      const spec = { withinMs: 30 * M };
      const reason = '3.2 GB in 1h | usual for this agent is 40 MB (robust z 12.3); ünïcode';
      await one({ type: 'signal', key: k, spec, inputs: [{ id: 'e|1/x', timeMs: T0, rule: 'x', eventId: 'e|1', reason }] });
      const r = await one({
        type: 'signal', key: k, spec,
        inputs: [
          { id: 'e2/y', timeMs: T0 + M, rule: 'y', eventId: 'e2' },
          { id: 'e3/x', timeMs: T0 + 2 * M, rule: 'x', eventId: 'e3', reason: 'new country JP' },
        ],
      });
      expect(r.observations[0]!.latest).toEqual({ x: { timeMs: T0, eventId: 'e|1', reason }, y: { timeMs: T0 + M, eventId: 'e2' } });
      expect(r.observations[1]!.latest['x']).toEqual({ timeMs: T0 + 2 * M, eventId: 'e3', reason: 'new country JP' });
      const later = await one({ type: 'signal', key: k, spec, inputs: [{ id: 'e4/x', timeMs: T0 + 3 * M, rule: 'x', eventId: 'e4' }] });
      expect(later.observations[0]!.latest['x']).toEqual({ timeMs: T0 + 3 * M, eventId: 'e4' });
    });

    it('lets one detection through per cooldown and counts the rest', async () => {
      const k = key('cd');
      const spec = { cooldownMs: 15 * M };
      const r = await one({
        type: 'cooldown', key: k, spec,
        inputs: [
          { id: 'd1', timeMs: T0 },
          { id: 'd2', timeMs: T0 + M },
          { id: 'd3', timeMs: T0 + 2 * M },
          { id: 'd4', timeMs: T0 + 16 * M },
          { id: 'd1', timeMs: T0 },
          { id: 'd2', timeMs: T0 + M },
        ],
      });
      expect(r.observations.map((o) => [o.fire, o.suppressed, o.duplicate])).toEqual([
        [true, 0, false],
        [false, 0, false],
        [false, 0, false],
        [true, 2, false],
        [true, 0, true],
        [false, 0, true],
      ]);
    });

    it('marks stream event ids as seen within the horizon', async () => {
      const id = (n: number) => `${run}-ev${n}`;
      expect(await store.markSeen([{ id: id(1), timeMs: T0 }, { id: id(2), timeMs: T0 }, { id: id(1), timeMs: T0 }], H)).toEqual([false, false, true]);
      expect(await store.markSeen([{ id: id(2), timeMs: T0 + M }, { id: id(3), timeMs: T0 + M }], H)).toEqual([true, false]);
    });

    it('adds fractional volumes exactly as JavaScript does', async () => {
      const r = await one({ type: 'window', key: key('f1'), spec: win, inputs: [w('a', T0, 0.1), w('b', T0 + S, 0.2), w('c', T0 + 2 * S, 1e-7)] });
      expect(r.observations.map((o) => o.sums.bytes)).toEqual([0.1, 0.1 + 0.2, 0.1 + 0.2 + 1e-7]);
    });

    it('computes median and MAD exactly as simple-statistics does', async () => {
      const spec: WindowSpec = { windowMs: M, slotMs: S, baseline: { metric: 'bytes', bucketMs: H, historyMs: 10 * H } };
      // Peaks 0.1 and 0.7: simple-statistics' median is 0.4, where (0.1 + 0.7) / 2 would be 0.39999999999999997.
      const peaks = [0.1, 0.7, 1234.5678, 0.3];
      const inputs = peaks.map((b, h) => w(`h${h}`, T0 + h * H + 2 * M, b));
      inputs.push(w('probe', T0 + 4 * H + 2 * M, 0));
      const r = await one({ type: 'window', key: key('b3'), spec, inputs });
      const two = robustStats([0.1, 0.7]);
      expect(r.observations[2]!.baseline).toMatchObject({ median: two.median, mad: two.mad, max: 0.7, samples: 2 });
      expect(r.observations[2]!.baseline!.median).toBe(0.4);
      const all = robustStats(peaks);
      expect(r.observations[4]!.baseline).toMatchObject({ median: all.median, mad: all.mad, max: 1234.5678, samples: 4 });
    });

    it('lets an out-of-order event raise the peak of its own, earlier bucket', async () => {
      const spec: WindowSpec = { windowMs: 5 * M, slotMs: 5 * S, baseline: { metric: 'count', bucketMs: H, historyMs: 10 * H } };
      const k = key('b4');
      await one({ type: 'window', key: k, spec, inputs: [w('a', T0 + 50 * M, 1), w('b', T0 + 62 * M, 1)] });
      // Late by 10 and 9 minutes: within the lateness, so they count in bucket 0 next to a.
      const r = await one({ type: 'window', key: k, spec, inputs: [w('late1', T0 + 52 * M, 1), w('late2', T0 + 53 * M, 1), w('d', T0 + 2 * H + 10 * M, 1)] });
      expect(r.observations.map((o) => o.sums.count)).toEqual([2, 3, 1]);
      // Bucket 0's peak is now 3 (a, late1, late2 within 5 minutes); bucket 1's is 1 (b alone).
      expect(r.observations[2]!.baseline).toMatchObject({ median: 2, max: 3, samples: 2 });
    });

    it('reports redeliveries as duplicates in every op type, changing nothing', async () => {
      const twice = async <T extends StoreOp>(make: (name: string) => T) => {
        const once = make('once');
        const redelivered = make('again');
        const head = { ...redelivered, inputs: redelivered.inputs.slice(0, -1) } as T;
        await one(head);
        const a = await one(once);
        const b = await one(redelivered);
        expect(b.observations.map((o) => o.duplicate)).toEqual([...head.inputs.map(() => true), false]);
        expect(b.observations.at(-1)).toEqual(a.observations.at(-1));
      };
      await twice((n) => ({ type: 'window', key: key(`dw-${n}`), spec: win, inputs: [w('a', T0, 5), w('b', T0 + S, 7), w('c', T0 + 2 * S, 1)] }));
      await twice((n) => ({ type: 'profile', key: key(`dp-${n}`), spec: { historyMs: D }, inputs: [{ id: 'a', timeMs: T0, hourOfWeek: 10 }, { id: 'b', timeMs: T0 + H, hourOfWeek: 11 }, { id: 'c', timeMs: T0 + 2 * H, hourOfWeek: 12 }] }));
      await twice((n) => ({ type: 'seen', key: key(`ds-${n}`), spec: { historyMs: D }, inputs: [{ id: 'a', timeMs: T0, value: 'DE' }, { id: 'b', timeMs: T0 + H, value: 'FR' }, { id: 'c', timeMs: T0 + 2 * H, value: 'DE' }] }));
      await twice((n) => ({ type: 'travel', key: key(`dt-${n}`), spec: { retainMs: D }, inputs: [{ id: 'a', timeMs: T0, lat: 1, lon: 2 }, { id: 'b', timeMs: T0 + H, lat: 3, lon: 4, country: 'FR' }, { id: 'c', timeMs: T0 + 2 * H, lat: 5, lon: 6 }] }));
      await twice((n) => ({ type: 'signal', key: key(`dg-${n}`), spec: { withinMs: H }, inputs: [{ id: 'a/x', timeMs: T0, rule: 'x', eventId: 'a' }, { id: 'b/y', timeMs: T0 + M, rule: 'y', eventId: 'b' }, { id: 'c/x', timeMs: T0 + 2 * M, rule: 'x', eventId: 'c' }] }));
      await twice((n) => ({ type: 'cooldown', key: key(`dc-${n}`), spec: { cooldownMs: 10 * M }, inputs: [{ id: 'a', timeMs: T0 }, { id: 'b', timeMs: T0 + M }, { id: 'c', timeMs: T0 + 11 * M }] }));
    });

    it('keeps a position exactly retainMs old, and forgets it one millisecond later', async () => {
      const spec = { retainMs: H };
      const r = await one({
        type: 'travel', key: key('t2'), spec,
        inputs: [{ id: 'a', timeMs: T0, lat: -0.5, lon: 179.99999999999997, country: '' }, { id: 'b', timeMs: T0 + H, lat: 0, lon: 0 }],
      });
      expect(r.observations[1]!.previous).toEqual({ id: 'a', timeMs: T0, lat: -0.5, lon: 179.99999999999997, country: '' });
      const later = await one({ type: 'travel', key: key('t3'), spec, inputs: [{ id: 'a', timeMs: T0, lat: 1, lon: 1 }, { id: 'b', timeMs: T0 + H + 1, lat: 0, lon: 0 }] });
      expect(later.observations[1]!.previous).toBeUndefined();
    });

    it('lets a detection one full cooldown before the last one through', async () => {
      const r = await one({ type: 'cooldown', key: key('cd2'), spec: { cooldownMs: 10 * M }, inputs: [{ id: 'a', timeMs: T0 + 10 * M }, { id: 'b', timeMs: T0 + M }, { id: 'c', timeMs: T0 }] });
      expect(r.observations.map((o) => [o.fire, o.suppressed])).toEqual([[true, 0], [false, 0], [true, 1]]);
    });

    it('keeps a key idle for exactly its retention, and starts it afresh one millisecond later', async () => {
      const spec = { withinMs: 30 * M };
      const sig = (id: string, t: number) => ({ id, timeMs: t, rule: 'x', eventId: id });
      const k = key('idle2');
      await one({ type: 'signal', key: k, spec, inputs: [sig('a', T0)] });
      // An op whose first input comes exactly one retention after the key's last: the key (and its
      // memory of 'a', redelivered here) is kept.
      const kept = await one({ type: 'signal', key: k, spec, inputs: [sig('b', T0 + 30 * M), sig('a', T0)] });
      expect(kept.observations.map((o) => o.duplicate)).toEqual([false, true]);
      expect(kept.observations[0]!.latest).toEqual({ x: { timeMs: T0 + 30 * M, eventId: 'b' } });
      // One millisecond more: a new key, which does not remember 'b'.
      const afresh = await one({ type: 'signal', key: k, spec, inputs: [sig('c', T0 + 60 * M + 1), sig('b', T0 + 30 * M)] });
      expect(afresh.observations.map((o) => o.duplicate)).toEqual([false, false]);
      expect(afresh.observations[0]).toEqual({ duplicate: false, latest: { x: { timeMs: T0 + 60 * M + 1, eventId: 'c' } } });
    });

    it('starts a key afresh once it has been idle past its retention', async () => {
      const k = key('idle');
      await one({ type: 'window', key: k, spec: win, inputs: [w('a', T0, 10)] });
      const r = await one({ type: 'window', key: k, spec: win, inputs: [w('a', T0 + D, 10)] });
      expect(r.observations[0]).toMatchObject({ duplicate: false, sums: { count: 1, bytes: 10 } });
    });
  });
}
