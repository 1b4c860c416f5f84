/*
 * `guardrail <command> --help` as a user runs it (the built binary): every command answers, exits 0,
 * and lists every option of its table; and each command hands the parser that very table, so the
 * help cannot drift from the parser.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import type * as Args from '../../src/cli/args.js';
import { COMMANDS } from '../../src/cli/index.js';
import { asksForHelp, REPLAY_USAGE, SIMULATE_USAGE, USAGE } from '../../src/cli/usage.js';
import { SETTINGS } from '../../src/config/index.js';
import { UsageError } from '../../src/errors/index.js';
import { DEFAULT_BATCH_SIZE } from '../../src/engine/index.js';
import { DEFAULT_SIM_OPTIONS } from '../../src/sim/index.js';

/** The options table the last command handed to the parser. */
const seen = vi.hoisted(() => ({ options: undefined as unknown }));
vi.mock('../../src/cli/args.js', async (importOriginal) => {
  const real = await importOriginal<typeof Args>();
  const parse = ((...args: Parameters<typeof real.parse>) => {
    seen.options = args[1];
    return real.parse(...args);
  }) as typeof real.parse;
  return { ...real, parse };
});

function guardrail(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/guardrail.js', ...args], { input: '', encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('guardrail <command> --help', () => {
  for (const [name, usage] of Object.entries(USAGE)) {
    for (const flag of ['--help', '-h']) {
      it(`${name} ${flag} prints its usage with every option and exits 0`, () => {
        const r = guardrail(name, flag);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^usage: guardrail ${name}\\b`));
        expect(r.stdout).toContain('example:\n  guardrail ');
        for (const [option, spec] of Object.entries(usage.options)) {
          expect(r.stdout).toContain(`--${option}`);
          if (spec.short) expect(r.stdout).toContain(`-${spec.short}, --${option}`);
        }
      });
    }
  }

  it('guardrail help <command> prints the same as <command> --help', () => {
    expect(guardrail('help', 'quality')).toEqual(guardrail('quality', '--help'));
  });

  it('guardrail --help and guardrail help list every command', () => {
    for (const r of [guardrail('--help'), guardrail('help')]) {
      expect(r.status).toBe(0);
      for (const name of [...Object.keys(USAGE), 'run', 'loadgen']) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it.each(Object.keys(USAGE))('%s parses with exactly the options its help lists', async (name) => {
    seen.options = undefined;
    const command = await COMMANDS[name]!.load();
    await expect(command(['--no-such-option'])).rejects.toThrow(UsageError);
    expect(seen.options).toEqual(USAGE[name]!.options);
  });

  it('a value or a positional that looks like -h is not a request for help', () => {
    expect(asksForHelp(['--events', '-h'], REPLAY_USAGE.options)).toBe(false);
    expect(asksForHelp(['rules', '--', '--help'], REPLAY_USAGE.options)).toBe(false);
    expect(asksForHelp(['-qh'], REPLAY_USAGE.options)).toBe(true);
  });

  it('defaults in the help are the ones the code uses', () => {
    expect(SIMULATE_USAGE.help.days.default).toBe(String(DEFAULT_SIM_OPTIONS.days));
    expect(SIMULATE_USAGE.help.seed.default).toBe(String(DEFAULT_SIM_OPTIONS.seed));
    expect(SIMULATE_USAGE.help.agents.default).toBe(String(DEFAULT_SIM_OPTIONS.agents));
    expect(SIMULATE_USAGE.help.start.default).toBe(new Date(DEFAULT_SIM_OPTIONS.startMs).toISOString().slice(0, 10));
    expect(REPLAY_USAGE.help['batch-size'].default).toMatch(new RegExp(`^${DEFAULT_BATCH_SIZE}\\b`));
  });

  it('guardrail run --help lists every setting with its default', () => {
    const r = guardrail('run', '--help');
    expect(r.status).toBe(0);
    for (const setting of SETTINGS) {
      expect(r.stdout).toMatch(new RegExp(`^  ${setting.name}${setting.default === undefined ? '$' : ` \\(${setting.default.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`}`, 'm'));
    }
  });
});
