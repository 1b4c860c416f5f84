// One measured run, in a fresh process so peak memory is this run's own. Prints one JSON line.
// usage: node bench/replay-once.mjs <mode> <events.jsonl> [rulesDir]
//   mode "replay": the full engine with in-memory state (guardrail replay without printing)
//   mode "parse":  baseline: read and JSON.parse every line, nothing else
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const [mode, file, rules = 'rules'] = process.argv.slice(2);
const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
const started = process.hrtime.bigint();
let events = 0;
let detections = 0;
if (mode === 'parse') {
  for await (const line of lines) {
    if (line) {
      JSON.parse(line);
      events++;
    }
  }
} else {
  const { loadRules } = await import('../dist/rules/index.js');
  const { runReplay } = await import('../dist/engine/index.js');
  const ruleset = await loadRules(rules);
  const summary = await runReplay({ ruleset, lines, onDetection: () => void detections++ });
  events = summary.events;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const maxRssMB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify({ mode, events, detections, seconds, eventsPerSecond: events / seconds, maxRssMB }) + '\n');
