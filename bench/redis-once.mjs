// One measured run against a Redis (bench/redis.mjs starts a private one), in a fresh process.
// Prints one JSON line.
// usage: node bench/redis-once.mjs replay <events.jsonl> <redisUrl> <prefix> [--keep]
//          the full engine, default rules, state in Redis (guardrail replay --store redis without printing)
//        node bench/redis-once.mjs rate <events.jsonl> <redisUrl> <prefix> <rounds>
//          the rate rule read-flood alone (count of read/list per agent over 5m) three ways, alternating:
//          guardrail's RedisStore (one script call per agent per batch, one round trip per batch),
//          the engine with only that rule over Redis, and rate-limiter-flexible's RateLimiterRedis
//          (one script call per event; a batch's calls in flight together, so ioredis pipelines them)
import { readFileSync } from 'node:fs';

const [mode, file, url, prefix, ...rest] = process.argv.slice(2);
const { loadRules } = await import('../dist/rules/index.js');
const { runReplay } = await import('../dist/engine/index.js');
const { readLineChunks } = await import('../dist/cli/io.js');
const { RedisStore, redisOptionsFromEnv } = await import('../dist/state/index.js');
const { Redis } = await import('ioredis');

const admin = new Redis(url);
const redisCpu = async () => {
  const info = await admin.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]);
};
const connection = redisOptionsFromEnv({ REDIS_URL: url });
// As `guardrail replay --store redis` (src/cli/replay.ts REDIS_REPLAY_BATCH_SIZE).
const BATCH = Number(process.env.BS ?? 10_000);
/** The rate-rule comparison keeps batches of 2000 (the table says so). */
const RATE_BATCH = 2000;

if (mode === 'replay') {
  const keep = rest.includes('--keep');
  const ruleset = await loadRules('rules');
  const store = new RedisStore({ connection, prefix, commandTimeoutMs: 600_000, streamDedup: 'memory', ...(process.env.STORE_MODE ? { mode: process.env.STORE_MODE } : {}) });
  await store.ready();
  // The reader of `guardrail replay`: chunks of lines.
  const lines = readLineChunks(file);
  let detections = 0;
  const r0 = await redisCpu();
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const summary = await runReplay({ ruleset, lines, store, batchSize: BATCH, onDetection: () => void detections++ });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const redisCpuSeconds = (await redisCpu()) - r0;
  const out = {
    mode, events: summary.events, detections, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, redisCpuSeconds,
    roundTrips: store.roundTrips, commands: store.commandsSent, maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
  if (!keep) await store.purge();
  await store.close();
  process.stdout.write(JSON.stringify(out) + '\n');
} else if (mode === 'rate') {
  const rounds = Number(rest[0] ?? 3);
  // The rule as shipped (rules/rate.yaml): read and list actions, 5 minute window, per agent.
  const full = await loadRules('rules');
  const rule = full.rules.find((r) => r.id === 'read-flood');
  if (!rule) throw new Error('rules/rate.yaml has no read-flood rule');
  const ruleset = { ...full, rules: [rule] };
  const windowMs = rule.windowMs;
  const threshold = rule.threshold?.count ?? 3000;
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const events = [];
  for (const line of lines) {
    const e = JSON.parse(line);
    if (e.action === 'read' || e.action === 'list') events.push({ id: e.id, agent: e.agent.id, timeMs: Date.parse(e.time) });
  }
  const { slotSizeFor } = await import('../dist/state/index.js');
  const spec = { windowMs, slotMs: slotSizeFor(windowMs) };
  const { RateLimiterRedis } = await import('rate-limiter-flexible');

  const measure = async (fn) => {
    const r0 = await redisCpu();
    const started = process.hrtime.bigint();
    const n = await fn();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { ops: n, seconds, opsPerSecond: n / seconds, redisCpuSeconds: (await redisCpu()) - r0 };
  };
  const ours = async (round) => {
    const store = new RedisStore({ connection, prefix: `${prefix}-store-${round}`, commandTimeoutMs: 600_000 });
    await store.ready();
    // Events over the threshold, read off the answers as a caller would: reported next to the time.
    let over = 0;
    const r = await measure(async () => {
      for (let i = 0; i < events.length; i += RATE_BATCH) {
        const byAgent = new Map();
        for (const e of events.slice(i, i + RATE_BATCH)) {
          let op = byAgent.get(e.agent);
          if (!op) byAgent.set(e.agent, (op = { type: 'window', key: { rule: 'read-flood', group: JSON.stringify([e.agent]) }, spec, inputs: [] }));
          op.inputs.push({ id: e.id, timeMs: e.timeMs, bytes: 0, records: 0 });
        }
        const results = await store.apply([...byAgent.values()]);
        for (const res of results) for (const o of res.observations) if (o.sums.count > threshold) over++;
      }
      return events.length;
    });
    await store.purge();
    await store.close();
    return { ...r, overLimit: over };
  };
  const engine = async (round) => {
    const store = new RedisStore({ connection, prefix: `${prefix}-engine-${round}`, commandTimeoutMs: 600_000 });
    await store.ready();
    const r = await measure(async () => (await runReplay({ ruleset, lines, store, batchSize: RATE_BATCH, onDetection: () => {} })).events);
    await store.purge();
    await store.close();
    return r;
  };
  const rlf = async (round) => {
    const client = new Redis(url, { enableOfflineQueue: true });
    const limiter = new RateLimiterRedis({ storeClient: client, keyPrefix: `${prefix}-rlf-${round}`, points: threshold, duration: windowMs / 1000 });
    let over = 0;
    const r = await measure(async () => {
      for (let i = 0; i < events.length; i += RATE_BATCH) {
        const batch = events.slice(i, i + RATE_BATCH);
        const settled = await Promise.allSettled(batch.map((e) => limiter.consume(e.agent)));
        for (const s of settled) if (s.status === 'rejected') over++;
      }
      return events.length;
    });
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}-rlf-${round}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
    client.disconnect();
    return { ...r, overLimit: over };
  };
  const results = { store: [], engine: [], rlf: [] };
  for (let round = 0; round < rounds; round++) {
    results.store.push(await ours(round));
    results.rlf.push(await rlf(round));
    results.engine.push(await engine(round));
  }
  process.stdout.write(JSON.stringify({ mode, events: events.length, lines: lines.length, rule: rule.id, windowMs, slotMs: spec.slotMs, results }) + '\n');
} else {
  throw new Error(`unknown mode ${mode}`);
}
admin.disconnect();
