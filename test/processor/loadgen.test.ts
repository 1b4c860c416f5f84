/*
 * `guardrail loadgen`: simulated traffic into the events topic, keyed by agent id, every message a
 * valid event; ids carry a run suffix (so reruns are not duplicates); --retime puts event times at
 * the moment of sending; --rate paces.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadgenCommand } from '../../src/cli/loadgen.js';
import { decodeEvent } from '../../src/events/index.js';
import { BROKERS, TopicReader, cleanup, testNames } from './helpers.js';

const n = testNames('loadgen');

describe.skipIf(!BROKERS)('guardrail loadgen', () => {
  afterAll(async () => {
    await cleanup(n);
  });

  it('stops at once with a sentence when the topic is missing and --partitions is not given', async () => {
    const started = Date.now();
    await expect(loadgenCommand(['--prefill', '--count', '10', '--days', '1', '--agents', '2', '--topic', `${n.events}-missing`])).rejects.toThrow(
      `topic ${n.events}-missing does not exist: create it, or pass --partitions N to have loadgen create it`,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('pre-fills the topic with valid simulated events, then paces a second run', async () => {
    const quiet = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    const started = Date.now();
    try {
      expect(await loadgenCommand(['--prefill', '--count', '300', '--days', '1', '--agents', '5', '--topic', n.events, '--partitions', '2'])).toBe(0);
      expect(await loadgenCommand(['--rate', '200', '--count', '100', '--retime', '--days', '1', '--agents', '5', '--topic', n.events])).toBe(0);
    } finally {
      process.stderr.write = quiet;
    }
    const reader = new TopicReader([n.events]);
    await reader.start();
    try {
      await reader.waitFor(() => reader.messages.get(n.events)!.length >= 400, '400 events');
      const messages = reader.messages.get(n.events)!;
      expect(messages).toHaveLength(400);
      const decoded = messages.map((m) => {
        const r = decodeEvent(m.value);
        if (!r.ok) throw new Error(r.reason);
        expect(m.key).toBe(r.value.event.agent.id);
        return r.value;
      });
      expect(new Set(messages.map((m) => m.partition)).size).toBe(2);
      // Two runs of the same simulation: same events, different id suffixes.
      expect(new Set(decoded.map((e) => e.event.id)).size).toBe(400);
      const retimed = decoded.filter((e) => e.timeMs >= started);
      expect(retimed).toHaveLength(100);
    } finally {
      await reader.close();
    }
  });
});
