/*
 * The rules watcher on its own: a file saved in place (truncated, then written) is never applied
 * half-written, however the polls fall; a ConfigMap-style change still applies.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { RulesWatcher, SETTLE_MS } from '../../src/config/rules-watcher.js';

const dir = mkdtempSync(join(tmpdir(), 'guardrail-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rule = (id: string, count: number) => `  - id: ${id}\n    kind: rate\n    window: 1m\n    threshold: { count: ${count} }\n    actions: [alert]\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RulesWatcher', () => {
  it('never applies a file caught between its truncation and its new text', async () => {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, `rules:\n${rule('a', 10)}${rule('b', 10)}`);
    const applied: number[] = [];
    const outcomes: string[] = [];
    const watcher = new RulesWatcher({ path: dir, pollIntervalMs: 20, log: pino({ level: 'silent' }), onRules: (r) => void applied.push(r.rules.length), onReload: (o) => void outcomes.push(o) });
    await watcher.start();
    try {
      await sleep(SETTLE_MS + 50);
      // Saved in place: truncated (an empty file is a valid one), and written 150 ms later.
      writeFileSync(file, '');
      await sleep(150);
      writeFileSync(file, `rules:\n${rule('a', 20)}${rule('b', 20)}${rule('c', 20)}`);
      const until = Date.now() + 5000;
      while (applied.length === 0 && Date.now() < until) await sleep(20);
      await sleep(100);
      expect(applied).toEqual([3]);
      expect(outcomes).toEqual(['success', 'success']);
      expect(watcher.rules!.rules.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    } finally {
      watcher.close();
    }
  });
});
