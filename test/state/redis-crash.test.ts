/*
 * A batch cut short by a crash and applied again by a new client leaves the same state as one
 * application: each script call is atomic and every input id is applied once per key. In both modes:
 * in cached mode the new client holds nothing, so its writes are refused and it starts from what the
 * crashed one wrote.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Engine } from '../../src/engine/index.js';
import type { DecodedEvent } from '../../src/events/index.js';
import { LedgerStore, RedeliveryLedger } from '../../src/kafka/index.js';
import { loadRules } from '../../src/rules/index.js';
import { MemoryStore, RedisStore, type StateStore, type StoreOp } from '../../src/state/index.js';
import { deleteKeys, REDIS_URL, testPrefix } from './redis-helpers.js';

const prefix = testPrefix();
afterAll(async () => {
  for (const mode of ['cached', 'scripts']) for (const part of ['a', 'b', 'c']) await deleteKeys(`${prefix}-${mode}-${part}`);
});

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const T0 = Date.parse('2026-11-02T10:00:00Z');

function batch(from: number): StoreOp[] {
  const ops: StoreOp[] = [];
  for (let g = 0; g < 4; g++) {
    const key = (rule: string) => ({ rule, group: `["agent-${g}"]` });
    const times = Array.from({ length: 10 }, (_, i) => ({ id: `e${from + i}`, timeMs: T0 + (from + i) * 7 * S }));
    ops.push({ type: 'window', key: key('w'), spec: { windowMs: 5 * M, slotMs: 5 * S, baseline: { metric: 'bytes', bucketMs: 10 * M, historyMs: 2 * H } }, inputs: times.map((x, i) => ({ ...x, bytes: 100 * (i + g), records: i })) });
    ops.push({ type: 'profile', key: key('p'), spec: { historyMs: 24 * H }, inputs: times.map((x) => ({ ...x, hourOfWeek: 34 })) });
    ops.push({ type: 'seen', key: key('s'), spec: { historyMs: 24 * H }, inputs: times.map((x, i) => ({ ...x, value: ['DE', 'FR', 'US'][i % 3]! })) });
    ops.push({ type: 'travel', key: key('t'), spec: { retainMs: H }, inputs: times.map((x, i) => ({ ...x, lat: i, lon: -i })) });
    ops.push({ type: 'signal', key: key('g'), spec: { withinMs: 30 * M }, inputs: times.map((x, i) => ({ ...x, id: `${x.id}/r${i % 2}`, rule: `r${i % 2}`, eventId: x.id })) });
    ops.push({ type: 'cooldown', key: key('c'), spec: { cooldownMs: 30 * S }, inputs: times });
  }
  return ops;
}

/** What the next batch observes: the state every key was left in. */
async function probe(store: StateStore): Promise<unknown> {
  return store.apply(batch(100));
}

describe.each(['cached', 'scripts'] as const)('redis store (%s mode) after a crash mid-batch', (mode) => {
  it('re-applying a whole batch after a prefix of it was applied gives the state of one application', async () => {
    const whole = batch(0);
    const crashed = new RedisStore({ url: REDIS_URL, prefix: `${prefix}-${mode}-a`, mode });
    // The first client got half the ops through, and half of the inputs of the next op.
    const half = Math.floor(whole.length / 2);
    const cut = { ...whole[half]!, inputs: whole[half]!.inputs.slice(0, 5) } as StoreOp;
    await crashed.apply([...whole.slice(0, half), cut]);
    await crashed.close();
    const retried = new RedisStore({ url: REDIS_URL, prefix: `${prefix}-${mode}-a`, mode });
    const once = new RedisStore({ url: REDIS_URL, prefix: `${prefix}-${mode}-b`, mode });
    const memory = new MemoryStore();
    try {
      await retried.apply(whole);
      await once.apply(whole);
      await memory.apply(whole);
      const expected = await probe(memory);
      expect(await probe(once)).toEqual(expected);
      expect(await probe(retried)).toEqual(expected);
    } finally {
      await retried.close();
      await once.close();
    }
  });

  it('re-applying a batch whose client was destroyed mid-flight gives the state of one application', async () => {
    const whole = batch(0);
    const client = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 0, autoResendUnfulfilledCommands: false });
    await new Promise((resolve) => client.once('ready', resolve));
    const crashed = new RedisStore({ client, prefix: `${prefix}-${mode}-c`, mode });
    // Either outcome is possible, depending on how far the pipeline got; the state must not care.
    const inFlight = crashed.apply(whole).then(
      () => 'applied',
      () => 'failed',
    );
    client.disconnect();
    await inFlight;
    await crashed.close();
    const retried = new RedisStore({ url: REDIS_URL, prefix: `${prefix}-${mode}-c`, mode });
    const memory = new MemoryStore();
    try {
      await retried.apply(whole);
      await memory.apply(whole);
      expect(await probe(retried)).toEqual(await probe(memory));
    } finally {
      await retried.close();
    }
  });
});

describe('a batch whose states were written but whose detections were never published', () => {
  it.each(['cached', 'scripts'] as const)('gives the same detections when it comes again (%s mode)', async (mode) => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-again-'));
    const stores: RedisStore[] = [];
    const client = new Redis(REDIS_URL);
    try {
      writeFileSync(
        join(dir, 'rules.yaml'),
        ['rules:', '  - id: new-country', '    kind: geo', '    check: new_location', '    on: country', '    history: 30d', '    minHistory: 0s', '    actions: [alert]', ''].join('\n'),
      );
      const ruleset = await loadRules(dir);
      const at = (id: string, t: number, country: string): DecodedEvent => ({
        event: { id, time: new Date(T0 + t).toISOString(), agent: { id: 'a-1' }, token: { id: 'tok-1' }, action: 'read', resource: { type: 'crm.contact' }, source: { country } },
        timeMs: T0 + t,
      });
      const events = [at('x1', 0, 'DE'), at('x2', M, 'DE'), at('x3', 2 * M, 'FR'), at('x4', 3 * M, 'FR')];
      const run = async () => {
        // A fresh process: new store client, new engine; only Redis carries over.
        const store = new RedisStore({ url: REDIS_URL, prefix: `${prefix}-${mode}-c`, mode });
        stores.push(store);
        // As the processor composes it: events count as seen once their batch was recorded handled, which this one never was.
        const ledger = new RedeliveryLedger(client, `${prefix}-${mode}-c`, H);
        const out = await new Engine({ ruleset, store: new LedgerStore(store, ledger) }).process(events);
        return out.detections.map((d) => [d.id, d.reason]);
      };
      const first = await run();
      expect(first).toHaveLength(1);
      expect(first[0]![1]).toContain('first use of country "FR"');
      // The crash came after the state write and before the publish: the batch comes again.
      expect(await run()).toEqual(first);
    } finally {
      for (const s of stores) await s.close();
      client.disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
