/*
 * A cached-mode flush is one transaction: a connection cut in the middle of it (the process killed
 * while writing) leaves Redis with none of the batch's states, never some of them. Some of them is
 * what let a restarted processor decide a redelivered batch on half-written states (docs/state.md,
 * "A crash in the middle of a batch"). The cut is made by a proxy between the store and Redis that
 * stops forwarding after a byte budget.
 */
import { createServer, Socket, type Server } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore, type StoreOp } from '../../src/state/index.js';
import { deleteKeys, REDIS_URL, testPrefix } from './redis-helpers.js';

const prefix = testPrefix();
const target = new URL(REDIS_URL);

/** Forwards to Redis; once `budget` is set, forwards that many more bytes from the client, then cuts both sides. */
class CuttingProxy {
  budget = Infinity;
  forwarded = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<number> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
      upstream.on('data', (d) => client.write(d));
      client.on('data', (d: Buffer) => {
        if (this.budget === Infinity) {
          upstream.write(d);
          return;
        }
        const room = this.budget - this.forwarded;
        if (room > 0) upstream.write(d.subarray(0, room));
        this.forwarded += Math.min(room, d.length);
        if (d.length >= room) {
          // Let what was forwarded reach Redis before the cut, as a killed process's last write would.
          upstream.end();
          client.destroy();
        }
      });
      client.on('close', () => upstream.end());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server!.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const T0 = Date.parse('2026-11-02T10:00:00Z');
const GROUPS = 60;

/** One window op per group: every group is a hash tag of its own, so a flush is GROUPS script calls. */
function batch(run: string, from: number): StoreOp[] {
  return Array.from({ length: GROUPS }, (_, g) => ({
    type: 'window' as const,
    key: { rule: `w-${run}`, group: `["agent-${run}-${g}"]` },
    spec: { windowMs: 300_000, slotMs: 5_000 },
    inputs: Array.from({ length: 5 }, (_, i) => ({ id: `e${from + i}`, timeMs: T0 + (from + i) * 1000, bytes: 100, records: 1 })),
  }));
}

async function keysUnder(admin: Redis, run: string): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*:w-${run}`, 'COUNT', 10_000);
    n += keys.length;
    cursor = next;
  } while (cursor !== '0');
  return n;
}

describe('cached-mode flush', () => {
  const proxy = new CuttingProxy();
  let port = 0;
  const admin = new Redis(REDIS_URL);
  beforeAll(async () => {
    port = await proxy.start();
  });
  afterAll(async () => {
    await proxy.stop();
    admin.disconnect();
    await deleteKeys(prefix);
  });

  it('writes all of a batch whose flush gets through (the control)', async () => {
    const store = new RedisStore({ url: `redis://127.0.0.1:${port}`, prefix, mode: 'cached' });
    try {
      await store.apply(batch('whole', 0));
      expect(await keysUnder(admin, 'whole')).toBe(GROUPS);
    } finally {
      await store.close();
    }
  });

  it.each([0.25, 0.5, 0.9])('writes none of a batch whose connection is cut after %s of its bytes', async (share) => {
    const run = `cut${share * 100}`;
    // Measure the flush's size with a batch of the same shape under another name, then cut the real one.
    const store = new RedisStore({ url: `redis://127.0.0.1:${port}`, prefix, mode: 'cached' });
    try {
      proxy.budget = Infinity;
      await store.apply(batch(`${run}x`, 0)); // scripts loaded, connection up
      proxy.forwarded = 0;
      proxy.budget = Number.MAX_SAFE_INTEGER;
      await store.apply(batch(`${run}y`, 0));
      const size = proxy.forwarded;
      expect(size).toBeGreaterThan(GROUPS * 100);
      proxy.forwarded = 0;
      proxy.budget = Math.floor(size * share);
      await expect(store.apply(batch(run, 0))).rejects.toThrow();
      // Redis has had every forwarded byte: give it a moment to work what it got.
      await new Promise((r) => setTimeout(r, 200));
      expect(await keysUnder(admin, run)).toBe(0);
    } finally {
      proxy.budget = Infinity;
      await store.close();
    }
  });
});
