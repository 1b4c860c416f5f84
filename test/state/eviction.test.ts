import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { checkEvictionPolicy, evictionWarning } from '../../src/state/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('the eviction policy check', () => {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  afterAll(() => redis.disconnect());

  it('warns, naming the policy, unless keys are never evicted', () => {
    const info = (policy: string) => `# Memory\r\nused_memory:1000\r\nmaxmemory:0\r\nmaxmemory_policy:${policy}\r\nmem_fragmentation_ratio:1.5\r\n`;
    expect(evictionWarning(info('noeviction'))).toBeUndefined();
    for (const policy of ['volatile-lru', 'allkeys-lru', 'volatile-ttl']) {
      expect(evictionWarning(info(policy))).toBe(
        `Redis evicts keys under memory pressure (maxmemory-policy ${policy}): evicted state makes windows disagree with themselves and drops dedup, so detections can be false or lost; set maxmemory-policy noeviction (docs/state.md, "Redis settings")`,
      );
    }
    // A Redis that does not report it (a proxy): nothing to say.
    expect(evictionWarning('# Memory\r\nused_memory:1000\r\n')).toBeUndefined();
  });

  it('reads the policy of a real Redis, and says nothing when it cannot', async () => {
    const policy = ((await redis.config('GET', 'maxmemory-policy')) as string[])[1];
    const warning = await checkEvictionPolicy(redis);
    if (policy === 'noeviction') expect(warning).toBeUndefined();
    else expect(warning).toContain(`(maxmemory-policy ${policy})`);
    const unreachable = new Redis({ port: 1, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    expect(await checkEvictionPolicy(unreachable)).toBeUndefined();
    unreachable.disconnect();
  });
});
