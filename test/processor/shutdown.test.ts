/*
 * `guardrail run` when its shutdown cannot finish: Redis hangs (a redis-server of the test's own,
 * stopped with SIGSTOP) while a batch is in flight. Past GUARDRAIL_SHUTDOWN_TIMEOUT the process
 * exits with status 1, the batch uncommitted; a second signal, of either kind, exits at once (130).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OwnRedis, freePort } from '../state/redis-helpers.js';
import { BROKERS, ChildProcessor, cleanup, closeProducer, event, produce, sleep, testEnv, testNames, waitCommitted, type TestNames } from './helpers.js';

const T0 = Date.parse('2026-11-06T10:00:00Z');

describe.skipIf(!BROKERS)('guardrail run: a shutdown that cannot finish', () => {
  let redis: OwnRedis | undefined;
  let child: ChildProcessor | undefined;
  let names: TestNames | undefined;

  afterEach(async () => {
    child?.kill('SIGKILL');
    if (redis) {
      try {
        process.kill(redis.pid, 'SIGCONT');
      } catch {
        // not running
      }
      await redis.kill();
    }
    await closeProducer();
    if (names) await cleanup(names);
  });

  /** A processor in its group with a batch in flight against a Redis that no longer answers. */
  async function stuck(label: string): Promise<ChildProcessor> {
    names = testNames(label);
    redis = new OwnRedis(await freePort());
    await redis.start();
    // Each Redis call waits up to 5 s for the hung server (the batch's, then the client's QUIT at
    // close): far past the 1 s the shutdown is given.
    child = new ChildProcessor(testEnv(names, { REDIS_URL: redis.url, GUARDRAIL_SHUTDOWN_TIMEOUT: '1s', GUARDRAIL_STORE_TIMEOUT: '5s', GUARDRAIL_LOG_LEVEL: 'info' }));
    await child.waitForLog('joined the consumer group', 60_000);
    await produce(names.events, [event({ id: `${label}-warm`, timeMs: T0, agent: 'a-warm' })]);
    await waitCommitted(names.group, names.events);
    process.kill(redis.pid, 'SIGSTOP');
    await produce(names.events, Array.from({ length: 5 }, (_, i) => event({ id: `${label}-${i}`, timeMs: T0 + (i + 1) * 1000, agent: 'a-stuck', action: 'delete' })));
    await sleep(1_500);
    return child;
  }

  it('exits with status 1 once GUARDRAIL_SHUTDOWN_TIMEOUT has passed', async () => {
    const p = await stuck('shutdown-timeout');
    const signalled = Date.now();
    p.kill('SIGTERM');
    expect(await p.exited).toBe(1);
    // The timeout (1 s), then at most a second for clients still closing: not the 5 s a Redis call waits.
    expect(Date.now() - signalled).toBeLessThan(4_500);
    expect(p.output.join('\n')).toContain('shutdown took too long');
  });

  it('exits at once with status 130 at a second signal, also of the other kind', async () => {
    const p = await stuck('shutdown-second');
    p.kill('SIGTERM');
    await p.waitForLog('shutting down');
    p.kill('SIGINT');
    expect(await p.exited).toBe(130);
  });
});
