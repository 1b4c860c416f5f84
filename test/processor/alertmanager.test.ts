/*
 * `guardrail run` with GUARDRAIL_ALERTMANAGER_URL: a critical detection reaches a real Alertmanager
 * (started here) within seconds, with the subject, and counts as an executed alert; with the URL at
 * a closed port the batch still commits and its revocation is published, while the failed pushes
 * are counted as guardrail_actions_total{action="alert",outcome="failed"}.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Processor } from '../../src/kafka/index.js';
import { Alertmanager, alertmanagerBinary } from '../deploy/alertmanager-harness.js';
import { SKIP_PROMTOOL } from '../deploy/tools.js';
import { freePort } from '../state/redis-helpers.js';
import { BROKERS, TopicReader, cleanup, closeProducer, event, produce, startInProcess, testNames, until, waitCommitted } from './helpers.js';

const T0 = Date.parse('2026-11-08T10:00:00Z');

const deletes = (agent: string, count: number) => Array.from({ length: count }, (_, i) => event({ id: `${agent}-${i}`, timeMs: T0 + i * 1000, agent, action: 'delete' }));

async function alertCount(p: Processor, outcome: string): Promise<number> {
  const text = await p.metrics.registry.getSingleMetricAsString('guardrail_actions_total');
  return Number(new RegExp(`action="alert",outcome="${outcome}"} (\\d+)`).exec(text)?.[1] ?? NaN);
}

describe.skipIf(!BROKERS || (SKIP_PROMTOOL && !alertmanagerBinary()))('guardrail run: critical detections pushed to Alertmanager', () => {
  afterAll(async () => {
    await closeProducer();
  });

  describe('with Alertmanager up', () => {
    const n = testNames('am-push');
    let dir: string;
    let am: Alertmanager;
    let processor: Processor;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'guardrail-am-push-'));
      am = await Alertmanager.start(dir);
      processor = await startInProcess(n, { GUARDRAIL_ALERTMANAGER_URL: am.url });
    });

    afterAll(async () => {
      await processor?.stop();
      await am?.stop();
      await cleanup(n);
      await rm(dir, { recursive: true, force: true });
    });

    it('pushes the critical detection with its subject, and counts it executed once accepted', async () => {
      // 25 deletes: delete-burst (critical, alert) fires once; an admin action: admin-dry-run is high, not pushed.
      await produce(n.events, [...deletes('a-am', 25), event({ id: 'adm-1', timeMs: T0, agent: 'a-admin', action: 'admin' })]);
      const alert = await (async () => {
        for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
          const found = (await am.alerts()).find((a) => a.labels.agent_id === 'a-am');
          if (found) return found;
        }
        throw new Error(`no alert reached Alertmanager:\n${am.tail()}`);
      })();
      expect(alert.labels).toMatchObject({ alertname: 'GuardrailCriticalDetection', severity: 'critical', service: 'guardrail', category: 'detection', rule: 'delete-burst', kind: 'rate', mode: 'enforce' });
      expect(alert.labels.detection_id).toMatch(/^det-/);
      expect(alert.annotations).toMatchObject({ summary: 'Critical detection: delete-burst on agent a-am', principal_id: 'u-a-am', token_id: 'tok-a-am' });
      expect(alert.annotations.description).toContain('Actions taken: revoke_token, require_approval, alert.');
      // Cooldown 1h: the alert resolves by itself an hour after the detection.
      expect(Date.parse(alert.endsAt) - Date.parse(alert.startsAt)).toBe(3_600_000);
      await until(async () => (await alertCount(processor, 'executed')) === 1, 'the push to be counted');
      await waitCommitted(n.group, n.events);
      expect((await am.alerts()).map((a) => a.labels.agent_id)).toEqual(['a-am']);
      expect(await alertCount(processor, 'failed')).toBe(0);
      // The shadow-mode rule's would-be alert is counted as shadow, as before.
      expect(await processor.metrics.registry.getSingleMetricAsString('guardrail_actions_total')).toContain('guardrail_actions_total{action="alert",outcome="shadow"} 1');
    });
  });

  describe('with nothing listening at the URL', () => {
    const n = testNames('am-down');
    let processor: Processor;
    let reader: TopicReader;

    beforeAll(async () => {
      processor = await startInProcess(n, { GUARDRAIL_ALERTMANAGER_URL: `http://127.0.0.1:${await freePort()}` });
      reader = new TopicReader([n.revocations]);
      await reader.start();
    });

    afterAll(async () => {
      await processor?.stop();
      await reader?.close();
      await cleanup(n);
    });

    it('commits and revokes all the same, and counts the failed pushes', async () => {
      await produce(n.events, deletes('a-down', 25));
      await waitCommitted(n.group, n.events);
      await reader.waitFor(() => reader.json(n.revocations).length === 1, 'the revocation');
      await until(async () => (await alertCount(processor, 'failed')) >= 2, 'failed pushes (a first attempt and a retry)');
      expect(await alertCount(processor, 'executed')).toBe(0);
    });
  });
});
