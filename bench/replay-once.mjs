// One measured run, in a fresh process so peak memory is this run's own. Prints one JSON line.
// usage: node bench/replay-once.mjs <mode> <events.jsonl> [rulesDir]
//   mode "replay": the full engine with in-memory state (guardrail replay without printing)
//   mode "parse":  baseline: read and JSON.parse every line, nothing else
// Both read the file the same way (guardrail replay's reader: chunks of lines) and report wall
// time and CPU time.

const [mode, file, rules = 'rules'] = process.argv.slice(2);
// Modules load before the file is opened: a line interface emits lines as soon as it exists.
const { loadRules } = await import('../dist/rules/index.js');
const { runReplay } = await import('../dist/engine/index.js');
const { readLineChunks } = await import('../dist/cli/io.js');
const ruleset = mode === 'replay' ? await loadRules(rules) : undefined;
const lines = readLineChunks(file);
const started = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
let events = 0;
let detections = 0;
if (mode === 'parse') {
  for await (const chunk of lines) {
    for (const line of chunk) {
      if (line) {
        JSON.parse(line);
        events++;
      }
    }
  }
} else {
  const summary = await runReplay({ ruleset, lines, ...(process.env.BS ? { batchSize: Number(process.env.BS) } : {}), onDetection: () => void detections++ });
  events = summary.events;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const maxRssMB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(JSON.stringify({ mode, events, detections, seconds, cpuSeconds, eventsPerSecond: events / seconds, eventsPerCpuSecond: events / cpuSeconds, maxRssMB }) + '\n');
