#!/usr/bin/env node
// Command line for the development Kafka broker: `fetch` the jars from Maven Central, `start` a
// single-node KRaft broker in the background and wait until it serves clients, `stop` it.
// Usage: node scripts/kafka.mjs fetch | start [--port 9092] [--dir DIR] | stop [--port 9092] [--dir DIR]
import { parseArgs } from 'node:util';
import { KAFKA_VERSION, cachedJarsSize, defaultDataDir, fetchKafka, startKafka, stopKafka } from './kafka-lib.mjs';

const USAGE = 'usage: node scripts/kafka.mjs fetch | start [--port 9092] [--dir DIR] | stop [--port 9092] [--dir DIR]';

function fail(message) {
  process.stderr.write(`kafka: ${message}\n`);
  process.exit(1);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string', default: '9092' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
} catch (err) {
  fail(`${err.message}\n${USAGE}`);
}
const { values, positionals } = parsed;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const [command, ...extra] = positionals;
if (extra.length > 0) fail(`unexpected argument ${extra[0]}\n${USAGE}`);
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port ${values.port} is not a TCP port (1-65535)`);
const dir = values.dir ?? defaultDataDir(port);
const log = (line) => process.stderr.write(`kafka: ${line}\n`);

try {
  switch (command) {
    case 'fetch': {
      const lib = await fetchKafka({ log });
      const mib = (cachedJarsSize() / 1024 / 1024).toFixed(1);
      process.stdout.write(`kafka ${KAFKA_VERSION} jars in ${lib} (${mib} MiB)\n`);
      break;
    }
    case 'start': {
      const broker = await startKafka({ port, dir, log });
      const note = broker.reused ? ', already running' : '';
      process.stdout.write(`kafka ready at ${broker.brokers} (pid ${broker.pid}${note})\n`);
      break;
    }
    case 'stop': {
      const pid = await stopKafka(dir);
      process.stdout.write(pid === undefined ? `kafka: no broker running for ${dir}\n` : `kafka stopped (pid ${pid})\n`);
      break;
    }
    default:
      fail(command ? `unknown command ${command}\n${USAGE}` : USAGE);
  }
} catch (err) {
  fail(err.message);
}
