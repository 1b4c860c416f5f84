/*
 * The development broker speaks everything Guardrail needs from Kafka through kafkajs 2.2.4:
 * topic admin, idempotent produce with acks=-1, consumer groups with manual commits, and a
 * restarted member resuming after the committed offsets. Runs against KAFKA_BROKERS.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';

const { Kafka, Partitioners, logLevel } = kafkajs;

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
const suffix = randomUUID().slice(0, 8);
const topic = `broker-test-${suffix}`;
const groupId = `broker-test-group-${suffix}`;
const MESSAGES = 100;

const kafka = new Kafka({ clientId: 'guardrail-broker-test', brokers, logLevel: logLevel.WARN });

/** Consumes with manual commits until `expected` messages arrived, or `idleMs` passes with none. */
async function consumeAll(expected: number, idleMs: number): Promise<string[]> {
  // A short fetch long-poll: disconnect waits for the fetch in flight (5 s by default).
  const consumer: Consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 250 });
  const seen: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let lastProgress = Date.now();
    // A group member with nothing to read never calls eachBatch: wait for the assignment, then
    // for silence, to conclude there is nothing left.
    let assigned = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      assigned = true;
      lastProgress = Date.now();
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }: EachBatchPayload) => {
        for (const message of batch.messages) {
          seen.push(`${message.key?.toString()}=${message.value?.toString()}`);
          resolveOffset(message.offset);
        }
        const last = batch.lastOffset();
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
        await heartbeat();
        lastProgress = Date.now();
      },
    });
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline) {
      if (seen.length >= expected && assigned) break;
      if (assigned && Date.now() - lastProgress > idleMs) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

describe.skipIf(brokers.length === 0)('development Kafka broker', () => {
  let admin: Admin;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  });

  it('creates a topic, delivers 100 keyed messages once to a group, and resumes after committed offsets', async () => {
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]!.partitions).toHaveLength(3);

    // The Java client's murmur2 partitioner, named so kafkajs does not warn about its v2 default change.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const messages = Array.from({ length: MESSAGES }, (_, i) => ({ key: `agent-${i % 10}`, value: `event-${i}` }));
      await producer.send({ topic, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(MESSAGES);
    // Keys spread over partitions, so the group really reads several of them.
    expect(offsets.filter((p) => Number(p.high) > 0).length).toBeGreaterThan(1);

    const first = await consumeAll(MESSAGES, 2_000);
    expect(first).toHaveLength(MESSAGES);
    expect(new Set(first).size).toBe(MESSAGES);
    for (let i = 0; i < MESSAGES; i++) expect(first).toContain(`agent-${i % 10}=event-${i}`);

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    expect(total).toBe(MESSAGES);

    const second = await consumeAll(1, 2_000);
    expect(second).toEqual([]);
  });
});
