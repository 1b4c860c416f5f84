/*
 * Turns the raw settings (config file + environment) into the typed, frozen ProcessorConfig. A bad
 * value stops start-up with ConfigInvalidError: one sentence naming the setting, where the value came
 * from, what it must be and what it was (secrets are never echoed).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigInvalidError } from '../errors/index.js';
import { formatDuration, tryParseDuration, tryParseSize } from '../rules/index.js';
import { REDIS_SETTINGS, describeConnection, redisOptionsFromEnv, type RedisConnection } from '../state/index.js';
import { settingSpec } from './settings.js';
import { readSettings, type RawValue } from './source.js';
import type { AlertmanagerSettings, KafkaLogLevel, LogLevel, ProcessorConfig, SaslMechanism } from './types.js';

export interface LoadedConfig {
  config: ProcessorConfig;
  /** Things worth a log line but not worth stopping for (unknown GUARDRAIL_* names). */
  warnings: string[];
}

/** The longest duration any setting takes. */
const MAX_DURATION_MS = 365 * 86_400_000;
/** The longest a Node timer waits: settings that arm one stop here. */
const MAX_TIMER_MS = 24 * 86_400_000;

class Reader {
  constructor(private readonly values: ReadonlyMap<string, RawValue>) {}

  /** The value as written, or the default. */
  raw(name: string): { text: string | undefined; from: string } {
    const v = this.values.get(name);
    if (v) return { text: v.value.trim(), from: v.from };
    return { text: settingSpec(name).default, from: 'the default' };
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  fail(name: string, must: string, echo = true): never {
    const { text, from } = this.raw(name);
    if (text === undefined) throw new ConfigInvalidError(`${name} ${must}`);
    const got = !echo || settingSpec(name).secret ? '' : ` (got ${JSON.stringify(text)})`;
    throw new ConfigInvalidError(`${name} ${must}${got}, set in ${from}`);
  }

  string(name: string): string {
    const { text } = this.raw(name);
    if (text === undefined || text === '') this.fail(name, 'must not be empty');
    return text;
  }

  optional(name: string): string | undefined {
    const { text } = this.raw(name);
    return text === undefined || text === '' ? undefined : text;
  }

  bool(name: string): boolean {
    const text = this.string(name).toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    return this.fail(name, 'must be true or false');
  }

  int(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const text = this.string(name);
    const n = Number(text);
    if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
      this.fail(name, max === Number.MAX_SAFE_INTEGER ? `must be a whole number of at least ${min}` : `must be a whole number from ${min} to ${max}`);
    }
    return n;
  }

  /**
   * A duration from minMs to maxMs. The default maximum is a year; settings that arm a timer pass
   * MAX_TIMER_MS, since Node fires a timer of more than 2^31-1 ms at once (a 30-day poll interval
   * would poll every millisecond).
   */
  duration(name: string, minMs = 1, maxMs = MAX_DURATION_MS): number {
    const ms = tryParseDuration(this.string(name));
    if (ms === undefined) this.fail(name, 'must be a duration like 500ms, 30s, 5m or 1h');
    if (ms < minMs) this.fail(name, `must be at least ${minMs} ms`);
    if (ms > maxMs) this.fail(name, `must be at most ${maxMs === MAX_TIMER_MS ? '24 days (a timer waits at most 2^31-1 ms)' : '365 days'}`);
    return ms;
  }

  size(name: string): number {
    const text = this.string(name);
    const bytes = /^[0-9]+$/.test(text) ? Number(text) : tryParseSize(text);
    if (bytes === undefined || bytes < 1) this.fail(name, 'must be a size like 512KB, 1MB or 1MiB');
    return Math.floor(bytes);
  }

  oneOf<T extends string>(name: string, options: readonly T[]): T {
    const text = this.string(name).toLowerCase();
    if (!(options as readonly string[]).includes(text)) this.fail(name, `must be ${options.slice(0, -1).join(', ')} or ${options[options.length - 1]}`);
    return text as T;
  }

  file(name: string): string | undefined {
    const path = this.optional(name);
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      throw new ConfigInvalidError(`${name}: cannot read ${path}: ${why}, set in ${this.raw(name).from}`);
    }
  }
}

function brokers(r: Reader): string[] {
  const list = r
    .string('KAFKA_BROKERS')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (list.length === 0) r.fail('KAFKA_BROKERS', 'must list at least one host:port');
  for (const b of list) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s/]+):([0-9]{1,5})$/.exec(b);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) r.fail('KAFKA_BROKERS', `must be a comma-separated list of host:port, and "${b}" is not one`, false);
  }
  return list;
}

function ssl(r: Reader): false | ConnectionOptions {
  const ca = r.file('KAFKA_SSL_CA_FILE');
  const cert = r.file('KAFKA_SSL_CERT_FILE');
  const key = r.file('KAFKA_SSL_KEY_FILE');
  if ((cert === undefined) !== (key === undefined)) {
    r.fail(cert === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE', 'must be set together with its partner (KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE)');
  }
  const on = r.bool('KAFKA_SSL') || ca !== undefined || cert !== undefined;
  if (!on) return false;
  const options: ConnectionOptions = { rejectUnauthorized: r.bool('KAFKA_SSL_REJECT_UNAUTHORIZED') };
  if (ca !== undefined) options.ca = [ca];
  if (cert !== undefined) options.cert = cert;
  if (key !== undefined) options.key = key;
  return options;
}

function sasl(r: Reader): ProcessorConfig['kafka']['sasl'] {
  const mechanism = r.optional('KAFKA_SASL_MECHANISM');
  const username = r.optional('KAFKA_SASL_USERNAME');
  const inline = r.optional('KAFKA_SASL_PASSWORD');
  const fromFile = r.file('KAFKA_SASL_PASSWORD_FILE')?.replace(/\r?\n$/, '');
  if (mechanism === undefined) {
    if (username !== undefined || inline !== undefined || fromFile !== undefined) r.fail('KAFKA_SASL_MECHANISM', 'must be set (plain, scram-sha-256 or scram-sha-512) when a SASL user or password is given');
    return undefined;
  }
  const m = r.oneOf<SaslMechanism>('KAFKA_SASL_MECHANISM', ['plain', 'scram-sha-256', 'scram-sha-512']);
  if (username === undefined) r.fail('KAFKA_SASL_USERNAME', `must be set when KAFKA_SASL_MECHANISM is ${m}`);
  if (inline !== undefined && fromFile !== undefined) r.fail('KAFKA_SASL_PASSWORD_FILE', 'must not be set together with KAFKA_SASL_PASSWORD');
  const password = inline ?? fromFile;
  if (password === undefined) r.fail('KAFKA_SASL_PASSWORD', `must be set (or KAFKA_SASL_PASSWORD_FILE) when KAFKA_SASL_MECHANISM is ${m}`);
  return { mechanism: m, username, password };
}

/** The Redis settings as the state store reads them (redisOptionsFromEnv), from the file or the environment. */
function redisConnection(values: ReadonlyMap<string, RawValue>): RedisConnection {
  const env: Record<string, string> = {};
  for (const name of REDIS_SETTINGS) {
    const v = values.get(name);
    if (v !== undefined) env[name] = v.value;
  }
  return redisOptionsFromEnv(env);
}

function topicName(r: Reader, name: string): string {
  const t = r.string(name);
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(t) || t === '.' || t === '..') r.fail(name, 'must be a Kafka topic name (letters, digits, . _ -, at most 249)');
  return t;
}

function quarantineMaxTtl(r: Reader): number {
  const ms = r.duration('GUARDRAIL_QUARANTINE_MAX_TTL', 1000);
  const ttl = r.duration('GUARDRAIL_QUARANTINE_TTL', 1000);
  if (ms < ttl) r.fail('GUARDRAIL_QUARANTINE_MAX_TTL', `must be at least GUARDRAIL_QUARANTINE_TTL (${formatDuration(ttl)})`);
  return ms;
}

function metricsPort(r: Reader): number | undefined {
  const text = r.string('GUARDRAIL_METRICS_PORT').toLowerCase();
  if (text === 'off' || text === 'false' || text === 'none') return undefined;
  return r.int('GUARDRAIL_METRICS_PORT', 0, 65535);
}

/** The Alertmanager base URL, credentials moved to a basic-auth header; never echoes a password. */
function alertmanager(r: Reader): AlertmanagerSettings | undefined {
  const text = r.optional('GUARDRAIL_ALERTMANAGER_URL');
  if (text === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  // The user info is masked in the raw text, whether or not the URL parses (a bad port, say) and
  // however the parser would have encoded the password: up to the last @, which over-masks at worst.
  const shown = text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/).*@/, '$1***@');
  const fail = (must: string): never => r.fail('GUARDRAIL_ALERTMANAGER_URL', `${must} (got ${JSON.stringify(shown)})`, false);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') fail('must be an http:// or https:// URL such as http://alertmanager:9093');
  if (url!.search !== '' || url!.hash !== '') fail('must be a base URL without a query or fragment (the processor adds /api/v2/alerts)');
  const decode = (part: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      return fail('must percent-encode its user name and password (a % not followed by two hex digits)');
    }
  };
  const authorization = url!.username !== '' ? `Basic ${Buffer.from(`${decode(url!.username)}:${decode(url!.password)}`).toString('base64')}` : undefined;
  url!.username = '';
  url!.password = '';
  const base = url!.toString().replace(/\/+$/, '');
  return authorization ? { url: base, authorization } : { url: base };
}

// Buffers (the Redis TLS files, as the state store's parser reads them) cannot be frozen: Object.freeze throws on them.
function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o) && !ArrayBuffer.isView(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** Builds the config from an environment (and the config file it names, or `configFile`). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, configFile?: string): LoadedConfig {
  const { values, warnings } = readSettings(env, configFile);
  const r = new Reader(values);
  const topics = {
    events: topicName(r, 'GUARDRAIL_TOPIC_EVENTS'),
    detections: topicName(r, 'GUARDRAIL_TOPIC_DETECTIONS'),
    revocations: topicName(r, 'GUARDRAIL_TOPIC_REVOCATIONS'),
    approvals: topicName(r, 'GUARDRAIL_TOPIC_APPROVALS'),
    dlq: topicName(r, 'GUARDRAIL_TOPIC_DLQ'),
  };
  const names = Object.values(topics);
  const clash = names.find((t, i) => names.indexOf(t) !== i);
  if (clash !== undefined) {
    throw new ConfigInvalidError(`GUARDRAIL_TOPIC_* settings must name five different topics, and "${clash}" is used twice`);
  }
  const replicationText = r.string('GUARDRAIL_TOPIC_REPLICATION').toLowerCase();
  const heartbeatIntervalMs = r.duration('KAFKA_HEARTBEAT_INTERVAL', 100);
  const sessionTimeoutMs = r.duration('KAFKA_SESSION_TIMEOUT', 1000);
  if (heartbeatIntervalMs >= sessionTimeoutMs) r.fail('KAFKA_HEARTBEAT_INTERVAL', 'must be shorter than KAFKA_SESSION_TIMEOUT');
  const config: ProcessorConfig = {
    kafka: {
      brokers: brokers(r),
      clientId: r.string('KAFKA_CLIENT_ID'),
      ssl: ssl(r),
      ...(() => {
        const s = sasl(r);
        return s ? { sasl: s } : {};
      })(),
      connectionTimeoutMs: r.duration('KAFKA_CONNECTION_TIMEOUT', 100),
      sessionTimeoutMs,
      heartbeatIntervalMs,
      rebalanceTimeoutMs: r.duration('KAFKA_REBALANCE_TIMEOUT', 1000),
      maxBytesPerPartition: r.size('KAFKA_MAX_BYTES_PER_PARTITION'),
      logLevel: r.oneOf<KafkaLogLevel>('KAFKA_LOG_LEVEL', ['nothing', 'error', 'warn', 'info', 'debug']),
    },
    redis: {
      connection: redisConnection(values),
      prefix: (() => {
        const p = r.string('GUARDRAIL_REDIS_PREFIX');
        if (/[{}\s]/.test(p)) r.fail('GUARDRAIL_REDIS_PREFIX', 'must not contain braces or spaces');
        return p;
      })(),
      commandTimeoutMs: r.duration('GUARDRAIL_STORE_TIMEOUT', 10, MAX_TIMER_MS),
      mode: r.oneOf('GUARDRAIL_STORE_MODE', ['cached', 'scripts'] as const),
      cacheKeys: r.int('GUARDRAIL_STORE_CACHE_KEYS', 1, 100_000_000),
    },
    rules: { path: r.string('GUARDRAIL_RULES'), pollIntervalMs: r.duration('GUARDRAIL_RULES_POLL_INTERVAL', 100, MAX_TIMER_MS) },
    groupId: r.string('GUARDRAIL_GROUP_ID'),
    topics: {
      ...topics,
      create: r.bool('GUARDRAIL_CREATE_TOPICS'),
      partitions: r.int('GUARDRAIL_TOPIC_PARTITIONS', 1, 10_000),
      replication: replicationText === 'auto' ? 'auto' : r.int('GUARDRAIL_TOPIC_REPLICATION', 1, 32),
    },
    startFrom: r.oneOf('GUARDRAIL_START_FROM', ['earliest', 'latest'] as const),
    concurrency: r.int('GUARDRAIL_CONCURRENCY', 1, 1000),
    engineBatchSize: r.int('GUARDRAIL_ENGINE_BATCH_SIZE', 1, 100_000),
    failMode: r.oneOf('GUARDRAIL_FAIL_MODE', ['closed', 'open'] as const),
    mode: r.oneOf('GUARDRAIL_MODE', ['enforce', 'shadow'] as const),
    revocationBudgetPerMinute: r.int('GUARDRAIL_REVOCATION_BUDGET', 0),
    quarantineTtlMs: r.duration('GUARDRAIL_QUARANTINE_TTL', 1000),
    quarantineMaxTtlMs: quarantineMaxTtl(r),
    latenessMs: r.duration('GUARDRAIL_LATENESS', 0),
    dedupHorizonMs: r.duration('GUARDRAIL_DEDUP_HORIZON', 1000),
    maxFutureMs: r.duration('GUARDRAIL_MAX_FUTURE', 0),
    shutdownTimeoutMs: r.duration('GUARDRAIL_SHUTDOWN_TIMEOUT', 100, MAX_TIMER_MS),
    metrics: { port: metricsPort(r), host: r.string('GUARDRAIL_METRICS_HOST') },
    lagIntervalMs: r.duration('GUARDRAIL_LAG_INTERVAL', 100, MAX_TIMER_MS),
    alertmanager: alertmanager(r),
    geoipDb: r.optional('GUARDRAIL_GEOIP_DB'),
    logLevel: r.oneOf<LogLevel>('GUARDRAIL_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace']),
  };
  if (config.maxFutureMs >= config.latenessMs) {
    warnings.push(
      `GUARDRAIL_MAX_FUTURE (${config.maxFutureMs} ms) is not below GUARDRAIL_LATENESS (${config.latenessMs} ms): an event that far ahead of the clock is accepted and makes the events on time after it late`,
    );
  }
  return { config: deepFreeze(config), warnings };
}

/** The config as it may be logged: secrets and the Redis URL's credentials masked. */
export function describeConfig(config: ProcessorConfig): Record<string, unknown> {
  return {
    kafka: {
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId,
      ssl: config.kafka.ssl !== false,
      sasl: config.kafka.sasl ? { mechanism: config.kafka.sasl.mechanism, username: config.kafka.sasl.username } : undefined,
    },
    redis: { connection: describeConnection(config.redis.connection), prefix: config.redis.prefix, mode: config.redis.mode },
    rules: config.rules.path,
    groupId: config.groupId,
    topics: config.topics,
    failMode: config.failMode,
    mode: config.mode,
    revocationBudgetPerMinute: config.revocationBudgetPerMinute,
    concurrency: config.concurrency,
    alertmanager: config.alertmanager?.url,
    geoipDb: config.geoipDb,
  };
}
