/*
 * Every error code the code can raise has its row in docs/errors.md, and every row there names a
 * code the code has: operators and alert rules look codes up there.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

describe('error codes', () => {
  it('are documented in docs/errors.md, one row each, and none documented that the code lacks', async () => {
    const source = await readFile('src/errors/index.ts', 'utf8');
    const union = source.slice(source.indexOf('export type ErrorCode'), source.indexOf(';', source.indexOf('export type ErrorCode')));
    const codes = [...union.matchAll(/'(GR_ERR_[A-Z_]+)'/g)].map((m) => m[1]!).sort();
    expect(codes.length).toBeGreaterThan(5);
    const doc = await readFile('docs/errors.md', 'utf8');
    const rows = [...doc.matchAll(/^\| `(GR_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]!).sort();
    expect(rows).toEqual(codes);
  });
});
