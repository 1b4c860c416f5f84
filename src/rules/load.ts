/*
 * Finds and reads rule files, then hands them to compileRuleFiles: the loader `guardrail run`,
 * `replay`, `test` and `validate` all share. A directory is read recursively (*.yaml, *.yml,
 * sorted), following symlinks, so a Kubernetes ConfigMap mount (`rules.yaml -> ..data/rules.yaml`)
 * loads each file once: names starting with a dot, like `..data`, are skipped.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GuardrailError, RulesInvalidError } from '../errors/index.js';
import { compileRuleFiles } from './ruleset.js';
import type { Ruleset } from './types.js';

const RULE_FILE = /\.ya?ml$/;
/** Rule test files live beside the rules (`guardrail test` reads them); they are not rules. */
const RULE_TEST_FILE = /\.test\.ya?ml$/;

function ioError(path: string, err: unknown): GuardrailError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
  return new GuardrailError('GR_ERR_RULES_IO', `cannot read rules at ${path}: ${why}`, { cause: err });
}

async function walk(dir: string, seenDirs: Set<string>, out: string[]): Promise<void> {
  const real = await realpath(dir);
  if (seenDirs.has(real)) return; // a symlink loop, or a directory reached twice
  seenDirs.add(real);
  for (const name of await readdir(dir)) {
    if (name.startsWith('.')) continue;
    const full = join(dir, name);
    let info;
    try {
      info = await stat(full); // follows symlinks
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // a dangling symlink mid-update
      throw err;
    }
    if (info.isDirectory()) await walk(full, seenDirs, out);
    else if (info.isFile() && RULE_FILE.test(name) && !RULE_TEST_FILE.test(name)) out.push(full);
  }
}

/** The rule files under the given paths: directories searched, files taken as named; sorted, each once. */
export async function findRuleFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const empty: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      throw ioError(path, err);
    }
    if (info.isFile()) {
      out.push(path);
      continue;
    }
    const found: string[] = [];
    try {
      await walk(path, new Set(), found);
    } catch (err) {
      throw ioError(path, err);
    }
    if (found.length === 0) empty.push(path);
    out.push(...found.sort());
  }
  if (empty.length > 0) {
    throw new RulesInvalidError(empty.map((file) => ({ file, line: 1, column: 1, path: '', message: 'no rule files here (*.yaml or *.yml; *.test.yaml files are rule tests)' })));
  }
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const file of out) {
    const real = await realpath(file);
    if (!seen.has(real)) unique.push(file);
    seen.add(real);
  }
  return unique;
}

/**
 * Loads, validates and compiles the rules at `path` (a directory or a file; several paths form one
 * ruleset). Throws RulesInvalidError with every problem found, or a GR_ERR_RULES_IO error.
 */
export async function loadRules(path: string | readonly string[]): Promise<Ruleset> {
  const files = await findRuleFiles(typeof path === 'string' ? [path] : path);
  const texts = await Promise.all(
    files.map(async (file) => {
      try {
        return { file, text: (await readFile(file, 'utf8')).replace(/^\uFEFF/, '') };
      } catch (err) {
        throw ioError(file, err);
      }
    }),
  );
  return compileRuleFiles(texts);
}
