/*
 * `guardrail simulate [--days 21] [--seed 1] [--agents 300] [--start 2026-10-01] [--out FILE|-]`:
 * weeks of multi-agent traffic with labelled attacks, as JSON lines in event-time order; a
 * one-line summary on stderr.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { UsageError } from '../errors/index.js';
import { createSimulation, formatSimSummary, parseStartDate, type SimOptions } from '../sim/index.js';
import { parse, positiveInt } from './args.js';
import { SIM_FLAGS, SIMULATE_USAGE } from './usage.js';

export { SIM_FLAGS };

/** Turns the shared simulation flags into options; defaults come from the simulator. */
export function simOptions(values: Partial<Record<keyof typeof SIM_FLAGS, string | undefined>>): Partial<SimOptions> {
  const opts: Partial<SimOptions> = {};
  if (values.days !== undefined) opts.days = positiveInt('days', values.days, 21);
  if (values.agents !== undefined) opts.agents = positiveInt('agents', values.agents, 300);
  if (values.seed !== undefined) {
    const seed = Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be a whole number from 0 to 4294967295 (got "${values.seed}")`);
    opts.seed = seed;
  }
  if (values.start !== undefined) {
    const ms = parseStartDate(values.start);
    if (Number.isNaN(ms)) throw new UsageError(`--start must be a date like 2026-10-01 (got "${values.start}")`);
    opts.startMs = ms;
  }
  if (values.activity !== undefined) {
    const a = Number(values.activity);
    if (!(a > 0) || !Number.isFinite(a)) throw new UsageError(`--activity must be a number above 0, e.g. 0.5 (got "${values.activity}")`);
    opts.activity = a;
  }
  if (values['attacks-per-kind'] !== undefined) opts.attacksPerKind = positiveInt('attacks-per-kind', values['attacks-per-kind'], 1);
  return opts;
}

export async function simulateCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, SIMULATE_USAGE.options);
  const sim = createSimulation(simOptions(values));
  const toStdout = values.out === undefined || values.out === '-';
  const stream = toStdout ? process.stdout : createWriteStream(values.out as string);
  const started = process.hrtime.bigint();
  await writeLines(sim.lines(), stream);
  if (!toStdout) {
    stream.end();
    await finished(stream);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(`${formatSimSummary(sim.summary)} in ${seconds.toFixed(1)}s\n`);
  return 0;
}

const CHUNK = 256 * 1024;

/**
 * Writes lines in chunks with backpressure. A closed pipe (`simulate | head`) ends the run quietly:
 * the reader has what it wanted.
 */
async function writeLines(lines: Iterable<string>, stream: Writable): Promise<void> {
  let closed = false;
  let failure: Error | undefined;
  const onError = (err: NodeJS.ErrnoException) => {
    closed = true;
    if (err.code !== 'EPIPE') failure = err;
  };
  stream.on('error', onError);
  let chunk: string[] = [];
  let size = 0;
  const flush = async () => {
    const ok = stream.write(chunk.join('\n') + '\n');
    chunk = [];
    size = 0;
    if (ok || closed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('error', done);
        stream.off('close', done);
        resolve();
      };
      stream.once('drain', done);
      stream.once('error', done);
      stream.once('close', done);
    });
  };
  for (const line of lines) {
    if (closed) break;
    chunk.push(line);
    size += line.length + 1;
    if (size >= CHUNK) await flush();
  }
  if (!closed && chunk.length > 0) await flush();
  if (failure) throw failure;
}
