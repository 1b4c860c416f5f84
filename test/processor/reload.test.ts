/*
 * Hot reload of the rules directory while `guardrail run` consumes: a ConfigMap-style swap of the
 * `..data` symlink applies without a restart or a lost event; an invalid edit keeps the last good
 * rules, and both outcomes are counted in guardrail_rules_reload_total.
 */
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Processor } from '../../src/kafka/index.js';
import type { WindowRule } from '../../src/rules/index.js';
import { BROKERS, event, produce, sleep, startWithReader, testNames, waitCommitted, type Harness, type TopicReader } from './helpers.js';

const T0 = Date.parse('2026-11-03T09:00:00Z');
const n = testNames('reload');

const rules = (threshold: number | string) => `rules:
  - id: delete-burst
    kind: rate
    severity: critical
    match: { action: [delete] }
    window: 1m
    threshold: { count: ${threshold} }
    actions: [revoke_token, alert]
    cooldown: 1h
`;

/** Writes a new version the way the kubelet updates a ConfigMap volume: a new dir, then an atomic swap of ..data. */
async function publishVersion(dir: string, version: string, text: string): Promise<void> {
  await mkdir(join(dir, version));
  await writeFile(join(dir, version, 'rules.yaml'), text);
  await symlink(version, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
}

const deletes = (agent: string, count: number, from: number) =>
  Array.from({ length: count }, (_, i) => event({ id: `${agent}-${i}`, timeMs: from + i * 1000, agent, action: 'delete' }));

async function reloads(p: Processor, outcome: 'success' | 'failure'): Promise<number> {
  const text = await p.metrics.registry.getSingleMetricAsString('guardrail_rules_reload_total');
  return Number(new RegExp(`outcome="${outcome}"} (\\d+)`).exec(text)?.[1] ?? 0);
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe.skipIf(!BROKERS)('guardrail run: hot reload of the rules', () => {
  let dir: string;
  let harness: Harness;
  let processor: Processor;
  let reader: TopicReader;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guardrail-reload-'));
    await publishVersion(dir, '..2026_11_03_v1', rules(100));
    await symlink('..data/rules.yaml', join(dir, 'rules.yaml'));
    harness = await startWithReader(n, [n.revocations], { GUARDRAIL_RULES: dir, GUARDRAIL_RULES_POLL_INTERVAL: '300ms', GUARDRAIL_LOG_LEVEL: 'fatal' });
    ({ processor, reader } = harness);
  });

  afterAll(async () => {
    await harness?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a swapped ConfigMap without a restart, and keeps the last good rules when an edit is invalid', async () => {
    const revoked = () => new Set(reader.json<{ agentId: string }>(n.revocations).map((m) => m.agentId));
    expect(await reloads(processor, 'success')).toBe(1);
    // Every rule's series exist at 0 from the first load, and the gauges beside them.
    const metric = (name: string) => processor.metrics.registry.getSingleMetricAsString(name);
    expect(await metric('guardrail_detections_total')).toContain('guardrail_detections_total{rule="delete-burst",kind="rate",severity="critical",mode="enforce"} 0');
    expect(await metric('guardrail_detections_suppressed_total')).toContain('guardrail_detections_suppressed_total{rule="delete-burst"} 0');
    expect(await metric('guardrail_rules_last_reload_successful')).toContain('guardrail_rules_last_reload_successful 1');
    expect(await metric('guardrail_revocation_budget_per_minute')).toContain('guardrail_revocation_budget_per_minute 100');

    // v1: 30 deletes a minute are under the ceiling of 100.
    await produce(n.events, deletes('a-1', 30, T0));
    await waitCommitted(n.group, n.events);
    expect(revoked().has('a-1')).toBe(false);

    // v2 swapped in while events keep arriving: the ceiling drops to 20.
    const during = produce(n.events, deletes('a-mid', 10, T0));
    await publishVersion(dir, '..2026_11_03_v2', rules(20));
    await until(async () => (await reloads(processor, 'success')) === 2, 'the reload');
    await during;
    expect((processor.rules.rules[0] as WindowRule).threshold.count).toBe(20);
    await produce(n.events, deletes('a-2', 30, T0));
    await reader.waitFor(() => revoked().has('a-2'), 'the revocation under the new rules');

    // v3 does not validate: counted, logged, and the v2 rules stay in force.
    await publishVersion(dir, '..2026_11_03_v3', rules('"lots"'));
    await until(async () => (await reloads(processor, 'failure')) === 1, 'the failed reload');
    expect((processor.rules.rules[0] as WindowRule).threshold.count).toBe(20);
    expect(await metric('guardrail_rules_last_reload_successful')).toContain('guardrail_rules_last_reload_successful 0');
    await produce(n.events, deletes('a-3', 30, T0));
    await reader.waitFor(() => revoked().has('a-3'), 'the revocation under the kept rules');
    await waitCommitted(n.group, n.events);

    // Not one event lost across the reloads.
    const events = await processor.metrics.registry.getSingleMetricAsString('guardrail_events_total');
    expect(events).toContain('guardrail_events_total{outcome="processed"} 100');
    expect(await reloads(processor, 'success')).toBe(2);
    expect(revoked()).toEqual(new Set(['a-2', 'a-3']));
    // a-2 and a-3 each: the 21st delete fires, the 9 after it fall in the 1h cooldown.
    expect(await metric('guardrail_detections_suppressed_total')).toContain('guardrail_detections_suppressed_total{rule="delete-burst"} 18');
  });
});
