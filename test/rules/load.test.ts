/* Finding rule files: directories, Kubernetes ConfigMap mounts, single files, and what is not a rule file. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GuardrailError, RulesInvalidError } from '../../src/errors/index.js';
import { loadRules } from '../../src/rules/index.js';
import { problemsOf } from './helpers.js';

const rule = (id: string) => `rules:\n  - id: ${id}\n    kind: match\n    actions: [alert]\n`;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'guardrail-rules-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(path: string, text: string): Promise<void> {
  await mkdir(join(root, path, '..'), { recursive: true });
  await writeFile(join(root, path), text);
}

describe('loadRules', () => {
  it('reads *.yaml and *.yml recursively in sorted order, skipping hidden files, rule tests and other files', async () => {
    await put('b.yaml', rule('b'));
    await put('a.yml', rule('a'));
    await put('sub/c.yaml', rule('c'));
    await put('.hidden.yaml', 'not: [valid');
    await put('.git/config.yaml', 'not: [valid');
    await put('tests/a.test.yaml', 'tests: []\n');
    await put('README.md', '# rules');
    const ruleset = await loadRules(root);
    expect(ruleset.files).toEqual([join(root, 'a.yml'), join(root, 'b.yaml'), join(root, 'sub/c.yaml')]);
    expect(ruleset.rules.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('loads a Kubernetes ConfigMap mount once, through its ..data symlinks', async () => {
    // What the kubelet writes: a timestamped directory, ..data pointing at it, and one symlink per key.
    await put('..2026_11_28_13_00_00.000000001/exfil.yaml', rule('exfil'));
    await put('..2026_11_28_13_00_00.000000001/burst.yaml', rule('burst'));
    await symlink('..2026_11_28_13_00_00.000000001', join(root, '..data'));
    await symlink('..data/exfil.yaml', join(root, 'exfil.yaml'));
    await symlink('..data/burst.yaml', join(root, 'burst.yaml'));
    const ruleset = await loadRules(root);
    expect(ruleset.files).toEqual([join(root, 'burst.yaml'), join(root, 'exfil.yaml')]);
    expect(ruleset.rules.map((r) => r.id)).toEqual(['burst', 'exfil']);
    expect(ruleset.rules[0]!.source.file).toBe(join(root, 'burst.yaml'));
  });

  it('follows symlinked directories without looping', async () => {
    await put('team/a.yaml', rule('a'));
    await symlink(root, join(root, 'team', 'loop'));
    await symlink(join(root, 'team'), join(root, 'alias'));
    const ruleset = await loadRules(root);
    expect(ruleset.rules.map((r) => r.id)).toEqual(['a']);
  });

  it('takes a single file, whatever its name, and several paths as one ruleset', async () => {
    await put('one.rules', rule('one'));
    await put('dir/two.yaml', 'rules:\n  - { id: two, kind: composite, allOf: [one], actions: [alert] }\n');
    expect((await loadRules(join(root, 'one.rules'))).rules.map((r) => r.id)).toEqual(['one']);
    const ruleset = await loadRules([join(root, 'one.rules'), join(root, 'dir')]);
    expect(ruleset.rules.map((r) => r.id)).toEqual(['one', 'two']);
  });

  it('refuses an empty directory with a sentence', async () => {
    await put('tests/only.test.yaml', 'tests: []\n');
    expect(await problemsOf(root)).toEqual([`${root}:1:1: no rule files here (*.yaml or *.yml; *.test.yaml files are rule tests)`]);
  });

  it('reports a path that does not exist as an I/O error, not as invalid rules', async () => {
    const err = await loadRules(join(root, 'missing')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuardrailError);
    expect(err).not.toBeInstanceOf(RulesInvalidError);
    expect((err as GuardrailError).code).toBe('GR_ERR_RULES_IO');
    expect((err as GuardrailError).message).toBe(`cannot read rules at ${join(root, 'missing')}: no such file or directory`);
  });

  it('reports the problems of every file, in file order, before failing', async () => {
    await put('a.yaml', 'rules:\n  - id: a\n    kind: match\n    actions: [alrt]\n');
    await put('b.yaml', 'rules:\n  - id: b\n    kind: match\n    severity: hi\n    actions: [alert]\n');
    await put('c.yaml', rule('c'));
    expect(await problemsOf(root)).toEqual([
      `${join(root, 'a.yaml')}:4:15: rules[0].actions[0]: "alrt" is not an action (use revoke_token, quarantine_agent, require_approval, alert, signal)`,
      `${join(root, 'b.yaml')}:4:15: rules[0].severity: "hi" is not a severity (use info, low, medium, high, critical)`,
    ]);
  });

  it('does not guess at unknown rule ids while another file has a syntax error', async () => {
    await put('a.yaml', 'rules:\n  - id: a\n    kind: [match\n');
    await put('b.yaml', 'rules:\n  - { id: b, kind: composite, allOf: [a], actions: [alert] }\n');
    const problems = await problemsOf(root);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^.*a\.yaml:\d+:\d+: YAML syntax: /);
  });
});
