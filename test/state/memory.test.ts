import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/state/index.js';
import { describeStoreConformance } from './conformance.js';

describeStoreConformance('memory', () => new MemoryStore());

describe('memory store', () => {
  it('drops keys idle past their retention, so memory stays bounded', async () => {
    const store = new MemoryStore();
    const T0 = Date.parse('2026-11-02T00:00:00Z');
    for (let i = 0; i < 30_000; i++) {
      await store.apply([{ type: 'window', key: { rule: 'r', group: `agent-${i}` }, spec: { windowMs: 60_000, slotMs: 1000 }, inputs: [{ id: `e${i}`, timeMs: T0 + i * 1000, bytes: 1, records: 0 }] }]);
    }
    // Windows of 1 minute plus 10 minutes of lateness: only the last ~11 minutes of agents remain after a sweep.
    expect(store.size).toBeLessThan(12_000);
  });
});
