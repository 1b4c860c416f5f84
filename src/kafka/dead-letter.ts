/*
 * Dead letters: an event that cannot be processed goes to the dead-letter topic with its original
 * key, bytes and headers, plus headers saying where it came from and why (shared DESIGN.md). The
 * reason comes from the decoder, which never echoes a credential.
 */
import type { KafkaMessage } from 'kafkajs';
import type { OutRecord } from '../actions/index.js';

export const DLQ_HEADERS = {
  reason: 'guardrail-reason',
  topic: 'guardrail-source-topic',
  partition: 'guardrail-source-partition',
  offset: 'guardrail-source-offset',
  timestamp: 'guardrail-source-timestamp',
  failedAt: 'guardrail-failed-at',
} as const;

export function deadLetter(dlqTopic: string, source: { topic: string; partition: number }, message: KafkaMessage, reason: string, nowMs: number): OutRecord {
  const headers: OutRecord['headers'] = {};
  // As they came, a header without a value (null) included: kafkajs's type leaves that case out.
  for (const [name, value] of Object.entries(message.headers ?? {}) as [string, OutRecord['headers'][string] | undefined][]) if (value !== undefined) headers[name] = value;
  headers[DLQ_HEADERS.reason] = reason;
  headers[DLQ_HEADERS.topic] = source.topic;
  headers[DLQ_HEADERS.partition] = String(source.partition);
  headers[DLQ_HEADERS.offset] = message.offset;
  headers[DLQ_HEADERS.timestamp] = message.timestamp;
  headers[DLQ_HEADERS.failedAt] = new Date(nowMs).toISOString();
  return { topic: dlqTopic, key: message.key, value: message.value, headers };
}

export const DLQ_TRUNCATED = 'guardrail-truncated-from';
const KEEP_BYTES = 64 * 1024;

/** A dead letter too large for the broker: the first 64 KiB of its value, its original size in a header. */
export function truncateDeadLetter(r: OutRecord): OutRecord {
  const value = r.value === null ? null : Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
  if (value === null || value.length <= KEEP_BYTES) return r;
  return { ...r, value: value.subarray(0, KEEP_BYTES), headers: { ...r.headers, [DLQ_TRUNCATED]: String(value.length) } };
}
