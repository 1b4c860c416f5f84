/*
 * The Prometheus toolchain the deploy tests run: promtool, amtool and prometheus from Debian's
 * prometheus and prometheus-alertmanager packages (.ci/run installs them). A missing tool is a test
 * failure that says how to install it; GUARDRAIL_SKIP_PROMTOOL=1 turns that into a skip, for a
 * machine that deliberately goes without. Never in CI (CI=true): there a missing tool always fails.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SKIP_PROMTOOL = process.env.GUARDRAIL_SKIP_PROMTOOL === '1' && process.env.CI !== 'true';

const PACKAGE: Record<string, string> = { promtool: 'prometheus', prometheus: 'prometheus', amtool: 'prometheus-alertmanager' };

/** True when `name --version` runs. */
export function available(name: string): boolean {
  const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

/** Throws, with the install command, when a tool is missing. */
export function requireTool(name: string): void {
  if (available(name)) return;
  throw new Error(
    `${name} is not installed: apt-get install -y ${PACKAGE[name] ?? name} (Debian), or set GUARDRAIL_SKIP_PROMTOOL=1 to skip the tests that need it on this machine`,
  );
}

/** Skip a test only when the tool is missing and the skip was asked for explicitly. */
export function skipWithout(...names: string[]): boolean {
  return SKIP_PROMTOOL && !names.every(available);
}

export interface Run {
  status: number | null;
  output: string;
}

export function run(command: string, args: string[], cwd = ROOT): Run {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
