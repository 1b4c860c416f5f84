/*
 * Outages of the Redis store against a redis-server of the test's own: typed errors while Redis is
 * down, stopped, busy or gone mid-batch; up/down reported, also in its metrics; automatic recovery,
 * also after a restart and after its scripts are lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { StoreTimeoutError, StoreUnavailableError } from '../../src/errors/index.js';
import { createStoreMetrics, RedisStore, type StoreOp } from '../../src/state/index.js';
import { failure, freePort, OwnRedis, testPrefix } from './redis-helpers.js';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const prefix = testPrefix();

const windowOp = (id: string, group = 'g'): StoreOp => ({
  type: 'window', key: { rule: 'r', group }, spec: { windowMs: 60_000, slotMs: 1000 }, inputs: [{ id, timeMs: T0, bytes: 10, records: 1 }],
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('redis store outages', () => {
  let server: OwnRedis;
  beforeAll(async () => {
    // A script running longer than 100 ms makes the server answer BUSY to everyone else.
    server = new OwnRedis(await freePort(), ['--busy-reply-threshold', '100']);
    await server.start();
  });
  afterAll(async () => {
    try {
      process.kill(server.pid, 'SIGCONT');
    } catch {
      // already gone
    }
    await server.kill();
  });

  it('reports down with StoreUnavailableError while Redis is gone, then recovers by itself', async () => {
    const changes: boolean[] = [];
    const store = new RedisStore({ url: server.url, prefix, maxBackoffMs: 100, onUpChange: (up) => changes.push(up) });
    try {
      await store.ready();
      expect((await store.apply([windowOp('a')]))[0]!.observations).toHaveLength(1);
      await server.kill();
      await until(() => !store.isUp());
      const err = await failure(store.apply([windowOp('b')]));
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err as StoreUnavailableError).code).toBe('GR_ERR_STORE_UNAVAILABLE');
      expect(err.cause).toBeInstanceOf(Error);
      expect(await failure(store.markSeen([{ id: 'x', timeMs: T0 }], 60_000))).toBeInstanceOf(StoreUnavailableError);
      await server.start();
      await until(() => store.isUp());
      const after = await store.apply([windowOp('c')]);
      // The restarted server kept nothing (no persistence): c is alone in its window.
      expect(after[0]).toMatchObject({ type: 'window', observations: [{ duplicate: false, sums: { count: 1, bytes: 10, records: 1 } }] });
      expect(changes).toEqual([true, false, true]);
    } finally {
      await store.close();
    }
  });

  it('fails a batch with StoreTimeoutError when Redis stops answering, and works once it answers again', async () => {
    const store = new RedisStore({ url: server.url, prefix, commandTimeoutMs: 300 });
    try {
      await store.ready();
      process.kill(server.pid, 'SIGSTOP');
      const err = await failure(store.apply([windowOp('t1', 'timeout')]));
      process.kill(server.pid, 'SIGCONT');
      expect(err).toBeInstanceOf(StoreTimeoutError);
      expect((err as StoreTimeoutError).code).toBe('GR_ERR_STORE_TIMEOUT');
      expect(err.cause).toBeInstanceOf(Error);
      // The stalled batch may have been applied once Redis resumed; applying it again changes nothing.
      const again = await store.apply([windowOp('t1', 'timeout'), windowOp('t2', 'timeout')]);
      expect(again.map((r) => r.observations[0])).toMatchObject([{ sums: { count: 1 } }, { duplicate: false, sums: { count: 2 } }]);
    } finally {
      await store.close();
    }
  });

  it('fails a batch in flight when the connection drops, instead of hanging or resending it', async () => {
    const store = new RedisStore({ url: server.url, prefix, commandTimeoutMs: 60_000, maxBackoffMs: 100 });
    try {
      await store.ready();
      process.kill(server.pid, 'SIGSTOP');
      const pending = failure(store.apply([windowOp('f1', 'flight')]));
      await server.kill();
      expect(await pending).toBeInstanceOf(StoreUnavailableError);
      await server.start();
      await until(() => store.isUp());
      expect((await store.apply([windowOp('f2', 'flight')]))[0]!.observations[0]).toMatchObject({ duplicate: false, sums: { count: 1 } });
    } finally {
      await store.close();
    }
  });

  it('keeps guardrail_store_up, round trips and errors in its metrics through an outage', async () => {
    const registry = new Registry();
    const metrics = createStoreMetrics(registry);
    const store = new RedisStore({ url: server.url, prefix, maxBackoffMs: 100, metrics });
    const value = async (name: string, labels: Record<string, string> = {}) => {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
      const match = metric?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
      return match?.value;
    };
    try {
      expect(await value('guardrail_store_up')).toBe(0);
      await store.ready();
      expect(await value('guardrail_store_up')).toBe(1);
      await store.apply([windowOp('m1', 'metrics'), windowOp('m1', 'metrics-2')]);
      await store.markSeen([{ id: 'm1', timeMs: T0 }], 60_000);
      expect(await value('guardrail_store_round_trips_total', { op: 'apply' })).toBe(1);
      expect(await value('guardrail_store_round_trips_total', { op: 'mark_seen' })).toBe(1);
      expect(await value('guardrail_store_commands_total', { op: 'apply' })).toBe(2);
      await server.kill();
      await until(() => !store.isUp());
      expect(await value('guardrail_store_up')).toBe(0);
      await failure(store.apply([windowOp('m2', 'metrics')]));
      expect(await value('guardrail_store_errors_total', { op: 'apply', error: 'unavailable' })).toBe(1);
      await server.start();
      await until(() => store.isUp());
      expect(await value('guardrail_store_up')).toBe(1);
      // One duration per round trip that was sent; the refused one was not.
      expect(await registry.getSingleMetricAsString('guardrail_store_duration_seconds')).toContain('guardrail_store_duration_seconds_count{op="apply"} 1\n');
      // Labels name the operation, the error kind and the cache event only: never an agent, a rule or a key.
      const labels = new Set((await registry.getMetricsAsJSON()).flatMap((m) => m.values.flatMap((v) => Object.keys(v.labels))));
      for (const label of labels) expect(['op', 'error', 'event', 'le']).toContain(label);
    } finally {
      await store.close();
    }
  });

  it('fails a batch with StoreUnavailableError while Redis is busy with a long script, and works once it is killed', async () => {
    const store = new RedisStore({ url: server.url, prefix });
    const blocker = new Redis(server.url);
    // No ready check (INFO would be refused while the script runs): SCRIPT KILL always goes through.
    const admin = new Redis(server.url, { enableReadyCheck: false });
    try {
      await store.ready();
      // Both connections up before the script blocks Redis, so neither waits on a refused handshake.
      await Promise.all([blocker.ping(), admin.ping()]);
      const blocked = blocker.eval('local i = 0 while true do i = i + 1 end', 0).catch((err: Error) => err);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const err = await failure(store.apply([windowOp('b1', 'busy')]));
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(err.message).toMatch(/BUSY/);
      await admin.script('KILL');
      expect(await blocked).toBeInstanceOf(Error);
      expect((await store.apply([windowOp('b2', 'busy')]))[0]!.observations[0]).toMatchObject({ duplicate: false, sums: { count: 1 } });
    } finally {
      // Never leave Redis busy for the tests after this one, whatever failed above.
      await admin.script('KILL').catch(() => undefined);
      blocker.disconnect();
      admin.disconnect();
      await store.close();
    }
  });

  it('reloads its scripts when Redis has lost them (NOSCRIPT)', async () => {
    const store = new RedisStore({ url: server.url, prefix });
    const admin = new Redis(server.url);
    try {
      await store.ready();
      await store.apply([windowOp('n1', 'noscript')]);
      await admin.script('FLUSH');
      await admin.config('RESETSTAT');
      const r = await store.apply([windowOp('n2', 'noscript')]);
      expect(r[0]!.observations[0]).toMatchObject({ duplicate: false, sums: { count: 2 } });
      // The call really went by SHA, was refused, and was sent again with its source.
      expect(await admin.info('errorstats')).toMatch(/errorstat_NOSCRIPT:count=1\b/);
    } finally {
      admin.disconnect();
      await store.close();
    }
  });

  it('reloads its scripts when Redis has lost them, inside a transaction too (a batch of several groups), without the SCRIPT command', async () => {
    const admin = new Redis(server.url);
    // A user that may run scripts (EVAL, EVALSHA) but not manage them (SCRIPT): the store needs no more.
    await admin.acl('SETUSER', 'noscript', 'on', '>noscript-pw', '~*', '&*', '+@all', '-script');
    const store = new RedisStore({ url: server.url.replace('redis://', 'redis://noscript:noscript-pw@'), prefix });
    try {
      await store.ready();
      await store.apply([windowOp('t1', 'tx-a'), windowOp('t1', 'tx-b')]);
      await admin.script('FLUSH');
      const r = await store.apply([windowOp('t2', 'tx-a'), windowOp('t2', 'tx-b')]);
      expect(r.map((x) => x.observations[0])).toMatchObject([{ sums: { count: 2 } }, { sums: { count: 2 } }]);
    } finally {
      await store.close();
      await admin.acl('DELUSER', 'noscript').catch(() => undefined);
      admin.disconnect();
    }
  });

  it('fails a batch of several groups with StoreUnavailableError while Redis is out of memory, and works once it has room', async () => {
    const store = new RedisStore({ url: server.url, prefix });
    const admin = new Redis(server.url);
    try {
      await store.ready();
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      await admin.eval("redis.call('SET', KEYS[1], string.rep('x', 3000000)) return 1", 1, `${prefix}-ballast`);
      await admin.config('SET', 'maxmemory', '1mb');
      // In a transaction Redis refuses the commands as they are queued (EXECABORT): the cause is the OOM.
      const err = await failure(store.apply([windowOp('m1', 'oom-a'), windowOp('m1', 'oom-b')]));
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(err.message).toContain('OOM');
      await admin.config('SET', 'maxmemory', '0');
      await admin.del(`${prefix}-ballast`);
      await store.ready();
      const r = await store.apply([windowOp('m2', 'oom-a'), windowOp('m2', 'oom-b')]);
      expect(r.map((x) => x.observations[0])).toMatchObject([{ sums: { count: 1 } }, { sums: { count: 1 } }]);
    } finally {
      await admin.config('SET', 'maxmemory', '0').catch(() => undefined);
      await admin.del(`${prefix}-ballast`).catch(() => undefined);
      admin.disconnect();
      await store.close();
    }
  });

  it('fails the first use with StoreUnavailableError when Redis cannot be reached at all', async () => {
    const nobody = await freePort();
    const store = new RedisStore({ url: `redis://:secret-pw@127.0.0.1:${nobody}`, prefix, connectTimeoutMs: 300, maxBackoffMs: 50 });
    try {
      const err = await failure(store.apply([windowOp('u1')]));
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(err.message).not.toContain('secret-pw');
      expect(store.isUp()).toBe(false);
    } finally {
      await store.close();
    }
  });
});
