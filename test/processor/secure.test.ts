/*
 * `guardrail run` over secured connections only: a Kafka broker of this file's own whose clients'
 * listener takes SASL (SCRAM-SHA-512 and PLAIN) over TLS, and a redis-server that takes TLS only,
 * both with a certificate from a CA made here. Attack traffic in, the revocation out, read over the
 * same kind of connection. A refused login and a CA that did not sign the broker's certificate stop
 * start-up at once with a sentence naming the settings, and no line carries a password.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionId, type RevocationMessage } from '../../src/actions/index.js';
import { loadConfig } from '../../src/config/index.js';
import { startProcessor, type Processor } from '../../src/kafka/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { freePort, startKafka, stopKafka } from '../../scripts/kafka-lib.mjs';
import { OwnRedis } from '../state/redis-helpers.js';
import { BROKERS, ChildProcessor, FIXTURE_RULES, ensureBuilt, event, expectedDetections, sleep, testEnv, testNames } from './helpers.js';

const { Kafka: KafkaClient, Partitioners, logLevel } = kafkajs;

const T0 = Date.parse('2026-12-03T10:00:00Z');
// Fresh each run: no credential lives in the repository.
const PASSWORD = randomBytes(12).toString('hex');
const WRONG_PASSWORD = randomBytes(12).toString('hex');
const TESTER_PASSWORD = randomBytes(12).toString('hex');
// A stack frame, on a line of its own or inside a JSON log line.
const STACK = /(^|\\n)\s+at \S/;

describe.skipIf(!BROKERS)('guardrail run with Kafka SASL over TLS and Redis over TLS', { timeout: 90_000 }, () => {
  const n = testNames('secure');
  let dir: string;
  let securePort: number;
  let otherHostPort: number;
  let expiredPort: number;
  let mtlsPort: number;
  let redis: OwnRedis;
  let caPem: string;
  let tester: Kafka;
  let env: Record<string, string>;
  const path = (name: string) => join(dir, 'pki', name);

  beforeAll(async () => {
    // The shared setup stops a broker in a guardrail-kafka-* dir whose owner is gone (a killed run).
    dir = await mkdtemp(join(tmpdir(), 'guardrail-kafka-secure-'));
    await writeFile(join(dir, 'owner.pid'), `${process.pid}\n`);
    await mkdir(join(dir, 'pki'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: join(dir, 'pki'), stdio: ['ignore', 'ignore', 'pipe'] });
    const newCa = (name: string) =>
      openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=guardrail-test-${name}`);
    newCa('ca');
    newCa('other-ca');
    await writeFile(path('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
    // Kafka's PEM key store: the (PKCS#8, unencrypted) key and the certificate in one file.
    await writeFile(path('server.pem'), (await readFile(path('server.key'), 'utf8')) + (await readFile(path('server.crt'), 'utf8')));
    // Two more certificates from the same CA, each on a listener of its own: one for another host, one expired yesterday.
    await writeFile(path('other-host.ext'), 'subjectAltName=DNS:kafka.elsewhere.example\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'other-host.crt', '-days', '2', '-extfile', 'other-host.ext');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'expired.crt', '-days', '-1', '-extfile', 'san.ext');
    for (const name of ['other-host', 'expired']) {
      await writeFile(path(`${name}.pem`), (await readFile(path('server.key'), 'utf8')) + (await readFile(path(`${name}.crt`), 'utf8')));
    }
    // Client certificates for the mutual-TLS listener: one from the CA the broker trusts, one from another.
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=guardrail');
    openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2');
    openssl('x509', '-req', '-in', 'client.csr', '-CA', 'other-ca.crt', '-CAkey', 'other-ca.key', '-CAcreateserial', '-out', 'stranger.crt', '-days', '2');
    await writeFile(path('password'), `${PASSWORD}\n`);
    caPem = await readFile(path('ca.crt'), 'utf8');

    securePort = await freePort();
    otherHostPort = await freePort();
    expiredPort = await freePort();
    mtlsPort = await freePort();
    const saslSsl = (listener: string, keystore: string): Record<string, string> => ({
      [`listener.name.${listener}.scram-sha-512.sasl.jaas.config`]: 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      [`listener.name.${listener}.plain.sasl.jaas.config`]: `org.apache.kafka.common.security.plain.PlainLoginModule required user_tester="${TESTER_PASSWORD}";`,
      [`listener.name.${listener}.ssl.keystore.type`]: 'PEM',
      [`listener.name.${listener}.ssl.keystore.location`]: path(keystore),
    });
    await startKafka({
      port: await freePort(),
      dir,
      heap: '384m',
      // The PLAINTEXT listener stays for the broker itself; every client here uses SASL_SSL.
      listeners: [
        { name: 'SASL_SSL', protocol: 'SASL_SSL', port: securePort },
        { name: 'OTHER_HOST', protocol: 'SASL_SSL', port: otherHostPort },
        { name: 'EXPIRED', protocol: 'SASL_SSL', port: expiredPort },
        // Mutual TLS: no SASL, a client certificate from the CA required.
        { name: 'MTLS', protocol: 'SSL', port: mtlsPort },
      ],
      properties: {
        'sasl.enabled.mechanisms': 'SCRAM-SHA-512,PLAIN',
        ...saslSsl('sasl_ssl', 'server.pem'),
        ...saslSsl('other_host', 'other-host.pem'),
        ...saslSsl('expired', 'expired.pem'),
        'listener.name.mtls.ssl.keystore.type': 'PEM',
        'listener.name.mtls.ssl.keystore.location': path('server.pem'),
        'listener.name.mtls.ssl.truststore.type': 'PEM',
        'listener.name.mtls.ssl.truststore.location': path('ca.crt'),
        'listener.name.mtls.ssl.client.auth': 'required',
      },
      scramUsers: [{ mechanism: 'SCRAM-SHA-512', name: 'guardrail', password: PASSWORD }],
      log: (line) => process.stderr.write(`secure test: ${line}\n`),
    });

    redis = new OwnRedis(await freePort(), ['--tls-cert-file', path('server.crt'), '--tls-key-file', path('server.key'), '--tls-ca-cert-file', path('ca.crt'), '--tls-auth-clients', 'no'], true);
    await redis.start();

    // The test's own client logs in with the other mechanism the listener offers.
    tester = new KafkaClient({
      clientId: 'guardrail-secure-test',
      brokers: [`127.0.0.1:${securePort}`],
      ssl: { ca: [caPem] },
      sasl: { mechanism: 'plain', username: 'tester', password: TESTER_PASSWORD },
      logLevel: logLevel.NOTHING,
    });
    env = testEnv(n, {
      KAFKA_BROKERS: `127.0.0.1:${securePort}`,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: path('ca.crt'),
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'guardrail',
      KAFKA_SASL_PASSWORD_FILE: path('password'),
      REDIS_URL: redis.url,
      REDIS_TLS_CA_FILE: path('ca.crt'),
      GUARDRAIL_TOPIC_PARTITIONS: '1',
    });
  });

  afterAll(async () => {
    await redis?.kill();
    if (dir) {
      await stopKafka(dir);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('consumes, keeps state in Redis and publishes the revocation, all over TLS, logging no password', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const config = loadConfig({ ...env, KAFKA_LOG_LEVEL: 'debug' }).config;
    let processor: Processor | undefined;
    let consumer: Consumer | undefined;
    let producer: Producer | undefined;
    try {
      // The processor creates the topics (GUARDRAIL_CREATE_TOPICS) over its SASL_SSL connection.
      processor = await startProcessor(config, { log, metrics: createMetrics({ defaults: false }) });

      const revocations: RevocationMessage[] = [];
      consumer = tester.consumer({ groupId: `t-reader-${n.suffix}`, maxWaitTimeInMs: 200 });
      await consumer.connect();
      await consumer.subscribe({ topics: [n.revocations], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }: { message: KafkaMessage }) => void revocations.push(JSON.parse(message.value!.toString()) as RevocationMessage) });

      const deletes = Array.from({ length: 25 }, (_, i) => event({ id: `sec-del-${i}`, timeMs: T0 + i * 1000, agent: 'a-secure', action: 'delete' }));
      const [burst] = await expectedDetections(FIXTURE_RULES, deletes);
      expect(burst?.rule.id).toBe('delete-burst');
      producer = tester.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
      await producer.connect();
      await producer.send({ topic: n.events, acks: -1, messages: deletes.map((e) => ({ key: 'a-secure', value: JSON.stringify(e) })) });

      const admin = tester.admin();
      await admin.connect();
      try {
        expect(await admin.listTopics()).toEqual(expect.arrayContaining([n.events, n.detections, n.revocations, n.approvals, n.dlq]));
        const deadline = Date.now() + 30_000;
        let committed = -1;
        let end = 0;
        while (revocations.length === 0 || committed < end) {
          if (Date.now() > deadline) throw new Error(`after 30 s: ${revocations.length} revocations, ${committed} of ${end} events committed`);
          await sleep(200);
          const [offsets] = await admin.fetchOffsets({ groupId: n.group, topics: [n.events] });
          committed = Number(offsets?.partitions[0]?.offset ?? -1);
          end = Number((await admin.fetchTopicOffsets(n.events))[0]!.high);
        }
        expect(end).toBe(25);
      } finally {
        await admin.disconnect();
      }
      expect(revocations).toEqual([
        expect.objectContaining({ type: 'revoke_token', id: actionId(burst!.id, 'revoke_token'), tokenId: 'tok-a-secure', agentId: 'a-secure', ruleId: 'delete-burst' }),
      ]);

      // The state store and the redelivery ledger wrote their keys through the TLS connection.
      expect(await processor.metrics.registry.getSingleMetricAsString('guardrail_store_up')).toContain('guardrail_store_up 1');
      const client = new Redis(redis.url, { tls: { ca: [caPem] } });
      try {
        const [, keys] = await client.scan('0', 'MATCH', `${n.prefix}:*`, 'COUNT', 1000);
        expect(keys.length).toBeGreaterThan(0);
      } finally {
        client.disconnect();
      }
    } finally {
      await processor?.stop();
      await consumer?.disconnect();
      await producer?.disconnect();
    }
    // kafkajs's debug lines of the SCRAM exchange were among those searched.
    expect(lines.some((l) => l.includes('SASL SCRAM SHA512 authentication successful'))).toBe(true);
    expect(lines.filter((l) => l.includes(PASSWORD))).toEqual([]);
  });

  /**
   * `node bin/guardrail.js run` with the test's settings changed, once it has exited: its status, its
   * stderr sentence, every line it wrote (logs at trace level), and the lines an operator reads
   * (stderr, and log lines at warn and above).
   */
  async function failedStart(changes: Record<string, string>): Promise<{ status: number | null; stderr: string[]; output: string[]; visible: string[] }> {
    ensureBuilt();
    const child = new ChildProcessor({ ...env, ...changes, GUARDRAIL_LOG_LEVEL: 'trace', KAFKA_LOG_LEVEL: 'debug' });
    // Retried, these failures took a minute (nine connection attempts) before the processor gave up.
    const status = await Promise.race([child.exited, sleep(30_000).then(() => 'running' as const)]);
    child.kill('SIGKILL');
    if (status === 'running') throw new Error(`the processor is still starting after 30 s:\n${child.output.slice(-20).join('\n')}`);
    const visible = child.output.filter((l) => !l.startsWith('{') || (JSON.parse(l) as { level: number }).level >= 40);
    return { status, stderr: child.output.filter((l) => l.startsWith('guardrail run: ')), output: child.output, visible };
  }

  it('stops start-up with a sentence naming the SASL settings when Kafka refuses the password, and never shows it', async () => {
    const r = await failedStart({ KAFKA_SASL_PASSWORD_FILE: '', KAFKA_SASL_PASSWORD: WRONG_PASSWORD });
    expect(r.status).toBe(1);
    const sentence =
      'Kafka refused the SASL login of user "guardrail" with scram-sha-512 (Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512): check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, and KAFKA_SASL_MECHANISM';
    expect(r.stderr).toEqual([`guardrail run: ${sentence}`]);
    expect(r.output.filter((l) => l.includes('"level":60')).map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ code: 'GR_ERR_KAFKA_ACCESS', msg: `not starting: ${sentence}` }),
    ]);
    expect(r.visible.filter((l) => STACK.test(l))).toEqual([]);
    expect(r.output.filter((l) => l.includes(WRONG_PASSWORD) || l.includes(PASSWORD))).toEqual([]);
  });

  it('stops start-up with a sentence naming KAFKA_SSL_CA_FILE when that CA did not sign the broker certificate', async () => {
    const r = await failedStart({ KAFKA_SSL_CA_FILE: path('other-ca.crt') });
    expect(r.status).toBe(1);
    expect(r.stderr).toEqual([
      `guardrail run: the Kafka broker at 127.0.0.1:${securePort} presented a certificate that KAFKA_SSL_CA_FILE does not verify (unable to verify the first certificate): set KAFKA_SSL_CA_FILE to the PEM file of the CA that signed the brokers' certificates`,
    ]);
    expect(r.visible.filter((l) => STACK.test(l))).toEqual([]);
    expect(r.output.filter((l) => l.includes(PASSWORD))).toEqual([]);
  });

  it('stops start-up with a sentence naming KAFKA_BROKERS when a broker certificate is for another host name', async () => {
    const r = await failedStart({ KAFKA_BROKERS: `127.0.0.1:${otherHostPort}` });
    expect(r.status).toBe(1);
    expect(r.stderr).toEqual([
      `guardrail run: the Kafka broker at 127.0.0.1:${otherHostPort} presented a certificate for another host name (Hostname/IP does not match certificate's altnames: IP: 127.0.0.1 is not in the cert's list: ): list the brokers in KAFKA_BROKERS by a name their certificates carry`,
    ]);
    expect(r.visible.filter((l) => STACK.test(l))).toEqual([]);
  });

  it('stops start-up with a sentence when a broker certificate has expired', async () => {
    const r = await failedStart({ KAFKA_BROKERS: `127.0.0.1:${expiredPort}` });
    expect(r.status).toBe(1);
    expect(r.stderr).toEqual([
      `guardrail run: the Kafka broker at 127.0.0.1:${expiredPort} presented a certificate outside its validity dates (certificate has expired): the broker's certificate must be renewed (or the clock of this machine checked)`,
    ]);
    expect(r.visible.filter((l) => STACK.test(l))).toEqual([]);
  });

  describe('mutual TLS', () => {
    const mtls = (changes: Record<string, string> = {}) => ({ KAFKA_BROKERS: `127.0.0.1:${mtlsPort}`, KAFKA_SASL_MECHANISM: '', KAFKA_SASL_USERNAME: '', KAFKA_SASL_PASSWORD_FILE: '', ...changes });

    it('stops start-up with a sentence naming KAFKA_SSL_CERT_FILE when the broker requires a client certificate and none is set', async () => {
      const r = await failedStart(mtls());
      expect(r.status).toBe(1);
      expect(r.stderr).toEqual([
        `guardrail run: the Kafka broker at 127.0.0.1:${mtlsPort} requires a client certificate (mutual TLS) and refused the connection without one (TLS alert: bad certificate): set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE to the PEM certificate and key this client was issued`,
      ]);
      expect(r.visible.filter((l) => STACK.test(l))).toEqual([]);
    });

    it('stops start-up with a sentence when the broker does not trust the client certificate', async () => {
      const r = await failedStart(mtls({ KAFKA_SSL_CERT_FILE: path('stranger.crt'), KAFKA_SSL_KEY_FILE: path('client.key') }));
      expect(r.status).toBe(1);
      expect(r.stderr).toEqual([
        `guardrail run: the Kafka broker at 127.0.0.1:${mtlsPort} did not accept the client certificate of KAFKA_SSL_CERT_FILE (TLS alert: certificate unknown): it must be signed by a CA the broker's listener trusts (its ssl.truststore) and be within its validity dates`,
      ]);
      expect(r.visible.filter((l) => STACK.test(l))).toEqual([]);
    });

    it('produces with the client certificate the broker trusts', () => {
      ensureBuilt();
      const topic = `${n.events}-mtls`;
      const r = spawnSync(process.execPath, ['bin/guardrail.js', 'loadgen', '--prefill', '--days', '1', '--agents', '2', '--topic', topic, '--partitions', '1'], {
        env: { PATH: process.env.PATH ?? '', ...env, ...mtls({ KAFKA_SSL_CERT_FILE: path('client.crt'), KAFKA_SSL_KEY_FILE: path('client.key') }) },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: expect.stringMatching(/^loadgen: \d+ events to /m) });
    });
  });

  it('ends guardrail loadgen and guardrail quarantine lift with the same sentence when Kafka refuses the login', () => {
    ensureBuilt();
    const sentence =
      'Kafka refused the SASL login of user "guardrail" with scram-sha-512 (Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512): check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, and KAFKA_SASL_MECHANISM';
    const wrong = { ...env, KAFKA_SASL_PASSWORD_FILE: '', KAFKA_SASL_PASSWORD: WRONG_PASSWORD };
    const run = (...args: string[]) => spawnSync(process.execPath, ['bin/guardrail.js', ...args], { env: { PATH: process.env.PATH ?? '', ...wrong }, encoding: 'utf8', timeout: 30_000 });

    const loadgen = run('loadgen', '--prefill', '--days', '1', '--agents', '2');
    expect(loadgen.status).toBe(1);
    expect(loadgen.stderr.trim().split('\n')).toEqual([`guardrail loadgen: ${sentence}`]);

    // Redis answers (over TLS): the release cannot be published, so nothing is lifted.
    const lift = run('quarantine', 'lift', 'a-nobody', '--reason', 'test', '--by', 'oncall');
    expect(lift.status).toBe(1);
    expect(lift.stderr.trim().split('\n')).toEqual([
      `guardrail quarantine: could not lift the quarantine of agent a-nobody: ${sentence}. The quarantine is still in Redis; try again (a release already published is published again with the same id).`,
    ]);
    for (const r of [loadgen, lift]) expect(r.stdout + r.stderr).not.toContain(WRONG_PASSWORD);
  });
});
