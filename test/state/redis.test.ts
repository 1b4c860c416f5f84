/*
 * The Redis store against the conformance suite (same semantics as the memory store), plus what is
 * Redis's own: one round trip per batch, the key layout with hash tags, and TTLs on every key.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createMetrics } from '../../src/metrics/index.js';
import { createStoreMetrics, RedisStore, type StateStore, type StoreOp } from '../../src/state/index.js';
import { eventBucket, stateKey } from '../../src/state/redis/keys.js';
import type { SeenObservation } from '../../src/state/types.js';
import { describeStoreConformance } from './conformance.js';
import { deleteKeys, REDIS_URL, testPrefix } from './redis-helpers.js';

const prefix = testPrefix();
afterAll(async () => {
  await deleteKeys(prefix);
});

describeStoreConformance('redis, cached (the default)', () => new RedisStore({ url: REDIS_URL, prefix }));
describeStoreConformance('redis, scripts', () => new RedisStore({ url: REDIS_URL, prefix, mode: 'scripts' }));
// Nothing stays cached: every key is read back from Redis (through a refused write) on each call,
// so every state's snapshot and restore is on the path of every check.
describeStoreConformance('redis, cached, every key read back', () => new RedisStore({ url: REDIS_URL, prefix, maxCachedKeys: 1 }));
// Two instances share the keys and take turns: each call finds the other's writes and starts from them.
describeStoreConformance('redis, cached, two instances taking turns', () => takingTurns(new RedisStore({ url: REDIS_URL, prefix }), new RedisStore({ url: REDIS_URL, prefix })));

function takingTurns(a: RedisStore, b: RedisStore): StateStore {
  let turn = 0;
  const next = () => (turn++ % 2 === 0 ? a : b);
  return {
    apply: (ops) => next().apply(ops),
    markSeen: (events, horizonMs) => next().markSeen(events, horizonMs),
    close: async () => {
      await a.close();
      await b.close();
    },
  };
}

const T0 = Date.parse('2026-11-02T10:00:00Z');

describe('redis store', () => {
  const ops = (run: string): StoreOp[] => [
    { type: 'window', key: { rule: `w-${run}`, group: '["agent-1"]' }, spec: { windowMs: 60_000, slotMs: 1000, baseline: { metric: 'bytes', bucketMs: 3_600_000, historyMs: 86_400_000 } }, inputs: [{ id: 'e1', timeMs: T0, bytes: 1, records: 0 }, { id: 'e2', timeMs: T0 + 1, bytes: 2, records: 0 }] },
    { type: 'profile', key: { rule: `p-${run}`, group: '["agent-1"]' }, spec: { historyMs: 86_400_000 }, inputs: [{ id: 'e1', timeMs: T0, hourOfWeek: 10 }] },
    { type: 'seen', key: { rule: `s-${run}`, group: '["agent-2"]' }, spec: { historyMs: 86_400_000 }, inputs: [{ id: 'e1', timeMs: T0, value: 'DE' }] },
    { type: 'travel', key: { rule: `t-${run}`, group: '["agent-2"]' }, spec: { retainMs: 86_400_000 }, inputs: [{ id: 'e1', timeMs: T0, lat: 1, lon: 2 }] },
    { type: 'signal', key: { rule: `g-${run}`, group: '' }, spec: { withinMs: 60_000 }, inputs: [{ id: 'e1/x', timeMs: T0, rule: 'x', eventId: 'e1' }] },
    { type: 'cooldown', key: { rule: `c-${run}`, group: '["a}{b"]' }, spec: { cooldownMs: 60_000 }, inputs: [{ id: 'd1', timeMs: T0 }] },
  ];

  // Scripts: one script call per state key. Cached: one compare-and-set call per hash tag (the
  // window and profile of agent-1 share one, the seen and travel of agent-2 another).
  it.each([
    ['scripts', 6],
    ['cached', 4],
  ] as const)('sends a whole batch, every op type, as one round trip (%s: %i script calls)', async (mode, calls) => {
    const store = new RedisStore({ url: REDIS_URL, prefix, mode });
    try {
      const results = await store.apply(ops(`rt-${mode}`));
      expect(results.map((r) => r.type)).toEqual(['window', 'profile', 'seen', 'travel', 'signal', 'cooldown']);
      expect(store.roundTrips).toBe(1);
      expect(store.commandsSent).toBe(calls);
      await store.markSeen([{ id: 'rt-1', timeMs: T0 }, { id: 'rt-2', timeMs: T0 }], 60_000);
      expect(store.roundTrips).toBe(2);
      // markSeen: one script call per hash tag among the ids.
      expect(store.commandsSent).toBe(calls + new Set(['rt-1', 'rt-2'].map(eventBucket)).size);
    } finally {
      await store.close();
    }
  });

  it.each(['scripts', 'cached'] as const)('keeps every key of a state under its group hash tag, each with a TTL (%s)', async (mode) => {
    const own = `${prefix}-layout-${mode}`;
    const store = new RedisStore({ url: REDIS_URL, prefix: own, mode });
    const admin = new Redis(REDIS_URL);
    try {
      await store.apply(ops('layout'));
      const keys = (await admin.keys(`${own}:*`)).sort();
      const tags = new Set(['["agent-1"]', '["agent-2"]', '', '["a}{b"]'].map((g) => (g === '' ? '-' : Buffer.from(g).toString('base64url'))));
      // Scripts: a state is several keys (hash, id set and list, ...); cached: one string per state.
      if (mode === 'scripts') expect(keys.length).toBeGreaterThan(6);
      else expect(keys.length).toBe(6);
      for (const key of keys) {
        const tag = /^[^{}]*\{([^{}]+)\}/.exec(key)?.[1];
        expect(tags.has(tag ?? ''), key).toBe(true);
        expect(await admin.pttl(key), key).toBeGreaterThan(0);
      }
      if (mode === 'scripts') {
        expect(keys).toContain(`${own}:{WyJhZ2VudC0xIl0}:window:st:w-layout`);
        expect(keys).toContain(`${own}:{-}:signal:latest:g-layout`);
      } else {
        expect(keys).toContain(`${own}:{WyJhZ2VudC0xIl0}:window:c1:w-layout`);
        expect(keys).toContain(`${own}:{-}:signal:c1:g-layout`);
        // A 20-character version, then the state as JSON: readable with redis-cli GET.
        const value = (await admin.get(`${own}:{-}:signal:c1:g-layout`))!;
        expect(JSON.parse(value.slice(20))).toEqual([T0, [['x', T0, 'e1']], [T0, ['e1/x'], [0]]]);
      }
      // Stream-level dedup markers: tagged by a bucket of the id, so one script call marks a bucket.
      await store.markSeen([{ id: 'ev-1', timeMs: T0 }, { id: 'ev-{x}', timeMs: T0 }], 60_000);
      const markers = await admin.keys(`${own}:{ev*`);
      expect(markers.sort()).toEqual([`${own}:{ev${eventBucket('ev-1')}}:event:60000:ev-1`, `${own}:{ev${eventBucket('ev-{x}')}}:event:60000:ev-{x}`].sort());
      for (const key of markers) expect(await admin.pttl(key), key).toBeGreaterThan(0);
    } finally {
      admin.disconnect();
      await store.close();
      await deleteKeys(own);
    }
  });

  it('reports each round trip to onDuration, by op', async () => {
    const seen: string[] = [];
    const store = new RedisStore({ url: REDIS_URL, prefix, onDuration: (op, s) => seen.push(`${op}:${s >= 0}`) });
    try {
      await store.apply(ops('dur'));
      await store.markSeen([{ id: 'dur-1', timeMs: T0 }], 60_000);
      expect(seen).toEqual(['apply:true', 'mark_seen:true']);
    } finally {
      await store.close();
    }
  });

  it('shares guardrail_store_up and guardrail_store_duration_seconds with the processor registry', async () => {
    const processor = createMetrics({ defaults: false });
    const metrics = createStoreMetrics(processor.registry);
    expect(metrics.up).toBe(processor.storeUp);
    expect(metrics.duration).toBe(processor.storeDuration);
    const store = new RedisStore({ url: REDIS_URL, prefix, metrics });
    try {
      await store.apply(ops('shared'));
      const text = await processor.registry.metrics();
      expect(text).toContain('guardrail_store_up 1');
      expect(text).toContain('guardrail_store_round_trips_total{op="apply"} 1');
      expect(text).toContain('guardrail_store_commands_total{op="apply"} 4'); // one per hash tag (cached mode)
      expect(text).toMatch(/guardrail_store_duration_seconds_count\{op="apply"\} 1\n/);
    } finally {
      await store.close();
    }
  });

  it('counts states not held (miss) and writes refused because another instance wrote (conflict)', async () => {
    const registry = createMetrics({ defaults: false }).registry;
    const metrics = createStoreMetrics(registry);
    const a = new RedisStore({ url: REDIS_URL, prefix, metrics });
    const b = new RedisStore({ url: REDIS_URL, prefix });
    try {
      const text = async () => registry.metrics();
      expect(await text()).toContain('guardrail_store_cache_total{event="conflict"} 0');
      await a.apply(ops('cache'));
      expect(await text()).toContain('guardrail_store_cache_total{event="miss"} 6');
      expect(await text()).toContain('guardrail_store_cache_total{event="conflict"} 0');
      // b writes one of the keys: a's next write of it is refused, and a starts again from b's value.
      await b.apply([ops('cache')[0]!]);
      const [again] = await a.apply([{ ...ops('cache')[0]!, inputs: [{ id: 'e3', timeMs: T0 + 2, bytes: 4, records: 0 }] } as StoreOp]);
      expect(await text()).toContain('guardrail_store_cache_total{event="conflict"} 1');
      expect(again).toMatchObject({ type: 'window', observations: [{ duplicate: false, sums: { count: 3, bytes: 7 } }] });
      expect(a.cacheStats).toEqual({ misses: 6, conflicts: 1, keys: 6 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('starts afresh from a value it cannot read, and counts it', async () => {
    const registry = createMetrics({ defaults: false }).registry;
    const unreadable: string[] = [];
    const store = new RedisStore({ url: REDIS_URL, prefix, metrics: createStoreMetrics(registry), onUnreadable: (k) => unreadable.push(k) });
    const admin = new Redis(REDIS_URL);
    const key = { rule: 'garbled', group: '["agent-8"]' };
    try {
      await admin.set(`${prefix}:{${Buffer.from(key.group).toString('base64url')}}:window:c1:garbled`, 'x'.repeat(20) + '{not json', 'PX', 60_000);
      const [r] = await store.apply([{ type: 'window', key, spec: { windowMs: 60_000, slotMs: 1000 }, inputs: [{ id: 'a', timeMs: T0, bytes: 5, records: 0 }] }]);
      expect(r).toMatchObject({ observations: [{ duplicate: false, sums: { count: 1, bytes: 5 } }] });
      expect(await registry.metrics()).toContain('guardrail_store_cache_total{event="unreadable"} 1');
      expect(unreadable).toEqual([`${prefix}:{${Buffer.from(key.group).toString('base64url')}}:window:c1:garbled`]);
      // Written over: readable again.
      const value = await admin.get(`${prefix}:{${Buffer.from(key.group).toString('base64url')}}:window:c1:garbled`);
      expect(JSON.parse(value!.slice(20))[0]).toBeTypeOf('number');
    } finally {
      admin.disconnect();
      await store.close();
    }
  });

  it.each(['scripts', 'cached'] as const)('reads a seen state written before additions were kept (%s mode)', async (mode) => {
    const store = new RedisStore({ url: REDIS_URL, prefix, mode });
    const admin = new Redis(REDIS_URL);
    const key = { rule: `old-seen-${mode}`, group: '["agent-9"]' };
    const spec = { historyMs: 86_400_000 };
    try {
      await store.apply([{ type: 'seen', key, spec, inputs: [{ id: 'a', timeMs: T0, value: 'DE' }] }]);
      // What the same call wrote before 2026-12-03: no addition order or id.
      if (mode === 'scripts') {
        expect(await admin.hget(stateKey(prefix, 'seen', 'vals', key), 'DE')).toBe(`${T0}|1|a`);
        await admin.hset(stateKey(prefix, 'seen', 'vals', key), 'DE', String(T0));
        await admin.hdel(stateKey(prefix, 'seen', 'st', key), 'adds');
      } else {
        const c1 = stateKey(prefix, 'seen', 'c1', key);
        const value = (await admin.get(c1))!;
        const snapshot = JSON.parse(value.slice(20)) as unknown[];
        expect(snapshot.slice(5)).toEqual([['DE', 1, 'a'], 1]);
        await admin.set(c1, value.slice(0, 20) + JSON.stringify(snapshot.slice(0, 5)), 'PX', 60_000);
      }
      // Another instance (the cached mode would answer from its cache): it reads the old format.
      const other = new RedisStore({ url: REDIS_URL, prefix, mode });
      const [r] = await other.apply([{ type: 'seen', key, spec, inputs: [{ id: 'a', timeMs: T0, value: 'DE' }, { id: 'b', timeMs: T0 + 1000, value: 'FR' }] }]).finally(() => other.close());
      // The old answer for an input that comes again (nothing better is known), and new inputs as ever.
      expect(r!.observations.map((o) => [(o as SeenObservation).duplicate, (o as SeenObservation).seenBefore, (o as SeenObservation).known])).toEqual([[true, true, 1], [false, false, 1]]);
    } finally {
      admin.disconnect();
      await store.close();
    }
  });

  it('works a batch again when a reconnect emptied the cache in the middle of it (cached mode)', async () => {
    const client = new Redis(REDIS_URL);
    await new Promise((resolve) => client.once('ready', resolve));
    const store = new RedisStore({ client, prefix });
    const key = { rule: 'reconnect', group: '["agent-7"]' };
    const spec = { windowMs: 60_000, slotMs: 1000 };
    const input = (id: string, t: number) => ({ id, timeMs: t, bytes: 1, records: 0 });
    try {
      const first = await store.begin!();
      store.open!('window', key, spec, T0).apply(input('a', T0));
      expect(await store.flush!(first)).toBe(true);
      store.end!(first);
      const batch = await store.begin!();
      expect(store.open!('window', key, spec, T0 + 1).apply(input('b', T0 + 1)).sums.count).toBe(2);
      // The connection drops and comes back: Redis may have lost writes, so nothing held is trusted.
      client.disconnect(true);
      await new Promise((resolve) => client.once('ready', resolve));
      expect(await store.flush!(batch)).toBe(false);
      // Worked again: first on a fresh state (not held any more), refused, then on Redis's value.
      store.open!('window', key, spec, T0 + 1).apply(input('b', T0 + 1));
      expect(await store.flush!(batch)).toBe(false);
      expect(store.open!('window', key, spec, T0 + 1).apply(input('b', T0 + 1)).sums.count).toBe(2);
      expect(await store.flush!(batch)).toBe(true);
      store.end!(batch);
    } finally {
      await store.close();
      client.disconnect();
    }
  });

  it('forgets what a batch that did not flush changed (cached mode, the engine\'s way)', async () => {
    const store = new RedisStore({ url: REDIS_URL, prefix });
    const key = { rule: 'aborted', group: '["agent-9"]' };
    const spec = { windowMs: 60_000, slotMs: 1000 };
    const input = (id: string, t: number) => ({ id, timeMs: t, bytes: 1, records: 0 });
    try {
      const first = await store.begin!();
      expect(store.open!('window', key, spec, T0).apply(input('a', T0)).sums.count).toBe(1);
      expect(await store.flush!(first)).toBe(true);
      store.end!(first);
      // A batch that fails before its flush: its input must not stay in the state held here.
      const failed = await store.begin!();
      expect(store.open!('window', key, spec, T0 + 1).apply(input('b', T0 + 1)).sums.count).toBe(2);
      store.end!(failed);
      const next = await store.begin!();
      const obs = store.open!('window', key, spec, T0 + 2).apply(input('c', T0 + 2));
      // Not held any more: worked on a fresh state, refused, and worked again on Redis's.
      expect(await store.flush!(next)).toBe(false);
      expect(store.open!('window', key, spec, T0 + 2).apply(input('c', T0 + 2)).sums.count).toBe(2);
      expect(await store.flush!(next)).toBe(true);
      store.end!(next);
      expect(obs.sums.count).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('answers an op without inputs without asking Redis', async () => {
    const store = new RedisStore({ url: REDIS_URL, prefix });
    try {
      const r = await store.apply([{ type: 'seen', key: { rule: 'empty', group: 'g' }, spec: { historyMs: 1000 }, inputs: [] }]);
      expect(r).toEqual([{ type: 'seen', observations: [] }]);
      expect(store.roundTrips).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('refuses a key prefix with braces, which would break the hash tags', () => {
    expect(() => new RedisStore({ url: REDIS_URL, prefix: 'gr{x}' })).toThrow(TypeError);
  });
});
