/*
 * `guardrail loadgen`: produces simulator traffic (or a JSON-lines file) to the events topic, keyed by
 * agent id, either at a steady rate (`--rate N` events/s, for demos and latency measurements) or as
 * fast as the broker takes it (`--prefill`, for throughput benchmarks). Kafka settings and the topic
 * come from the same environment as `guardrail run`.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import kafkajs from 'kafkajs';
import type { Message, Producer } from 'kafkajs';
import { pino } from 'pino';
import { ConfigInvalidError, UsageError } from '../errors/index.js';
import { loadConfig } from '../config/index.js';
import { checkKafkaAccess, createKafka } from '../kafka/index.js';
import { parseDuration } from '../rules/index.js';
import { createSimulation } from '../sim/index.js';
import { parse, positiveInt } from './args.js';
import { readLines } from './io.js';
import { simOptions } from './simulate.js';
import { LOADGEN_USAGE } from './usage.js';

const { Partitioners } = kafkajs;

interface Outgoing {
  key: string | null;
  value: string;
}

/** Lines or simulated events as messages, with the id suffix and retiming applied at send time. */
function* source(lines: Iterable<string> | undefined, sim: Iterable<object> | undefined, rewrite: boolean): Generator<{ obj?: Record<string, unknown>; raw?: string }> {
  if (sim) {
    for (const e of sim) yield { obj: e as Record<string, unknown> };
    return;
  }
  for (const line of lines ?? []) {
    if (line.trim() === '') continue;
    if (!rewrite) {
      yield { raw: line };
      continue;
    }
    try {
      const obj = JSON.parse(line) as unknown;
      yield obj && typeof obj === 'object' && !Array.isArray(obj) ? { obj: obj as Record<string, unknown> } : { raw: line };
    } catch {
      yield { raw: line };
    }
  }
}

function toOutgoing(item: { obj?: Record<string, unknown>; raw?: string }, suffix: string | undefined, retime: boolean): Outgoing {
  if (item.raw !== undefined) return { key: agentKey(parsedOrUndefined(item.raw)), value: item.raw };
  const e = item.obj!;
  if (suffix !== undefined && typeof e.id === 'string') e.id = `${e.id}${suffix}`;
  if (retime) e.time = new Date().toISOString();
  return { key: agentKey(e), value: JSON.stringify(e) };
}

/** The message key DESIGN.md asks for: the agent id, decoded as JSON (escapes, braces in names); none when the line has none. */
function agentKey(e: unknown): string | null {
  const agent = e && typeof e === 'object' ? (e as { agent?: unknown }).agent : undefined;
  const id = agent && typeof agent === 'object' ? (agent as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : null;
}

/** A line sent as it is (invalid ones included, for the dead-letter path) is still parsed for its key. */
function parsedOrUndefined(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

async function readAll(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(path)) out.push(line);
  return out;
}

export async function loadgenCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, LOADGEN_USAGE.options);
  if (values.prefill === (values.rate !== undefined)) throw new UsageError('give either --rate N (events per second) or --prefill');
  const rate = values.rate === undefined ? undefined : positiveInt('rate', values.rate, 1);
  const count = values.count === undefined ? Infinity : positiveInt('count', values.count, 1);
  let durationMs = Infinity;
  if (values.duration !== undefined) {
    try {
      durationMs = parseDuration(values.duration);
    } catch (err) {
      throw new UsageError(`--duration: ${(err as Error).message}`);
    }
  }
  let config;
  try {
    config = loadConfig(process.env).config;
  } catch (err) {
    if (err instanceof ConfigInvalidError) {
      process.stderr.write(`guardrail loadgen: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const topic = values.topic ?? config.topics.events;
  const suffix = values['keep-ids'] ? undefined : `-${randomUUID().slice(0, 6)}`;
  const lines = values.events !== undefined ? await readAll(values.events) : undefined;
  const sim = values.events === undefined ? createSimulation(simOptions(values)) : undefined;
  const items = source(lines, sim?.events(), suffix !== undefined || values.retime);

  const log = pino({ level: 'warn', base: { service: 'guardrail-loadgen' } });
  // A refused SASL login or a broker certificate that does not verify ends with a sentence at once.
  await checkKafkaAccess(config.kafka, log);
  const kafka = createKafka(config.kafka, log.child({ component: 'kafkajs' }), '-loadgen');
  const partitions = values.partitions === undefined ? undefined : positiveInt('partitions', values.partitions, 1);
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      // The producer would retry a missing topic for a minute before failing.
      if (partitions === undefined) throw new UsageError(`topic ${topic} does not exist: create it, or pass --partitions N to have loadgen create it`);
      const brokers = (await admin.describeCluster()).brokers.length;
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: Math.min(3, brokers) }] });
    }
  } finally {
    await admin.disconnect();
  }
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();

  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = performance.now();
  let sent = 0;
  let taken = 0;
  let lastReport = started;
  const report = (final: boolean) => {
    const s = (performance.now() - started) / 1000;
    process.stderr.write(`loadgen: ${sent} events to ${topic} in ${s.toFixed(1)}s (${Math.round(sent / Math.max(s, 1e-9))} events/s)${final ? '' : ' ...'}\n`);
  };
  const take = (n: number): Message[] => {
    const out: Message[] = [];
    while (out.length < n && taken < count) {
      const next = items.next();
      if (next.done) {
        stop = true;
        break;
      }
      out.push(toOutgoing(next.value, suffix, values.retime));
      taken++;
    }
    return out;
  };
  try {
    if (rate === undefined) {
      // Pre-fill: one send at a time, so each partition receives its events in order (concurrent sends
      // may overtake each other); each send well under the broker's 1 MB limit per partition.
      while (!stop && sent < count && performance.now() - started < durationMs) {
        const messages = take(1000);
        if (messages.length === 0) break;
        await producer.send({ topic, acks: 1, messages });
        sent += messages.length;
        if (performance.now() - lastReport > 5000) {
          lastReport = performance.now();
          report(false);
        }
      }
    } else {
      // Paced: every 10 ms, send what is owed by now.
      while (!stop && sent < count) {
        const elapsed = performance.now() - started;
        if (elapsed >= durationMs) break;
        const owed = Math.floor((elapsed / 1000) * rate) - sent;
        if (owed > 0) {
          const messages = take(owed);
          if (messages.length > 0) {
            await producer.send({ topic, acks: 1, messages });
            sent += messages.length;
          }
        }
        if (performance.now() - lastReport > 5000) {
          lastReport = performance.now();
          report(false);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await producer.disconnect();
  }
  report(true);
  return 0;
}
