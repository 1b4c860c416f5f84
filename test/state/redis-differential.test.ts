/*
 * The Redis store against the memory store on seeded random streams: out-of-order and duplicate
 * inputs, fractional byte counts, idle gaps past retention and random batch cuts, every op type.
 * Every observation must be identical, numbers to the last bit.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore, RedisStore, type StateStore, type StoreOp, type WindowSpec } from '../../src/state/index.js';
import { deleteKeys, REDIS_URL, testPrefix } from './redis-helpers.js';
import { rng } from '../rng.js';

const prefix = testPrefix();
afterAll(async () => {
  await deleteKeys(prefix);
});

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const T0 = Date.parse('2026-11-02T10:00:00Z');

const WINDOWS: WindowSpec[] = [
  { windowMs: M, slotMs: S },
  { windowMs: 5 * M, slotMs: 5 * S, baseline: { metric: 'bytes', bucketMs: 10 * M, historyMs: 3 * H } },
  { windowMs: 30 * S, slotMs: 30 * S, baseline: { metric: 'count', bucketMs: 5 * M, historyMs: H } },
  { windowMs: 2 * M, slotMs: 4 * S, baseline: { metric: 'records', bucketMs: 15 * M, historyMs: 2 * H } },
  // A history of ten buckets: peaks leave it all the time, between idle resets.
  { windowMs: M, slotMs: 5 * S, baseline: { metric: 'count', bucketMs: M, historyMs: 10 * M } },
];

/** Batches of ops for a few keys of every type, as an engine would cut a stream. */
function stream(seed: number, run: string, batches: number): StoreOp[][] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  let t = T0;
  const used: { id: string; timeMs: number }[] = [];
  let n = 0;
  const nextInput = () => {
    const roll = r();
    // Whole seconds, and sometimes whole minutes, so that equal times and exact boundaries occur.
    const unit = r() < 0.5 ? S : M;
    if (roll < 0.03) t += D + Math.floor(r() * 48) * H; // idle past most retentions
    else if (roll < 0.2) t += Math.floor(r() * 30) * unit;
    else t += Math.floor(r() * 20) * S;
    // Redeliveries repeat an input whole. An id reused with another time is not generated: the
    // memory classes take an input later than every id a key holds as new without looking it up
    // (an event's id comes with its time), where the scripts look every id up; the engine's
    // markSeen drops such a reuse before any key sees it (ids.test.ts covers both answers).
    if (used.length > 0 && r() < 0.15) return pick(used);
    const late = r() < 0.15 ? Math.floor(r() * 180) * S : 0;
    const input = { id: `e${n++}`, timeMs: t - late };
    used.push(input);
    if (used.length > 200) used.shift();
    return input;
  };
  const out: StoreOp[][] = [];
  for (let b = 0; b < batches; b++) {
    const ops: StoreOp[] = [];
    const keyCount = 1 + Math.floor(r() * 6);
    for (let k = 0; k < keyCount; k++) {
      const g = Math.floor(r() * 3);
      const key = (rule: string) => ({ rule: `${rule}-${run}`, group: `["agent-${g}"]` });
      const count = 1 + Math.floor(r() * 12);
      const each = <T>(f: (base: { id: string; timeMs: number }) => T): T[] => Array.from({ length: count }, () => f(nextInput()));
      switch (Math.floor(r() * 6)) {
        case 0: {
          const w = Math.floor(r() * WINDOWS.length);
          const bytes = () => (r() < 0.5 ? Math.floor(r() * 5000) : r() * 1e7);
          ops.push({ type: 'window', key: key(`w${w}`), spec: WINDOWS[w]!, inputs: each((x) => ({ ...x, bytes: bytes(), records: Math.floor(r() * 40) })) });
          break;
        }
        case 1:
          ops.push({ type: 'profile', key: key('p'), spec: { historyMs: 2 * D }, inputs: each((x) => ({ ...x, hourOfWeek: Math.floor((x.timeMs / H) % 168) })) });
          break;
        case 2:
          ops.push({ type: 'seen', key: key('s'), spec: { historyMs: D }, inputs: each((x) => ({ ...x, value: pick(['DE', 'FR', 'US', 'JP', 'näh|,=x']) })) });
          break;
        case 3:
          ops.push({
            type: 'travel', key: key('t'), spec: { retainMs: 6 * H },
            inputs: each((x) => ({ ...x, lat: (r() - 0.5) * 180, lon: (r() - 0.5) * 360, ...(r() < 0.7 ? { country: pick(['DE', 'US', '']) } : {}) })),
          });
          break;
        case 4:
          ops.push({ type: 'signal', key: key('g'), spec: { withinMs: 30 * M }, inputs: each((x) => { const rule = pick(['x', 'y', 'z|w']); const reason = pick(['', 'x|y in 5m', `${Math.round(r() * 1e6)} bytes`]); return { ...x, id: `${x.id}/${rule}`, rule, eventId: x.id, ...(reason ? { reason } : {}) }; }) });
          break;
        default:
          ops.push({ type: 'cooldown', key: key('c'), spec: { cooldownMs: 10 * M }, inputs: each((x) => x) });
      }
    }
    out.push(ops);
  }
  return out;
}

async function observe(store: StateStore, batches: StoreOp[][]): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const ops of batches) results.push(await store.apply(ops));
  return results;
}

// Scripts mode computes every state in Lua, from its own data: the reference for the memory
// classes. Cached mode runs those classes here and keeps their JSON in Redis: it must round-trip.
describe.each(['scripts', 'cached'] as const)('redis store (%s mode) against the memory store', (mode) => {
  // Short horizons so dedup memory, lateness and slot pruning all come into play.
  const options = { dedupHorizonMs: 20 * M, latenessMs: 2 * M };

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`gives identical observations on random stream ${seed}`, async () => {
      const batches = stream(seed, `d${seed}-${mode}-${prefix}`, 150);
      const memory = new MemoryStore(options);
      const redis = new RedisStore({ url: REDIS_URL, prefix, mode, ...options });
      try {
        const expected = await observe(memory, batches);
        const actual = await observe(redis, batches);
        expect(actual).toEqual(expected);
        expect(redis.roundTrips).toBe(batches.length);
      } finally {
        await redis.close();
        await memory.close();
      }
    });
  }

  // A horizon shorter than the lateness: late stragglers held back by a newer id, ids forgotten and
  // applied again, all within a few batches.
  const short = { dedupHorizonMs: 90 * S, latenessMs: 2 * M };
  for (const seed of [7, 8, 9, 10]) {
    it(`gives identical observations on random stream ${seed} with a 90 s dedup horizon`, async () => {
      const batches = stream(seed, `h${seed}-${mode}-${prefix}`, 150);
      const memory = new MemoryStore(short);
      const redis = new RedisStore({ url: REDIS_URL, prefix, mode, ...short });
      try {
        expect(await observe(redis, batches)).toEqual(await observe(memory, batches));
      } finally {
        await redis.close();
        await memory.close();
      }
    });
  }
});

// A baseline learned at a capped growth, on one key with dense input: the cap binds often (factor
// 1.2, a guard of two hours), late inputs raise peaks the cap counted, statistics forget peaks it
// counted. Cached mode also starts a new store for every batch, so its state is read back from
// Redis each time: a cap cached in the classes must equal one computed afresh.
describe('a baseline with capped growth, Redis against the memory store', () => {
  const spec: WindowSpec = { windowMs: 5 * M, slotMs: 5 * S, baseline: { metric: 'bytes', bucketMs: H, historyMs: D, growth: { factor: 1.2, floor: 500, guardMs: 2 * H } } };
  type Input = { id: string; timeMs: number; bytes: number; records: number };
  const growthStream = (seed: number): Input[][] => {
    const r = rng(seed);
    let t = T0;
    let n = 0;
    const used: Input[] = [];
    const batches: Input[][] = [];
    let batch: Input[] = [];
    while (t < T0 + 3 * D) {
      t += Math.floor(r() * 25) * M + Math.floor(r() * 60) * S;
      let input: Input;
      if (used.length > 0 && r() < 0.1) input = used[Math.floor(r() * used.length)]!;
      else {
        const late = r() < 0.3 ? Math.floor(r() * 600) * S : 0;
        const burst = r() < 0.05 ? 50 : 1;
        input = { id: `g${n++}`, timeMs: t - late, bytes: Math.floor(r() * 1000 * burst * (1 + (t - T0) / D)), records: 0 };
        used.push(input);
        if (used.length > 50) used.shift();
      }
      batch.push(input);
      if (r() < 0.3) {
        batches.push(batch);
        batch = [];
      }
    }
    if (batch.length > 0) batches.push(batch);
    return batches;
  };
  const observeWith = async (make: () => StateStore, restartEachBatch: boolean, batches: Input[][], rule: string) => {
    const key = { rule, group: 'g' };
    let store = make();
    const out: unknown[] = [];
    try {
      for (const inputs of batches) {
        if (restartEachBatch) {
          await store.close();
          store = make();
        }
        out.push(...((await store.apply([{ type: 'window', key, spec, inputs }]))[0]!.observations as unknown[]));
      }
    } finally {
      await store.close();
    }
    return out;
  };
  for (const seed of [1, 2, 3, 4]) {
    it(`gives identical observations on stream ${seed}, scripts and cached read back every batch`, async () => {
      const batches = growthStream(seed);
      const options = { latenessMs: 600_000 };
      const expected = await observeWith(() => new MemoryStore(options), false, batches, `gm${seed}-${prefix}`);
      expect(await observeWith(() => new RedisStore({ url: REDIS_URL, prefix, mode: 'scripts', ...options }), false, batches, `gs${seed}-${prefix}`)).toEqual(expected);
      expect(await observeWith(() => new RedisStore({ url: REDIS_URL, prefix, ...options }), true, batches, `gc${seed}-${prefix}`)).toEqual(expected);
    });
  }
});
