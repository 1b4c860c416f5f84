/*
 * Two `guardrail run` instances in one consumer group split the partitions (and the fail-open
 * revocation budget); when one stops, the other takes its partitions over and no event is lost (count-all still fires at each agent's 70th
 * event, half of which the stopped instance had counted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionId, type RevocationMessage } from '../../src/actions/index.js';
import type { Detection } from '../../src/engine/index.js';
import {
  BROKERS,
  COUNTING_RULES,
  ChildProcessor,
  EVENTS_PER_AGENT,
  TopicReader,
  cleanup,
  closeProducer,
  countingTraffic,
  createTopics,
  ensureBuilt,
  expectedDetections,
  produce,
  sleep,
  testEnv,
  testNames,
  waitCommitted,
} from './helpers.js';

const n = testNames('group');

/** The partitions of the instance's latest assignment, from its log. */
function assignment(c: ChildProcessor): number[] {
  const joins = c.output.filter((l) => l.includes('joined the consumer group'));
  const last = joins[joins.length - 1];
  return last === undefined ? [] : (JSON.parse(last) as { partitions: number[] }).partitions;
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe.skipIf(!BROKERS)('guardrail run: two instances in one consumer group', () => {
  const children: ChildProcessor[] = [];

  beforeAll(async () => {
    ensureBuilt();
    await createTopics(n, 4);
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await closeProducer();
    await cleanup(n);
  });

  it('split the partitions, and the survivor takes over without losing an event', async () => {
    const events = countingTraffic('group', 40, Date.parse('2026-11-05T08:00:00Z'));
    const expected = await expectedDetections(COUNTING_RULES, events);
    const env = testEnv(n, { GUARDRAIL_RULES: COUNTING_RULES, GUARDRAIL_LOG_LEVEL: 'info', KAFKA_MAX_BYTES_PER_PARTITION: '64KB' });
    const a = new ChildProcessor(env);
    const b = new ChildProcessor(env);
    children.push(a, b);
    await until(() => assignment(a).length + assignment(b).length === 4 && assignment(a).length > 0 && assignment(b).length > 0, 'both instances to share the 4 partitions');
    expect([...assignment(a), ...assignment(b)].sort()).toEqual([0, 1, 2, 3]);
    // Each takes half of the revocation budget (100 a minute) for when Redis is down in fail open.
    const share = (c: ChildProcessor, perInstance: number, members: number) =>
      c.output.some((l) => l.includes(`revocation budget while Redis is down (fail open): ${perInstance} a minute for this instance, ${members} in the group`));
    await until(() => share(a, 50, 2) && share(b, 50, 2), 'both instances to take half of the budget');

    // The first half of the stream is counted by both instances, each on its own partitions.
    const half = Math.floor(events.length / 2);
    await produce(n.events, events.slice(0, half));
    await waitCommitted(n.group, n.events);
    expect(a.output.some((l) => l.includes('"rule":"delete-burst"')) || b.output.some((l) => l.includes('"rule":"delete-burst"'))).toBe(true);

    // A leaves; B gets all partitions and counts the second half on top of A's state.
    a.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    await until(() => assignment(b).length === 4, 'the survivor to own every partition');
    await until(() => share(b, 100, 1), 'the survivor to take the whole budget');
    await produce(n.events, events.slice(half));
    await waitCommitted(n.group, n.events);
    b.kill('SIGTERM');
    expect(await b.exited).toBe(0);

    const reader = new TopicReader([n.revocations, n.detections]);
    await reader.start();
    try {
      const wanted = new Set(expected.map((d) => actionId(d.id, 'revoke_token')));
      await reader.waitFor(() => new Set(reader.json<RevocationMessage>(n.revocations).map((m) => m.id)).size >= wanted.size, 'every revocation');
      await sleep(500);
      expect(new Set(reader.json<RevocationMessage>(n.revocations).map((m) => m.id))).toEqual(wanted);
      const counts = reader.json<Detection>(n.detections).filter((d) => d.rule.id === 'count-all');
      expect(counts).toHaveLength(40);
      for (const d of counts) expect((d.evidence as { observed: { count: number } }).observed.count).toBe(EVENTS_PER_AGENT);
    } finally {
      await reader.close();
    }
  });
});
