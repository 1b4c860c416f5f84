import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { READ_CHUNK_BYTES, readLineChunks, readLines } from '../../src/cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'guardrail-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function all(path: string): Promise<{ lines: string[]; chunks: number }> {
  const lines: string[] = [];
  let chunks = 0;
  for await (const chunk of readLineChunks(path)) {
    chunks++;
    lines.push(...chunk);
  }
  return { lines, chunks };
}

describe('readLineChunks', () => {
  it('splits at \\n, drops the \\r of \\r\\n, keeps empty lines (line numbers stay right) and a last line without a newline', async () => {
    const { lines } = await all(file('mixed.jsonl', '{"a":1}\r\n\n{"b":2}\n  \n{"c":3}'));
    expect(lines).toEqual(['{"a":1}', '', '{"b":2}', '  ', '{"c":3}']);
  });

  it('gives no line for an empty file or for the newline ending the last line', async () => {
    expect((await all(file('empty.jsonl', ''))).lines).toEqual([]);
    expect((await all(file('one.jsonl', 'x\n'))).lines).toEqual(['x']);
  });

  it('keeps a line and a multi-byte character whole across read chunks', async () => {
    // Put a four-byte character across the first read's end, and so a line across two reads.
    const first = 'a'.repeat(READ_CHUNK_BYTES - 2);
    const path = file('big.jsonl', `${first}😀tail\nnext\n`);
    const { lines } = await all(path);
    expect(lines).toEqual([`${first}😀tail`, 'next']);
  });

  it('keeps a line longer than two reads whole, with its \\r\\n across a read boundary', async () => {
    // "first\n" is 6 bytes: the \r is the last byte of the third read, its \n the first of the fourth.
    const long = 'b'.repeat(READ_CHUNK_BYTES * 3 - 7);
    const { lines } = await all(file('long.jsonl', `first\n${long}\r\nafter\n`));
    expect(lines).toEqual(['first', long, 'after']);
  });

  it('turns malformed UTF-8 into U+FFFD instead of failing the read', async () => {
    const path = file('bad.jsonl', Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\nok\n')]));
    const { lines } = await all(path);
    expect(lines).toEqual(['{"x":"\uFFFD("}', 'ok']);
  });

  it('gives many lines per chunk', async () => {
    const path = file('many.jsonl', Array.from({ length: 10_000 }, (_, i) => `{"i":${i}}`).join('\n') + '\n');
    const { lines, chunks } = await all(path);
    expect(lines).toHaveLength(10_000);
    expect(lines[9_999]).toBe('{"i":9999}');
    expect(chunks).toBeLessThan(10_000 / 50);
  });
});

describe('readLines', () => {
  it('gives the same lines one at a time', async () => {
    const got: string[] = [];
    for await (const line of readLines(file('lines.jsonl', 'a\r\nb\n\nc'))) got.push(line);
    expect(got).toEqual(['a', 'b', '', 'c']);
  });
});
