/*
 * The `alert` action's direct line to Alertmanager: each critical detection of a rule with the
 * `alert` action is pushed to its API (POST <url>/api/v2/alerts) once its batch is durable, so the
 * page carries the subject and does not wait for a Prometheus scrape. The push never holds up the
 * consumer: alerts go into a bounded queue that a background loop sends in batches, retrying with
 * backoff. Alert labels carry the agent and detection ids (Alertmanager labels, not Prometheus ones).
 */
import type { Logger } from 'pino';
import type { Detection } from '../engine/index.js';
import { clipText, type PublishedDetection } from './dispatch.js';

export const ALERT_NAME = 'GuardrailCriticalDetection';
export const ALERT_RUNBOOK = 'docs/operations.md#guardrailcriticaldetection';
/** endsAt of an alert whose rule has no cooldown: it resolves by itself after this. */
export const DEFAULT_ALERT_SPAN_MS = 3_600_000;

/** An alert as Alertmanager's v2 API takes it (postableAlert). */
export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

/** Detections that are pushed: critical, with the `alert` action (done, or in shadow mode would-be). */
export function isPushed(d: Pick<Detection, 'rule' | 'actions'>): boolean {
  return d.rule.severity === 'critical' && d.actions.includes('alert');
}

/** The alert of a detection (docs/operations.md, "The alert the processor pushes"). */
export function detectionAlert(d: PublishedDetection, cooldownMs: number): AlertmanagerAlert {
  const startsAt = d.detectedAt;
  const endsAt = new Date(Date.parse(d.detectedAt) + (cooldownMs > 0 ? cooldownMs : DEFAULT_ALERT_SPAN_MS)).toISOString();
  const taken = d.mode === 'shadow' ? `Shadow mode: would have taken ${d.actions.join(', ')}.` : `Actions taken: ${d.actions.join(', ') || 'none'}.`;
  const held = d.held && d.held.length > 0 ? ` Held by the revocation budget: ${d.held.join(', ')}.` : '';
  const annotations: Record<string, string> = {
    summary: `Critical detection: ${d.rule.id} on agent ${clipText(d.subject.agentId)}`,
    description: `${clipText(d.reason, 2048)}. ${taken}${held}`,
    token_id: d.subject.tokenId,
    event_time: d.time,
    detected_at: d.detectedAt,
    runbook_url: ALERT_RUNBOOK,
  };
  if (d.subject.principalId !== null) annotations.principal_id = d.subject.principalId;
  if (d.subject.sessionId !== null) annotations.session_id = d.subject.sessionId;
  return {
    labels: {
      alertname: ALERT_NAME,
      severity: d.rule.severity,
      service: 'guardrail',
      category: 'detection',
      rule: d.rule.id,
      kind: d.rule.kind,
      mode: d.mode,
      agent_id: d.subject.agentId,
      detection_id: d.id,
    },
    annotations,
    startsAt,
    endsAt,
  };
}

export type PushOutcome = 'executed' | 'failed';

export interface AlertPusherOptions {
  /** Base URL, without credentials or a trailing slash. */
  url: string;
  /** Value of the Authorization header, if any. */
  authorization?: string;
  log: Logger;
  /**
   * Counts alerts: `failed` for every alert of a request that failed (per attempt) or that was
   * dropped; `executed` for every enforce-mode alert Alertmanager accepted (shadow-mode alerts are
   * counted as `shadow` when dispatched).
   */
  count: (outcome: PushOutcome, alerts: number) => void;
  /** Alerts waiting at most; past it the oldest are dropped. Default 10,000. */
  maxQueue?: number;
  /** Alerts per request. Default 100. */
  maxBatch?: number;
  /** Per request. Default 5 s. */
  timeoutMs?: number;
  /** Attempts per alert before it is given up. Default 8 (about two minutes of backoff). */
  maxAttempts?: number;
  /** First backoff, doubling up to maxBackoffMs. Defaults 500 ms and 30 s. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

interface Queued {
  alert: AlertmanagerAlert;
  attempts: number;
}

type SendResult = 'accepted' | 'rejected' | 'retry';

export class AlertPusher {
  private readonly queue: Queued[] = [];
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private failures = 0;
  private inFlight = 0;
  private closed = false;
  private readonly endpoint: string;

  constructor(private readonly o: AlertPusherOptions) {
    this.endpoint = `${o.url}/api/v2/alerts`;
  }

  /** Alerts waiting or in flight. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Queues alerts and returns at once; the background loop sends them. */
  push(alerts: readonly AlertmanagerAlert[]): void {
    if (alerts.length === 0) return;
    if (this.closed) {
      this.drop(alerts.length, 'the processor is stopping');
      return;
    }
    for (const alert of alerts) this.queue.push({ alert, attempts: 0 });
    const max = this.o.maxQueue ?? 10_000;
    if (this.queue.length > max) this.drop(this.queue.splice(0, this.queue.length - max).length, 'the queue is full (Alertmanager unreachable for long?)');
    this.loop ??= this.run().finally(() => {
      this.loop = undefined;
    });
  }

  /** Sends what is queued for up to `flushMs`, then gives the rest up (counted as failed). */
  async close(flushMs = 5_000): Promise<void> {
    this.closed = true;
    if (this.loop) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, flushMs)));
      await Promise.race([this.loop, deadline]);
      clearTimeout(timer);
    }
    this.abort.abort();
    this.wake?.();
    await this.loop;
    if (this.queue.length > 0) this.drop(this.queue.splice(0).length, 'the processor stopped before Alertmanager took them');
  }

  private drop(n: number, why: string): void {
    this.o.count('failed', n);
    this.o.log.error({ alerts: n, url: this.o.url }, `${n} detection alerts not pushed to Alertmanager: ${why}`);
  }

  private async run(): Promise<void> {
    const maxBatch = this.o.maxBatch ?? 100;
    const maxAttempts = this.o.maxAttempts ?? 8;
    while (this.queue.length > 0 && !this.abort.signal.aborted) {
      const batch = this.queue.splice(0, maxBatch);
      this.inFlight = batch.length;
      const result = await this.send(batch.map((q) => q.alert)).finally(() => {
        this.inFlight = 0;
      });
      if (result === 'retry' && this.abort.signal.aborted) {
        // Cut short by close(): counted once, as dropped, by close().
        this.queue.unshift(...batch);
        return;
      }
      if (result === 'accepted') {
        this.failures = 0;
        this.o.count('executed', batch.filter((q) => q.alert.labels.mode !== 'shadow').length);
        continue;
      }
      this.o.count('failed', batch.length);
      if (result === 'rejected') continue;
      const again = batch.filter((q) => ++q.attempts < maxAttempts);
      if (again.length < batch.length) {
        this.o.log.error({ alerts: batch.length - again.length, attempts: maxAttempts, url: this.o.url }, 'detection alerts given up after repeated push failures; they are on the detections topic');
      }
      this.queue.unshift(...again);
      await this.sleep(Math.min(this.o.maxBackoffMs ?? 30_000, (this.o.backoffMs ?? 500) * 2 ** Math.min(this.failures++, 16)));
    }
  }

  private async send(alerts: AlertmanagerAlert[]): Promise<SendResult> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.o.authorization) headers.authorization = this.o.authorization;
    try {
      const res = await fetch(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(alerts),
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.o.timeoutMs ?? 5_000)]),
      });
      const text = await res.text().catch(() => '');
      if (res.ok) return 'accepted';
      // 4xx but a timeout or a rate limit: Alertmanager will not take these alerts as they are.
      const rejected = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
      this.o.log.warn({ status: res.status, body: text.slice(0, 300), alerts: alerts.length, url: this.o.url }, rejected ? 'Alertmanager rejected detection alerts' : 'pushing detection alerts to Alertmanager failed; retrying');
      return rejected ? 'rejected' : 'retry';
    } catch (err) {
      if (!this.abort.signal.aborted) this.o.log.warn({ err, alerts: alerts.length, url: this.o.url }, 'pushing detection alerts to Alertmanager failed; retrying');
      return 'retry';
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.abort.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
