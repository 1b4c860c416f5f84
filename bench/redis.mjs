// Benchmark: the Redis state store with the default rules, against a private redis-server started for
// the run (no persistence), so that its CPU and memory are this benchmark's own. Measures, in one run
// on one Redis: events/s end to end (guardrail replay --store redis), Redis round trips and script
// calls per event, Redis CPU per event, Redis memory per active agent; and the rate rule read-flood
// alone against rate-limiter-flexible's RateLimiterRedis counting the same events. The in-memory
// replay of the same file is measured too, as the engine's own ceiling. Writes a section of
// BENCHMARKS.md with the command that produced it.
// usage: node bench/redis.mjs [--days 28] [--agents 300] [--seed 7] [--runs 1] [--rate-lines 200000] [--rate-rounds 3]
//        (needs `npm run build` and redis-server on the PATH; rate-limiter-flexible for the comparison:
//        npm install --no-save rate-limiter-flexible)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { writeBenchmarkSection } from './section.mjs';

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '28' },
    agents: { type: 'string', default: '300' },
    seed: { type: 'string', default: '7' },
    runs: { type: 'string', default: '1' },
    'rate-lines': { type: 'string', default: '200000' },
    'rate-rounds': { type: 'string', default: '3' },
  },
});
const runs = Number(values.runs);
/** Cached mode: where each op type's snapshot keeps its last-seen time (src/state/memory/*.ts). */
const LAST_AT = { window: 2, profile: 1, seen: 1, travel: 0, signal: 0, cooldown: 2 };
const log = (text) => process.stderr.write(`${text}\n`);

mkdirSync('.cache', { recursive: true });
const file = `.cache/bench-sim-${values.days}d-${values.agents}a-s${values.seed}.jsonl`;
if (!existsSync(file)) {
  log(`generating ${file} ...`);
  execFileSync('node', ['bin/guardrail.js', 'simulate', '--days', values.days, '--agents', values.agents, '--seed', values.seed, '--out', file], { stdio: ['ignore', 'ignore', 'inherit'] });
}
const allLines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
const parsed = allLines.map((l) => JSON.parse(l));
const agents = new Set(parsed.map((e) => e.agent.id)).size;
const endMs = parsed.reduce((max, e) => Math.max(max, Date.parse(e.time)), -Infinity);
parsed.length = 0;
const rateFile = `.cache/bench-sim-${values.days}d-${values.agents}a-s${values.seed}-first${values['rate-lines']}.jsonl`;
if (!existsSync(rateFile)) writeFileSync(rateFile, allLines.slice(0, Number(values['rate-lines'])).join('\n') + '\n');

const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return true;
  } catch {
    return false;
  }
})();
const pinned = (core, cmd, args) => (hasTaskset ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args]);

const port = await new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const url = `redis://127.0.0.1:${port}`;
// Redis on core 1, the replay on core 0: each has a core of its own, as in a deployment.
const [redisCmd, redisArgs] = pinned(1, 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
const redis = spawn(redisCmd, redisArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve, reject) => {
  let out = '';
  redis.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.includes('Ready to accept connections')) resolve();
  });
  redis.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
});
const { Redis } = await import('ioredis');
const admin = new Redis(url);
const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))[1];

const once = (script, args, env = {}, core = 0) => {
  const [cmd, argv] = pinned(core, 'node', [script, ...args]);
  return JSON.parse(execFileSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } }));
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

try {
  log(`in-memory replay of ${file} ...`);
  const memory = once('bench/replay-once.mjs', ['replay', file]);
  log(`  ${fmt(memory.eventsPerSecond)} events/s`);

  const replays = [];
  let memoryReport;
  for (let i = 0; i < runs; i++) {
    await admin.flushall();
    const before = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))[1]);
    const last = i === runs - 1;
    log(`redis replay run ${i + 1} ...`);
    const r = once('bench/redis-once.mjs', ['replay', file, url, `bench-${i}`, ...(last ? ['--keep'] : [])]);
    replays.push(r);
    log(`  ${fmt(r.events / r.seconds)} events/s, ${(r.roundTrips / r.events).toFixed(5)} round trips per event, Redis CPU ${((r.redisCpuSeconds * 1e6) / r.events).toFixed(0)} µs per event`);
    if (last) memoryReport = await measureMemory(`bench-${i}`, before);
  }
  await admin.flushall();

  // The same replay with the store in scripts mode (state logic in Lua), for the ratio in this run.
  const scripts = [];
  for (let i = 0; i < runs; i++) {
    await admin.flushall();
    log(`redis replay, scripts mode, run ${i + 1} ...`);
    const x = once('bench/redis-once.mjs', ['replay', file, url, `bench-s${i}`], { STORE_MODE: 'scripts' });
    scripts.push(x);
    log(`  ${fmt(x.events / x.seconds)} events/s, Redis CPU ${((x.redisCpuSeconds * 1e6) / x.events).toFixed(0)} µs per event`);
  }
  await admin.flushall();

  log(`rate rule alone vs rate-limiter-flexible on ${rateFile} ...`);
  const rate = once('bench/redis-once.mjs', ['rate', rateFile, url, 'bench-rate', values['rate-rounds']]);
  await admin.flushall();

  const r = {
    eps: median(replays.map((x) => x.events / x.seconds)),
    epc: median(replays.map((x) => x.events / x.cpuSeconds)),
    redisUs: median(replays.map((x) => (x.redisCpuSeconds * 1e6) / x.events)),
    trips: median(replays.map((x) => x.roundTrips / x.events)),
    calls: median(replays.map((x) => x.commands / x.events)),
  };
  const rateOps = (k) => median(rate.results[k].map((x) => x.opsPerSecond));
  const rateCpu = (k) => median(rate.results[k].map((x) => (x.redisCpuSeconds * 1e6) / x.ops));
  const m = memoryReport;
  const kb = (bytes) => (bytes / 1024).toFixed(1);
  const command = `node bench/redis.mjs --days ${values.days} --agents ${values.agents} --seed ${values.seed} --runs ${runs} --rate-lines ${values['rate-lines']} --rate-rounds ${values['rate-rounds']}`;
  const section = [
    '## Redis state store (default rules)',
    '',
    `Command: \`${command}\` (after \`npm run build\`; the comparison needs \`npm install --no-save rate-limiter-flexible\`). Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}, Redis ${redisVersion}: a private redis-server (no persistence) started for the run${hasTaskset ? ', pinned to core 1, each measured process a fresh one pinned to core 0' : ''}; medians of ${runs} run${runs === 1 ? '' : 's'}.`,
    '',
    `Input: \`guardrail simulate\` traffic, ${allLines.length.toLocaleString('en-US')} events from ${agents} agents over ${values.days} days, ${replays[0].detections} detections (the in-memory replay: ${memory.detections}).`,
    '',
    '| replay, default rules | events/s, wall | events per Node CPU second | Redis CPU µs per event | round trips per event | script calls per event |',
    '|---|---|---|---|---|---|',
    `| in-memory state (\`guardrail replay\`) | ${fmt(memory.eventsPerSecond)} | ${fmt(memory.eventsPerCpuSecond)} | | | |`,
    `| Redis state, cached mode (\`guardrail replay --store redis\`, the default) | ${fmt(r.eps)} | ${fmt(r.epc)} | ${r.redisUs.toFixed(1)} | ${r.trips.toFixed(5)} | ${r.calls.toFixed(2)} |`,
    `| Redis state, scripts mode (state logic in Lua) | ${fmt(median(scripts.map((x) => x.events / x.seconds)))} | ${fmt(median(scripts.map((x) => x.events / x.cpuSeconds)))} | ${median(scripts.map((x) => (x.redisCpuSeconds * 1e6) / x.events)).toFixed(1)} | ${median(scripts.map((x) => x.roundTrips / x.events)).toFixed(5)} | ${median(scripts.map((x) => x.commands / x.events)).toFixed(2)} |`,
    '',
    `Redis memory after the replay (all ${agents} agents active within the longest history, 30 days). A replay squeezes ${values.days} days into minutes, so every key it wrote is still there (TTLs run on the wall clock); a live deployment holds only the states still inside their retention in event time, which the live columns count (a state whose last input plus its retention, read off its TTL, reaches the last event): ${(m.usedDelta / 1e6).toFixed(1)} MB used_memory above the empty server in all; state keys (MEMORY USAGE) ${(m.all.bytes / 1e6).toFixed(1)} MB in ${fmt(m.all.keys)} keys, of which live ${(m.live.bytes / 1e6).toFixed(1)} MB in ${fmt(m.live.keys)} keys: **${kb(m.live.bytes / agents)} KiB of state per active agent** (${kb(m.all.bytes / agents)} KiB counting every key the replay left). ${m.markerKeys === 0 ? 'No stream-level dedup markers: a replay keeps its stream-level dedup in the process (\`guardrail run\` keeps its own ledger).' : `The replay's stream-level dedup markers (one per event id, 1 h TTL; \`guardrail run\` keeps its own ledger instead) ${(m.markers / 1e6).toFixed(1)} MB in ${fmt(m.markerKeys)} keys, ${(m.markers / Math.max(1, m.markerKeys)).toFixed(0)} bytes each.`}`,
    '',
    '| state by op type | keys left | MB left | live keys | live MB | live KiB per agent |',
    '|---|---|---|---|---|---|',
    ...Object.entries(m.byType)
      .sort((a, b) => b[1].live.bytes - a[1].live.bytes)
      .map(([type, x]) => `| ${type} | ${fmt(x.all.keys)} | ${(x.all.bytes / 1e6).toFixed(1)} | ${fmt(x.live.keys)} | ${(x.live.bytes / 1e6).toFixed(2)} | ${kb(x.live.bytes / agents)} |`),
    '',
    `Rate rule alone (\`${rate.rule}\`: read and list per agent, ${rate.windowMs / 60000} min window in ${rate.slotMs / 1000} s slots), the first ${Number(values['rate-lines']).toLocaleString('en-US')} events (${rate.events.toLocaleString('en-US')} of them counted), same Redis, ${values['rate-rounds']} alternating rounds, medians:`,
    '',
    '| counting | ops/s | Redis CPU µs per op | ratio to rate-limiter-flexible |',
    '|---|---|---|---|',
    `| guardrail RedisStore: exact sliding window on event time, idempotent per event id, one script call per agent per batch of 2000, one round trip per batch | ${fmt(rateOps('store'))} | ${rateCpu('store').toFixed(1)} | ${(rateOps('store') / rateOps('rlf')).toFixed(2)} |`,
    `| rate-limiter-flexible 11 RateLimiterRedis: fixed window on the wall clock (INCRBY and TTL in one script call per event), a batch of 2000 calls in flight together | ${fmt(rateOps('rlf'))} | ${rateCpu('rlf').toFixed(1)} | 1.00 |`,
    `| guardrail engine with only that rule over Redis (decode, validate, match all ${rate.lines.toLocaleString('en-US')} events) | ${fmt(rateOps('engine'))} events/s | ${rateCpu('engine').toFixed(1)} per event | |`,
    '',
  ].join('\n');
  writeBenchmarkSection('## Redis state store (default rules)', section);
} finally {
  admin.disconnect();
  redis.kill('SIGKILL');
}

/**
 * MEMORY USAGE of every key under the prefix, by op type: all of them, and those of states still
 * inside their retention in event time at the end of the replay (last input + retention >= endMs,
 * the retention read off the state hash's TTL: retention + the store's 1 h margin). Plus used_memory
 * above `before`.
 */
async function measureMemory(prefix, before) {
  const MARGIN = 3_600_000;
  const usedDelta = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))[1]) - before;
  const keys = [];
  let cursor = '0';
  do {
    const [next, page] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
    cursor = next;
    keys.push(...page);
  } while (cursor !== '0');
  const sizes = [];
  const liveState = new Map();
  for (let i = 0; i < keys.length; i += 2000) {
    const chunk = keys.slice(i, i + 2000);
    const p = admin.pipeline();
    for (const key of chunk) p.memory('USAGE', key, 'SAMPLES', '0');
    sizes.push(...(await p.exec()).map(([, v]) => Number(v ?? 0)));
    const q = admin.pipeline();
    // Scripts mode: the state hash's field last; cached mode: the last-seen time inside the JSON value.
    const states = chunk.filter((key) => /:[a-z]+:(st|c1):/.test(key));
    for (const key of states) {
      if (key.includes(':c1:')) q.get(key).pttl(key);
      else q.hget(key, 'last').pttl(key);
    }
    const replies = (await q.exec()).map(([, v]) => v);
    states.forEach((key, j) => {
      const cached = /:([a-z]+):c1:/.exec(key);
      const last = cached ? JSON.parse(String(replies[2 * j]).slice(20))[LAST_AT[cached[1]]] : Number(replies[2 * j]);
      const retention = Number(replies[2 * j + 1]) - MARGIN;
      liveState.set(key.replace(/:(st|c1):/, ':'), last + retention >= endMs);
    });
  }
  const byType = {};
  const all = { keys: 0, bytes: 0 };
  const live = { keys: 0, bytes: 0 };
  let markers = 0;
  let markerKeys = 0;
  keys.forEach((key, i) => {
    // <prefix>:{<tag>}:<op type>:<part>:<rule>, or <prefix>:{ev<n>}:event:<horizon>:<id>
    const [, type, part] = /^[^{]*\{[^}]*\}:([^:]+):([^:]+):/.exec(key) ?? [];
    if (type === 'event') {
      markers += sizes[i];
      markerKeys++;
      return;
    }
    const t = (byType[type ?? '?'] ??= { all: { keys: 0, bytes: 0 }, live: { keys: 0, bytes: 0 } });
    for (const acc of [all, t.all]) {
      acc.keys++;
      acc.bytes += sizes[i];
    }
    if (liveState.get(key.replace(`:${part}:`, ':'))) {
      for (const acc of [live, t.live]) {
        acc.keys++;
        acc.bytes += sizes[i];
      }
    }
  });
  return { usedDelta, byType, all, live, markers, markerKeys };
}
