/*
 * Helpers of the processor integration tests: unique topic names, group ids and Redis key prefixes
 * per test (cleaned up afterwards), events, a reader that collects a topic's messages, waiting for a
 * group to commit everything, and the expected detections from an in-memory replay of the same events.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import type { Admin, Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { pino } from 'pino';
import { loadConfig, type ProcessorConfig } from '../../src/config/index.js';
import { runReplay, type Detection } from '../../src/engine/index.js';
import { startProcessor, type Processor } from '../../src/kafka/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { loadRules } from '../../src/rules/index.js';

const { Kafka: KafkaClient, Partitioners, logLevel } = kafkajs;

export const BROKERS = process.env.KAFKA_BROKERS ?? '';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const FIXTURE_RULES = 'test/processor/fixtures/rules';
export const ROOT = process.cwd();

export const kafka: Kafka = new KafkaClient({ clientId: 'guardrail-processor-test', brokers: BROKERS.split(',').filter(Boolean), logLevel: logLevel.NOTHING });

export interface TestNames {
  suffix: string;
  events: string;
  detections: string;
  revocations: string;
  approvals: string;
  dlq: string;
  group: string;
  prefix: string;
}

export function testNames(label: string): TestNames {
  const suffix = `${label}-${randomUUID().slice(0, 8)}`;
  return {
    suffix,
    events: `t-events-${suffix}`,
    detections: `t-detections-${suffix}`,
    revocations: `t-revocations-${suffix}`,
    approvals: `t-approvals-${suffix}`,
    dlq: `t-dlq-${suffix}`,
    group: `t-group-${suffix}`,
    prefix: `gr-t-${suffix}`,
  };
}

/** The environment of a processor under test: its own names, short group timeouts, no metrics server. */
export function testEnv(n: TestNames, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: BROKERS,
    REDIS_URL,
    GUARDRAIL_RULES: FIXTURE_RULES,
    GUARDRAIL_GROUP_ID: n.group,
    GUARDRAIL_TOPIC_EVENTS: n.events,
    GUARDRAIL_TOPIC_DETECTIONS: n.detections,
    GUARDRAIL_TOPIC_REVOCATIONS: n.revocations,
    GUARDRAIL_TOPIC_APPROVALS: n.approvals,
    GUARDRAIL_TOPIC_DLQ: n.dlq,
    GUARDRAIL_TOPIC_PARTITIONS: '3',
    GUARDRAIL_REDIS_PREFIX: n.prefix,
    GUARDRAIL_METRICS_PORT: 'off',
    KAFKA_SESSION_TIMEOUT: '6s',
    KAFKA_HEARTBEAT_INTERVAL: '500ms',
    KAFKA_REBALANCE_TIMEOUT: '10s',
    KAFKA_LOG_LEVEL: 'nothing',
    GUARDRAIL_LOG_LEVEL: 'error',
    GUARDRAIL_RULES_POLL_INTERVAL: '200ms',
    GUARDRAIL_SHUTDOWN_TIMEOUT: '20s',
    ...extra,
  };
}

export function testConfig(n: TestNames, extra: Record<string, string> = {}): ProcessorConfig {
  return loadConfig(testEnv(n, extra)).config;
}

/** A processor in this process; logs errors to stderr. */
export async function startInProcess(n: TestNames, extra: Record<string, string> = {}): Promise<Processor> {
  const config = testConfig(n, extra);
  const log = pino({ level: config.logLevel, base: { test: n.suffix } }, pino.destination(2));
  return startProcessor(config, { log, metrics: createMetrics({ defaults: false }) });
}

/** A processor in this process and a reader of some of its output topics; `stop` is the teardown tests share. */
export interface Harness {
  processor: Processor;
  reader: TopicReader;
  /** Stops both, closes the shared producer, and deletes the test's topics, group and Redis keys. */
  stop(): Promise<void>;
}

export async function startWithReader(n: TestNames, topics: readonly string[], extra: Record<string, string> = {}): Promise<Harness> {
  const processor = await startInProcess(n, extra);
  const reader = new TopicReader([...topics]);
  await reader.start();
  return {
    processor,
    reader,
    stop: async () => {
      await processor.stop();
      await reader.close();
      await closeProducer();
      await cleanup(n);
    },
  };
}

export async function createTopics(n: TestNames, partitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [n.events, n.detections, n.revocations, n.approvals, n.dlq].map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the test's topics, consumer groups and Redis keys. */
export async function cleanup(n: TestNames, groups: string[] = []): Promise<void> {
  // The shared producer keeps metadata of every topic it wrote to: a deleted one would fail its next send.
  await closeProducer();
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics = [n.events, n.detections, n.revocations, n.approvals, n.dlq].filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.deleteGroups([n.group, ...groups]).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${n.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

let producer: Producer | undefined;

/** Produces events (objects, keyed by agent id) or raw strings (keyed by `rawKey`), in order. */
export async function produce(topic: string, items: readonly (object | string)[], rawKey = 'raw'): Promise<void> {
  if (!producer) {
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
  }
  for (let i = 0; i < items.length; i += 500) {
    const messages = items.slice(i, i + 500).map((item) =>
      typeof item === 'string' ? { key: rawKey, value: item } : { key: (item as { agent: { id: string } }).agent.id, value: JSON.stringify(item) },
    );
    await producer.send({ topic, acks: -1, messages });
  }
}

export async function closeProducer(): Promise<void> {
  await producer?.disconnect();
  producer = undefined;
}

export interface Received {
  key: string | null;
  value: string;
  headers: Record<string, string>;
  partition: number;
}

function headersOf(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString();
  return out;
}

/** Collects every message of some topics from the beginning, for assertions. */
export class TopicReader {
  readonly messages = new Map<string, Received[]>();
  private consumer: Consumer | undefined;
  readonly group = `t-reader-${randomUUID().slice(0, 8)}`;

  constructor(private readonly topics: string[]) {
    for (const t of topics) this.messages.set(t, []);
  }

  async start(): Promise<void> {
    const consumer = kafka.consumer({ groupId: this.group, maxWaitTimeInMs: 200, sessionTimeout: 6000, heartbeatInterval: 500 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    let joined!: () => void;
    const ready = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({
      eachMessage: async ({ topic, partition, message }: { topic: string; partition: number; message: KafkaMessage }) => {
        this.messages.get(topic)!.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers: headersOf(message.headers), partition });
      },
    });
    await ready;
  }

  json<T = Record<string, unknown>>(topic: string): T[] {
    return this.messages.get(topic)!.map((m) => JSON.parse(m.value) as T);
  }

  async waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([this.group]).catch(() => undefined);
    await admin.disconnect();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it holds, or throws naming `what` after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Sum of the group's committed offsets on a topic, and of the topic's end offsets. */
export async function progress(group: string, topic: string): Promise<{ committed: number; end: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return {
      committed: (committed?.partitions ?? []).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0),
      end: ends.reduce((s, p) => s + Number(p.high), 0),
    };
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the group has committed every message of the topic. */
export async function waitCommitted(group: string, topic: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await progress(group, topic);
    if (p.end > 0 && p.committed >= p.end) return;
    if (Date.now() > deadline) throw new Error(`group ${group} committed ${p.committed} of ${p.end} messages of ${topic}`);
    await sleep(200);
  }
}

/** The detections an in-memory replay of the same events produces: what the live processor must publish. */
export async function expectedDetections(rulesPath: string, events: readonly object[]): Promise<Detection[]> {
  const out: Detection[] = [];
  await runReplay({ ruleset: await loadRules(rulesPath), lines: events.map((e) => JSON.stringify(e)), onDetection: (d) => void out.push(d) });
  return out;
}

// ---- events ----

export const PLACES = {
  nyc: { country: 'US', lat: 40.71, lon: -74.0, ip: '198.51.100.7' },
  tokyo: { country: 'JP', lat: 35.68, lon: 139.69, ip: '203.0.113.9' },
  paris: { country: 'FR', lat: 48.86, lon: 2.35, ip: '192.0.2.44' },
} as const;

export interface EventSpec {
  id: string;
  timeMs: number;
  agent: string;
  token?: string;
  action?: string;
  resource?: string;
  place?: keyof typeof PLACES;
}

export function event(s: EventSpec): Record<string, unknown> {
  const place = PLACES[s.place ?? 'paris'];
  return {
    id: s.id,
    time: new Date(s.timeMs).toISOString(),
    agent: { id: s.agent, name: 'test-agent' },
    token: { id: s.token ?? `tok-${s.agent}` },
    principal: { id: `u-${s.agent}`, timezone: 'Europe/Paris' },
    action: s.action ?? 'read',
    resource: { type: s.resource ?? 'crm.contact', id: `r-${s.id}`, sensitivity: 'internal' },
    volume: { bytes: 1000, records: 1 },
    source: { ip: place.ip, country: place.country, lat: place.lat, lon: place.lon, network: 'corporate', device: { id: `dev-${s.agent}`, managed: true } },
    outcome: 'allowed',
  };
}

/** An event with its geo fields taken out, the address left: what an emitter without GeoIP sends. */
export function addressOnly(e: Record<string, unknown>): Record<string, unknown> {
  const source = { ...(e['source'] as Record<string, unknown>) };
  delete source['country'];
  delete source['lat'];
  delete source['lon'];
  return { ...e, source };
}

// ---- the built CLI, for tests that run `node bin/guardrail.js run` as a child process ----

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, name.name);
    newest = Math.max(newest, name.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when a source file is newer than the build (one build at a time across test files). */
export function ensureBuilt(): void {
  const marker = join(ROOT, 'dist', 'cli', 'run.js');
  if (existsSync(marker) && statSync(marker).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  const lock = join(ROOT, '.cache', 'build.lock');
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      execFileSync('sleep', ['0.5']);
      if (existsSync(marker) && statSync(marker).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
    }
  }
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch {
    // tsc emits even with type errors elsewhere in the tree; the test will show what is broken.
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** `node bin/guardrail.js run` with the test's environment; its log lines are kept for failure messages. */
export class ChildProcessor {
  readonly proc: ChildProcess;
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>) {
    this.proc = spawn(process.execPath, [join(ROOT, 'bin', 'guardrail.js'), 'run'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line) this.output.push(line);
    };
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  /** Resolves once the processor logged a line containing `text`. */
  async waitForLog(text: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.some((l) => l.includes(text))) {
      if (this.proc.exitCode !== null) throw new Error(`processor exited (${this.proc.exitCode}):\n${this.output.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}":\n${this.output.slice(-30).join('\n')}`);
      await sleep(100);
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
  }
}

// ---- traffic for the crash and consumer group tests (rules in fixtures/crash-rules) ----

export const COUNTING_RULES = 'test/processor/fixtures/crash-rules';
export const EVENTS_PER_AGENT = 70;

/**
 * Each agent sends 70 events within about an hour: 60 reads a minute apart and 10 events two seconds
 * apart, which are deletes (a burst) for every other agent. The stream is in time order.
 */
export function countingTraffic(label: string, agents: number, startMs: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < agents; i++) {
    const agent = `${label}-agent-${i}`;
    for (let k = 0; k < 60; k++) out.push(event({ id: `${agent}-r${k}`, timeMs: startMs + k * 61_000 + i * 50, agent }));
    const burstAt = startMs + (5 + ((i * 7) % 40)) * 61_000 + 5_000 + i * 50;
    for (let j = 0; j < 10; j++) out.push(event({ id: `${agent}-x${j}`, timeMs: burstAt + j * 2_000, agent, action: i % 2 === 0 ? 'delete' : 'read' }));
  }
  return out.sort((a, b) => Date.parse(a.time as string) - Date.parse(b.time as string));
}
