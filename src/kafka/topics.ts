/*
 * Creates the processor's topics at start-up when they are missing (events, detections,
 * revocations, approvals, dead letters). Existing topics are left as they are.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { TopicSettings } from '../config/index.js';

export function topicNames(t: TopicSettings): string[] {
  return [t.events, t.detections, t.revocations, t.approvals, t.dlq];
}

/** Creates the missing topics; returns the names it created. */
export async function ensureTopics(admin: Admin, t: TopicSettings, log: Logger): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topicNames(t).filter((name) => !existing.has(name));
  if (missing.length === 0) return [];
  const replicationFactor = t.replication === 'auto' ? Math.min(3, (await admin.describeCluster()).brokers.length) : t.replication;
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: t.partitions, replicationFactor })),
    });
  } catch (err) {
    // Another instance starting at the same time may have created them first.
    const still = new Set(await admin.listTopics());
    if (missing.some((name) => !still.has(name))) throw err;
  }
  log.info({ topics: missing, partitions: t.partitions, replicationFactor }, 'created missing topics');
  return missing;
}
