/*
 * `guardrail run` end to end against the real broker and Redis: attack traffic in, the expected
 * revocations, quarantines and approval requests out (the same detections an in-memory replay of the
 * events gives); benign and shadow-mode traffic restrict nobody; an invalid event goes to the
 * dead-letter topic with its reason and original bytes while the next valid one is processed.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionId, lookupQuarantine, type ApprovalMessage, type QuarantineMessage, type RevocationMessage } from '../../src/actions/index.js';
import type { Detection } from '../../src/engine/index.js';
import type { Processor } from '../../src/kafka/index.js';
import { DLQ_HEADERS } from '../../src/kafka/index.js';
import {
  BROKERS,
  FIXTURE_RULES,
  REDIS_URL,
  event,
  expectedDetections,
  produce,
  sleep,
  startWithReader,
  testNames,
  waitCommitted,
  type Harness,
  type TopicReader,
} from './helpers.js';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const n = testNames('pipeline');

type ActionOut = RevocationMessage | QuarantineMessage;

describe.skipIf(!BROKERS)('guardrail run: Kafka in, Redis state, actions out', () => {
  let processor: Processor;
  let reader: TopicReader;

  let harness: Harness;

  beforeAll(async () => {
    harness = await startWithReader(n, [n.detections, n.revocations, n.approvals, n.dlq]);
    ({ processor, reader } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('turns attack traffic into the revocations, quarantines and approval requests a replay of it predicts', async () => {
    const deletes = Array.from({ length: 25 }, (_, i) => event({ id: `del-${i}`, timeMs: T0 + i * 1000, agent: 'a-del', action: 'delete' }));
    const travel = [
      event({ id: 'trv-0', timeMs: T0 + 60_000, agent: 'a-travel', place: 'paris' }),
      event({ id: 'trv-1', timeMs: T0 + 120_000, agent: 'a-travel', place: 'tokyo' }),
    ];
    const wipe = event({ id: 'wipe-0', timeMs: T0 + 90_000, agent: 'a-wipe', action: 'wipe' });
    const attacks = [...deletes, ...travel, wipe];
    const expected = await expectedDetections(FIXTURE_RULES, attacks);
    expect(expected.map((d) => d.rule.id).sort()).toEqual(['delete-burst', 'token-travel', 'wipe-quarantine']);

    await produce(n.events, attacks);
    const expectedRevocations = expected.filter((d) => d.actions.includes('revoke_token')).map((d) => actionId(d.id, 'revoke_token'));
    const expectedQuarantines = expected.filter((d) => d.actions.includes('quarantine_agent')).map((d) => actionId(d.id, 'quarantine_agent'));
    const restricting = () => reader.json<ActionOut>(n.revocations);
    await reader.waitFor(() => restricting().length >= expectedRevocations.length + expectedQuarantines.length, 'revocations and quarantines');
    await waitCommitted(n.group, n.events);

    const out = restricting();
    expect(out.filter((m) => m.type === 'revoke_token').map((m) => m.id).sort()).toEqual([...expectedRevocations].sort());
    expect(out.filter((m) => m.type === 'quarantine_agent').map((m) => m.id).sort()).toEqual([...expectedQuarantines].sort());

    const burst = expected.find((d) => d.rule.id === 'delete-burst')!;
    const revocation = out.find((m) => m.detectionId === burst.id && m.type === 'revoke_token') as RevocationMessage;
    expect(revocation).toMatchObject({ tokenId: 'tok-a-del', agentId: 'a-del', principalId: 'u-a-del', ruleId: 'delete-burst', severity: 'critical', purgeMemory: true, eventTime: new Date(T0 + 20_000).toISOString() });
    // Key = token id, so a consumer compacting or partitioning by token sees every revocation of it.
    expect(reader.messages.get(n.revocations)!.find((m) => m.value.includes(revocation.id))!.key).toBe('tok-a-del');

    const quarantine = out.find((m) => m.type === 'quarantine_agent' && m.ruleId === 'token-travel') as QuarantineMessage;
    expect(quarantine).toMatchObject({ agentId: 'a-travel', tokenId: 'tok-a-travel', ruleId: 'token-travel' });
    expect(Date.parse(quarantine.until) - Date.parse(quarantine.issuedAt)).toBe(3_600_000);
    // The deny-list entry enforcement points read, expiring with the quarantine.
    const redis = new Redis(REDIS_URL);
    try {
      expect(await lookupQuarantine(redis, n.prefix, 'a-travel')).toMatchObject({ id: quarantine.id, until: quarantine.until, ruleId: 'token-travel' });
      const ttl = await redis.pttl(`${n.prefix}:quarantine:a-travel`);
      expect(ttl).toBeGreaterThan(3_500_000);
      expect(ttl).toBeLessThanOrEqual(3_600_000);
      // A rule grouped by agent that cools down for 3 hours quarantines for 3 hours.
      const long = out.find((m) => m.type === 'quarantine_agent' && m.ruleId === 'wipe-quarantine') as QuarantineMessage;
      expect(Date.parse(long.until) - Date.parse(long.issuedAt)).toBe(3 * 3_600_000);
      expect(await redis.pttl(`${n.prefix}:quarantine:a-wipe`)).toBeGreaterThan(3 * 3_600_000 - 100_000);
    } finally {
      redis.disconnect();
    }

    await reader.waitFor(() => reader.json(n.approvals).length >= 1, 'the approval request');
    expect(reader.json<ApprovalMessage>(n.approvals)).toEqual([expect.objectContaining({ type: 'require_approval', id: actionId(burst.id, 'require_approval'), detectionId: burst.id, agentId: 'a-del' })]);

    // Detections are published whole, with the ids the replay gave.
    const detections = reader.json<Detection>(n.detections);
    expect(detections.map((d) => d.id).sort()).toEqual(expected.map((d) => d.id).sort());
    expect(detections.find((d) => d.id === burst.id)).toMatchObject({ rule: burst.rule, subject: burst.subject, actions: burst.actions, eventIds: burst.eventIds, reason: burst.reason });

    const metrics = await processor.metrics.registry.getSingleMetricAsString('guardrail_actions_total');
    expect(metrics).toContain('guardrail_actions_total{action="revoke_token",outcome="executed"} 2');
  });

  it('restricts nobody for benign traffic, and only reports shadow-mode detections', async () => {
    const benign = Array.from({ length: 30 }, (_, i) => event({ id: `ok-${i}`, timeMs: T0 + i * 10_000, agent: 'a-benign' }));
    const admin = [event({ id: 'adm-0', timeMs: T0 + 5_000, agent: 'a-admin', action: 'admin' })];
    expect((await expectedDetections(FIXTURE_RULES, benign)).length).toBe(0);
    await produce(n.events, [...benign, ...admin]);
    await reader.waitFor(() => reader.json<Detection>(n.detections).some((d) => d.rule.id === 'admin-dry-run'), 'the shadow detection');
    await waitCommitted(n.group, n.events);

    const shadow = reader.json<Detection>(n.detections).find((d) => d.rule.id === 'admin-dry-run')!;
    expect(shadow).toMatchObject({ mode: 'shadow', actions: ['revoke_token', 'alert'], subject: { agentId: 'a-admin' } });
    const restricted = reader.json<ActionOut>(n.revocations).map((m) => m.agentId);
    expect(restricted).not.toContain('a-benign');
    expect(restricted).not.toContain('a-admin');
    expect(reader.json<Detection>(n.detections).filter((d) => d.subject.agentId === 'a-benign')).toEqual([]);
    const actions = await processor.metrics.registry.getSingleMetricAsString('guardrail_actions_total');
    expect(actions).toContain('guardrail_actions_total{action="revoke_token",outcome="shadow"} 1');
  });

  it('sends invalid events to the dead-letter topic with their reason and bytes, and processes the next valid event', async () => {
    const notJson = '{"id": "bad-1", "time": ';
    const noToken = JSON.stringify({ ...event({ id: 'bad-2', timeMs: T0, agent: 'a-dlq' }), token: undefined });
    const withJwt = JSON.stringify(event({ id: 'bad-3', timeMs: T0, agent: 'a-dlq', token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U' }));
    // All on one partition (same key), followed by an attack that must still be detected.
    await produce(n.events, [notJson, noToken, withJwt], 'a-dlq');
    const after = [event({ id: 'dlq-ok-0', timeMs: T0 + 60_000, agent: 'a-dlq', resource: 'vault.export' })];
    await produce(n.events, after);

    await reader.waitFor(() => reader.messages.get(n.dlq)!.length >= 3, 'three dead letters');
    await reader.waitFor(() => reader.json<ActionOut>(n.revocations).some((m) => m.agentId === 'a-dlq'), 'the revocation after the bad events');
    const dead = reader.messages.get(n.dlq)!;
    // Original bytes, but never a credential: the JWT is replaced, the rest of the event kept.
    expect(dead.map((m) => m.value)).toEqual([notJson, noToken, JSON.stringify({ ...JSON.parse(withJwt), token: { id: '[REDACTED]' } })]);
    expect(dead[2]!.headers[DLQ_HEADERS.redacted]).toBe('credentials');
    expect(dead[0]!.headers[DLQ_HEADERS.redacted]).toBeUndefined();
    expect(dead.every((m) => m.key === 'a-dlq')).toBe(true);
    expect(dead[0]!.headers[DLQ_HEADERS.reason]).toMatch(/JSON/);
    expect(dead[1]!.headers[DLQ_HEADERS.reason]).toMatch(/token/);
    expect(dead[2]!.headers[DLQ_HEADERS.reason]).toMatch(/credential|JWT|token/i);
    expect(dead[2]!.headers[DLQ_HEADERS.reason]).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    for (const m of dead) {
      expect(m.headers[DLQ_HEADERS.topic]).toBe(n.events);
      expect(Number(m.headers[DLQ_HEADERS.offset])).toBeGreaterThanOrEqual(0);
      expect(m.headers[DLQ_HEADERS.partition]).toMatch(/^[0-2]$/);
    }
    await waitCommitted(n.group, n.events);
    const events = await processor.metrics.registry.getSingleMetricAsString('guardrail_events_total');
    expect(events).toContain('guardrail_events_total{outcome="invalid"} 3');
  });

  it('dead-letters a flood of invalid events bigger than one broker request, without stalling', async () => {
    // 2,500 invalid events of 600 bytes on one partition: more than the broker takes in one request.
    const flood = Array.from({ length: 2500 }, (_, i) => `{"id":"flood-${i}","note":"${'x'.repeat(560)}"`);
    await produce(n.events, flood, 'a-flood');
    await produce(n.events, [event({ id: 'flood-ok', timeMs: T0 + 90_000, agent: 'a-flood', resource: 'vault.export' })]);
    await reader.waitFor(() => reader.messages.get(n.dlq)!.filter((m) => m.key === 'a-flood').length >= 2500, 'the flood in the dead-letter topic', 60_000);
    await reader.waitFor(() => reader.json<ActionOut>(n.revocations).some((m) => m.agentId === 'a-flood'), 'the revocation after the flood');
    expect(new Set(reader.messages.get(n.dlq)!.filter((m) => m.key === 'a-flood').map((m) => m.value))).toEqual(new Set(flood));
  });

  it('skips an event seen before (a producer retry or a replayed topic) and counts it as a duplicate', async () => {
    const once = event({ id: 'dup-0', timeMs: T0, agent: 'a-dup', resource: 'vault.export' });
    await produce(n.events, [once]);
    await reader.waitFor(() => reader.json<ActionOut>(n.revocations).some((m) => m.agentId === 'a-dup'), 'the first revocation');
    await waitCommitted(n.group, n.events);
    const before = await processor.metrics.registry.getSingleMetricAsString('guardrail_events_total');
    expect(before).toContain('guardrail_events_total{outcome="duplicate"} 0');
    await produce(n.events, [once]);
    await waitCommitted(n.group, n.events);
    expect(await processor.metrics.registry.getSingleMetricAsString('guardrail_events_total')).toContain('guardrail_events_total{outcome="duplicate"} 1');
    await sleep(500); // a second revocation, were there one, would be out before the commit; give the reader time to see it
    expect(reader.json<ActionOut>(n.revocations).filter((m) => m.agentId === 'a-dup')).toHaveLength(1);
  });
});
