/*
 * A deployment rolled out in shadow mode (GUARDRAIL_MODE=shadow) and then switched to enforce, on
 * the same Redis: the first restriction is not held back by the cooldown of firings that restricted
 * nobody, and what the rules learned in shadow carries over.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RevocationMessage } from '../../src/actions/index.js';
import type { Detection } from '../../src/engine/index.js';
import { BROKERS, cleanup, closeProducer, createTopics, event, produce, startInProcess, testNames, TopicReader, waitCommitted } from './helpers.js';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const n = testNames('mode');

describe.skipIf(!BROKERS)('GUARDRAIL_MODE switched from shadow to enforce', () => {
  const reader = new TopicReader([n.detections, n.revocations]);

  afterAll(async () => {
    await reader.close();
    await closeProducer();
    await cleanup(n);
  });

  it('restricts at the next burst inside the cooldown its shadow detection started', async () => {
    await createTopics(n);
    await reader.start();
    const burst = (from: number, tag: string) =>
      Array.from({ length: 25 }, (_, i) => event({ id: `${tag}-${i}`, timeMs: from + i * 1000, agent: 'a-loop', action: 'delete' }));

    const shadow = await startInProcess(n, { GUARDRAIL_MODE: 'shadow' });
    try {
      await produce(n.events, burst(T0, 'first'));
      await reader.waitFor(() => reader.json<Detection>(n.detections).some((d) => d.rule.id === 'delete-burst'), 'the shadow detection');
      await waitCommitted(n.group, n.events);
    } finally {
      await shadow.stop();
    }
    expect(reader.json<Detection>(n.detections).filter((d) => d.rule.id === 'delete-burst').map((d) => d.mode)).toEqual(['shadow']);
    expect(reader.json<RevocationMessage>(n.revocations)).toEqual([]);

    // Enforcing now; the loop comes back five minutes later, well inside delete-burst's 1h cooldown.
    const enforce = await startInProcess(n);
    try {
      await produce(n.events, burst(T0 + 5 * 60_000, 'again'));
      await reader.waitFor(() => reader.json<RevocationMessage>(n.revocations).length > 0, 'a revocation after the switch to enforce');
    } finally {
      await enforce.stop();
    }
    const enforced = reader.json<Detection>(n.detections).filter((d) => d.rule.id === 'delete-burst' && d.mode === 'enforce');
    expect(enforced).toHaveLength(1);
    expect(enforced[0]!.suppressed).toBe(0);
    expect(reader.json<RevocationMessage>(n.revocations).map((r) => r.agentId)).toEqual(['a-loop']);
  });
});
