import { describe, expect, it } from 'vitest';
import { decodeEvent, decodeEventObject, redactCredentials, type DecodeResult } from '../../src/events/index.js';
import { fakes, full } from './fixtures.js';
import { rng } from '../rng.js';

function expectWellFormed(r: DecodeResult): void {
  if (r.ok) {
    expect(Number.isFinite(r.value.timeMs)).toBe(true);
  } else {
    expect(typeof r.reason).toBe('string');
    expect(r.reason.length).toBeGreaterThan(0);
    expect(r.reason.length).toBeLessThan(400);
  }
}

const ALPHABET = '{}[]":,0123456789-+.eE truefalsnl\\u"abcxyz\n\t';

describe('the decoder never throws', () => {
  it('on random bytes', () => {
    const next = rng(1);
    for (let i = 0; i < 3000; i++) {
      const bytes = new Uint8Array(Math.floor(next() * 200));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(next() * 256);
      expectWellFormed(decodeEvent(bytes));
    }
  });

  it('on random JSON-ish text', () => {
    const next = rng(2);
    for (let i = 0; i < 3000; i++) {
      let s = '';
      const n = Math.floor(next() * 120);
      for (let j = 0; j < n; j++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
      expectWellFormed(decodeEvent(s));
    }
  });

  it('on mutations of a valid event', () => {
    const next = rng(3);
    const text = JSON.stringify({ ...full(), labels: { auth: fakes.jwt } });
    for (let i = 0; i < 5000; i++) {
      const chars = [...text];
      const edits = 1 + Math.floor(next() * 4);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(next() * chars.length);
        const op = next();
        if (op < 0.33) chars.splice(at, 1);
        else if (op < 0.66) chars.splice(at, 0, ALPHABET[Math.floor(next() * ALPHABET.length)] ?? '');
        else chars[at] = String.fromCharCode(Math.floor(next() * 0x3000));
      }
      expectWellFormed(decodeEvent(chars.join('')));
    }
  });

  it('on random JSON values of every shape', () => {
    const next = rng(4);
    const value = (depth: number): unknown => {
      const r = next();
      if (depth > 6 || r < 0.3) {
        const leaves = ['', 'x', 'DE', '2026-10-20T07:07:12Z', fakes.awsKeyId, 0, -1, 1.5, 1e308, true, false, null];
        return leaves[Math.floor(next() * leaves.length)];
      }
      if (r < 0.5) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
      const keys = ['id', 'time', 'agent', 'token', 'action', 'resource', 'source', 'volume', 'labels', 'principal', 'password', 'x'];
      const o: Record<string, unknown> = {};
      for (let k = Math.floor(next() * 6); k > 0; k--) o[keys[Math.floor(next() * keys.length)] ?? 'x'] = value(depth + 1);
      return o;
    };
    for (let i = 0; i < 3000; i++) {
      const v = value(0);
      expectWellFormed(decodeEventObject(v));
      expectWellFormed(decodeEvent(JSON.stringify(v) ?? ''));
    }
  });

  it('on very deep nesting, valid and broken', () => {
    for (const depth of [33, 1_000, 100_000]) {
      expectWellFormed(decodeEvent(`{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`));
      expectWellFormed(decodeEvent(`{"x":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`));
      expectWellFormed(decodeEvent('['.repeat(depth)));
      expectWellFormed(decodeEvent(`${'{"a":'.repeat(depth)}`));
    }
  });

  it('on inputs of the wrong type from untyped callers', () => {
    for (const v of [undefined, null, 42, {}, [], Symbol('x'), () => 1]) {
      expectWellFormed(decodeEvent(v as unknown as string));
      expectWellFormed(decodeEventObject(v));
    }
  });

  it('redactCredentials copes with the same random values', () => {
    const next = rng(5);
    for (let i = 0; i < 500; i++) {
      const s = Array.from({ length: 40 }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join('');
      expect(() => redactCredentials({ s, nested: [s, { [s]: s }] })).not.toThrow();
    }
  });
});
