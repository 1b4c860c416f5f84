/*
 * Vitest global setup: the real services integration tests need. Redis: REDIS_URL if set, else
 * this machine's 127.0.0.1:6379 if it answers, else a redis-server of our own on a free port
 * (stopped at the end). Test workers start after this and inherit REDIS_URL.
 */
import { Redis } from 'ioredis';
import { freePort, OwnRedis } from '../state/redis-helpers.js';

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.REDIS_URL) return async () => {};
  if (await answers('redis://127.0.0.1:6379')) {
    process.env.REDIS_URL = 'redis://127.0.0.1:6379';
    return async () => {};
  }
  const own = new OwnRedis(await freePort());
  await own.start();
  process.env.REDIS_URL = own.url;
  process.stderr.write(`test setup: started redis-server at ${own.url}\n`);
  return async () => {
    await own.kill();
  };
}
