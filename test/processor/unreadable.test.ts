/*
 * State in Redis the processor cannot read (written by something else under its prefix, or by
 * someone resetting an agent's history): the processor starts that state afresh, counts it in
 * guardrail_store_cache_total{event="unreadable"} (what GuardrailStateUnreadable alerts on) and goes
 * on; the agent is then judged as new, which this test shows on a delete burst split by a restart.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Processor } from '../../src/kafka/index.js';
import { groupTag } from '../../src/state/redis/keys.js';
import { BROKERS, REDIS_URL, cleanup, closeProducer, event, produce, startInProcess, testNames, waitCommitted } from './helpers.js';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const n = testNames('unreadable');

function deletes(agent: string, from: number, count: number, t0: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => event({ id: `${agent}-del-${from + i}`, timeMs: t0 + (from + i) * 1000, agent, action: 'delete' }));
}

async function unreadable(p: Processor): Promise<string> {
  return p.metrics.registry.getSingleMetricAsString('guardrail_store_cache_total');
}

describe.skipIf(!BROKERS)('guardrail run with unreadable state in Redis', () => {
  const redis = new Redis(REDIS_URL);
  let processor: Processor | undefined;

  afterAll(async () => {
    await processor?.stop();
    await closeProducer();
    await cleanup(n);
    redis.disconnect();
  });

  it('starts the state afresh, counts it, and keeps processing', async () => {
    // 15 deletes each for two agents, then a restart (the new process holds no state: it reads Redis).
    processor = await startInProcess(n);
    await produce(n.events, [...deletes('a-kept', 0, 15, T0), ...deletes('a-reset', 0, 15, T0)]);
    await waitCommitted(n.group, n.events);
    await processor.stop();

    // Garbage over every state of a-reset: its keys carry the hash tag of its group key.
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${n.prefix}:{${groupTag(JSON.stringify(['a-reset']))}}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) await redis.set(k, 'not a state', 'KEEPTTL');

    processor = await startInProcess(n);
    expect(await unreadable(processor)).toContain('guardrail_store_cache_total{event="unreadable"} 0');
    // 10 more deletes each within the minute: 25 for a-kept (over the ceiling of 20), 10 for a-reset.
    await produce(n.events, [...deletes('a-kept', 15, 10, T0), ...deletes('a-reset', 15, 10, T0)]);
    await waitCommitted(n.group, n.events);
    expect(await unreadable(processor)).toMatch(/guardrail_store_cache_total\{event="unreadable"\} [1-9]/);
    const detections = await processor.metrics.registry.getSingleMetricAsString('guardrail_detections_total');
    expect(detections).toMatch(/guardrail_detections_total\{rule="delete-burst",[^}]*\} 1\n/);
  });
});
