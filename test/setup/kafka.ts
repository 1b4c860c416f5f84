/*
 * Vitest global setup: a real Kafka broker for the tests. KAFKA_BROKERS if set, else a broker of
 * our own (scripts/kafka-lib.mjs) on a free port in a temp dir, stopped and removed at the end.
 * Test workers start after this and inherit KAFKA_BROKERS.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startKafka, stopKafka } from '../../scripts/kafka-lib.mjs';

const PREFIX = 'guardrail-kafka-';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The broker is a detached process, so a test run that was killed (Ctrl-C twice, a CI timeout)
 * leaves it running with half a gigabyte of heap. Brokers whose test run is gone are stopped here.
 */
async function sweepOrphans(): Promise<void> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(PREFIX))) {
    const dir = join(tmpdir(), name);
    const owner = Number(await readFile(join(dir, 'owner.pid'), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(owner) && isAlive(owner)) continue;
    await stopKafka(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.KAFKA_BROKERS) return async () => {};
  await sweepOrphans();
  const dir = await mkdtemp(join(tmpdir(), PREFIX));
  await writeFile(join(dir, 'owner.pid'), `${process.pid}\n`);
  try {
    const broker = await startKafka({
      port: await freePort(),
      dir,
      log: (line) => process.stderr.write(`test setup: ${line}\n`),
    });
    process.env.KAFKA_BROKERS = broker.brokers;
    process.stderr.write(`test setup: started Kafka at ${broker.brokers} (pid ${broker.pid})\n`);
    return async () => {
      await broker.stop();
      await rm(dir, { recursive: true, force: true });
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
