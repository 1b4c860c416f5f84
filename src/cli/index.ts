/*
 * The `guardrail` command: parses the sub-command and hands over to its module. Each sub-command
 * returns an exit status; usage mistakes print a sentence and exit 2. `--help` is answered here from
 * the option table the command parses with (usage.ts), before its module is loaded.
 */
import { GuardrailError } from '../errors/index.js';
import { asksForHelp, formatUsage, USAGE } from './usage.js';

type Command = (argv: string[]) => Promise<number>;

export const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  replay: { summary: 'run events from a file through the rules (in-memory state, or Redis with --store redis); detections on stdout', load: async () => (await import('./replay.js')).replayCommand },
  validate: { summary: 'check rule files; exit 1 with located errors', load: async () => (await import('./validate.js')).validateCommand },
  test: { summary: 'run rule test files (input events and expected detections)', load: async () => (await import('./test-rules.js')).testCommand },
  simulate: { summary: 'generate weeks of multi-agent traffic with labelled attacks (JSON lines)', load: async () => (await import('./simulate.js')).simulateCommand },
  quality: { summary: 'replay simulated traffic and report attacks caught and false restrictions', load: async () => (await import('./quality.js')).qualityCommand },
  run: { summary: 'the stream processor: Kafka in, Redis state, detections and revocations out', load: async () => (await import('./run.js')).runCommand },
  loadgen: { summary: 'produce simulated traffic to the events topic at a chosen rate, or pre-fill it', load: async () => (await import('./loadgen.js')).loadgenCommand },
  quarantine: { summary: 'list the quarantined agents, show one, or lift a quarantine by hand (published as release_agent)', load: async () => (await import('./quarantine.js')).quarantineCommand },
  schema: { summary: 'print the JSON Schema of events or rule files', load: async () => (await import('./schema.js')).schemaCommand },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: guardrail <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nguardrail <command> --help (or guardrail help <command>) lists its options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) return main([...rest, '--help']);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`guardrail: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const help = USAGE[name];
  if (help && asksForHelp(rest, help.options)) {
    process.stdout.write(formatUsage(help));
    return 0;
  }
  try {
    const command = await entry.load();
    return await command(rest);
  } catch (err) {
    if (err instanceof GuardrailError) {
      process.stderr.write(`guardrail ${name}: ${err.message}\n`);
      return err.code === 'GR_ERR_USAGE' ? 2 : 1;
    }
    // A file given on the command line that cannot be opened (missing, a directory, not readable):
    // one sentence naming it, not a stack trace.
    const fault = fileFault(err);
    if (fault !== undefined) {
      process.stderr.write(`guardrail ${name}: ${fault}\n`);
      return 1;
    }
    throw err;
  }
}

const FILE_FAULTS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

function fileFault(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!(err instanceof Error) || typeof e?.code !== 'string' || typeof e.path !== 'string') return undefined;
  const what = FILE_FAULTS[e.code];
  return what === undefined ? undefined : `${e.path}: ${what}`;
}
