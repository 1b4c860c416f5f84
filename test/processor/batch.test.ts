/*
 * The batch handler on its own (a recording producer, Redis for the ledger and budget, a state
 * store that misbehaves on purpose): an event that makes the rules throw is set aside to the
 * dead-letter topic while the others are processed; a store outage is retried (fail closed) without
 * losing or doubling anything; fail open runs the stateless rules only.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import type { KafkaMessage, Producer, ProducerBatch } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBudget, RedisBudget } from '../../src/actions/index.js';
import { StoreUnavailableError } from '../../src/errors/index.js';
import { BatchHandler, DLQ_HEADERS, LedgerStore, RedeliveryLedger } from '../../src/kafka/index.js';
import { effectiveFailMode } from '../../src/kafka/stateless.js';
import { createMetrics } from '../../src/metrics/index.js';
import { toStoreError } from '../../src/state/redis/errors.js';
import { isStateless, loadRules, type Ruleset } from '../../src/rules/index.js';
import { MemoryStore, type BatchStateStore, type StateStore, type StoreOp, type StoreResult } from '../../src/state/index.js';
import { FIXTURE_RULES, REDIS_URL, event, testConfig, testNames } from './helpers.js';

const { KafkaJSError } = kafkajs;
const T0 = Date.parse('2026-11-07T10:00:00Z');

/** A memory store that throws a TypeError on the event `poison`, and store outages while `down` > 0. */
class UnreliableStore implements StateStore {
  down = 0;
  applies = 0;
  private readonly inner = new MemoryStore();

  async apply(ops: readonly StoreOp[]): Promise<StoreResult[]> {
    this.applies++;
    if (this.down > 0) {
      this.down--;
      throw new StoreUnavailableError('Redis is unavailable: connection refused');
    }
    if (ops.some((op) => op.inputs.some((i) => i.id.startsWith('poison')))) throw new TypeError('a bug on this event');
    return this.inner.apply(ops);
  }

  markSeen(events: readonly { id: string; timeMs: number }[], horizonMs: number): Promise<boolean[]> {
    return this.inner.markSeen(events, horizonMs);
  }

  async close(): Promise<void> {}
}

function messages(items: readonly (object | string)[]): KafkaMessage[] {
  return items.map((item, i) => ({
    key: Buffer.from('k'),
    value: Buffer.from(typeof item === 'string' ? item : JSON.stringify(item)),
    offset: String(i),
    timestamp: String(T0),
    attributes: 0,
    headers: {},
  })) as unknown as KafkaMessage[];
}

describe('BatchHandler', () => {
  const n = testNames('batch');
  let redis: Redis;
  let rules: Ruleset;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    rules = await loadRules(FIXTURE_RULES);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${n.prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  function handler(store: StateStore, failMode: 'closed' | 'open' = 'closed', failSends = 0, ruleset = () => rules, log: Logger = pino({ level: 'silent' })) {
    const sent: ProducerBatch[] = [];
    const outages: string[] = [];
    const metrics = createMetrics({ defaults: false });
    const ledger = new RedeliveryLedger(redis, `${n.prefix}-${randomUUID().slice(0, 4)}`, 60_000);
    const h = new BatchHandler({
      config: testConfig(n, { GUARDRAIL_FAIL_MODE: failMode }),
      // As the processor composes it: the engine's markSeen reads the ledger only.
      store: new LedgerStore(store, ledger),
      redis,
      ledger,
      budget: new RedisBudget(redis, n.prefix, 100),
      fallbackBudget: new MemoryBudget(100),
      producer: {
        sendBatch: async (b: ProducerBatch) => {
          if (failSends-- > 0) throw new KafkaJSError('Not authorized to access topics: [revocations]', { retriable: false });
          sent.push(b);
        },
      } as unknown as Producer,
      rules: ruleset,
      metrics,
      log,
      outage: { down: () => void outages.push('down'), up: (why) => void outages.push(why === 'recovered' ? 'up' : why) },
    });
    const topic = (t: string) => sent.flatMap((b) => b.topicMessages ?? []).filter((m) => m.topic === t).flatMap((m) => m.messages);
    return { h, sent, outages, metrics, topic };
  }

  const control = { heartbeat: async () => {}, alive: () => true };

  it('sets aside an event that makes the rules throw, and processes the rest of the batch', async () => {
    const { h, topic, metrics } = handler(new UnreliableStore());
    const events = [
      event({ id: 'ok-1', timeMs: T0, agent: 'a-1' }),
      event({ id: 'poison-1', timeMs: T0 + 1000, agent: 'a-1' }),
      event({ id: 'vault-1', timeMs: T0 + 2000, agent: 'a-2', resource: 'vault.export' }),
    ];
    expect(await h.handle({ topic: n.events, partition: 0, messages: messages(events) }, control)).toBe('done');
    const dead = topic(n.dlq);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]!.value!.toString()).id).toBe('poison-1');
    expect(dead[0]!.headers![DLQ_HEADERS.reason]).toBe('processing failed: the rules raised TypeError on this event');
    expect(topic(n.revocations).map((m) => JSON.parse(m.value!.toString()).agentId)).toEqual(['a-2']);
    const text = await metrics.registry.getSingleMetricAsString('guardrail_events_total');
    expect(text).toContain('guardrail_events_total{outcome="processed"} 2');
    expect(text).toContain('guardrail_events_total{outcome="invalid"} 1');
  });

  it('fail closed: retries through an outage, then publishes once and reports the outage over', async () => {
    const store = new UnreliableStore();
    store.down = 2;
    const { h, topic, outages } = handler(store);
    const burst = Array.from({ length: 25 }, (_, i) => event({ id: `del-${i}`, timeMs: T0 + i * 1000, agent: 'a-3', action: 'delete' }));
    expect(await h.handle({ topic: n.events, partition: 0, messages: messages(burst) }, control)).toBe('done');
    expect(outages).toEqual(['down', 'up']);
    expect(topic(n.revocations)).toHaveLength(1);
    expect(topic(n.detections)).toHaveLength(1);
  });

  it('counts firings held back by cooldown per rule, and each failed publish of action messages as failed', async () => {
    const { h, topic, metrics } = handler(new UnreliableStore(), 'closed', 2);
    // 25 deletes in 25 s: the 21st crosses the ceiling of 20, the 4 after it fall in the 1h cooldown.
    const burst = Array.from({ length: 25 }, (_, i) => event({ id: `cd-del-${i}`, timeMs: T0 + i * 1000, agent: 'a-7', action: 'delete' }));
    expect(await h.handle({ topic: n.events, partition: 0, messages: messages(burst) }, control)).toBe('done');
    expect(topic(n.revocations)).toHaveLength(1);
    expect(await metrics.registry.getSingleMetricAsString('guardrail_detections_suppressed_total')).toContain('guardrail_detections_suppressed_total{rule="delete-burst"} 4');
    const actions = await metrics.registry.getSingleMetricAsString('guardrail_actions_total');
    // Two failed attempts, each with one revocation and one approval request; then published.
    expect(actions).toContain('guardrail_actions_total{action="revoke_token",outcome="failed"} 2');
    expect(actions).toContain('guardrail_actions_total{action="require_approval",outcome="failed"} 2');
    expect(actions).toContain('guardrail_actions_total{action="revoke_token",outcome="executed"} 1');
    expect(actions).toContain('guardrail_actions_total{action="alert",outcome="executed"} 1');
  });

  it('fail closed: gives the batch up uncommitted when stopping during an outage', async () => {
    const store = new UnreliableStore();
    store.down = 1_000;
    const { h, sent, outages } = handler(store);
    let alive = true;
    setTimeout(() => (alive = false), 300);
    const result = await h.handle({ topic: n.events, partition: 0, messages: messages([event({ id: 'x-1', timeMs: T0, agent: 'a-4' })]) }, { heartbeat: async () => {}, alive: () => alive });
    expect(result).toBe('abandoned');
    expect(sent).toEqual([]);
    // Paused for the outage, and no batch left in flight to end it: fetching resumes, and the next batch retries.
    expect(outages).toEqual(['down', 'given-up']);
  });

  it('fail open: judges the batch with the stateless rules only while the store is down', async () => {
    const store = new UnreliableStore();
    store.down = 1_000;
    const { h, topic, metrics, outages } = handler(store, 'open');
    const burst = Array.from({ length: 25 }, (_, i) => event({ id: `o-del-${i}`, timeMs: T0 + i * 1000, agent: 'a-5', action: 'delete' }));
    const vault = event({ id: 'o-vault', timeMs: T0 + 30_000, agent: 'a-6', resource: 'vault.export' });
    expect(await h.handle({ topic: n.events, partition: 0, messages: messages([...burst, vault]) }, control)).toBe('done');
    expect(topic(n.revocations).map((m) => JSON.parse(m.value!.toString()).ruleId)).toEqual(['forbidden-resource']);
    expect(outages).toEqual([]);
    expect(await metrics.registry.getSingleMetricAsString('guardrail_events_total')).toContain('guardrail_events_total{outcome="fail_open"} 26');
  });

  // DESIGN.md: the fail mode is per deployment and overridable per rule.
  const withFailMode = (pick: (id: string) => 'open' | 'closed' | undefined): Ruleset => ({
    ...rules,
    rules: rules.rules.map((r) => {
      const failMode = pick(r.id);
      return failMode === undefined ? r : { ...r, failMode };
    }),
  });

  it('fails closed in an open deployment when one rule that needs state says failMode: closed', async () => {
    const strict = withFailMode((id) => (id === 'delete-burst' ? 'closed' : undefined));
    expect(effectiveFailMode(strict, 'open')).toBe('closed');
    const store = new UnreliableStore();
    store.down = 2;
    const { h, topic, outages, metrics } = handler(store, 'open', 0, () => strict);
    const burst = Array.from({ length: 25 }, (_, i) => event({ id: `fc-del-${i}`, timeMs: T0 + i * 1000, agent: 'a-8', action: 'delete' }));
    expect(await h.handle({ topic: n.events, partition: 0, messages: messages(burst) }, control)).toBe('done');
    // Retried until the store answered, as fail closed does: the window rule judged every event.
    expect(outages).toEqual(['down', 'up']);
    expect(topic(n.revocations).map((m) => JSON.parse(m.value!.toString()).ruleId)).toEqual(['delete-burst']);
    expect(await metrics.registry.getSingleMetricAsString('guardrail_events_total')).toContain('guardrail_events_total{outcome="fail_open"} 0');
  });

  it('fails open in a closed deployment when every rule that needs state says failMode: open', async () => {
    const lenient = withFailMode(() => 'open');
    expect(effectiveFailMode(lenient, 'closed')).toBe('open');
    // One stateful rule left to the deployment's default keeps it closed; stateless rules never count.
    const stateful = rules.rules.find((r) => !isStateless(r))!.id;
    expect(effectiveFailMode(withFailMode((id) => (id === stateful ? undefined : 'open')), 'closed')).toBe('closed');
    expect(effectiveFailMode(withFailMode((id) => (rules.rules.find((r) => r.id === id)!.kind === 'match' ? 'closed' : 'open')), 'closed')).toBe('open');
    const store = new UnreliableStore();
    store.down = 1_000;
    const { h, topic, outages, metrics } = handler(store, 'closed', 0, () => lenient);
    const vault = event({ id: 'fo-vault', timeMs: T0, agent: 'a-9', resource: 'vault.export' });
    expect(await h.handle({ topic: n.events, partition: 0, messages: messages([vault]) }, control)).toBe('done');
    expect(topic(n.revocations).map((m) => JSON.parse(m.value!.toString()).ruleId)).toEqual(['forbidden-resource']);
    expect(outages).toEqual([]);
    expect(await metrics.registry.getSingleMetricAsString('guardrail_events_total')).toContain('guardrail_events_total{outcome="fail_open"} 1');
  });

  it('dead-letters an invalid event whose headers have no value (null), keeping them, and goes on', async () => {
    const { h, topic } = handler(new UnreliableStore());
    const [bad, good] = messages(['not json', event({ id: 'after-null-header', timeMs: T0, agent: 'a-12', resource: 'vault.export' })]);
    // What kafkajs reads for a header sent without a value (Java: headers.add("trace", null)).
    (bad as unknown as { headers: Record<string, unknown> }).headers = { trace: null, hop: ['a', null] };
    expect(await h.handle({ topic: n.events, partition: 0, messages: [bad!, good!] }, control)).toBe('done');
    const dead = topic(n.dlq);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers!['trace']).toBeNull();
    expect(dead[0]!.headers!['hop']).toEqual(['a', null]);
    expect(topic(n.revocations).map((m) => JSON.parse(m.value!.toString()).agentId)).toEqual(['a-12']);
  });

  it('fail closed: a Redis reply it does not list (MISCONF) is an outage, not a reason to dead-letter every event', async () => {
    const misconf = Object.assign(new Error("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk."), { name: 'ReplyError' });
    expect(toStoreError(misconf, 'redis:6379')).toBeInstanceOf(StoreUnavailableError);
    const script = Object.assign(new Error('ERR user_script:3: attempt to compare nil with number'), { name: 'ReplyError' });
    expect(toStoreError(script, 'redis:6379')).toBe(script);
    const store = new UnreliableStore();
    let refusals = 2;
    const inner = store.apply.bind(store);
    store.apply = async (ops) => {
      if (refusals-- > 0) throw toStoreError(misconf, 'redis:6379');
      return inner(ops);
    };
    const { h, topic, outages } = handler(store);
    const burst = Array.from({ length: 25 }, (_, i) => event({ id: `mc-del-${i}`, timeMs: T0 + i * 1000, agent: 'a-13', action: 'delete' }));
    expect(await h.handle({ topic: n.events, partition: 0, messages: messages(burst) }, control)).toBe('done');
    expect(outages).toEqual(['down', 'up']);
    expect(topic(n.dlq)).toEqual([]);
    expect(topic(n.revocations)).toHaveLength(1);
  });

  it('judges a batch given up while publishing afresh when it comes back, its early events included', async () => {
    let failing = true;
    const { h, topic } = handler(new UnreliableStore());
    const sendBatch = (h as unknown as { d: { producer: { sendBatch: (b: ProducerBatch) => Promise<void> } } }).d.producer;
    const send = sendBatch.sendBatch;
    sendBatch.sendBatch = async (b) => {
      if (failing) throw new KafkaJSError('Broker not available', { retriable: true });
      return send(b);
    };
    // A delete loop, then an event 15 minutes later in the same batch (a consumer catching up).
    const burst = Array.from({ length: 25 }, (_, i) => event({ id: `rb-del-${i}`, timeMs: T0 + i * 1000, agent: 'a-14', action: 'delete' }));
    const later = event({ id: 'rb-later', timeMs: T0 + 15 * 60_000, agent: 'a-15' });
    const batch = { topic: n.events, partition: 0, messages: messages([...burst, later]) };
    let alive = true;
    setTimeout(() => (alive = false), 300);
    expect(await h.handle(batch, { heartbeat: async () => {}, alive: () => alive })).toBe('abandoned');
    expect(topic(n.revocations)).toEqual([]);
    failing = false;
    expect(await h.handle(batch, control)).toBe('done');
    expect(topic(n.revocations).map((m) => JSON.parse(m.value!.toString()).agentId)).toEqual(['a-14']);
  });

  it('dead-letters an event timed past the allowed skew ahead of the clock, and the events after it still count', async () => {
    const { h, topic } = handler(new UnreliableStore());
    const future = event({ id: 'fut-1', timeMs: Date.now() + 365 * 86_400_000, agent: 'a-16', action: 'delete' });
    const burst = Array.from({ length: 25 }, (_, i) => event({ id: `fut-del-${i}`, timeMs: T0 + i * 1000, agent: 'a-17', action: 'delete' }));
    const skewed = event({ id: 'fut-skew', timeMs: Date.now() + 60_000, agent: 'a-18' });
    expect(await h.handle({ topic: n.events, partition: 0, messages: messages([future, ...burst, skewed]) }, control)).toBe('done');
    const dead = topic(n.dlq);
    expect(dead.map((m) => JSON.parse(m.value!.toString()).id)).toEqual(['fut-1']);
    expect(dead[0]!.headers![DLQ_HEADERS.reason]).toBe(
      "time: more than 5m ahead of the processor's clock (GUARDRAIL_MAX_FUTURE); an event from the future would make every later event of its partition late",
    );
    expect(topic(n.revocations).map((m) => JSON.parse(m.value!.toString()).agentId)).toEqual(['a-17']);
  });

  it('never republishes a credential: a dead letter rejected for one has it redacted, and says so', async () => {
    const { h, topic } = handler(new UnreliableStore());
    const jwt = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from('{"sub":"alice"}').toString('base64url')}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;
    const withJwt = { ...event({ id: 'cred-1', timeMs: T0, agent: 'a-19' }), labels: { auth: jwt, team: 'payroll' } };
    const notJson = `{"id": "cred-2", "hdr": Bearer 4f9a8b7c6d5e4f3a2b1c0d9e}`;
    const [a, b, c] = messages([withJwt, notJson, 'plain garbage']);
    (a as unknown as { headers: Record<string, unknown> }).headers = { authorization: Buffer.from(`Bearer ${jwt}`), trace: 'abc' };
    expect(await h.handle({ topic: n.events, partition: 0, messages: [a!, b!, c!] }, control)).toBe('done');
    const dead = topic(n.dlq);
    expect(dead).toHaveLength(3);
    const all = JSON.stringify(dead.map((m) => [m.value!.toString(), Object.values(m.headers!).map(String)]));
    expect(all).not.toContain(jwt.slice(0, 30));
    expect(all).not.toContain('4f9a8b7c6d5e4f3a2b1c0d9e');
    // The event itself is kept, its secret replaced: the emitter can see what it sent and fix it.
    expect(JSON.parse(dead[0]!.value!.toString())).toEqual({ ...withJwt, labels: { auth: '[REDACTED]', team: 'payroll' } });
    expect(dead[0]!.headers!['authorization']).toBe('[REDACTED]');
    expect(dead[0]!.headers!['trace']).toBe('abc');
    expect(dead[0]!.headers![DLQ_HEADERS.redacted]).toBe('credentials');
    expect(dead[1]!.value!.toString()).toBe('{"id": "cred-2", "hdr": Bearer [REDACTED]}');
    expect(dead[1]!.headers![DLQ_HEADERS.redacted]).toBe('credentials');
    // Nothing to redact: the original bytes, no header.
    expect(dead[2]!.value!.toString()).toBe('plain garbage');
    expect(dead[2]!.headers![DLQ_HEADERS.redacted]).toBeUndefined();
  });

  it('works a batch again, with no outage and no fail-open, when other instances keep writing its states', async () => {
    // A cached store whose flushes another instance keeps refusing: more times than one engine call tries.
    const inner = new MemoryStore();
    let refusals = 20;
    const contended: BatchStateStore = {
      apply: (ops) => inner.apply(ops),
      markSeen: (events, horizonMs) => inner.markSeen(events, horizonMs),
      close: () => inner.close(),
      open: (type, key, spec, firstTimeMs) => inner.open(type, key, spec, firstTimeMs),
      begin: async () => 1,
      flush: async () => refusals-- <= 0,
      end: () => undefined,
    };
    const { h, topic, outages, metrics } = handler(contended, 'open');
    const burst = Array.from({ length: 25 }, (_, i) => event({ id: `ct-del-${i}`, timeMs: T0 + i * 1000, agent: 'a-20', action: 'delete' }));
    expect(await h.handle({ topic: n.events, partition: 0, messages: messages(burst) }, control)).toBe('done');
    expect(refusals).toBeLessThan(0);
    expect(outages).toEqual([]);
    expect(topic(n.dlq)).toEqual([]);
    expect(topic(n.revocations).map((m) => JSON.parse(m.value!.toString()).ruleId)).toEqual(['delete-burst']);
    expect(await metrics.registry.getSingleMetricAsString('guardrail_events_total')).toContain('guardrail_events_total{outcome="fail_open"} 0');
  });

  it('logs a detection whose reason quotes a huge value with the first 2K characters of the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-batch-log-'));
    try {
      writeFileSync(join(dir, 'rules.yaml'), ['rules:', '  - id: device-change', '    kind: geo', '    check: new_location', '    on: device', '    history: 1d', '    minHistory: 0s', '    actions: [alert]', ''].join('\n'));
      const deviceRules = await loadRules(dir);
      const lines: string[] = [];
      const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
      const { h, topic } = handler(new UnreliableStore(), 'closed', 0, () => deviceRules, log);
      const usual = event({ id: 'huge-dev-1', timeMs: T0, agent: 'a-9' });
      const huge = event({ id: 'huge-dev-2', timeMs: T0 + 1000, agent: 'a-9' });
      (huge.source as { device: { id: string } }).device.id = 'd'.repeat(300_000);
      expect(await h.handle({ topic: n.events, partition: 0, messages: messages([usual, huge]) }, control)).toBe('done');
      expect(topic(n.detections)).toHaveLength(1);
      const alerts = lines.map((l) => JSON.parse(l) as { level: number; msg: string; rule?: string }).filter((l) => l.rule === 'device-change');
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.level).toBe(40);
      // The reason is `first use of device "ddd…" in 1d (1 known devices)`, 300,046 characters: the line keeps its first 2,048.
      expect(alerts[0]!.msg).toBe(`alert: device-change: first use of device "${'d'.repeat(2048 - 'first use of device "'.length)}… (300046 characters)`);
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(4096);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
