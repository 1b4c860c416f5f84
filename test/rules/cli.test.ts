/* `guardrail validate` and `guardrail schema`: exit status and output, called as the dispatcher calls them. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaCommand } from '../../src/cli/schema.js';
import { validateCommand } from '../../src/cli/validate.js';
import { UsageError } from '../../src/errors/index.js';
import { eventJsonSchema } from '../../src/events/index.js';
import { ruleFileJsonSchema } from '../../src/rules/index.js';
import { FIXTURES, capture, problemsOf } from './helpers.js';

describe('guardrail validate', () => {
  it('prints ok with the counts and exits 0 on good rules', async () => {
    const run = await capture(() => validateCommand([`${FIXTURES}/valid/design-example.yaml`]));
    expect(run).toEqual({ status: 0, stdout: 'ok: 7 rules in 1 file\n', stderr: '' });
  });

  it('validates several paths as one ruleset', async () => {
    const run = await capture(() => validateCommand([`${FIXTURES}/valid/design-example.yaml`, `${FIXTURES}/valid/defaults.yaml`]));
    expect(run).toEqual({ status: 0, stdout: 'ok: 14 rules in 2 files\n', stderr: '' });
  });

  it('reads ./rules by default, and the shipped rules validate', async () => {
    const run = await capture(() => validateCommand([]));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^ok: \d+ rules in \d+ files\n$/);
  });

  it('prints every located problem on stderr and exits 1', async () => {
    const dir = `${FIXTURES}/several-mistakes`;
    const run = await capture(() => validateCommand([dir]));
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe((await problemsOf(dir)).map((l) => `${l}\n`).join(''));
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(7);
  });

  it('says when a path cannot be read and exits 1', async () => {
    const run = await capture(() => validateCommand(['no/such/rules']));
    expect(run).toEqual({ status: 1, stdout: '', stderr: 'cannot read rules at no/such/rules: no such file or directory\n' });
  });
});

describe('guardrail schema', () => {
  it('prints the rule file schema', async () => {
    const run = await capture(() => schemaCommand(['rules']));
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(ruleFileJsonSchema);
  });

  it('prints the event schema', async () => {
    const run = await capture(() => schemaCommand(['event']));
    expect(JSON.parse(run.stdout)).toEqual(eventJsonSchema);
  });

  it('writes to a file with --out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'guardrail-schema-'));
    try {
      const run = await capture(() => schemaCommand(['rules', '--out', join(dir, 'rules.schema.json')]));
      expect(run).toEqual({ status: 0, stdout: '', stderr: '' });
      expect(await readFile(join(dir, 'rules.schema.json'), 'utf8')).toBe(await readFile('schemas/rules.schema.json', 'utf8'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown schema name as a usage error', async () => {
    await expect(schemaCommand(['rule'])).rejects.toBeInstanceOf(UsageError);
    await expect(schemaCommand([])).rejects.toBeInstanceOf(UsageError);
  });
});
