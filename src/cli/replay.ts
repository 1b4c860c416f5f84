/*
 * `guardrail replay [--rules DIR] [--events FILE|-]`: the embedded default. Runs events through the
 * rules with in-memory state; detections as JSON lines on stdout, a summary on stderr.
 */
import { runReplay, type ReplaySummary } from '../engine/index.js';
import { loadRules } from '../rules/index.js';
import { parse, positiveInt } from './args.js';
import { LineWriter, readLines } from './io.js';

const MAX_INVALID_SHOWN = 20;

export async function replayCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    rules: { type: 'string', default: 'rules' },
    events: { type: 'string' },
    'batch-size': { type: 'string' },
    quiet: { type: 'boolean', short: 'q', default: false },
  });
  const ruleset = await loadRules(values.rules);
  const out = new LineWriter();
  const started = process.hrtime.bigint();
  let shown = 0;
  const summary = await runReplay({
    ruleset,
    lines: readLines(values.events),
    batchSize: positiveInt('batch-size', values['batch-size'], 2000),
    onDetection: (d) => out.write(JSON.stringify(d)),
    onInvalid: (line, reason) => {
      if (values.quiet || shown++ >= MAX_INVALID_SHOWN) return;
      process.stderr.write(`${values.events ?? 'stdin'}:${line}: invalid event: ${reason}\n`);
    },
  });
  await out.flush();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(formatSummary(summary, seconds, ruleset.rules.length));
  return 0;
}

export function formatSummary(s: ReplaySummary, seconds: number, rules: number): string {
  const lines = [
    `replay: ${s.events} events (${s.invalid} invalid, ${s.duplicates} duplicate, ${s.late} late) through ${rules} rule${rules === 1 ? '' : 's'} in ${seconds.toFixed(2)}s (${Math.round(s.events / Math.max(seconds, 1e-9))} events/s)`,
    `detections: ${s.detections} (${s.suppressed} more suppressed by cooldown)`,
  ];
  const ruleIds = [...new Set([...Object.keys(s.hits), ...Object.keys(s.byRule)])].sort();
  for (const id of ruleIds) lines.push(`  ${id.padEnd(36)} ${String(s.byRule[id] ?? 0).padStart(7)} detections ${String(s.hits[id] ?? 0).padStart(8)} firings`);
  const reasons = Object.entries(s.invalidReasons).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    lines.push('invalid events by reason:');
    for (const [reason, n] of reasons.slice(0, 20)) lines.push(`  ${String(n).padStart(7)}  ${reason}`);
  }
  return lines.join('\n') + '\n';
}
