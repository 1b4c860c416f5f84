/*
 * Each sub-command's options with their help text, in one table: the parser reads its options from
 * here and `--help` prints the same table, so the help cannot drift from what the parser accepts.
 * No imports beyond node: `guardrail` loads this for every command, before the command's module.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface OptionHelp {
  /** Placeholder for the value of a string option, e.g. `FILE`. */
  arg?: string;
  text: string;
  /** The default when the parser has none of its own (the code decides later, e.g. the simulator). */
  default?: string;
}

export interface CommandUsage<O extends Options = Options> {
  synopsis: string;
  about: string;
  options: O;
  help: { [K in keyof O]: OptionHelp };
  example: string;
}

/** Ties the help entries to the option keys: a parser option without help does not compile. */
function command<const O extends Options>(usage: CommandUsage<O>): CommandUsage<O> {
  return usage;
}

/** The simulation options `simulate`, `quality` and `loadgen` share; defaults come from the simulator. */
export const SIM_FLAGS = {
  days: { type: 'string' },
  seed: { type: 'string' },
  agents: { type: 'string' },
  start: { type: 'string' },
  activity: { type: 'string' },
  'attacks-per-kind': { type: 'string' },
} as const;

const SIM_HELP: { [K in keyof typeof SIM_FLAGS]: OptionHelp } = {
  days: { arg: 'N', text: 'days of traffic', default: '21' },
  seed: { arg: 'S', text: 'random seed; the same seed gives the same traffic', default: '1' },
  agents: { arg: 'N', text: 'number of agents', default: '300' },
  start: { arg: 'DATE', text: 'first day, UTC', default: '2026-10-01' },
  activity: { arg: 'X', text: 'how busy interactive agents are (lower makes small samples)', default: '1' },
  'attacks-per-kind': { arg: 'N', text: 'attacks of each kind', default: 'scales with days x agents, 1 to 8' },
};

export const REPLAY_USAGE = command({
  synopsis: 'guardrail replay [options]',
  about: 'Runs events (JSON lines) through the rules; detections as JSON lines on stdout, a summary on stderr.',
  options: {
    rules: { type: 'string', default: 'rules' },
    events: { type: 'string' },
    'batch-size': { type: 'string' },
    store: { type: 'string', default: 'memory' },
    'redis-prefix': { type: 'string' },
    'keep-keys': { type: 'boolean', default: false },
    quiet: { type: 'boolean', short: 'q', default: false },
    geoip: { type: 'string' },
    sort: { type: 'boolean', default: false },
  },
  help: {
    rules: { arg: 'DIR', text: 'rule files to load' },
    events: { arg: 'FILE|-', text: 'events to replay', default: 'stdin' },
    'batch-size': { arg: 'N', text: 'events per engine pass', default: '250; 10000 with --store redis' },
    store: { arg: 'memory|redis', text: 'where window state lives; redis uses REDIS_URL and the REDIS_* settings' },
    'redis-prefix': { arg: 'P', text: 'key prefix in Redis (needs --store redis)', default: 'gr-replay-<random>' },
    'keep-keys': { text: 'keep the Redis keys afterwards instead of deleting them (needs --store redis)' },
    quiet: { text: 'do not print invalid lines (by default the first 20 are printed)' },
    geoip: { arg: 'FILE', text: 'MaxMind database (.mmdb) to fill missing geo fields from source.ip, as GUARDRAIL_GEOIP_DB does for run', default: 'none' },
    sort: { text: 'order the events by their time before replaying (a file not in time order, e.g. a topic dumped partition by partition); holds the whole input in memory' },
  },
  example: 'guardrail replay --events examples/traffic.jsonl',
});

export const VALIDATE_USAGE = command({
  synopsis: 'guardrail validate [DIR|FILE...]',
  about: 'Loads rule files with the processor\'s own loader (default ./rules); prints every problem as file:line:column and exits 1.',
  options: {},
  help: {},
  example: 'guardrail validate rules/rate.yaml rules/volume.yaml',
});

export const TEST_USAGE = command({
  synopsis: 'guardrail test [options] [DIR]',
  about: 'Loads the rules in DIR (default ./rules) and runs every *.test.yaml under it; exits 1 on any failure.',
  options: {
    verbose: { type: 'boolean', short: 'v', default: false },
  },
  help: {
    verbose: { text: 'print the detections of every test' },
  },
  example: 'guardrail test rules --verbose',
});

export const SIMULATE_USAGE = command({
  synopsis: 'guardrail simulate [options]',
  about: 'Generates multi-agent traffic with labelled attacks, as JSON lines in event-time order; a summary on stderr.',
  options: {
    ...SIM_FLAGS,
    out: { type: 'string', short: 'o' },
  },
  help: {
    ...SIM_HELP,
    out: { arg: 'FILE|-', text: 'where to write the events', default: 'stdout' },
  },
  example: 'guardrail simulate --days 7 --agents 50 --out week.jsonl',
});

export const QUALITY_USAGE = command({
  synopsis: 'guardrail quality [options]',
  about: 'Replays labelled traffic (a file, or a simulation made in memory) through the rules and reports attacks restricted, what leaked first, and false restrictions.',
  options: {
    ...SIM_FLAGS,
    rules: { type: 'string', default: 'rules' },
    events: { type: 'string' },
    json: { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
  },
  help: {
    ...SIM_HELP,
    rules: { arg: 'DIR', text: 'rule files to load' },
    events: { arg: 'FILE', text: 'score these labelled events instead of a simulation (the simulation options are then ignored)' },
    json: { text: 'print the report as JSON' },
    strict: { text: 'exit 1 unless every attack is restricted and no benign agent is' },
  },
  example: 'guardrail quality --days 7 --agents 100 --strict',
});

export const SCHEMA_USAGE = command({
  synopsis: 'guardrail schema rules|event [options]',
  about: 'Prints the JSON Schema of rule files or of AgentAccessEvent v1.',
  options: {
    out: { type: 'string', short: 'o' },
  },
  help: {
    out: { arg: 'FILE', text: 'write the schema to FILE', default: 'stdout' },
  },
  example: 'guardrail schema rules --out rules.schema.json',
});

export const QUARANTINE_USAGE = command({
  synopsis: 'guardrail quarantine list | show AGENT | lift AGENT --reason TEXT [options]',
  about:
    'The quarantines in force, in Redis (found with the settings of guardrail run: REDIS_*, GUARDRAIL_REDIS_PREFIX): list them, show one, or lift one by hand. ' +
    'A lift publishes a release_agent message on the revocations topic (KAFKA_*, GUARDRAIL_TOPIC_REVOCATIONS), then deletes the entry; token revocations stand.',
  options: {
    reason: { type: 'string' },
    by: { type: 'string' },
    json: { type: 'boolean', default: false },
    config: { type: 'string', short: 'c' },
  },
  help: {
    reason: { arg: 'TEXT', text: 'lift: why (a ticket, "false positive: nightly export"); required, published with the release' },
    by: { arg: 'NAME', text: 'lift: who lifts it, published with the release', default: 'the user running the command' },
    json: { text: 'list, show: JSON lines instead of text' },
    config: { arg: 'FILE', text: 'config file of guardrail run settings (the environment overrides it)' },
  },
  example: "guardrail quarantine lift agent-7 --reason 'false positive: INC-1234, nightly export'",
});

export const LOADGEN_USAGE = command({
  synopsis: 'guardrail loadgen (--rate N | --prefill) [options]',
  about:
    'Produces simulated traffic (or a file of JSON lines) to the events topic, keyed by agent id, paced or as fast as the broker takes it. ' +
    'Kafka connection settings (KAFKA_BROKERS, SASL/TLS) are read as guardrail run reads them.',
  options: {
    ...SIM_FLAGS,
    rate: { type: 'string' },
    prefill: { type: 'boolean', default: false },
    count: { type: 'string' },
    duration: { type: 'string' },
    events: { type: 'string' },
    retime: { type: 'boolean', default: false },
    'keep-ids': { type: 'boolean', default: false },
    topic: { type: 'string' },
    partitions: { type: 'string' },
  },
  help: {
    ...SIM_HELP,
    rate: { arg: 'N', text: 'events per second, paced' },
    prefill: { text: 'as fast as the broker takes them' },
    count: { arg: 'N', text: 'stop after N events', default: 'the whole simulation or file' },
    duration: { arg: 'D', text: 'stop after D (e.g. 60s, 10m)' },
    events: { arg: 'FILE', text: 'send these JSON lines instead of simulated traffic (the simulation options are then ignored)' },
    retime: { text: "set each event's time to the moment it is sent (live-looking traffic)" },
    'keep-ids': { text: 'keep event ids as generated (by default a run suffix is added, so reruns are not duplicates)' },
    topic: { arg: 'T', text: 'topic to produce to', default: 'GUARDRAIL_TOPIC_EVENTS, agent-access-events' },
    partitions: { arg: 'N', text: 'create the topic with N partitions if it is missing (without it, a missing topic is an error)' },
  },
  example: 'guardrail loadgen --rate 1000 --retime',
});

/** Commands whose help `guardrail` prints itself; `run` prints its own (every setting, from the config's table). */
export const USAGE: Readonly<Record<string, CommandUsage>> = {
  replay: REPLAY_USAGE,
  validate: VALIDATE_USAGE,
  test: TEST_USAGE,
  simulate: SIMULATE_USAGE,
  quality: QUALITY_USAGE,
  schema: SCHEMA_USAGE,
  quarantine: QUARANTINE_USAGE,
  loadgen: LOADGEN_USAGE,
};

function optionDefault(spec: Options[string], help: OptionHelp): string | undefined {
  if (help.default !== undefined) return help.default;
  // A boolean defaulting to false is simply off; saying so adds nothing.
  if (spec.default === undefined || spec.default === false) return undefined;
  return String(spec.default);
}

export function formatUsage(usage: CommandUsage): string {
  const rows: [string, string][] = Object.entries(usage.options).map(([name, spec]) => {
    const help = usage.help[name]!;
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${help.arg ? ` ${help.arg}` : ''}`;
    const def = optionDefault(spec, help);
    return [flag, def === undefined ? help.text : `${help.text} (default: ${def})`];
  });
  rows.push(['-h, --help', 'print this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  const lines = rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`);
  return `usage: ${usage.synopsis}\n\n${usage.about}\n\noptions:\n${lines.join('\n')}\n\nexample:\n  ${usage.example}\n`;
}

/**
 * Whether argv asks for help. Parsed leniently with the command's own options, so the value of an
 * option (`--events -h`) or anything after `--` is not taken for a request for help.
 */
export function asksForHelp(argv: string[], options: Options): boolean {
  const { tokens } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: false, allowPositionals: true, tokens: true });
  return tokens.some((t) => t.kind === 'option' && t.name === 'help');
}
