// A real single-node Apache Kafka broker (KRaft) for development and tests, with no Docker: the
// jars come from Maven Central into .cache/kafka/<version>/lib, and the broker runs as a detached
// java process whose data, logs and pid file live in one data dir. Used by scripts/kafka.mjs and test/setup/kafka.ts.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// 4.x removed the oldest protocol versions (KIP-896), but kafkajs 2.2.4 negotiates newer ones for
// every API it uses; test/kafka/broker.test.ts is the proof. Override to try another release.
export const KAFKA_VERSION = process.env.GUARDRAIL_KAFKA_VERSION || '4.4.0';

// Kafka 4.x logs through log4j2; 3.x through reload4j. The broker jar ships neither binding.
const LOG4J2_VERSION = '2.24.3';

const PID_FILE = 'kafka.pid';

function major(version) {
  return Number(version.split('.')[0]);
}

export function cacheDir(version = KAFKA_VERSION) {
  return join(ROOT, '.cache', 'kafka', version);
}

export function defaultDataDir(port) {
  return join(ROOT, '.cache', 'kafka-data', String(port));
}

function loggingDependencies(version) {
  if (major(version) >= 4) {
    return [
      ['org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J2_VERSION],
      ['org.apache.logging.log4j', 'log4j-core', LOG4J2_VERSION],
    ];
  }
  return [['org.slf4j', 'slf4j-reload4j', '1.7.36']];
}

function pomXml(version) {
  const deps = [['org.apache.kafka', 'kafka_2.13', version], ...loggingDependencies(version)]
    .map(([g, a, v]) => `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`)
    .join('\n');
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.guardrail</groupId>
  <artifactId>kafka-broker-classpath</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
${deps}
  </dependencies>
  <build>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>
    </plugins>
  </build>
</project>
`;
}

/**
 * Puts the broker's jars in .cache/kafka/<version>/lib; a marker written only after a complete
 * copy makes later calls free, and a half-done copy (interrupted run) is redone from scratch.
 */
export async function fetchKafka({ version = KAFKA_VERSION, log = () => {} } = {}) {
  const dir = cacheDir(version);
  const lib = join(dir, 'lib');
  const marker = join(dir, 'complete');
  if (existsSync(marker) && existsSync(lib)) return lib;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), pomXml(version));
  const staging = join(dir, 'lib.partial');
  rmSync(staging, { recursive: true, force: true });
  log(`fetching Apache Kafka ${version} jars with Maven into ${lib}`);
  const result = spawnSync(
    'mvn',
    ['-q', '-B', '-f', join(dir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'],
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' },
  );
  if (result.error) throw new Error(`could not run mvn to fetch Kafka ${version}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`mvn could not fetch Kafka ${version} (exit ${result.status}):\n${(result.stdout + result.stderr).trim()}`);
  }
  rmSync(lib, { recursive: true, force: true });
  renameSync(staging, lib);
  const jars = readdirSync(lib).filter((f) => f.endsWith('.jar'));
  writeFileSync(marker, jars.join('\n') + '\n');
  return lib;
}

function log4jConfig(version) {
  if (major(version) >= 4) {
    return `# Written by scripts/kafka-lib.mjs: the broker logs to a file in its data dir.
appender.file.type = File
appender.file.name = file
appender.file.fileName = \${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
`;
  }
  return `# Written by scripts/kafka-lib.mjs: the broker logs to a file in its data dir.
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=\${kafka.logs.dir}/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
`;
}

function serverProperties({ port, controllerPort, dataDir, listeners = [], properties = {} }) {
  const extra = listeners.map((l) => `,${l.name}://127.0.0.1:${l.port}`).join('');
  const protocols = listeners.map((l) => `,${l.name}:${l.protocol}`).join('');
  return `# Written by scripts/kafka-lib.mjs on every start: one node that is both broker and controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port}${extra},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}${extra}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${protocols}
inter.broker.listener.name=PLAINTEXT
log.dirs=${dataDir}
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
delete.topic.enable=true
${Object.entries(properties).map(([k, v]) => `${k}=${v}\n`).join('')}`;
}

/** A port that nothing listens on right now (the OS picks it). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function portIsFree(port) {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

// A pid file can outlive its broker and the pid be reused; only signal a process that is still
// this dir's broker. Without /proc (macOS) there is nothing better than trusting the pid.
function isOurBroker(pid, dir) {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (/<defunct>|^$/.test(cmdline)) return false;
    return cmdline.includes('kafka.Kafka') && cmdline.includes(join(dir, 'server.properties'));
  } catch {
    return !existsSync('/proc/self');
  }
}

function readPidFile(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, PID_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

function lastLines(file, n) {
  try {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-n).join('\n');
  } catch {
    return '';
  }
}

function tail(dir, n = 30) {
  const parts = [];
  for (const file of [join(dir, 'kafka.out'), join(dir, 'logs', 'server.log')]) {
    const text = lastLines(file, n);
    if (text) parts.push(`--- last lines of ${file}\n${text}`);
  }
  return parts.join('\n') || `(no log in ${dir})`;
}

function java(lib, args, opts = {}) {
  return spawnSync('java', ['-cp', join(lib, '*'), ...args], { encoding: 'utf8', ...opts });
}

/**
 * True once the broker serves what Guardrail and its tests use. On a fresh broker the group and
 * producer-id machinery come up lazily, and kafkajs logs their "coordinator is loading" retries as
 * errors (a consumer even crashes and restarts), so the first group lookup and the first idempotent
 * producer happen here, silently, instead of in the first test.
 */
async function answers(brokers) {
  const kafka = new Kafka({
    clientId: 'guardrail-kafka-probe',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 2, initialRetryTime: 100 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) return false;
    await admin.listTopics();
    await admin.describeGroups(['guardrail-kafka-probe']);
    await producer.connect();
    return true;
  } catch {
    return false;
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

async function waitReady({ brokers, pid, dir, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error(`the Kafka broker (pid ${pid}) exited while starting\n${tail(dir)}`);
    if (await answers(brokers)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the Kafka broker (pid ${pid}) did not answer at ${brokers} within ${timeoutMs / 1000} s\n${tail(dir)}`);
}

// One `key=value` line each in server.properties: a line break would smuggle in another setting.
function checkProperties(properties) {
  for (const [key, value] of Object.entries(properties)) {
    if (/[\r\n]/.test(key) || /[\r\n]/.test(String(value))) throw new Error(`the broker property ${JSON.stringify(key)} must be on one line`);
  }
}

/**
 * Starts (or reuses) the broker of `dir` on 127.0.0.1:`port` and resolves once kafkajs can talk
 * to it. A fresh dir is formatted; a formatted one keeps its topics and offsets.
 *
 * For tests of secured clients: `listeners` adds listeners besides PLAINTEXT on `port` (which stays
 * the inter-broker listener and the one readiness is checked on), `properties` adds server
 * properties after the defaults (a repeated key wins), and `scramUsers` are created when a fresh
 * dir is formatted (KRaft keeps SCRAM credentials in the metadata log). A reused broker keeps the
 * settings it was started with.
 */
export async function startKafka({
  port = 9092,
  dir = defaultDataDir(port),
  version = KAFKA_VERSION,
  heap = '512m',
  timeoutMs = 90_000,
  log = () => {},
  listeners = [],
  properties = {},
  scramUsers = [],
} = {}) {
  dir = resolve(dir);
  checkProperties(properties);
  const brokers = `127.0.0.1:${port}`;
  const running = readPidFile(dir);
  if (running && isOurBroker(running.pid, dir)) {
    if (running.port !== port) {
      throw new Error(`a broker started by this script already runs on ${dir} at port ${running.port} (pid ${running.pid}); stop it first or use --port ${running.port}`);
    }
    await waitReady({ brokers, pid: running.pid, dir, timeoutMs });
    return { brokers, pid: running.pid, port, dir, reused: true, stop: () => stopKafka(dir) };
  }
  rmSync(join(dir, PID_FILE), { force: true });
  if (!(await portIsFree(port))) {
    throw new Error(`port ${port} on 127.0.0.1 is already taken by another process, so no Kafka broker can listen there; pick another port with --port or stop what holds it`);
  }
  for (const l of listeners) {
    if (!(await portIsFree(l.port))) throw new Error(`port ${l.port} on 127.0.0.1 (listener ${l.name}) is already taken by another process`);
  }

  const lib = await fetchKafka({ version, log });
  const dataDir = join(dir, 'data');
  const logsDir = join(dir, 'logs');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(logsDir, { recursive: true });
  // The controller port is chosen anew on each start: with a static voter set (controller.quorum.voters)
  // the metadata log does not record it, so a formatted dir restarts fine on a different one.
  const controllerPort = await freePort();
  const propertiesFile = join(dir, 'server.properties');
  writeFileSync(propertiesFile, serverProperties({ port, controllerPort, dataDir, listeners, properties }));
  const log4jFile = join(dir, major(version) >= 4 ? 'log4j2.properties' : 'log4j.properties');
  writeFileSync(log4jFile, log4jConfig(version));
  // log4j2's own shutdown hook would close the log before Kafka's hook has logged its clean shutdown.
  const logging = major(version) >= 4
    ? [`-Dlog4j2.configurationFile=${log4jFile}`, '-Dlog4j2.shutdownHookEnabled=false']
    : [`-Dlog4j.configuration=file:${log4jFile}`];
  const jvm = ['-Xms128m', `-Xmx${heap}`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true', `-Dkafka.logs.dir=${logsDir}`, ...logging];

  if (!existsSync(join(dataDir, 'meta.properties'))) {
    // Kafka's own cluster id format: 16 random bytes, base64url without padding. One starting with
    // '-' would be read by the storage tool as an option, so draw again.
    let clusterId = randomBytes(16).toString('base64url');
    while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
    const scram = scramUsers.flatMap((u) => ['--add-scram', `${u.mechanism ?? 'SCRAM-SHA-512'}=[name=${u.name},password=${u.password}]`]);
    const format = java(lib, [...jvm.filter((a) => !a.startsWith('-Xm')), 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile, ...scram]);
    if (format.error) throw new Error(`could not run java (the Kafka broker needs Java 17 or newer): ${format.error.message}`);
    if (format.status !== 0) {
      // The tool may echo an --add-scram argument it could not parse: keep the passwords out of the message.
      const output = scramUsers.reduce((text, u) => text.split(String(u.password)).join('***'), format.stdout + format.stderr);
      throw new Error(`could not format Kafka storage in ${dataDir} (exit ${format.status}):\n${output.trim()}`);
    }
  }

  const out = openSync(join(dir, 'kafka.out'), 'a');
  const child = spawn('java', [...jvm, '-cp', join(lib, '*'), 'kafka.Kafka', propertiesFile], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  let spawnError;
  child.once('error', (err) => (spawnError = err));
  child.unref();
  const pid = child.pid;
  if (pid === undefined) {
    await new Promise((r) => setImmediate(r));
    throw new Error(`could not run java (the Kafka broker needs Java 17 or newer)${spawnError ? `: ${spawnError.message}` : ''}`);
  }
  writeFileSync(join(dir, PID_FILE), JSON.stringify({ pid, port, controllerPort, version }) + '\n');
  try {
    await waitReady({ brokers, pid, dir, timeoutMs });
  } catch (err) {
    await stopKafka(dir);
    throw err;
  }
  return { brokers, pid, port, dir, reused: false, stop: () => stopKafka(dir) };
}

/**
 * Stops the broker of `dir`: SIGTERM for a clean shutdown, SIGKILL after `timeoutMs`.
 * Resolves to the pid that was stopped, or undefined when none was running.
 */
export async function stopKafka(dir = defaultDataDir(9092), { timeoutMs = 30_000 } = {}) {
  dir = resolve(dir);
  const running = readPidFile(dir);
  const pidFile = join(dir, PID_FILE);
  if (!running || !isOurBroker(running.pid, dir)) {
    rmSync(pidFile, { force: true });
    return undefined;
  }
  const { pid } = running;
  const gone = async (ms) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!isOurBroker(pid, dir)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return !isOurBroker(pid, dir);
  };
  process.kill(pid, 'SIGTERM');
  if (!(await gone(timeoutMs))) {
    process.kill(pid, 'SIGKILL');
    await gone(5000);
  }
  rmSync(pidFile, { force: true });
  return pid;
}

/** Total size in bytes of the cached jars of `version`, for reports. */
export function cachedJarsSize(version = KAFKA_VERSION) {
  const lib = join(cacheDir(version), 'lib');
  if (!existsSync(lib)) return 0;
  return readdirSync(lib).reduce((sum, f) => sum + statSync(join(lib, f)).size, 0);
}
