/*
 * `guardrail validate [DIR|FILE...]` (default ./rules): runs the very loader the processor runs, so
 * a file that validates is a file that loads. Prints `ok: N rules in M files`, or every problem as
 * `file:line:column: path: sentence` on stderr and exits 1.
 */
import { GuardrailError, RulesInvalidError, formatProblem } from '../errors/index.js';
import { loadRules } from '../rules/index.js';
import { parse } from './args.js';
import { VALIDATE_USAGE } from './usage.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function validateCommand(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, VALIDATE_USAGE.options, true);
  const paths = positionals.length > 0 ? positionals : ['rules'];
  try {
    const ruleset = await loadRules(paths);
    process.stdout.write(`ok: ${plural(ruleset.rules.length, 'rule')} in ${plural(ruleset.files.length, 'file')}\n`);
    return 0;
  } catch (err) {
    if (err instanceof RulesInvalidError) {
      process.stderr.write(err.problems.map((p) => `${formatProblem(p)}\n`).join(''));
      return 1;
    }
    if (err instanceof GuardrailError && err.code === 'GR_ERR_RULES_IO') {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
