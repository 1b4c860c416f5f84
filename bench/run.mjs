// Benchmark of the live processor against a real broker and Redis:
//  1. sustained throughput of `guardrail run` (default rules, Redis state) over a pre-filled topic of
//     simulated traffic, against raw kafkajs consumption of the same topic in the same run (eachBatch,
//     a commit per batch, no parsing), as events/s and their ratio;
//  2. attack-to-revocation latency (p50/p99): token-replay attacks injected while `guardrail loadgen`
//     sends background traffic at a steady rate; from the send of the triggering event to the
//     revocation arriving on the revocations topic.
// Writes a section to BENCHMARKS.md with the command. Needs `npm run build`. Kafka: KAFKA_BROKERS, or a
// broker of its own (scripts/kafka-lib.mjs); Redis: REDIS_URL, default redis://127.0.0.1:6379.
// usage: node bench/run.mjs [--days 21] [--agents 300] [--seed 7] [--partitions 6] [--rate 1000]
//                           [--latency-seconds 60] [--latency-runs 3] [--attack-every-ms 250] [--skip-throughput] [--skip-latency]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import { freePort, startKafka } from '../scripts/kafka-lib.mjs';
import { writeBenchmarkSection } from './section.mjs';

const { Kafka, Partitioners, logLevel } = kafkajs;
const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '21' },
    agents: { type: 'string', default: '300' },
    seed: { type: 'string', default: '7' },
    partitions: { type: 'string', default: '6' },
    rate: { type: 'string', default: '1000' },
    'latency-seconds': { type: 'string', default: '60' },
    'attack-every-ms': { type: 'string', default: '250' },
    'skip-throughput': { type: 'boolean', default: false },
    'skip-latency': { type: 'boolean', default: false },
    'latency-runs': { type: 'string', default: '3' },
  },
});
const partitions = Number(values.partitions);
const log = (line) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const run = randomUUID().slice(0, 8);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let brokers = process.env.KAFKA_BROKERS;
let ownBroker;
let ownDir;
if (!brokers) {
  ownDir = mkdtempSync(join(tmpdir(), 'guardrail-bench-kafka-'));
  ownBroker = await startKafka({ port: await freePort(), dir: ownDir, heap: '1g', log });
  brokers = ownBroker.brokers;
  log(`started Kafka at ${brokers}`);
}
const kafka = new Kafka({ clientId: 'guardrail-bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();

function topicsOf(label) {
  const t = (name) => `bench-${label}-${name}-${run}`;
  return { events: t('events'), detections: t('detections'), revocations: t('revocations'), approvals: t('approvals'), dlq: t('dlq'), group: `bench-${label}-${run}`, prefix: `gr-bench-${label}-${run}` };
}

/** GUARDRAIL_* tunables set for the bench (e.g. GUARDRAIL_CONCURRENCY) pass through to the processor. */
const TUNABLES = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(GUARDRAIL|KAFKA)_/.test(k) && !/TOPIC|GROUP|PREFIX|BROKERS/.test(k)));

function processorEnv(t, extra = {}) {
  return {
    PATH: process.env.PATH,
    ...TUNABLES,
    KAFKA_BROKERS: brokers,
    REDIS_URL,
    GUARDRAIL_GROUP_ID: t.group,
    GUARDRAIL_TOPIC_EVENTS: t.events,
    GUARDRAIL_TOPIC_DETECTIONS: t.detections,
    GUARDRAIL_TOPIC_REVOCATIONS: t.revocations,
    GUARDRAIL_TOPIC_APPROVALS: t.approvals,
    GUARDRAIL_TOPIC_DLQ: t.dlq,
    GUARDRAIL_TOPIC_PARTITIONS: String(partitions),
    GUARDRAIL_REDIS_PREFIX: t.prefix,
    GUARDRAIL_METRICS_PORT: 'off',
    GUARDRAIL_LOG_LEVEL: 'error',
    ...extra,
  };
}

function child(args, env, label) {
  const proc = spawn(process.execPath, ['bin/guardrail.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk) => (tail = (tail + chunk.toString()).slice(-4000));
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, exited, tail: () => tail, label };
}

async function createTopics(t) {
  await admin.createTopics({ waitForLeaders: true, topics: [t.events, t.detections, t.revocations, t.approvals, t.dlq].map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
}

async function endOffsets(topic) {
  return (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.high), 0);
}

async function committed(group, topic) {
  const [c] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return (c?.partitions ?? []).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
}

async function cleanup(t) {
  await admin.deleteTopics({ topics: [t.events, t.detections, t.revocations, t.approvals, t.dlq] }).catch(() => undefined);
  await admin.deleteGroups([t.group]).catch(() => undefined);
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${t.prefix}:*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

// ---------- 1. throughput ----------
let throughput;
if (!values['skip-throughput']) {
  const t = topicsOf('tp');
  await createTopics(t);
  log(`pre-filling ${t.events} (${values.days} days, ${values.agents} agents) ...`);
  const fill = child(['loadgen', '--prefill', '--days', values.days, '--agents', values.agents, '--seed', values.seed, '--topic', t.events], { PATH: process.env.PATH, KAFKA_BROKERS: brokers }, 'loadgen');
  if ((await fill.exited) !== 0) throw new Error(`loadgen failed:\n${fill.tail()}`);
  const total = await endOffsets(t.events);
  log(`${fmt(total)} events in the topic`);

  // Raw kafkajs: the same consumer settings the processor uses, a commit per batch, no parsing.
  const rawGroup = `bench-raw-${run}`;
  const consumer = kafka.consumer({ groupId: rawGroup, maxWaitTimeInMs: 1000, maxBytesPerPartition: 1_000_000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [t.events], fromBeginning: true });
  let rawCount = 0;
  let rawStart;
  let rawEnd;
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 2,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }) => {
      rawStart ??= performance.now();
      rawCount += batch.messages.length;
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }] }] });
      if (rawCount >= total) rawEnd ??= performance.now();
    },
  });
  while (rawEnd === undefined) await sleep(50);
  await consumer.disconnect();
  await admin.deleteGroups([rawGroup]).catch(() => undefined);
  const rawEps = total / ((rawEnd - rawStart) / 1000);
  log(`raw kafkajs: ${fmt(rawEps)} events/s`);

  log('guardrail run over the same topic ...');
  const startedAt = performance.now();
  const proc = child(['run'], processorEnv(t), 'run');
  let firstAt;
  let firstCount = 0;
  let last = 0;
  let lastReport = performance.now();
  for (;;) {
    if (proc.proc.exitCode !== null) throw new Error(`guardrail run exited:\n${proc.tail()}`);
    const c = await committed(t.group, t.events);
    if (c > 0 && firstAt === undefined) {
      firstAt = performance.now();
      firstCount = c;
    }
    last = c;
    if (c >= total) break;
    if (performance.now() - lastReport > 15_000) {
      lastReport = performance.now();
      log(`  ${fmt(c)} of ${fmt(total)} committed (${fmt((c - firstCount) / ((performance.now() - firstAt) / 1000))} events/s)`);
    }
    await sleep(500);
  }
  const doneAt = performance.now();
  proc.proc.kill('SIGTERM');
  await proc.exited;
  const runEps = (last - firstCount) / ((doneAt - firstAt) / 1000);
  const detections = await endOffsets(t.detections);
  const revocations = await endOffsets(t.revocations);
  log(`guardrail run: ${fmt(runEps)} events/s (${((doneAt - startedAt) / 1000).toFixed(0)} s with start-up), ${detections} detections, ${revocations} revocation messages`);
  throughput = { total, rawEps, runEps, wallSeconds: (doneAt - startedAt) / 1000, detections, revocations };
  await cleanup(t);
}

// ---------- 2. attack-to-revocation latency under background load ----------
// One run: a fresh set of topics, a processor and a load generator; returns the run's figures.
async function latencyRun(label) {
  const t = topicsOf(label);
  await createTopics(t);
  const proc = child(['run'], processorEnv(t, { GUARDRAIL_REVOCATION_BUDGET: '1000000' }), 'run');
  // Wait for the group to form: a committed offset appears once the first background batch is done.
  const rate = Number(values.rate);
  const seconds = Number(values['latency-seconds']);
  const background = child(['loadgen', '--rate', String(rate), '--retime', '--duration', `${seconds + 20}s`, '--days', values.days, '--agents', values.agents, '--seed', values.seed, '--topic', t.events], { PATH: process.env.PATH, KAFKA_BROKERS: brokers }, 'loadgen');
  const deadline = performance.now() + 60_000;
  while ((await committed(t.group, t.events)) === 0) {
    if (performance.now() > deadline || proc.proc.exitCode !== null) throw new Error(`guardrail run did not start consuming:\n${proc.tail()}`);
    await sleep(200);
  }
  log(`latency: background ${rate} events/s, an attack every ${values['attack-every-ms']} ms for ${seconds} s ...`);
  await sleep(5_000);

  const sentAt = new Map();
  const samples = [];
  const consumer = kafka.consumer({ groupId: `bench-${label}-reader-${run}`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics: [t.revocations], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const m = JSON.parse(message.value.toString());
      const sent = sentAt.get(m.tokenId);
      if (sent !== undefined && m.type === 'revoke_token') {
        samples.push(performance.now() - sent);
        sentAt.delete(m.tokenId);
      }
    },
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  const place = (city) =>
    city === 'nyc' ? { ip: '198.51.100.7', country: 'US', lat: 40.71, lon: -74.0, network: 'corporate', device: { id: 'd', managed: true } } : { ip: '203.0.113.9', country: 'JP', lat: 35.68, lon: 139.69, network: 'corporate', device: { id: 'd', managed: true } };
  const attack = (i, city, t0) => ({
    id: `bench-atk-${run}-${i}-${city}`,
    time: new Date(t0).toISOString(),
    agent: { id: `bench-atk-${i}` },
    token: { id: `tok-bench-${run}-${i}` },
    action: 'read',
    resource: { type: 'crm.contact' },
    source: place(city),
  });
  const until = performance.now() + seconds * 1000;
  let injected = 0;
  for (let i = 0; performance.now() < until; i++) {
    const t0 = Date.now();
    await producer.send({ topic: t.events, acks: 1, messages: [{ key: `bench-atk-${i}`, value: JSON.stringify(attack(i, 'nyc', t0 - 60_000)) }] });
    const sent = performance.now();
    sentAt.set(`tok-bench-${run}-${i}`, sent);
    await producer.send({ topic: t.events, acks: 1, messages: [{ key: `bench-atk-${i}`, value: JSON.stringify(attack(i, 'tokyo', t0)) }] });
    injected++;
    await sleep(Number(values['attack-every-ms']));
  }
  await sleep(5_000);
  await producer.disconnect();
  await consumer.disconnect();
  await admin.deleteGroups([`bench-${label}-reader-${run}`]).catch(() => undefined);
  background.proc.kill('SIGTERM');
  await background.exited;
  const lag = (await endOffsets(t.events)) - (await committed(t.group, t.events));
  proc.proc.kill('SIGTERM');
  await proc.exited;
  const bg = /loadgen: (\d+) events .* \((\d+) events\/s\)/.exec(background.tail());
  const latency = {
    injected,
    received: samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: Math.max(...samples),
    backgroundRate: bg ? Number(bg[2]) : rate,
    lagAtEnd: lag,
  };
  log(`latency (${label}): ${samples.length}/${injected} attacks revoked, p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms`);
  await cleanup(t);
  return latency;
}

// Several runs, one after the other: a shared 2-core machine makes one run's tail noisy, so the
// section gives each run and their median.
const latencyRuns = [];
if (!values['skip-latency']) for (let i = 1; i <= Number(values['latency-runs']); i++) latencyRuns.push(await latencyRun(`lat${i}`));
const medianOf = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const latency = latencyRuns.length === 0 ? undefined : latencyRuns;

await admin.disconnect();
if (ownBroker) {
  await ownBroker.stop();
  rmSync(ownDir, { recursive: true, force: true });
}

// ---------- BENCHMARKS.md ----------
const flags = [
  `--days ${values.days}`,
  `--agents ${values.agents}`,
  `--seed ${values.seed}`,
  `--partitions ${values.partitions}`,
  `--rate ${values.rate}`,
  `--latency-seconds ${values['latency-seconds']}`,
  `--latency-runs ${values['latency-runs']}`,
  `--attack-every-ms ${values['attack-every-ms']}`,
].join(' ');
const lines = [
  '## Live processor (guardrail run)',
  '',
  `Command: \`${Object.entries(TUNABLES).map(([k, v]) => `${k}=${v} `).join('')}node bench/run.mjs ${flags}\` (after \`npm run build\`). Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, a single Kafka 4 broker and Redis on the same machine${ownBroker ? ' (a broker started by the bench)' : ''}: broker, Redis, processor and load generator share the cores. Topic of ${values.partitions} partitions; the processor with its defaults (default rules, 2 partitions at a time, fail closed).`,
  '',
];
if (throughput) {
  lines.push(
    `Throughput over a pre-filled topic of ${fmt(throughput.total)} simulated events (\`guardrail loadgen --prefill --days ${values.days} --agents ${values.agents}\`), from the first commit to the last:`,
    '',
    '| consumer | events/s | ratio to raw |',
    '|---|---|---|',
    `| raw kafkajs (eachBatch, commit per batch, no parsing) | ${fmt(throughput.rawEps)} | 1.00 |`,
    `| guardrail run (decode, default rules, Redis state, actions, commit) | ${fmt(throughput.runEps)} | ${(throughput.runEps / throughput.rawEps).toFixed(3)} |`,
    '',
    `The processor took ${throughput.wallSeconds.toFixed(0)} s including start-up and published ${fmt(throughput.detections)} detections and ${fmt(throughput.revocations)} revocation/quarantine messages.`,
    '',
  );
}
if (latency) {
  const ms = (x) => `${x.toFixed(1)} ms`;
  lines.push(
    `Attack-to-revocation latency: a token used in New York and then Tokyo (rule token-replay), injected every ${values['attack-every-ms']} ms for ${values['latency-seconds']} s while \`guardrail loadgen --rate ${values.rate} --retime\` sent background traffic (achieved ${latency.map((l) => fmt(l.backgroundRate)).join(', ')} events/s); from the send of the second event to the revocation arriving on the revocations topic. ${latency.length} runs one after the other, each with its own topics and processor:`,
    '',
    '| run | attacks | revoked | p50 | p99 | max | lag at end |',
    '|---|---|---|---|---|---|---|',
    ...latency.map((l, i) => `| ${i + 1} | ${l.injected} | ${l.received} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} | ${fmt(l.lagAtEnd)} events |`),
    `| **median** | | | **${ms(medianOf(latency.map((l) => l.p50)))}** | **${ms(medianOf(latency.map((l) => l.p99)))}** | ${ms(medianOf(latency.map((l) => l.max)))} | |`,
    '',
  );
}
const section = lines.join('\n');
if (!throughput || !latency) {
  // A partial run (a part skipped) is for experiments: printed, not written over the full figures.
  process.stdout.write(section + '\n');
  process.exit(0);
}
writeBenchmarkSection('## Live processor (guardrail run)', section);
