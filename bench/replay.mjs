// Benchmark: in-memory replay throughput with the default rules, against a baseline in the same
// run (reading and JSON.parse of the same file). Each run is a fresh process pinned to one core;
// medians of several runs are written to BENCHMARKS.md with the command that produced them.
// usage: npm run bench -- [--events N] [--runs N]   (needs `npm run build`)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { writeBenchmarkSection } from './section.mjs';

const { values } = parseArgs({ options: { days: { type: 'string', default: '28' }, agents: { type: 'string', default: '300' }, runs: { type: 'string', default: '5' }, seed: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
mkdirSync('.cache', { recursive: true });
const file = `.cache/bench-sim-${values.days}d-${values.agents}a-s${values.seed}.jsonl`;
if (!existsSync(file)) {
  process.stderr.write(`generating ${file} ...\n`);
  execFileSync('node', ['bin/guardrail.js', 'simulate', '--days', values.days, '--agents', values.agents, '--seed', values.seed, '--out', file], { stdio: ['ignore', 'ignore', 'inherit'] });
}
const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
const sizeMB = statSync(file).size / 1e6;

const once = (mode) => JSON.parse(execFileSync('taskset', ['-c', '0', 'node', 'bench/replay-once.mjs', mode, file], { encoding: 'utf8' }));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const results = { parse: [], replay: [] };
for (let i = 0; i < runs; i++) {
  for (const mode of ['parse', 'replay']) {
    const r = once(mode);
    results[mode].push(r);
    process.stderr.write(`${mode} run ${i + 1}: ${Math.round(r.eventsPerSecond)} events/s (${Math.round(r.eventsPerCpuSecond)} per CPU second), ${r.maxRssMB.toFixed(0)} MB peak\n`);
  }
}
const eps = (mode) => median(results[mode].map((r) => r.eventsPerSecond));
const epc = (mode) => median(results[mode].map((r) => r.eventsPerCpuSecond));
const rss = (mode) => median(results[mode].map((r) => r.maxRssMB));
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const row = (mode, label) => `| ${label} | ${fmt(eps(mode))} | ${fmt(epc(mode))} | ${rss(mode).toFixed(0)} | ${(eps(mode) / eps('parse')).toFixed(2)} |`;
const command = `npm run bench -- --days ${values.days} --agents ${values.agents} --runs ${runs} --seed ${values.seed}`;
const section = [
  '## In-memory replay throughput (default rules)',
  '',
  `Command: \`${command}\` (after \`npm run build\`). Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}; each run a fresh process pinned to one core with \`taskset -c 0\`; medians of ${runs} runs.`,
  '',
  `Input: \`guardrail simulate\` traffic, ${lines.toLocaleString('en-US')} events (${sizeMB.toFixed(0)} MB of JSON lines), ${results.replay[0].detections} detections.`,
  '',
  '| run | events/s, wall (median) | events per CPU second (median) | peak RSS MB (median) | ratio to baseline (wall) |',
  '|---|---|---|---|---|',
  row('parse', 'baseline: read lines + JSON.parse'),
  row('replay', 'guardrail replay: decode, validate, all default rules, in-memory state'),
  '',
].join('\n');
writeBenchmarkSection('## In-memory replay throughput', section);
