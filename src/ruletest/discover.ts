/*
 * Finds rule test files: `*.test.yaml` / `*.test.yml` anywhere under the rules directory, beside
 * the rules they exercise. The rules loader skips these names.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRuleTests, type RuleTestCase } from './format.js';

export const RULE_TEST_FILE = /\.test\.ya?ml$/;

export async function findRuleTestFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (info.isFile()) return [path];
  const out: string[] = [];
  for (const name of (await readdir(path)).sort()) {
    if (name.startsWith('.')) continue;
    const full = join(path, name);
    const s = await stat(full);
    if (s.isDirectory()) out.push(...(await findRuleTestFiles(full)));
    else if (RULE_TEST_FILE.test(name)) out.push(full);
  }
  return out;
}

export async function loadRuleTests(files: readonly string[]): Promise<RuleTestCase[]> {
  const cases: RuleTestCase[] = [];
  for (const file of files) cases.push(...parseRuleTests(file, await readFile(file, 'utf8')));
  return cases;
}
