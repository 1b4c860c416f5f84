/*
 * From detections to actions: stable action ids, the revocation budget (held actions still publish
 * their detection), shadow mode, and the shared Redis budget (idempotent for redelivered ids).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIPPED_HEADER,
  MAX_MESSAGE_CHARS,
  MemoryBudget,
  RedisBudget,
  actionId,
  dispatchDetections,
  lookupQuarantine,
  queueQuarantines,
  type DispatchOptions,
  type PublishedDetection,
  type QuarantineEntry,
} from '../../src/actions/index.js';
import type { Detection } from '../../src/engine/index.js';
import type { Action } from '../../src/rules/index.js';
import { cooldownsOf } from '../../src/rules/index.js';
import { rules } from '../engine/helpers.js';
import { REDIS_URL } from './helpers.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const topics = { detections: 'det', revocations: 'rev', approvals: 'apr' };

function detection(id: string, actions: Action[], mode: 'enforce' | 'shadow' = 'enforce'): Detection {
  return {
    id,
    time: '2026-11-29T11:59:59.000Z',
    detectedAt: '2026-11-29T12:00:00.000Z',
    rule: { id: 'r', kind: 'rate', severity: 'critical' },
    mode,
    subject: { agentId: `agent-${id}`, principalId: 'u-1', tokenId: `tok-${id}`, sessionId: null },
    groupKey: { 'agent.id': `agent-${id}` },
    actions,
    reason: '200 events in 1m',
    evidence: {},
    eventIds: ['e-1'],
    suppressed: 0,
  };
}

const options = (o: Partial<DispatchOptions> = {}): DispatchOptions => ({ topics, mode: 'enforce', quarantineTtlMs: 600_000, budget: new MemoryBudget(100), now: () => NOW, ...o });

describe('dispatchDetections', () => {
  it('derives stable ids from the detection id and the action', () => {
    expect(actionId('det-1', 'revoke_token')).toBe(actionId('det-1', 'revoke_token'));
    expect(actionId('det-1', 'revoke_token')).not.toBe(actionId('det-1', 'quarantine_agent'));
    expect(actionId('det-1', 'revoke_token')).toMatch(/^rev-[0-9a-f]{24}$/);
    expect(actionId('det-1', 'require_approval')).toMatch(/^apr-[0-9a-f]{24}$/);
  });

  it('publishes the detection, then one message per action, keyed as the topics require', async () => {
    const out = await dispatchDetections([detection('d1', ['revoke_token', 'quarantine_agent', 'require_approval', 'alert'])], options());
    expect(out.records.map((r) => [r.topic, r.key, r.headers['guardrail-type']])).toEqual([
      ['det', 'agent-d1', 'detection'],
      ['rev', 'tok-d1', 'revoke_token'],
      ['rev', 'tok-d1', 'quarantine_agent'],
      ['apr', 'agent-d1', 'require_approval'],
    ]);
    const quarantine = JSON.parse(out.records[2]!.value as string) as { until: string; issuedAt: string; id: string };
    expect(quarantine.until).toBe('2026-11-29T12:10:00.000Z');
    expect(out.quarantines).toEqual([{ agentId: 'agent-d1', entry: expect.objectContaining({ id: quarantine.id, until: quarantine.until }) }]);
    expect(out.outcomes).toEqual(['revoke_token', 'quarantine_agent', 'require_approval', 'alert'].map((action) => ({ action, outcome: 'executed' })));
  });

  it("quarantines for the rule's cooldown when that is longer than the TTL, up to the maximum", async () => {
    const cooldowns = new Map([['r', 12 * 3_600_000]]);
    const until = async (o: Partial<DispatchOptions>) => (await dispatchDetections([detection('d1', ['quarantine_agent'])], options(o))).quarantines[0]!.entry.until;
    const cooldownMsOf = (id: string) => cooldowns.get(id);
    expect(await until({ cooldownMsOf, quarantineMaxTtlMs: 24 * 3_600_000 })).toBe('2026-11-30T00:00:00.000Z');
    expect(await until({ cooldownMsOf, quarantineMaxTtlMs: 6 * 3_600_000 })).toBe('2026-11-29T18:00:00.000Z');
    // No maximum given (it defaults to the TTL), a cooldown shorter than the TTL, a rule no longer
    // loaded, or no lookup: the TTL (10 minutes).
    expect(await until({ cooldownMsOf })).toBe('2026-11-29T12:10:00.000Z');
    expect(await until({ cooldownMsOf: () => 60_000, quarantineMaxTtlMs: 24 * 3_600_000 })).toBe('2026-11-29T12:10:00.000Z');
    expect(await until({ cooldownMsOf: () => undefined, quarantineMaxTtlMs: 24 * 3_600_000 })).toBe('2026-11-29T12:10:00.000Z');
    expect(await until({ quarantineMaxTtlMs: 24 * 3_600_000 })).toBe('2026-11-29T12:10:00.000Z');
  });

  it('takes the cooldown of rules grouped by agent only', () => {
    const of = cooldownsOf(
      rules(`
rules:
  - { id: by-agent, kind: rate, match: { action: [read] }, window: 1h, threshold: { count: 5 }, actions: [quarantine_agent], cooldown: 12h }
  - { id: by-token, kind: rate, groupBy: [token.id], match: { action: [read] }, window: 1h, threshold: { count: 5 }, actions: [quarantine_agent], cooldown: 12h }
  - { id: by-agent-and-resource, kind: rate, groupBy: [agent.id, resource.type], match: { action: [read] }, window: 1h, threshold: { count: 5 }, actions: [quarantine_agent], cooldown: 12h }
`),
    );
    expect([of('by-agent'), of('by-token'), of('by-agent-and-resource'), of('gone')]).toEqual([12 * 3_600_000, undefined, undefined, undefined]);
  });

  it('clips huge values copied from an event instead of publishing messages the broker refuses, and keeps ids whole', async () => {
    const device = 'd'.repeat(300_000);
    const huge: Detection = {
      ...detection('d1', ['revoke_token', 'alert']),
      subject: { agentId: 'agent-d1', principalId: 'u-1', tokenId: 'tok-d1', sessionId: null },
      groupKey: { 'source.device.id': device },
      reason: `first use of device ${JSON.stringify(device)} in 30d (2 known devices)`,
      evidence: { on: 'device', value: device, known: 2 },
    };
    const out = await dispatchDetections([huge, detection('d2', ['revoke_token'])], options());
    const [det, rev, small, smallRev] = out.records;
    for (const r of [det!, rev!]) {
      expect((r.value as string).length).toBeLessThan(4096);
      expect(Number(r.headers[CLIPPED_HEADER])).toBeGreaterThan(MAX_MESSAGE_CHARS);
    }
    const published = JSON.parse(det!.value as string) as Detection;
    expect(published).toMatchObject({ id: 'd1', subject: { agentId: 'agent-d1', tokenId: 'tok-d1' }, evidence: { on: 'device', known: 2 } });
    expect(published.groupKey['source.device.id']).toBe(`${'d'.repeat(256)}… (300000 characters)`);
    expect(published.reason).toBe(`${huge.reason.slice(0, 256)}… (${huge.reason.length} characters)`);
    expect(JSON.parse(rev!.value as string)).toMatchObject({ type: 'revoke_token', detectionId: 'd1', tokenId: 'tok-d1', reason: published.reason });
    expect(rev!.key).toBe('tok-d1');
    // Ordinary messages are published as they are.
    expect(small!.headers[CLIPPED_HEADER]).toBeUndefined();
    expect(smallRev!.headers[CLIPPED_HEADER]).toBeUndefined();
    expect(JSON.parse(small!.value as string)).toMatchObject({ reason: '200 events in 1m' });
  });

  it('holds restricting actions past the budget, still publishing the detection with what was held', async () => {
    const out = await dispatchDetections(
      [detection('d1', ['revoke_token', 'alert']), detection('d2', ['revoke_token', 'quarantine_agent', 'require_approval', 'alert'])],
      options({ budget: new MemoryBudget(2) }),
    );
    const published = out.records.filter((r) => r.topic === 'det').map((r) => JSON.parse(r.value as string) as PublishedDetection);
    expect(published.map((d) => [d.id, d.actions, d.held])).toEqual([
      ['d1', ['revoke_token', 'alert'], undefined],
      ['d2', ['revoke_token', 'require_approval', 'alert'], ['quarantine_agent']],
    ]);
    expect(out.records.filter((r) => r.topic === 'rev')).toHaveLength(2);
    expect(out.held).toEqual([{ detectionId: 'd2', ruleId: 'r', action: 'quarantine_agent' }]);
    expect(out.outcomes).toContainEqual({ action: 'quarantine_agent', outcome: 'held' });
  });

  it('takes no action in shadow mode, per rule or for the whole processor', async () => {
    const perRule = await dispatchDetections([detection('d1', ['revoke_token', 'alert'], 'shadow')], options());
    const global = await dispatchDetections([detection('d2', ['revoke_token', 'require_approval'])], options({ mode: 'shadow' }));
    for (const out of [perRule, global]) {
      expect(out.records.map((r) => r.topic)).toEqual(['det']);
      expect((JSON.parse(out.records[0]!.value as string) as Detection).mode).toBe('shadow');
      expect(out.outcomes.every((o) => o.outcome === 'shadow')).toBe(true);
    }
  });
});

describe('MemoryBudget', () => {
  it('admits up to a changed limit in memory (the share of one instance while Redis is down), counting what it admitted before', async () => {
    const budget = new MemoryBudget(4);
    expect(await budget.admit(['r1', 'r2'], NOW)).toEqual([true, true]);
    budget.setLimit(3);
    expect(budget.limit).toBe(3);
    expect(await budget.admit(['r3', 'r4', 'r1'], NOW)).toEqual([true, false, true]);
    budget.setLimit(0);
    expect(await budget.admit(['r5'], NOW + 61_000)).toEqual([false]);
  });
});

describe('quarantine entries in Redis', () => {
  const prefix = `gr-t-quarantine-${randomUUID().slice(0, 8)}`;
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await redis.del(`${prefix}:quarantine:a-1`, `${prefix}:quarantine:a-2`);
    redis.disconnect();
  });
  const entry = (id: string, untilMs: number): QuarantineEntry => ({ id, detectionId: `det-${id}`, ruleId: 'r', severity: 'high', reason: 'x', issuedAt: new Date(NOW).toISOString(), until: new Date(untilMs).toISOString(), tokenId: 't' });
  const write = async (agentId: string, e: QuarantineEntry) => {
    const pipeline = redis.pipeline();
    queueQuarantines(pipeline, prefix, [{ agentId, entry: e }], NOW);
    await pipeline.exec();
  };

  it('never shortens the quarantine in force: a shorter one takes its until, and a longer one replaces it', async () => {
    await write('a-1', entry('long', NOW + 12 * 3_600_000));
    await write('a-1', entry('short', NOW + 3_600_000));
    // The entry names the latest quarantine, with the until of the longer one.
    expect(await lookupQuarantine(redis, prefix, 'a-1')).toMatchObject({ id: 'short', detectionId: 'det-short', until: new Date(NOW + 12 * 3_600_000).toISOString() });
    expect(await redis.pttl(`${prefix}:quarantine:a-1`)).toBeGreaterThan(11 * 3_600_000);
    await write('a-2', entry('short', NOW + 3_600_000));
    await write('a-2', entry('long', NOW + 12 * 3_600_000));
    expect((await lookupQuarantine(redis, prefix, 'a-2'))?.id).toBe('long');
    expect(await redis.pttl(`${prefix}:quarantine:a-2`)).toBeGreaterThan(11 * 3_600_000);
  });
});

describe('RedisBudget', () => {
  const prefix = `gr-t-budget-${randomUUID().slice(0, 8)}`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });

  afterAll(async () => {
    await redis.del(`${prefix}:budget:restricting`);
    redis.disconnect();
  });

  it('admits N actions per sliding minute across callers, and re-admits an id it admitted before', async () => {
    const a = new RedisBudget(redis, prefix, 3);
    const b = new RedisBudget(redis, prefix, 3);
    expect(await a.admit(['r1', 'r2'], NOW)).toEqual([true, true]);
    expect(await b.admit(['r3', 'r4'], NOW + 1000)).toEqual([true, false]);
    // A redelivered batch asks again for ids it was granted: no budget spent.
    expect(await a.admit(['r1', 'r3', 'r5'], NOW + 2000)).toEqual([true, true, false]);
    // The first two leave the window after 60 s.
    expect(await b.admit(['r6', 'r7', 'r8'], NOW + 60_500)).toEqual([true, true, false]);
  });
});
