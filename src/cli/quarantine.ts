/*
 * `guardrail quarantine list | show AGENT | lift AGENT --reason TEXT`: what an on-call engineer
 * needs when the guardrail quarantined an agent by mistake. Reads the same settings as
 * `guardrail run` (Redis, key prefix, Kafka, revocations topic); changing state needs the Redis
 * and Kafka credentials those settings carry (docs/operations.md, "Lifting a quarantine").
 */
import { userInfo } from 'node:os';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import { pino } from 'pino';
import { clipText, liftQuarantine, listQuarantines, lookupQuarantine, type QuarantineListing } from '../actions/index.js';
import { loadConfig, type ProcessorConfig } from '../config/index.js';
import { ConfigInvalidError, UsageError } from '../errors/index.js';
import { createKafka, kafkaAccessError } from '../kafka/index.js';
import { describeConnection, ioredisOptions } from '../state/index.js';
import { parse } from './args.js';
import { QUARANTINE_USAGE } from './usage.js';

const { Partitioners } = kafkajs;

export async function quarantineCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, QUARANTINE_USAGE.options, true);
  const [sub, agent, ...extra] = positionals;
  if (sub !== 'list' && sub !== 'show' && sub !== 'lift') throw new UsageError(`the first argument must be list, show or lift (got ${sub === undefined ? 'nothing' : `"${sub}"`})`);
  if (sub === 'list' ? agent !== undefined : agent === undefined || extra.length > 0) {
    throw new UsageError(sub === 'list' ? 'list takes no agent' : `${sub} takes exactly one agent id`);
  }
  const reason = values.reason?.trim() ?? '';
  if (sub === 'lift' && reason === '') throw new UsageError('lift needs --reason: why the quarantine is lifted (it is published with the release)');
  if (sub !== 'lift' && (values.reason !== undefined || values.by !== undefined)) throw new UsageError('--reason and --by go with lift');

  let config: ProcessorConfig;
  try {
    config = loadConfig(process.env, values.config).config;
  } catch (err) {
    if (err instanceof ConfigInvalidError) {
      process.stderr.write(`guardrail quarantine: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const redis = new Redis({ ...ioredisOptions(config.redis.connection), lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000 });
  redis.on('error', () => undefined);
  try {
    try {
      await redis.connect();
    } catch (err) {
      process.stderr.write(`guardrail quarantine: cannot reach Redis at ${describeConnection(config.redis.connection)} (${(err as Error).message})\n`);
      return 1;
    }
    const by = values.by?.trim() || whoAmI();
    return await withRedisErrors(() => act(sub, agent, values.json === true, config, redis, reason, by));
  } finally {
    redis.disconnect();
  }
}

async function act(sub: 'list' | 'show' | 'lift', agent: string | undefined, json: boolean, config: ProcessorConfig, redis: Redis, reason: string, by: string): Promise<number> {
  const prefix = config.redis.prefix;
  if (sub === 'list') {
    const all = await listQuarantines(redis, prefix);
    if (json) for (const q of all) process.stdout.write(JSON.stringify(q) + '\n');
    else process.stdout.write(formatList(all));
    return 0;
  }
  if (sub === 'show') {
    const entry = await lookupQuarantine(redis, prefix, agent!);
    if (!entry) {
      process.stderr.write(`agent ${agent} is not quarantined\n`);
      return 1;
    }
    process.stdout.write(JSON.stringify({ agentId: agent, ...entry }, null, json ? undefined : 2) + '\n');
    return 0;
  }
  return lift(config, redis, agent!, reason, by);
}

async function lift(config: ProcessorConfig, redis: Redis, agent: string, reason: string, by: string): Promise<number> {
  const log = pino({ level: 'error' }, pino.destination(2));
  const kafka = createKafka(config.kafka, log, '-quarantine');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 3 } });
  try {
    let result: Awaited<ReturnType<typeof liftQuarantine>>;
    try {
      await producer.connect();
      result = await liftQuarantine({ redis, producer, prefix: config.redis.prefix, topic: config.topics.revocations, agentId: agent, reason, liftedBy: by });
    } catch (err) {
      // The release is published before the entry is deleted: a failure here changed nothing in Redis.
      process.stderr.write(
        `guardrail quarantine: could not lift the quarantine of agent ${agent}: ${(kafkaAccessError(err, config.kafka) ?? (err as Error)).message}. The quarantine is still in Redis; ` +
          'try again (a release already published is published again with the same id).\n',
      );
      return 1;
    }
    if (result.outcome === 'not_quarantined') {
      process.stderr.write(`agent ${agent} is not quarantined: nothing to lift\n`);
      return 1;
    }
    process.stdout.write(JSON.stringify(result.message) + '\n');
    if (result.outcome === 'replaced') {
      const rule = result.current ? ` by rule ${result.current.ruleId} until ${result.current.until}` : '';
      process.stderr.write(`released quarantine ${result.entry.id}, but agent ${agent} was quarantined again meanwhile${rule}: that one stands (look at it, then lift it too if it is also a mistake)\n`);
      return 1;
    }
    process.stderr.write(
      `lifted the quarantine of agent ${agent} (rule ${result.entry.ruleId}, until ${result.entry.until}); release ${result.message.id} published on ${config.topics.revocations}. ` +
        'Revoked tokens stay revoked: the agent needs a new token. The rule will fire again on the same behaviour once its cooldown has passed: fix it (except, threshold, mode: shadow).\n',
    );
    return 0;
  } finally {
    await producer.disconnect();
  }
}

/** A command Redis refuses (an ACL without the quarantine keys, a read-only replica) ends with a sentence, not a stack. */
async function withRedisErrors(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if ((err as Error).name !== 'ReplyError') throw err;
    process.stderr.write(`guardrail quarantine: Redis refused: ${(err as Error).message}\n`);
    return 1;
  }
}

/** The person running the command, for the record: $USER, else the account (a container's uid may have none). */
function whoAmI(): string {
  const fromEnv = process.env['USER'] ?? process.env['LOGNAME'];
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}

function formatList(all: readonly QuarantineListing[]): string {
  if (all.length === 0) return 'no agent is quarantined\n';
  const rows = all.map((q) => [q.agentId, q.until, `${Math.ceil(q.remainingMs / 60_000)}m`, q.ruleId, q.severity, clipText(q.reason, 100)]);
  const head = ['AGENT', 'UNTIL', 'LEFT', 'RULE', 'SEVERITY', 'REASON'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}
