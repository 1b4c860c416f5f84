/*
 * The push of critical detections to Alertmanager, against a real Alertmanager (Debian's
 * prometheus-alertmanager, started here on a free port): the alert arrives with the labels the
 * routing and inhibitions use and the subject in its annotations, and is counted as executed; a
 * push to a closed port is retried with backoff, counted as failed per attempt, given up, and never
 * holds the caller.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertPusher, detectionAlert, isPushed, type PublishedDetection, type PushOutcome } from '../../src/actions/index.js';
import { Alertmanager, alertmanagerBinary } from '../deploy/alertmanager-harness.js';
import { waitFor } from '../deploy/prometheus-harness.js';
import { SKIP_PROMTOOL } from '../deploy/tools.js';
import { freePort } from '../state/redis-helpers.js';

function detection(over: Partial<PublishedDetection> = {}): PublishedDetection {
  const detectedAt = new Date().toISOString();
  return {
    id: `det-${Math.random().toString(16).slice(2, 14)}`,
    time: new Date(Date.now() - 2_000).toISOString(),
    detectedAt,
    rule: { id: 'token-travel', kind: 'geo', severity: 'critical' },
    mode: 'enforce',
    subject: { agentId: 'agent-7', principalId: 'u-alice', tokenId: 'tok-9', sessionId: null },
    groupKey: { 'token.id': 'tok-9' },
    actions: ['revoke_token', 'quarantine_agent', 'alert'],
    reason: 'token tok-9 used in Paris and Tokyo 4 minutes apart (9,700 km, 145,000 km/h)',
    evidence: {},
    eventIds: ['e-1', 'e-2'],
    suppressed: 0,
    ...over,
  };
}

function counter() {
  const counts: Record<PushOutcome, number> = { executed: 0, failed: 0 };
  return { counts, count: (outcome: PushOutcome, n: number) => void (counts[outcome] += n) };
}

const quiet = pino({ level: 'silent' });

describe('the alert of a detection', () => {
  it('is pushed for critical detections with the alert action only', () => {
    expect(isPushed(detection())).toBe(true);
    expect(isPushed(detection({ rule: { id: 'r', kind: 'rate', severity: 'high' } }))).toBe(false);
    expect(isPushed(detection({ actions: ['revoke_token'] }))).toBe(false);
    expect(isPushed(detection({ mode: 'shadow' }))).toBe(true);
  });

  it('lasts the rule’s cooldown, one hour without one, and says what was taken and held', () => {
    const d = detection({ actions: ['alert'], held: ['revoke_token', 'quarantine_agent'] });
    const a = detectionAlert(d, 15 * 60_000);
    expect(Date.parse(a.endsAt) - Date.parse(a.startsAt)).toBe(15 * 60_000);
    expect(Date.parse(detectionAlert(d, 0).endsAt) - Date.parse(d.detectedAt)).toBe(3_600_000);
    expect(a.annotations.description).toBe(`${d.reason}. Actions taken: alert. Held by the revocation budget: revoke_token, quarantine_agent.`);
    expect(detectionAlert(detection({ mode: 'shadow' }), 0).annotations.description).toContain('Shadow mode: would have taken revoke_token, quarantine_agent, alert.');
    expect(a.annotations).not.toHaveProperty('session_id');
  });

  it('keeps the first 2 K characters of a reason that quotes a huge value', () => {
    const reason = `first use of device "${'d'.repeat(300_000)}" in 30d`;
    const a = detectionAlert(detection({ reason }), 0);
    expect(a.annotations.description).toBe(`${reason.slice(0, 2048)}… (${reason.length} characters). Actions taken: revoke_token, quarantine_agent, alert.`);
  });
});

describe.skipIf(SKIP_PROMTOOL && !alertmanagerBinary())('pushing to Alertmanager', () => {
  let dir: string;
  let am: Alertmanager;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guardrail-am-'));
    am = await Alertmanager.start(dir);
  });

  afterAll(async () => {
    await am?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers the alert with its labels, annotations and times, and counts it executed', async () => {
    const { counts, count } = counter();
    const pusher = new AlertPusher({ url: am.url, log: quiet, count });
    const d = detection();
    const shadow = detection({ mode: 'shadow', rule: { id: 'admin-dry-run', kind: 'match', severity: 'critical' } });
    const sent = detectionAlert(d, 3_600_000);
    pusher.push([sent, detectionAlert(shadow, 3_600_000)]);
    const got = await waitFor('the alert in Alertmanager', async () => (await am.alerts()).find((a) => a.labels.detection_id === d.id), 15_000, 100);
    expect(got.labels).toEqual({
      alertname: 'GuardrailCriticalDetection',
      severity: 'critical',
      service: 'guardrail',
      category: 'detection',
      rule: 'token-travel',
      kind: 'geo',
      mode: 'enforce',
      agent_id: 'agent-7',
      detection_id: d.id,
    });
    expect(got.annotations).toEqual({
      summary: 'Critical detection: token-travel on agent agent-7',
      description: `${d.reason}. Actions taken: revoke_token, quarantine_agent, alert.`,
      principal_id: 'u-alice',
      token_id: 'tok-9',
      event_time: d.time,
      detected_at: d.detectedAt,
      runbook_url: 'docs/operations.md#guardrailcriticaldetection',
    });
    expect(Date.parse(got.startsAt)).toBe(Date.parse(d.detectedAt));
    expect(Date.parse(got.endsAt)).toBe(Date.parse(sent.endsAt));
    expect(got.status.state).toBe('active');
    await waitFor('the push to be counted', async () => (counts.executed === 1 ? true : undefined), 5_000, 50);
    await pusher.close();
    // The shadow-mode alert arrived too (it routes to tickets), but only enforce-mode alerts count as executed.
    expect((await am.alerts()).some((a) => a.labels.detection_id === shadow.id && a.labels.mode === 'shadow')).toBe(true);
    expect(counts).toEqual({ executed: 1, failed: 0 });
  });

  it('re-sending the same detection (a redelivered batch) leaves one alert', async () => {
    const { count } = counter();
    const pusher = new AlertPusher({ url: am.url, log: quiet, count });
    const d = detection();
    pusher.push([detectionAlert(d, 60_000)]);
    pusher.push([detectionAlert(d, 60_000)]);
    await pusher.close();
    expect((await am.alerts()).filter((a) => a.labels.detection_id === d.id)).toHaveLength(1);
  });
});

describe('pushing to an Alertmanager that is not there', () => {
  it('retries with backoff without holding the caller, counts each failed attempt, then gives up', async () => {
    const port = await freePort();
    const { counts, count } = counter();
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const pusher = new AlertPusher({ url: `http://127.0.0.1:${port}`, log, count, backoffMs: 50, maxAttempts: 3 });
    // push() queues and returns: the attempts happen in the background.
    pusher.push([detectionAlert(detection(), 60_000), detectionAlert(detection(), 60_000)]);
    expect(pusher.pending).toBe(2);
    expect(counts.failed).toBe(0);
    await waitFor('the alerts to be given up', async () => (pusher.pending === 0 && counts.failed === 6 ? true : undefined), 10_000, 20);
    await pusher.close();
    // Two alerts, three attempts each.
    expect(counts).toEqual({ executed: 0, failed: 6 });
    expect(lines.some((l) => l.includes('given up after repeated push failures'))).toBe(true);
  });

  it('gives up what is queued when closed, counting it as failed', async () => {
    const port = await freePort();
    const { counts, count } = counter();
    const pusher = new AlertPusher({ url: `http://127.0.0.1:${port}`, log: quiet, count, backoffMs: 60_000 });
    pusher.push([detectionAlert(detection(), 60_000)]);
    await waitFor('a first failed attempt', async () => (counts.failed === 1 ? true : undefined), 5_000, 20);
    await pusher.close(100);
    expect(counts).toEqual({ executed: 0, failed: 2 });
    expect(pusher.pending).toBe(0);
  });
});
