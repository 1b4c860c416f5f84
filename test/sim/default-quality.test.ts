/*
 * The default rules on labelled traffic, end to end: the project's simulator, and the held-out
 * generator (test/holdout, written without sight of the rules or the simulator). Every attack
 * restricted and no benign agent restricted; on the held-out traffic, one known gap stays visible:
 * a slow exfiltration by a heavy analytics agent (a day at several times its usual gigabytes, in
 * its usual number of transfers) is not always restricted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLines } from '../../src/cli/io.js';
import { scoredLines, simulatedLines } from '../../src/cli/quality.js';
import { runReplay } from '../../src/engine/index.js';
import { cooldownsOf, loadRules } from '../../src/rules/index.js';
import { QualityCollector, type QualityReport } from '../../src/sim/index.js';

const dir = mkdtempSync(join(tmpdir(), 'guardrail-quality-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function score(lines: AsyncIterable<string> | Iterable<string>, collector: QualityCollector): Promise<QualityReport> {
  const ruleset = await loadRules('rules');
  const replay = await runReplay({ ruleset, lines, onDetection: (d) => collector.addDetection(d) });
  expect(replay.invalid).toBe(0);
  return collector.report();
}

const summary = (r: QualityReport) =>
  Object.fromEntries(r.kinds.map((k) => [k.kind, `${k.restricted}/${k.attacks}`]));

describe('the default rules on labelled traffic', { timeout: 120_000 }, () => {
  it("restrict every attack of the simulator's traffic, and no benign agent", async () => {
    const collector = new QualityCollector({ cooldownMsOf: cooldownsOf(await loadRules('rules')) });
    const r = await score(simulatedLines({ days: 14, agents: 120, seed: 7 }, collector), collector);
    expect(r.falseRestrictions.list).toEqual([]);
    expect(r.kinds.length).toBe(8);
    for (const k of r.kinds) expect(`${k.kind} ${k.restricted}/${k.attacks}`).toBe(`${k.kind} ${k.attacks}/${k.attacks}`);
  });

  it('restrict the held-out traffic with no false restriction, every attack but one heavy agent slow exfiltration', async () => {
    const file = join(dir, 'holdout.jsonl');
    execFileSync(process.execPath, ['test/holdout/generate.mjs', '--seed', '2', '--days', '21', '--agents', '120', '--out', file], { stdio: 'pipe' });
    const collector = new QualityCollector({ cooldownMsOf: cooldownsOf(await loadRules('rules')) });
    const r = await score(scoredLines(readLines(file), collector), collector);
    expect(r.falseRestrictions.list).toEqual([]);
    expect(summary(r)).toEqual({
      offhours_exfil: '3/3',
      delete_loop: '3/3',
      token_replay: '3/3',
      scrape_flood: '3/3',
      bulk_export: '3/3',
      svc_offschedule: '3/3',
      slow_exfil: '2/3',
      new_agent_stolen: '3/3',
    });
    const missed = r.instances.filter((i) => !i.restricted);
    expect(missed.map((i) => [i.kind, i.profile])).toEqual([['slow_exfil', 'analytics-heavy']]);
  });
});
