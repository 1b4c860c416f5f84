/*
 * Replaying the simulator's traffic with the default rules through Redis gives the detections of the
 * in-memory replay, ids included; `guardrail replay --store redis` does so under its own key prefix
 * and leaves no key behind.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { replayCommand } from '../../src/cli/replay.js';
import { Engine } from '../../src/engine/engine.js';
import { runReplay } from '../../src/engine/index.js';
import { decodeEvent } from '../../src/events/index.js';
import type { Detection } from '../../src/engine/types.js';
import { loadRules } from '../../src/rules/index.js';
import { createSimulation, parseStartDate } from '../../src/sim/index.js';
import { MemoryStore, RedisStore, type StateStore } from '../../src/state/index.js';
import { event as decoded, rules as compiled, T0 } from '../engine/helpers.js';
import { capture } from '../rules/helpers.js';
import { deleteKeys, REDIS_URL, testPrefix } from './redis-helpers.js';

const prefix = testPrefix();
afterAll(async () => {
  for (const p of [prefix, ...['cached', 'scripts', 'cold', 'turns', 'late-cached', 'late-scripts'].map((part) => `${prefix}-${part}`)]) await deleteKeys(p);
});

const NOW = Date.parse('2026-12-01T00:00:00Z');

async function detections(store: StateStore, lines: readonly string[]): Promise<Detection[]> {
  const ruleset = await loadRules('rules');
  const out: Detection[] = [];
  await runReplay({ ruleset, lines, store, now: () => NOW, onDetection: (d) => void out.push(d) });
  return out;
}

async function keyCount(match: string): Promise<number> {
  const admin = new Redis(REDIS_URL);
  try {
    let n = 0;
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      n += keys.length;
    } while (cursor !== '0');
    return n;
  } finally {
    admin.disconnect();
  }
}

describe('replay through the Redis store', () => {
  it.each(['cached', 'scripts'] as const)('judges a late event by the rules that need no state, once, and keeps it out of the windows (%s)', async (mode) => {
    const ruleset = compiled(`
rules:
  - id: delete-burst-30m
    kind: rate
    match: { action: [delete] }
    window: 30m
    threshold: { count: 5 }
    actions: [revoke_token]
  - id: unmanaged-device
    kind: match
    match: { source.device.managed: false }
    actions: [revoke_token, alert]
`);
    const store = new RedisStore({ url: REDIS_URL, prefix: `${prefix}-late-${mode}`, commandTimeoutMs: 10_000, mode });
    try {
      const engine = new Engine({ ruleset, store, latenessMs: 60_000, now: () => NOW });
      const deletes = (n: number, from: number, extra: Record<string, unknown> = {}) =>
        Array.from({ length: n }, (_, i) => decoded({ action: 'delete', t: from + i * 1000, ...extra }));
      expect((await engine.process(deletes(2, T0 + 10 * 60_000))).detections).toEqual([]);
      const unmanaged = deletes(1, T0 + 5 * 60_000, { source: { device: { managed: false } } });
      const out = await engine.process([...unmanaged, ...deletes(3, T0 + 5 * 60_000 + 1000)]);
      expect(out).toMatchObject({ late: 4, processed: 0 });
      expect(out.detections.map((d) => d.rule.id)).toEqual(['unmanaged-device']);
      // Five deletes in the window on time: not over the ceiling (nine had the late ones counted).
      expect((await engine.process(deletes(3, T0 + 10 * 60_000 + 5000))).detections).toEqual([]);
      expect(await engine.process(unmanaged)).toMatchObject({ duplicates: 1, detections: [] });
    } finally {
      await store.close();
    }
  });

  const sim = () => [...createSimulation({ days: 10, agents: 30, seed: 3, startMs: parseStartDate('2026-10-01') }).lines()];

  it.each(['cached', 'scripts'] as const)('gives the detections of the in-memory replay on simulated traffic, ids included (%s)', { timeout: 300_000 }, async (mode) => {
    const lines = sim();
    const memory = await detections(new MemoryStore(), lines);
    const store = new RedisStore({ url: REDIS_URL, prefix: `${prefix}-${mode}`, commandTimeoutMs: 120_000, mode });
    let redis: Detection[];
    try {
      redis = await detections(store, lines);
    } finally {
      await store.close();
    }
    expect(memory.length).toBeGreaterThan(5);
    expect(new Set(memory.map((d) => d.rule.id)).size).toBeGreaterThan(3);
    expect(redis.map((d) => d.id)).toEqual(memory.map((d) => d.id));
    expect(redis).toEqual(memory);
  });

  // Every batch of the cached store then finds keys it does not hold, or holds stale: its writes are
  // refused, it goes back to before the batch and works it again. The detections must not move.
  it('gives the same detections when every batch must be worked again: a cache too small to hold a batch', { timeout: 300_000 }, async () => {
    const lines = sim();
    const memory = await detections(new MemoryStore(), lines);
    const store = new RedisStore({ url: REDIS_URL, prefix: `${prefix}-cold`, commandTimeoutMs: 120_000, maxCachedKeys: 10 });
    try {
      expect(await detections(store, lines)).toEqual(memory);
      expect(store.cacheStats!.conflicts).toBeGreaterThan(1000);
    } finally {
      await store.close();
    }
  });

  it('gives the same detections with two instances taking turns over one stream and one Redis', { timeout: 300_000 }, async () => {
    const lines = sim();
    const ruleset = await loadRules('rules');
    const memory = await detections(new MemoryStore(), lines);
    const stores = [0, 1].map(() => new RedisStore({ url: REDIS_URL, prefix: `${prefix}-turns`, commandTimeoutMs: 120_000 }));
    const engines = stores.map((store) => new Engine({ ruleset, store, now: () => NOW }));
    const events = lines.map((l) => decodeEvent(l)).flatMap((d) => (d.ok ? [d.value] : []));
    const out: Detection[] = [];
    try {
      for (let i = 0, turn = 0; i < events.length; i += 2000, turn++) out.push(...(await engines[turn % 2]!.process(events.slice(i, i + 2000))).detections);
      expect(out).toEqual(memory);
      // Each instance found the other's writes at almost every batch, and started from them.
      for (const store of stores) expect(store.cacheStats!.conflicts).toBeGreaterThan(100);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  describe('guardrail replay --store redis', () => {
    let dir: string;
    let events: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'guardrail-replay-redis-'));
      events = join(dir, 'events.jsonl');
      const sim = createSimulation({ days: 4, agents: 12, seed: 11, startMs: parseStartDate('2026-10-01') });
      await writeFile(events, [...sim.lines()].join('\n') + '\n');
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const withoutDetectedAt = (stdout: string) =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => ({ ...(JSON.parse(line) as Detection), detectedAt: undefined }));

    it('prints the detections of the in-memory replay and deletes its keys afterwards', { timeout: 120_000 }, async () => {
      const own = `${prefix}-cli`;
      const memory = await capture(() => replayCommand(['--events', events, '--quiet']));
      const redis = await capture(() => replayCommand(['--events', events, '--quiet', '--store', 'redis', '--redis-prefix', own]));
      expect(redis.status).toBe(0);
      expect(withoutDetectedAt(redis.stdout)).toEqual(withoutDetectedAt(memory.stdout));
      expect(redis.stderr).toMatch(new RegExp(`store: redis redis://[^ ]+ \\(cached\\), \\d+ round trips \\([\\d.e-]+ per event\\), \\d+ script calls, \\d+ keys first touched, 0 writes refused; [1-9]\\d* keys under ${own}:\\* deleted`));
      expect(await keyCount(`${own}:*`)).toBe(0);
    });

    it('keeps its keys with --keep-keys', { timeout: 120_000 }, async () => {
      const own = `${prefix}-kept`;
      const run = await capture(() => replayCommand(['--events', events, '--quiet', '--store', 'redis', '--redis-prefix', own, '--keep-keys']));
      expect(run.stderr).toContain(`keys kept under ${own}:*`);
      expect(await keyCount(`${own}:*`)).toBeGreaterThan(0);
      // Cached states only: one process reads the file, so its stream dedup stays in memory (no marker per event).
      expect(await keyCount(`${own}:*:c1:*`)).toBe(await keyCount(`${own}:*`));
      expect(await keyCount(`${own}:{ev*`)).toBe(0);
      await deleteKeys(own);
    });

    it('refuses Redis options without --store redis, and a prefix with braces', async () => {
      await expect(replayCommand(['--events', events, '--redis-prefix', 'x'])).rejects.toThrow('--redis-prefix needs --store redis');
      await expect(replayCommand(['--events', events, '--store', 'redis', '--redis-prefix', 'a{b}'])).rejects.toThrow('--redis-prefix must be non-empty, without braces or spaces (got "a{b}")');
      await expect(replayCommand(['--events', events, '--store', 'disk'])).rejects.toThrow('--store must be memory or redis (got "disk")');
    });
  });
});
