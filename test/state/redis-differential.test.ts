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
