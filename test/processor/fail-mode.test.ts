/*
 * The state store goes away under a running processor (a redis-server of the test's own, killed and
 * started again). Fail closed: consumption pauses, nothing is committed, and once Redis is back the
 * held events are processed and the attack among them is revoked. Fail open: consumption goes on
 * with the stateless rules only, counted in guardrail_events_total{outcome="fail_open"}.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RevocationMessage } from '../../src/actions/index.js';
import type { Processor } from '../../src/kafka/index.js';
import { OwnRedis, freePort } from '../state/redis-helpers.js';
import { BROKERS, TopicReader, cleanup, closeProducer, event, produce, progress, sleep, startInProcess, testNames, until, waitCommitted } from './helpers.js';

const T0 = Date.parse('2026-11-06T10:00:00Z');

const deletes = (agent: string, count: number) => Array.from({ length: count }, (_, i) => event({ id: `${agent}-${i}`, timeMs: T0 + i * 1000, agent, action: 'delete' }));

async function metric(p: Processor, name: string): Promise<string> {
  return p.metrics.registry.getSingleMetricAsString(name);
}

describe.skipIf(!BROKERS)('guardrail run: state store outage', () => {
  afterAll(async () => {
    await closeProducer();
  });

  describe('fail closed (the default)', () => {
    const n = testNames('closed');
    let redis: OwnRedis;
    let processor: Processor;
    let reader: TopicReader;

    beforeAll(async () => {
      redis = new OwnRedis(await freePort());
      await redis.start();
      processor = await startInProcess(n, { REDIS_URL: redis.url, GUARDRAIL_STORE_TIMEOUT: '300ms', GUARDRAIL_LAG_INTERVAL: '300ms' });
      reader = new TopicReader([n.revocations]);
      await reader.start();
    });

    afterAll(async () => {
      await processor?.stop();
      await reader?.close();
      await redis?.kill();
      await cleanup(n);
    });

    it('pauses and commits nothing while Redis is down, then processes everything once it is back', async () => {
      await produce(n.events, [event({ id: 'warm-0', timeMs: T0, agent: 'a-warm' })]);
      await waitCommitted(n.group, n.events);
      const before = await progress(n.group, n.events);

      await redis.kill();
      await produce(n.events, deletes('a-closed', 25));
      await sleep(2_500);
      const during = await progress(n.group, n.events);
      expect(during.end).toBe(before.end + 25);
      expect(during.committed).toBe(before.committed);
      expect(processor.readiness()).toEqual({ ready: false, reasons: ['state store down (fail closed)'] });
      expect(await metric(processor, 'guardrail_store_up')).toContain('guardrail_store_up 0');
      expect(reader.json<RevocationMessage>(n.revocations)).toEqual([]);
      // No batch commits, yet the lag gauge shows the 25 waiting events (read from Kafka on a timer).
      const lag = async () => [...(await metric(processor, 'guardrail_consumer_lag')).matchAll(/^guardrail_consumer_lag\{.*\} (\d+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
      await until(async () => (await lag()) === 25, 'the consumer lag gauge to show the waiting events');

      redis = new OwnRedis(redis.port);
      await redis.start();
      await waitCommitted(n.group, n.events);
      await reader.waitFor(() => reader.json<RevocationMessage>(n.revocations).some((m) => m.agentId === 'a-closed'), 'the revocation after recovery');
      expect(processor.readiness().ready).toBe(true);
      expect(await metric(processor, 'guardrail_store_up')).toContain('guardrail_store_up 1');
      expect(await metric(processor, 'guardrail_events_total')).toContain('guardrail_events_total{outcome="processed"} 26');
    });
  });

  describe('fail open', () => {
    const n = testNames('open');
    let redis: OwnRedis;
    // OwnRedis.kill() waits for an exit that already happened when called twice.
    let killed = false;
    let processor: Processor;
    let reader: TopicReader;

    beforeAll(async () => {
      redis = new OwnRedis(await freePort());
      await redis.start();
      processor = await startInProcess(n, { REDIS_URL: redis.url, GUARDRAIL_STORE_TIMEOUT: '300ms', GUARDRAIL_FAIL_MODE: 'open' });
      reader = new TopicReader([n.revocations]);
      await reader.start();
    });

    afterAll(async () => {
      await processor?.stop();
      await reader?.close();
      if (!killed) await redis?.kill();
      await cleanup(n);
    });

    it('keeps consuming with stateless rules only while Redis is down', async () => {
      await produce(n.events, [event({ id: 'warm-0', timeMs: T0, agent: 'a-warm' })]);
      await waitCommitted(n.group, n.events);

      await redis.kill();
      killed = true;
      // A stateless rule (forbidden-resource) still fires; the delete burst needs a window and does not.
      await produce(n.events, [...deletes('a-open', 25), event({ id: 'vault-0', timeMs: T0 + 30_000, agent: 'a-vault', resource: 'vault.export' })]);
      await waitCommitted(n.group, n.events);
      await reader.waitFor(() => reader.json<RevocationMessage>(n.revocations).some((m) => m.agentId === 'a-vault'), 'the stateless revocation');
      expect(reader.json<RevocationMessage>(n.revocations).map((m) => m.ruleId)).toEqual(['forbidden-resource']);
      expect(await metric(processor, 'guardrail_events_total')).toContain('guardrail_events_total{outcome="fail_open"} 26');
      expect(processor.readiness().ready).toBe(true);
    });
  });
});
