/*
 * `guardrail quarantine list | show | lift` against the real Redis and broker: an on-call engineer
 * lifts a mistaken quarantine; the release is published on the revocations topic (key = the
 * token, with who and why) before the entry is deleted; a newer quarantine set meanwhile stays.
 */
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  liftQuarantine,
  quarantineEntry,
  quarantineKey,
  quarantineMessage,
  queueQuarantines,
  releaseId,
  type QuarantineListing,
  type ReleaseMessage,
} from '../../src/actions/index.js';
import type { Detection } from '../../src/engine/index.js';
import { BROKERS, REDIS_URL, TopicReader, cleanup, createTopics, ensureBuilt, kafka, testEnv, testNames } from './helpers.js';

const n = testNames('quarantine');
const NOW = Date.now();

function detection(agent: string, rule: string): Detection {
  return {
    id: `det-${agent}-${rule}`,
    time: new Date(NOW - 1000).toISOString(),
    detectedAt: new Date(NOW).toISOString(),
    rule: { id: rule, kind: 'geo', severity: 'critical' },
    mode: 'enforce',
    subject: { agentId: agent, principalId: 'u-1', tokenId: `tok-${agent}`, sessionId: null },
    groupKey: { 'token.id': `tok-${agent}` },
    actions: ['quarantine_agent'],
    reason: 'US to JP: 10850 km in 5 min',
    evidence: {},
    eventIds: ['e-1'],
    suppressed: 0,
  };
}

async function quarantine(redis: Redis, agent: string, rule: string, ttlMs: number): Promise<string> {
  const m = quarantineMessage(detection(agent, rule), new Date(NOW).toISOString(), new Date(NOW + ttlMs).toISOString());
  const pipeline = redis.pipeline();
  queueQuarantines(pipeline, n.prefix, [{ agentId: agent, entry: quarantineEntry(m) }], NOW);
  await pipeline.exec();
  return m.id;
}

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return cliWith({}, ...args);
}

function cliWith(env: Record<string, string>, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/guardrail.js', 'quarantine', ...args], { env: { ...process.env, ...testEnv(n), USER: 'oncall', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!BROKERS)('guardrail quarantine', () => {
  const redis = new Redis(REDIS_URL);
  let reader: TopicReader;

  beforeAll(async () => {
    ensureBuilt();
    await createTopics(n, 1);
    reader = new TopicReader([n.revocations]);
    await reader.start();
  });

  afterAll(async () => {
    await reader?.close();
    await cleanup(n);
    redis.disconnect();
  });

  it('lists and shows the quarantines in force, and lifts one with a published, attributed release', async () => {
    const first = await quarantine(redis, 'a-travel', 'token-travel', 3_600_000);
    await quarantine(redis, 'a-burst', 'delete-burst', 600_000);

    const listed = cli('list', '--json');
    expect(listed.status).toBe(0);
    const rows = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as QuarantineListing);
    expect(rows.map((r) => [r.agentId, r.ruleId, r.tokenId])).toEqual([
      ['a-burst', 'delete-burst', 'tok-a-burst'],
      ['a-travel', 'token-travel', 'tok-a-travel'],
    ]);
    expect(rows[1]!.remainingMs).toBeGreaterThan(3_000_000);
    expect(cli('list').stdout).toMatch(/^AGENT +UNTIL +LEFT +RULE +SEVERITY +REASON\na-burst +\S+ +10m +delete-burst +critical +US to JP/);
    expect(JSON.parse(cli('show', 'a-travel').stdout)).toMatchObject({ agentId: 'a-travel', id: first, ruleId: 'token-travel' });

    expect(cli('lift', 'a-travel').status).toBe(2);
    const lifted = cli('lift', 'a-travel', '--reason', 'false positive: INC-1234, VPN exit in Tokyo');
    expect(lifted.status).toBe(0);
    expect(lifted.stderr).toContain('lifted the quarantine of agent a-travel (rule token-travel');
    const release = JSON.parse(lifted.stdout) as ReleaseMessage;
    expect(release).toMatchObject({
      type: 'release_agent',
      id: releaseId(first),
      quarantineId: first,
      agentId: 'a-travel',
      tokenId: 'tok-a-travel',
      ruleId: 'token-travel',
      reason: 'false positive: INC-1234, VPN exit in Tokyo',
      liftedBy: 'oncall',
    });
    expect(await redis.exists(quarantineKey(n.prefix, 'a-travel'))).toBe(0);
    await reader.waitFor(() => reader.json<ReleaseMessage>(n.revocations).some((m) => m.id === release.id), 'the release on the revocations topic');
    const published = reader.messages.get(n.revocations)!.find((m) => m.value.includes(release.id))!;
    expect(published.key).toBe('tok-a-travel');
    expect(published.headers['guardrail-type']).toBe('release_agent');

    // Lifted already; the other quarantine is untouched.
    const again = cli('lift', 'a-travel', '--reason', 'again');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('agent a-travel is not quarantined');
    expect(cli('show', 'a-travel').status).toBe(1);
    expect(await redis.exists(quarantineKey(n.prefix, 'a-burst'))).toBe(1);
  });

  it('keeps a quarantine set between the read and the delete', async () => {
    const old = await quarantine(redis, 'a-race', 'token-travel', 3_600_000);
    const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    try {
      // The processor quarantines the agent again (another rule, for less time: the entry names it
      // and keeps the longer until) while the release is being published.
      const racing = Object.create(producer) as typeof producer;
      racing.send = async (record) => {
        const sent = await producer.send(record);
        await quarantine(redis, 'a-race', 'destructive-burst', 1_800_000);
        return sent;
      };
      const result = await liftQuarantine({ redis, producer: racing, prefix: n.prefix, topic: n.revocations, agentId: 'a-race', reason: 'mistake', liftedBy: 'oncall' });
      expect(result.outcome).toBe('replaced');
      if (result.outcome !== 'replaced') return;
      expect(result.message.quarantineId).toBe(old);
      expect(result.current?.ruleId).toBe('destructive-burst');
      expect(JSON.parse((await redis.get(quarantineKey(n.prefix, 'a-race')))!)).toMatchObject({ ruleId: 'destructive-burst' });
    } finally {
      await producer.disconnect();
    }
  });

  it('keeps the quarantine, and says so, when the release cannot be published', async () => {
    await quarantine(redis, 'a-offline', 'token-travel', 3_600_000);
    // Nothing listens on port 9 (discard): Kafka is unreachable.
    const r = cliWith({ KAFKA_BROKERS: '127.0.0.1:9', KAFKA_CONNECTION_TIMEOUT: '200ms' }, 'lift', 'a-offline', '--reason', 'test');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('guardrail quarantine: could not lift the quarantine of agent a-offline: ');
    expect(r.stderr).toContain('The quarantine is still in Redis; try again');
    expect(await redis.exists(quarantineKey(n.prefix, 'a-offline'))).toBe(1);
  });

  it('refuses usage mistakes with a sentence', () => {
    expect(cli('free', 'a').stderr).toContain('the first argument must be list, show or lift (got "free")');
    expect(cli('show').stderr).toContain('show takes exactly one agent id');
    expect(cli('list', '--reason', 'x').stderr).toContain('--reason and --by go with lift');
    expect(cli('lift', 'a', '--reason', '  ').stderr).toContain('lift needs --reason');
  });
});
