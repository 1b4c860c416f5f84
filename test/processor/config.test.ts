/*
 * Configuration of `guardrail run`: defaults, the config file under the environment, one sentence
 * naming each bad setting (exit status 2 from the command), secrets never echoed, and every
 * setting documented in docs/processor.md.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/run.js';
import { SETTINGS, describeConfig, loadConfig } from '../../src/config/index.js';
import { ConfigInvalidError } from '../../src/errors/index.js';

function problem(env: Record<string, string>, file?: string): string {
  try {
    loadConfig(env, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigInvalidError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigInvalidError');
}

describe('guardrail run configuration', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guardrail-config-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has the documented defaults', () => {
    const { config, warnings } = loadConfig({});
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      kafka: { brokers: ['127.0.0.1:9092'], ssl: false, sessionTimeoutMs: 30_000, maxBytesPerPartition: 1_000_000 },
      redis: { connection: { host: '127.0.0.1', port: 6379, db: 0 }, prefix: 'gr', commandTimeoutMs: 2000, mode: 'cached', cacheKeys: 20_000 },
      rules: { path: './rules', pollIntervalMs: 5000 },
      groupId: 'guardrail',
      topics: { events: 'agent-access-events', detections: 'agent-detections', revocations: 'agent-token-revocations', approvals: 'agent-approval-requests', dlq: 'agent-access-events-dlq', partitions: 12, replication: 'auto', create: true },
      failMode: 'closed',
      mode: 'enforce',
      revocationBudgetPerMinute: 100,
      quarantineTtlMs: 3_600_000,
      quarantineMaxTtlMs: 12 * 3_600_000,
      metrics: { port: 9464, host: '0.0.0.0' },
    });
    expect(config.kafka.sasl).toBeUndefined();
    expect(Object.isFrozen(config.topics)).toBe(true);
  });

  it('reads a config file, which the environment overrides', async () => {
    const file = join(dir, 'guardrail.yaml');
    await writeFile(join(dir, 'redis-password'), 's3cret\n');
    await writeFile(
      file,
      `KAFKA_BROKERS: k1:9092,k2:9093\nGUARDRAIL_FAIL_MODE: open\nGUARDRAIL_REVOCATION_BUDGET: 7\nGUARDRAIL_QUARANTINE_TTL: 30m\nREDIS_URL: redis://redis:6380\nREDIS_USERNAME: guardrail\nREDIS_PASSWORD_FILE: ${join(dir, 'redis-password')}\n`,
    );
    const { config } = loadConfig({ GUARDRAIL_CONFIG: file, GUARDRAIL_FAIL_MODE: 'closed' });
    expect(config.kafka.brokers).toEqual(['k1:9092', 'k2:9093']);
    expect(config.failMode).toBe('closed');
    expect(config.revocationBudgetPerMinute).toBe(7);
    expect(config.quarantineTtlMs).toBe(1_800_000);
    // The REDIS_* settings go through the state store's parser, from the file as from the environment.
    expect(config.redis.connection).toEqual({ host: 'redis', port: 6380, db: 0, username: 'guardrail', password: 's3cret' });
    expect(describeConfig(config).redis).toEqual({ connection: 'redis://guardrail@redis:6380/0', prefix: 'gr', mode: 'cached' });
    expect(problem({ GUARDRAIL_QUARANTINE_MAX_TTL: '10m' }, file)).toBe('GUARDRAIL_QUARANTINE_MAX_TTL must be at least GUARDRAIL_QUARANTINE_TTL (30m) (got "10m"), set in the environment');
    expect(problem({ GUARDRAIL_REVOCATION_BUDGET: 'many' }, file)).toBe('GUARDRAIL_REVOCATION_BUDGET must be a whole number of at least 0 (got "many"), set in the environment');
  });

  it('names the setting, the source and the fault in one sentence', async () => {
    expect(problem({ GUARDRAIL_FAIL_MODE: 'half' })).toBe('GUARDRAIL_FAIL_MODE must be closed or open (got "half"), set in the environment');
    expect(problem({ GUARDRAIL_STORE_MODE: 'lua' })).toBe('GUARDRAIL_STORE_MODE must be cached or scripts (got "lua"), set in the environment');
    expect(problem({ GUARDRAIL_RULES_POLL_INTERVAL: '30d' })).toBe('GUARDRAIL_RULES_POLL_INTERVAL must be at most 24 days (a timer waits at most 2^31-1 ms) (got "30d"), set in the environment');
    expect(problem({ GUARDRAIL_QUARANTINE_TTL: '99999999d' })).toBe('GUARDRAIL_QUARANTINE_TTL must be at most 365 days (got "99999999d"), set in the environment');
    expect(loadConfig({ GUARDRAIL_MAX_FUTURE: '15m' }).warnings.join('\n')).toContain('GUARDRAIL_MAX_FUTURE (900000 ms) is not below GUARDRAIL_LATENESS (600000 ms)');
    expect(problem({ GUARDRAIL_LATENESS: '10 minutes' })).toBe('GUARDRAIL_LATENESS must be a duration like 500ms, 30s, 5m or 1h (got "10 minutes"), set in the environment');
    expect(problem({ KAFKA_BROKERS: 'kafka' })).toBe('KAFKA_BROKERS must be a comma-separated list of host:port, and "kafka" is not one, set in the environment');
    expect(problem({ GUARDRAIL_TOPIC_DLQ: 'agent-detections' })).toBe('GUARDRAIL_TOPIC_* settings must name five different topics, and "agent-detections" is used twice');
    expect(problem({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })).toBe('KAFKA_SASL_PASSWORD must be set (or KAFKA_SASL_PASSWORD_FILE) when KAFKA_SASL_MECHANISM is plain');
    expect(problem({ KAFKA_HEARTBEAT_INTERVAL: '30s', KAFKA_SESSION_TIMEOUT: '10s' })).toBe('KAFKA_HEARTBEAT_INTERVAL must be shorter than KAFKA_SESSION_TIMEOUT (got "30s"), set in the environment');
    expect(problem({ KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') })).toBe(`KAFKA_SSL_CA_FILE: cannot read ${join(dir, 'missing.pem')}: no such file, set in the environment`);
    const file = join(dir, 'typo.yaml');
    await writeFile(file, 'GUARDRAIL_FAILMODE: open\n');
    expect(problem({}, file)).toBe(`config file ${file}: unknown setting GUARDRAIL_FAILMODE (did you mean GUARDRAIL_FAIL_MODE?); the settings are listed in docs/processor.md`);
    expect(problem({ GUARDRAIL_CONFIG: join(dir, 'nope.yaml') })).toBe(`GUARDRAIL_CONFIG: cannot read config file ${join(dir, 'nope.yaml')}: no such file`);
  });

  it('takes an Alertmanager base URL, with basic-auth credentials moved to a header, and rejects anything else', () => {
    expect(loadConfig({}).config.alertmanager).toBeUndefined();
    expect(loadConfig({ GUARDRAIL_ALERTMANAGER_URL: 'http://alertmanager:9093/' }).config.alertmanager).toEqual({ url: 'http://alertmanager:9093' });
    expect(loadConfig({ GUARDRAIL_ALERTMANAGER_URL: 'https://gr:s3cret@am.example/alertmanager' }).config.alertmanager).toEqual({
      url: 'https://am.example/alertmanager',
      authorization: `Basic ${Buffer.from('gr:s3cret').toString('base64')}`,
    });
    expect(problem({ GUARDRAIL_ALERTMANAGER_URL: 'alertmanager:9093' })).toBe(
      'GUARDRAIL_ALERTMANAGER_URL must be an http:// or https:// URL such as http://alertmanager:9093 (got "alertmanager:9093"), set in the environment',
    );
    expect(problem({ GUARDRAIL_ALERTMANAGER_URL: 'http://gr:s3cret@am:9093/api/v2/alerts?x=1' })).toBe(
      'GUARDRAIL_ALERTMANAGER_URL must be a base URL without a query or fragment (the processor adds /api/v2/alerts) (got "http://***@am:9093/api/v2/alerts?x=1"), set in the environment',
    );
    // A URL that does not parse (port out of range) or whose password the parser re-encodes: still masked.
    expect(problem({ GUARDRAIL_ALERTMANAGER_URL: 'http://admin:s3cr3t@alertmanager:99999' })).toBe(
      'GUARDRAIL_ALERTMANAGER_URL must be an http:// or https:// URL such as http://alertmanager:9093 (got "http://***@alertmanager:99999"), set in the environment',
    );
    expect(problem({ GUARDRAIL_ALERTMANAGER_URL: 'http://admin:s3 cr<3t@am:9093/?q' })).not.toContain('cr<3t');
    expect(problem({ GUARDRAIL_ALERTMANAGER_URL: 'http://admin:s3cr3t%ZZ@am:9093' })).toBe(
      'GUARDRAIL_ALERTMANAGER_URL must percent-encode its user name and password (a % not followed by two hex digits) (got "http://***@am:9093"), set in the environment',
    );
  });

  it('never echoes a secret', () => {
    expect(problem({ REDIS_URL: 'http://admin:hunter2@redis:6379' })).not.toContain('hunter2');
    expect(problem({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'hunter2', KAFKA_SASL_PASSWORD_FILE: '/x' })).not.toContain('hunter2');
    const { config } = loadConfig({ REDIS_URL: 'redis://admin:hunter2@redis:6379/1', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'gr', KAFKA_SASL_PASSWORD: 'hunter2' });
    expect(config.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'gr', password: 'hunter2' });
    expect(config.redis.connection).toMatchObject({ host: 'redis', port: 6379, db: 1, username: 'admin', password: 'hunter2' });
    expect(JSON.stringify(describeConfig(config))).not.toContain('hunter2');
  });

  it('loads the TLS files of Kafka and Redis (the Redis ones as bytes) into a frozen configuration', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    await writeFile(join(dir, 'ca.pem'), pem);
    const { config } = loadConfig({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'ca.pem'), REDIS_URL: 'rediss://redis:6380', REDIS_TLS_CA_FILE: join(dir, 'ca.pem') });
    expect(config.kafka.ssl).not.toBe(false);
    expect(String((config.kafka.ssl as { ca?: unknown }).ca)).toBe(pem);
    expect(String(config.redis.connection.tls?.ca)).toBe(pem);
    expect(Object.isFrozen(config.redis.connection)).toBe(true);
  });

  it('warns about unknown GUARDRAIL_* variables in the environment, and ignores other tools\u2019 variables', () => {
    const { warnings } = loadConfig({ GUARDRAIL_FAILMODE: 'open', HOME: '/root', KAFKA_OPTS: '-Xmx1g' });
    expect(warnings).toEqual(['ignoring unknown setting GUARDRAIL_FAILMODE in the environment (did you mean GUARDRAIL_FAIL_MODE?)']);
  });

  it('stops `guardrail run` with exit status 2 and the sentence on stderr', async () => {
    const saved = process.env.GUARDRAIL_FAIL_MODE;
    const write = process.stderr.write.bind(process.stderr);
    let stderr = '';
    process.env.GUARDRAIL_FAIL_MODE = 'sometimes';
    process.stderr.write = ((chunk: string) => {
      stderr += chunk;
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(await runCommand([])).toBe(2);
    } finally {
      process.stderr.write = write;
      if (saved === undefined) delete process.env.GUARDRAIL_FAIL_MODE;
      else process.env.GUARDRAIL_FAIL_MODE = saved;
    }
    expect(stderr).toBe('guardrail run: GUARDRAIL_FAIL_MODE must be closed or open (got "sometimes"), set in the environment\n');
  });

  it('documents every setting, with its default, in docs/processor.md', async () => {
    const doc = await readFile('docs/processor.md', 'utf8');
    for (const s of SETTINGS) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${s.name}\` |`));
      expect(row, `${s.name} is not in the settings table of docs/processor.md`).toBeDefined();
      if (s.default !== undefined) expect(row).toContain(`| \`${s.default}\` |`);
    }
  });
});
