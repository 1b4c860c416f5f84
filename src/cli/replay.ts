/*
 * `guardrail replay [--rules DIR] [--events FILE|-] [--store memory|redis] [--geoip FILE] [--sort]`: the embedded default
 * runs events through the rules with in-memory state; `--store redis` keeps the state in Redis
 * (REDIS_URL and the REDIS_* settings) under a key prefix of its own, removed afterwards unless
 * --keep-keys. `--geoip` derives missing geo fields from source.ip with a MaxMind DB, as
 * GUARDRAIL_GEOIP_DB does for `guardrail run`. Detections as JSON lines on stdout, a summary on
 * stderr; both stores give the same.
 */
import { randomUUID } from 'node:crypto';
import { UsageError } from '../errors/index.js';

/** Events per engine pass of `--store redis` (DEFAULT_BATCH_SIZE, 250, in memory). */
const REDIS_REPLAY_BATCH_SIZE = 10_000;
import { DEFAULT_BATCH_SIZE, DEFAULT_LATENESS_MS, runReplay, type ReplaySummary } from '../engine/index.js';
import { GeoIpDatabase } from '../events/index.js';
import { loadRules } from '../rules/index.js';
import { describeConnection, RedisStore, redisOptionsFromEnv } from '../state/index.js';
import { parse, positiveInt } from './args.js';
import { LineWriter, readLineChunks } from './io.js';
import { sortByEventTime, type SortedLines } from './sort.js';
import { REPLAY_USAGE } from './usage.js';

const MAX_INVALID_SHOWN = 20;
/** A replay is batch work: a slow round trip is waited for, not an outage. */
const REPLAY_REDIS_TIMEOUT_MS = 120_000;

export async function replayCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, REPLAY_USAGE.options);
  if (values.store !== 'memory' && values.store !== 'redis') throw new UsageError(`--store must be memory or redis (got "${values.store}")`);
  if (values.store !== 'redis' && (values['redis-prefix'] !== undefined || values['keep-keys'])) {
    throw new UsageError(`--${values['redis-prefix'] !== undefined ? 'redis-prefix' : 'keep-keys'} needs --store redis`);
  }
  const prefix = values['redis-prefix'] ?? `gr-replay-${randomUUID().slice(0, 8)}`;
  if (prefix === '' || /[{}\s]/.test(prefix)) throw new UsageError(`--redis-prefix must be non-empty, without braces or spaces (got "${prefix}")`);
  // Through the cached Redis store each batch writes every state it touched once: bigger batches write less.
  const batchSize = positiveInt('batch-size', values['batch-size'], values.store === 'redis' ? REDIS_REPLAY_BATCH_SIZE : DEFAULT_BATCH_SIZE);
  const ruleset = await loadRules(values.rules);
  const geo = values.geoip === undefined ? undefined : GeoIpDatabase.open(values.geoip, '--geoip');
  const connection = values.store === 'redis' ? redisOptionsFromEnv(process.env) : undefined;
  const redis = connection ? new RedisStore({ connection, prefix, commandTimeoutMs: REPLAY_REDIS_TIMEOUT_MS, streamDedup: 'memory' }) : undefined;
  const out = new LineWriter();
  const started = process.hrtime.bigint();
  let shown = 0;
  let sorted: SortedLines | undefined;
  let summary: ReplaySummary;
  let deleted: number | undefined;
  try {
    await redis?.ready();
    if (values.sort) sorted = await sortByEventTime(readLineChunks(values.events));
    const order = sorted?.lineNumbers;
    summary = await runReplay({
      ruleset,
      lines: sorted ? [sorted.lines] : readLineChunks(values.events),
      ...(order ? { lineNumberOf: (n: number) => order[n - 1]! } : {}),
      batchSize,
      ...(redis ? { store: redis } : {}),
      ...(geo ? { geo } : {}),
      onDetection: (d) => out.write(JSON.stringify(d)),
      onInvalid: (line, reason) => {
        if (values.quiet || shown++ >= MAX_INVALID_SHOWN) return;
        process.stderr.write(`${values.events === undefined || values.events === '-' ? 'stdin' : values.events}:${line}: invalid event: ${reason}\n`);
      },
    });
    await out.flush();
  } finally {
    if (redis) deleted = await closeRedis(redis, values['keep-keys']);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sorted) process.stderr.write(`sort: ${sorted.lines.length} lines ordered by event time; ${sorted.moved} of them came after a later event in the input\n`);
  process.stderr.write(formatSummary(summary, seconds, ruleset.rules.length));
  if (geo) {
    const g = summary.geo;
    process.stderr.write(
      `geoip: ${geo.info.databaseType} built ${geo.info.builtAt.slice(0, 10)}: geo derived from source.ip for ${g.derived} events, ${g.unknown} addresses not in the database, ${g.conflict} kept the sender's country (the database placed the address elsewhere)\n`,
    );
  }
  if (redis && connection) {
    const perEvent = summary.events === 0 ? 0 : redis.roundTrips / summary.events;
    const keys = values['keep-keys'] ? `keys kept under ${prefix}:*` : deleted === undefined ? `keys under ${prefix}:* not deleted` : `${deleted} keys under ${prefix}:* deleted`;
    process.stderr.write(
      `store: redis ${describeConnection(connection)} (${redis.mode}), ${redis.roundTrips} round trips (${perEvent.toPrecision(3)} per event), ${redis.commandsSent} script calls${cacheLine(redis)}; ${keys}\n`,
    );
  }
  return 0;
}

/**
 * Removes the replay's keys (unless kept) and closes; returns how many were deleted. A failed
 * clean-up is reported, not thrown over the replay's own outcome.
 */
async function closeRedis(store: RedisStore, keep: boolean): Promise<number | undefined> {
  try {
    return keep ? undefined : await store.purge();
  } catch (err) {
    process.stderr.write(`replay: could not delete the keys under ${store.prefix}:* (${(err as Error).message})\n`);
    return undefined;
  } finally {
    await store.close();
  }
}

export function formatSummary(s: ReplaySummary, seconds: number, rules: number): string {
  const lines = [
    `replay: ${s.events} events (${s.invalid} invalid, ${s.duplicates} duplicate, ${s.late} late) through ${rules} rule${rules === 1 ? '' : 's'} in ${seconds.toFixed(2)}s (${Math.round(s.events / Math.max(seconds, 1e-9))} events/s)`,
    `detections: ${s.detections} (${s.suppressed} more suppressed by cooldown)`,
  ];
  const ruleIds = [...new Set([...Object.keys(s.hits), ...Object.keys(s.byRule)])].sort();
  for (const id of ruleIds) lines.push(`  ${id.padEnd(36)} ${String(s.byRule[id] ?? 0).padStart(7)} detections ${String(s.hits[id] ?? 0).padStart(8)} firings`);
  if (s.late > 0) {
    lines.push(
      `warning: ${s.late} event${s.late === 1 ? ' was' : 's were'} older than the newest event before ${s.late === 1 ? 'it' : 'them'} by more than the lateness bound (${DEFAULT_LATENESS_MS / 60_000}m): only rules that need no state judged ${s.late === 1 ? 'it' : 'them'}, and no window counted ${s.late === 1 ? 'it' : 'them'}. ` +
        'Replay expects events in time order, as a partition delivers them; a topic dumped partition after partition is not: ' +
        'replay it with --sort to order the events by time first.',
    );
  }
  const reasons = Object.entries(s.invalidReasons).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    lines.push('invalid events by reason:');
    for (const [reason, n] of reasons.slice(0, 20)) lines.push(`  ${String(n).padStart(7)}  ${reason}`);
  }
  return lines.join('\n') + '\n';
}

function cacheLine(store: RedisStore): string {
  const c = store.cacheStats;
  return c ? `, ${c.misses} keys first touched, ${c.conflicts} writes refused` : '';
}
