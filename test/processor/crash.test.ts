/*
 * Crash test: `node bin/guardrail.js run` is killed with SIGKILL in the middle of a stream and started
 * again. Every event must be counted exactly once in the windows (count-all fires at each agent's
 * 70th event, with a count of 70, exactly where a replay of the stream says) and every expected
 * revocation must be published; one published twice carries the same id and content.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionId, type RevocationMessage } from '../../src/actions/index.js';
import type { Detection } from '../../src/engine/index.js';
import {
  BROKERS,
  COUNTING_RULES,
  ChildProcessor,
  EVENTS_PER_AGENT,
  REDIS_URL,
  TopicReader,
  cleanup,
  closeProducer,
  countingTraffic,
  createTopics,
  ensureBuilt,
  expectedDetections,
  produce,
  progress,
  sleep,
  testEnv,
  testNames,
  kafka,
  waitCommitted,
} from './helpers.js';

const AGENTS = 40;

/** Revocations by id; a republished one must be the same message but for issuedAt. */
function distinctRevocations(all: readonly RevocationMessage[]): Map<string, RevocationMessage> {
  const byId = new Map<string, RevocationMessage>();
  for (const m of all) {
    const seen = byId.get(m.id);
    if (seen) expect({ ...m, issuedAt: '' }).toEqual({ ...seen, issuedAt: '' });
    else byId.set(m.id, m);
  }
  return byId;
}

// The default state store mode only. Scripts mode writes each phase's states as the phase ends: a
// kill after the windows were written and before the cooldowns were can make the restarted
// processor fire at another event of the redelivered batch (its windows report the state with the
// whole batch in it), so a revocation id can differ from a single run's (docs/state.md, "Known
// limits"). Seen in CI once in the eight runs of this test in scripts mode on 2026-11-29.
describe.skipIf(!BROKERS).each(['cached'] as const)('guardrail run: SIGKILL in the middle of a stream (store mode %s)', (mode) => {
  const n = testNames(`crash-${mode}`);
  const children: ChildProcessor[] = [];
  const events = countingTraffic('crash', AGENTS, Date.parse('2026-11-04T08:00:00Z'));
  let expected: Detection[] = [];
  let env: Record<string, string> = {};

  beforeAll(async () => {
    ensureBuilt();
    await createTopics(n, 4);
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await closeProducer();
    await cleanup(n);
  });

  it('counts every event once and publishes every expected revocation after a restart', async () => {
    expected = await expectedDetections(COUNTING_RULES, events);
    expect(expected.filter((d) => d.rule.id === 'count-all')).toHaveLength(AGENTS);
    expect(expected.filter((d) => d.rule.id === 'delete-burst')).toHaveLength(AGENTS / 2);
    await produce(n.events, events);

    // Small fetches: many batches and commits, so the kill lands between two of them.
    env = testEnv(n, { GUARDRAIL_RULES: COUNTING_RULES, KAFKA_MAX_BYTES_PER_PARTITION: '16KB', GUARDRAIL_LOG_LEVEL: 'info', GUARDRAIL_STORE_MODE: mode });
    const first = new ChildProcessor(env);
    children.push(first);
    await first.waitForLog('joined the consumer group');
    let atKill = await progress(n.group, n.events);
    while (atKill.committed < atKill.end * 0.3) {
      await sleep(25);
      atKill = await progress(n.group, n.events);
    }
    first.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(atKill.committed).toBeLessThan(atKill.end);

    const second = new ChildProcessor(env);
    children.push(second);
    await waitCommitted(n.group, n.events, 90_000);
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const reader = new TopicReader([n.revocations, n.detections]);
    await reader.start();
    try {
      const wanted = new Set(expected.map((d) => actionId(d.id, 'revoke_token')));
      await reader.waitFor(() => new Set(reader.json<RevocationMessage>(n.revocations).map((m) => m.id)).size >= wanted.size, 'every revocation');
      await sleep(500);
      const revocations = reader.json<RevocationMessage>(n.revocations);
      expect(new Set(revocations.map((m) => m.id))).toEqual(wanted);
      // A revocation published again (its batch was redelivered) is the same message but for issuedAt.
      distinctRevocations(revocations);

      const counts = reader.json<Detection>(n.detections).filter((d) => d.rule.id === 'count-all');
      for (const d of counts) expect((d.evidence as { observed: { count: number } }).observed.count).toBe(EVENTS_PER_AGENT);
      expect(new Set(counts.map((d) => d.id))).toEqual(new Set(expected.filter((d) => d.rule.id === 'count-all').map((d) => d.id)));
    } finally {
      await reader.close();
    }
  });

  it('republishes the same revocation ids and counts nothing twice when the whole stream is redelivered', async () => {
    // As if an operator reset the group's offsets after the ledger of handled events expired.
    const redis = new Redis(REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${n.prefix}:{done*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: n.group, topic: n.events, earliest: true });
    await admin.disconnect();

    const reader = new TopicReader([n.revocations, n.detections]);
    await reader.start();
    try {
      const before = reader.messages.get(n.revocations)!.length;
      const third = new ChildProcessor(env);
      children.push(third);
      await waitCommitted(n.group, n.events, 90_000);
      third.kill('SIGTERM');
      expect(await third.exited).toBe(0);
      await reader.waitFor(() => reader.messages.get(n.revocations)!.length >= before + expected.length, 'the republished revocations');
      await sleep(500);
      const byId = distinctRevocations(reader.json<RevocationMessage>(n.revocations));
      expect(new Set(byId.keys())).toEqual(new Set(expected.map((d) => actionId(d.id, 'revoke_token'))));
      for (const d of reader.json<Detection>(n.detections).filter((x) => x.rule.id === 'count-all')) {
        expect((d.evidence as { observed: { count: number } }).observed.count).toBe(EVENTS_PER_AGENT);
      }
    } finally {
      await reader.close();
    }
  });
});
