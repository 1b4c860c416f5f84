/*
 * The engine decides each event at once with a store in this process (SyncStateStore.open) and
 * plans whole batches for a remote one (StateStore.apply). Both must give the same detections, ids
 * included, on realistic traffic with the default rules, however the stream is cut into batches.
 */
import { describe, expect, it } from 'vitest';
import { runReplay } from '../../src/engine/index.js';
import type { Detection } from '../../src/engine/types.js';
import { loadRules } from '../../src/rules/index.js';
import { createSimulation, parseStartDate } from '../../src/sim/index.js';
import { MemoryStore } from '../../src/state/index.js';
import type { StateStore } from '../../src/state/types.js';

/** The memory store seen only through the batch interface, as the engine sees the Redis store. */
function batchOnly(inner: MemoryStore): StateStore {
  return {
    apply: (ops) => inner.apply(ops),
    markSeen: (events, horizonMs) => inner.markSeen(events, horizonMs),
    close: () => inner.close(),
  };
}

async function detections(store: StateStore, lines: string[], batchSize: number): Promise<Detection[]> {
  const ruleset = await loadRules('rules');
  const out: Detection[] = [];
  await runReplay({ ruleset, lines, store, batchSize, now: () => 0, onDetection: (d) => void out.push(d) });
  return out;
}

describe('engine store modes', () => {
  const lines = [...createSimulation({ days: 10, agents: 25, seed: 5, startMs: parseStartDate('2026-10-05') }).lines()];

  it('gives identical detections input by input and batch by batch', async () => {
    const immediate = await detections(new MemoryStore(), lines, 2000);
    expect(immediate.length).toBeGreaterThan(0);
    expect(await detections(batchOnly(new MemoryStore()), lines, 2000)).toEqual(immediate);
    expect(await detections(batchOnly(new MemoryStore()), lines, 97)).toEqual(immediate);
    expect(await detections(new MemoryStore(), lines, 1)).toEqual(immediate);
  });

  it('gives the same detections without per-key id memory, as replay runs, redelivered events included', async () => {
    // Every 50th event delivered twice, the copy some events later: the engine's markSeen must drop it.
    const redelivered = lines.flatMap((l, i) => (i % 50 === 7 ? [l, lines[i - 7]!] : [l]));
    const keyed = await detections(new MemoryStore(), redelivered, 500);
    expect(keyed).toEqual(await detections(new MemoryStore(), lines, 500));
    expect(await detections(new MemoryStore({ keyDedup: false }), redelivered, 500)).toEqual(keyed);
    const ruleset = await loadRules('rules');
    const out: Detection[] = [];
    const summary = await runReplay({ ruleset, lines: redelivered, batchSize: 500, now: () => 0, onDetection: (d) => void out.push(d) });
    expect(out).toEqual(keyed);
    // A copy arriving more than the lateness after its original is dropped as late instead.
    expect(summary.duplicates).toBeGreaterThan(0);
    expect(summary.duplicates + summary.late).toBe(redelivered.length - lines.length);
  });
});
