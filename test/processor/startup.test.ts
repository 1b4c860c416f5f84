/*
 * Start-up as Kubernetes probes it: /healthz answers from the moment the rules are loaded, before
 * Redis and Kafka are reached (joining the group can take up to the rebalance timeout, and a
 * start-up probe that cannot reach /healthz meanwhile kills the pod), and /readyz says what it waits for.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BROKERS, cleanup, startInProcess, testNames } from './helpers.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!BROKERS)('guardrail run start-up', () => {
  it('answers /healthz, and /readyz with what it waits for, before the state store and the group are reached', async () => {
    const n = testNames('startup');
    const port = await freePort();
    // Redis nowhere: start-up waits for it (the connect timeout) before joining the group.
    const starting = startInProcess(n, { REDIS_URL: 'redis://127.0.0.1:1', GUARDRAIL_FAIL_MODE: 'open', GUARDRAIL_METRICS_PORT: String(port), GUARDRAIL_METRICS_HOST: '127.0.0.1' });
    let started = false;
    void starting.then(() => (started = true), () => (started = true));
    let health: Response | undefined;
    for (let i = 0; i < 400 && !started && health === undefined; i++) {
      health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      if (health === undefined) await new Promise((r) => setTimeout(r, 25));
    }
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(started).toBe(false);
    expect(health?.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toBe('not ready: starting: connecting to the state store and joining the consumer group\n');
    const processor = await starting;
    try {
      // Fail open: ready once in the group, whatever Redis does.
      expect(processor.metricsPort).toBe(port);
    } finally {
      await processor.stop();
      await cleanup(n);
    }
  }, 60_000);
});
