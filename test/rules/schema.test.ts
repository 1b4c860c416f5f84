/* The published rule file schema: generated, committed without drift, strict and documented everywhere. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderRulesSchema, ruleFileJsonSchema } from '../../src/rules/index.js';

type Schema = Record<string, unknown>;

/** Every subschema that describes an instance (not the `if` tests, which only select a kind). */
function* schemas(s: unknown, where = '#'): Generator<[string, Schema]> {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return;
  const schema = s as Schema;
  yield [where, schema];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'if' || key === 'then') continue;
    if (key === 'properties') for (const [p, sub] of Object.entries(value as Schema)) yield* schemas(sub, `${where}/properties/${p}`);
    else if (key === 'anyOf' || key === 'allOf') for (const [i, sub] of (value as unknown[]).entries()) yield* schemas(sub, `${where}/${key}/${i}`);
    else if (key === 'items' || key === 'additionalProperties') yield* schemas(value, `${where}/${key}`);
  }
}

describe('rules.schema.json', () => {
  it('is exactly what the code generates (run `guardrail schema rules --out schemas/rules.schema.json` after a change)', async () => {
    expect(await readFile('schemas/rules.schema.json', 'utf8')).toBe(renderRulesSchema());
  });

  it('is draft-07, which yaml-language-server understands', () => {
    expect(ruleFileJsonSchema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('describes every property, for editors', () => {
    const undocumented: string[] = [];
    for (const [where, s] of schemas(ruleFileJsonSchema)) {
      if (where.includes('/properties/') && typeof s['description'] !== 'string') undocumented.push(where);
    }
    expect(undocumented).toEqual([]);
  });

  it('allows no unknown keys in any mapping with fixed keys', () => {
    const open: string[] = [];
    for (const [where, s] of schemas(ruleFileJsonSchema)) {
      if (s['properties'] !== undefined && s['additionalProperties'] !== false && typeof s['additionalProperties'] !== 'object') open.push(where);
    }
    expect(open).toEqual([]);
  });

  it('marks keys of other kinds as not allowed, per kind', () => {
    const rule = ((ruleFileJsonSchema['properties'] as Schema)['rules'] as Schema)['items'] as Schema;
    const geo = (rule['allOf'] as Schema[]).find((c) => JSON.stringify(c['if']).includes('"const":"geo"') && !JSON.stringify(c['if']).includes('check'))!;
    expect(geo['then']).toMatchObject({ properties: { window: false, allOf: false, timezone: false }, required: ['check'] });
  });
});
