/*
 * The Lua scripts: found from src and from dist (tsc copies no .lua files), named by their key
 * count, and each opening with the comment that documents its KEYS, ARGV and reply.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findLuaDir, MARK_SEEN_SCRIPT, SCRIPTS } from '../../src/state/redis/scripts.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const srcLua = join(root, 'src', 'state', 'redis', 'lua');

describe('redis store scripts', () => {
  it('are found beside the module in src, and through the package root from dist', () => {
    expect(findLuaDir(join(root, 'src', 'state', 'redis'))).toBe(srcLua);
    expect(findLuaDir(join(root, 'dist', 'state', 'redis'))).toBe(srcLua);
  });

  it('are named <what>-<keys>.lua and document KEYS, ARGV and the reply up front', () => {
    for (const [type, def] of Object.entries(SCRIPTS)) {
      expect(def.file).toBe(`${type}-${def.keys}.lua`);
      const text = readFileSync(join(srcLua, def.file), 'utf8');
      const header = text.slice(0, text.indexOf(']]'));
      expect(text.startsWith('--[[')).toBe(true);
      for (let k = 1; k <= def.keys; k++) expect(header, `${def.file} KEYS[${k}]`).toContain(`KEYS[${k}]`);
      expect(header).toContain('ARGV');
      expect(header).toContain('Returns');
      expect(header).not.toContain(`KEYS[${def.keys + 1}]`);
    }
  });

  it('name the stream-level dedup script by its variable key count, n', () => {
    expect(MARK_SEEN_SCRIPT.file).toBe('mark-seen-n.lua');
    const text = readFileSync(join(srcLua, MARK_SEEN_SCRIPT.file), 'utf8');
    const header = text.slice(0, text.indexOf(']]'));
    expect(text.startsWith('--[[')).toBe(true);
    for (const part of ['KEYS[1..n]', 'ARGV', 'Returns']) expect(header).toContain(part);
  });
});
