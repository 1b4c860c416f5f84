/*
 * `guardrail loadgen`: simulated traffic into the events topic, keyed by agent id, every message a
 * valid event; ids carry a run suffix (so reruns are not duplicates); --retime puts event times at
 * the moment of sending; --rate paces.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('keys lines sent as they are (--events, --keep-ids) by their decoded agent id, and a line with none by nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadgen-'));
    const file = join(dir, 'events.jsonl');
    const lines = [
      // A brace in a field before the id, an escaped quote and an escape sequence in the id: a
      // pattern over the raw text read these as no key, `agent\` and `a\u002d1`.
      '{"id":"k-1","agent":{"name":"ops {prod}","id":"agent-7"}}',
      '{"id":"k-2","agent":{"id":"agent\\"7"}}',
      '{"id":"k-3","agent":{"id":"a\\u002d1"}}',
      '{"id":"k-4","agent":"no object"}',
      'not json {"agent":{"id":"x"}}',
    ];
    writeFileSync(file, lines.join('\n') + '\n');
    const topic = n.dlq; // a topic of the test's own, deleted by cleanup()
    const quiet = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await loadgenCommand(['--prefill', '--events', file, '--keep-ids', '--topic', topic, '--partitions', '1'])).toBe(0);
    } finally {
      process.stderr.write = quiet;
      rmSync(dir, { recursive: true, force: true });
    }
    const reader = new TopicReader([topic]);
    await reader.start();
    try {
      await reader.waitFor(() => reader.messages.get(topic)!.length >= lines.length, `${lines.length} messages`);
      const got = reader.messages.get(topic)!;
      expect(got.map((m) => m.value)).toEqual(lines);
      expect(got.map((m) => m.key)).toEqual(['agent-7', 'agent"7', 'a-1', null, null]);
    } finally {
      await reader.close();
    }
  });
});
