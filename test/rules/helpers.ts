/* Shared by the rules tests: the lines a load failure would print, and a quiet stdout/stderr capture. */
import { RulesInvalidError, formatProblem } from '../../src/errors/index.js';
import { loadRules } from '../../src/rules/index.js';

export const FIXTURES = 'test/fixtures/rules';

/** The `file:line:column: path: sentence` lines loading `path` fails with; fails the test if it loads. */
export async function problemsOf(path: string | string[]): Promise<string[]> {
  try {
    await loadRules(path);
  } catch (err) {
    if (err instanceof RulesInvalidError) return err.problems.map(formatProblem);
    throw err;
  }
  throw new Error(`${String(path)} loaded, but it should not`);
}

export interface Captured {
  stdout: string;
  stderr: string;
  status: number;
}

export async function capture(run: () => Promise<number>): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { stdout: process.stdout.write, stderr: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const status = await run();
    return { stdout: out.join(''), stderr: err.join(''), status };
  } finally {
    process.stdout.write = write.stdout;
    process.stderr.write = write.stderr;
  }
}
