/*
 * A huge value in an event (a 150 KB label the rules group by) ends up in the detection. Topics that take at most 100 KB per message would refuse it and the partition
 * would stall on the retried send; the processor publishes it with long strings clipped instead,
 * ids whole, and goes on with the next event.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIPPED_HEADER, type RevocationMessage } from '../../src/actions/index.js';
import type { Detection } from '../../src/engine/index.js';
import { DLQ_HEADERS, DLQ_KEY_TRUNCATED, DLQ_TRUNCATED } from '../../src/kafka/index.js';
import { BROKERS, event, kafka, produce, startWithReader, testNames, waitCommitted, type Harness, type TopicReader } from './helpers.js';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const n = testNames('oversized');
const dir = mkdtempSync(join(tmpdir(), 'guardrail-oversized-'));
const SMALL_TOPIC = [{ name: 'max.message.bytes', value: '100000' }];

describe.skipIf(!BROKERS)('guardrail run with values larger than the output topics take', () => {
  let harness: Harness;
  let reader: TopicReader;

  beforeAll(async () => {
    writeFileSync(
      join(dir, 'rules.yaml'),
      [
        'rules:',
        '  - id: flagged-export',
        '    kind: match',
        '    severity: critical',
        '    match: { action: export }',
        '    groupBy: [labels.case]',
        '    actions: [revoke_token, alert]',
        '',
      ].join('\n'),
    );
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: n.events, numPartitions: 1, replicationFactor: 1 },
          { topic: n.detections, numPartitions: 1, replicationFactor: 1, configEntries: SMALL_TOPIC },
          { topic: n.revocations, numPartitions: 1, replicationFactor: 1, configEntries: SMALL_TOPIC },
          { topic: n.dlq, numPartitions: 1, replicationFactor: 1, configEntries: SMALL_TOPIC },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    harness = await startWithReader(n, [n.detections, n.revocations, n.dlq], { GUARDRAIL_RULES: dir });
    reader = harness.reader;
  });

  afterAll(async () => {
    await harness?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the detection clipped, and processes the next event', async () => {
    const big = { ...event({ id: 'big-1', timeMs: T0, agent: 'a-big', action: 'export' }), labels: { case: 'c'.repeat(150_000) } };
    const next = { ...event({ id: 'next-1', timeMs: T0 + 1000, agent: 'a-big', action: 'export', token: 'tok-next' }), labels: { case: 'small' } };
    await produce(n.events, [big, next]);
    await reader.waitFor(() => reader.json<RevocationMessage>(n.revocations).length >= 2, 'both revocations');
    await waitCommitted(n.group, n.events);

    // The revocation carries ids and the reason, not the group key: published as it is.
    const revocations = reader.messages.get(n.revocations)!;
    expect(JSON.parse(revocations.find((m) => m.key === 'tok-a-big')!.value)).toMatchObject({ type: 'revoke_token', tokenId: 'tok-a-big', agentId: 'a-big', ruleId: 'flagged-export' });
    expect(revocations.find((m) => m.key === 'tok-a-big')!.headers[CLIPPED_HEADER]).toBeUndefined();

    const detections = reader.messages.get(n.detections)!;
    const clipped = detections.find((m) => (JSON.parse(m.value) as Detection).subject.tokenId === 'tok-a-big')!;
    expect(Number(clipped.headers[CLIPPED_HEADER])).toBeGreaterThan(150_000);
    expect(clipped.value.length).toBeLessThan(4096);
    const detection = JSON.parse(clipped.value) as Detection;
    expect(detection.groupKey['labels.case']).toBe(`${'c'.repeat(256)}… (150000 characters)`);
    expect(detections.find((m) => (JSON.parse(m.value) as Detection).subject.tokenId === 'tok-next')!.headers[CLIPPED_HEADER]).toBeUndefined();
    expect(detection.eventIds).toEqual(['big-1']);
  });

  it('cuts a dead letter whose key alone makes it too large, and processes the next event', async () => {
    // 60 KB of key and 50 KB of value: over the topic's 100 KB with the value kept whole.
    const key = 'k'.repeat(60_000);
    await produce(n.events, [`{"not json": ${'x'.repeat(50_000)}`], key);
    await produce(n.events, [{ ...event({ id: 'after-dl-1', timeMs: T0 + 5000, agent: 'a-after', action: 'export', token: 'tok-after' }), labels: { case: 'after' } }]);
    await reader.waitFor(() => reader.json<RevocationMessage>(n.revocations).some((r) => r.tokenId === 'tok-after'), 'the revocation after the dead letter');
    const dead = reader.messages.get(n.dlq)!;
    expect(dead).toHaveLength(1);
    expect(dead[0]!.key).toBe('k'.repeat(1024));
    expect(dead[0]!.headers[DLQ_KEY_TRUNCATED]).toBe('60000');
    expect(dead[0]!.headers[DLQ_TRUNCATED]).toBeUndefined();
    expect(dead[0]!.value).toBe(`{"not json": ${'x'.repeat(50_000)}`);
    expect(dead[0]!.headers[DLQ_HEADERS.reason]).toMatch(/^not valid JSON/);
  });
});
