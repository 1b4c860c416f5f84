/*
 * `guardrail quality [--rules DIR] [--events FILE] [--days N --seed S --agents N] [--json] [--strict]`:
 * replays labelled traffic (a file, or a simulation generated in memory) through the rules and
 * reports attacks restricted, what leaked before, and false restrictions on benign agents.
 */
import { runReplay } from '../engine/index.js';
import { cooldownsOf, loadRules } from '../rules/index.js';
import { createSimulation, formatQualityReport, QualityCollector, type ScoredEvent } from '../sim/index.js';
import { parse } from './args.js';
import { readLines } from './io.js';
import { simOptions } from './simulate.js';
import { QUALITY_USAGE } from './usage.js';

export async function qualityCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, QUALITY_USAGE.options);
  const ruleset = await loadRules(values.rules);
  const collector = new QualityCollector({ cooldownMsOf: cooldownsOf(ruleset) });
  const started = process.hrtime.bigint();
  const lines = values.events !== undefined ? scoredLines(readLines(values.events), collector) : simulatedLines(simOptions(values), collector);
  const replay = await runReplay({ ruleset, lines, onDetection: (d) => collector.addDetection(d) });
  const report = collector.report();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (values.json) process.stdout.write(JSON.stringify({ ...report, replay, seconds }, null, 2) + '\n');
  else {
    process.stdout.write(formatQualityReport(report));
    process.stderr.write(`quality: replayed ${replay.events} events through ${ruleset.rules.length} rules in ${seconds.toFixed(1)}s (${replay.invalid} invalid)\n`);
  }
  return values.strict && !report.pass ? 1 : 0;
}

/** A simulation as JSON lines, each event told to the scorer. */
export function* simulatedLines(opts: ReturnType<typeof simOptions>, collector: QualityCollector): Generator<string> {
  for (const e of createSimulation(opts).events()) {
    collector.addEvent(e);
    yield JSON.stringify(e);
  }
}

/** Passes every line to the engine unchanged and tells the scorer about the ones that parse. */
export async function* scoredLines(lines: AsyncIterable<string>, collector: QualityCollector): AsyncGenerator<string> {
  for await (const line of lines) {
    if (line.trim() !== '') {
      try {
        const e = JSON.parse(line) as ScoredEvent;
        if (e && typeof e.id === 'string' && typeof e.time === 'string' && typeof e.agent?.id === 'string') collector.addEvent(e);
      } catch {
        // The engine counts and reports invalid lines; the scorer just skips them.
      }
    }
    yield line;
  }
}
