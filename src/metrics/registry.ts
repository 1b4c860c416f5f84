/*
 * The processor's Prometheus metrics (names and labels are a contract: shared DESIGN.md, "Metrics").
 * The prom-client Registry is passed in, never a module-level singleton. Labels never carry agent,
 * user or token ids.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type EventOutcome = 'processed' | 'invalid' | 'duplicate' | 'late' | 'fail_open';
export type ActionOutcome = 'executed' | 'held' | 'shadow' | 'failed';

export interface Metrics {
  readonly registry: Registry;
  readonly events: Counter<'outcome'>;
  readonly detections: Counter<'rule' | 'kind' | 'severity' | 'mode'>;
  readonly actions: Counter<'action' | 'outcome'>;
  readonly detectionDelay: Histogram<string>;
  readonly batchDuration: Histogram<string>;
  readonly storeDuration: Histogram<'op'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly rulesLoaded: Gauge<string>;
  readonly rulesReload: Counter<'outcome'>;
  readonly storeUp: Gauge<string>;
}

export interface MetricsOptions {
  registry?: Registry;
  /** Node.js process metrics (CPU, memory, event loop lag). Default true. */
  defaults?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = options.registry ?? new Registry();
  if (options.defaults ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const events = new Counter({
    name: 'guardrail_events_total',
    help: 'Events consumed, by outcome: processed, invalid (sent to the dead-letter topic), duplicate, late, fail_open (stateless checks only while the state store was down).',
    labelNames: ['outcome'] as const,
    registers,
  });
  for (const outcome of ['processed', 'invalid', 'duplicate', 'late', 'fail_open'] satisfies EventOutcome[]) events.inc({ outcome }, 0);
  return {
    registry,
    events,
    detections: new Counter({
      name: 'guardrail_detections_total',
      help: 'Detections published, by rule, kind, severity and mode (enforce or shadow).',
      labelNames: ['rule', 'kind', 'severity', 'mode'] as const,
      registers,
    }),
    actions: new Counter({
      name: 'guardrail_actions_total',
      help: 'Actions of detections, by action and outcome: executed, held (revocation budget), shadow (not taken), failed.',
      labelNames: ['action', 'outcome'] as const,
      registers,
    }),
    detectionDelay: new Histogram({
      name: 'guardrail_detection_delay_seconds',
      help: 'Detection time minus the event time of the event that triggered it.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'guardrail_batch_duration_seconds',
      help: 'Time to process one batch of one partition: decode, rules, state, actions, publish, commit.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    storeDuration: new Histogram({
      name: 'guardrail_store_duration_seconds',
      help: 'State store round trips, by operation.',
      labelNames: ['op'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'guardrail_consumer_lag',
      help: 'Messages in the partition after the last committed offset, as of the last batch.',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    rulesLoaded: new Gauge({ name: 'guardrail_rules_loaded', help: 'Rules in the ruleset in use.', registers }),
    rulesReload: new Counter({
      name: 'guardrail_rules_reload_total',
      help: 'Rule loads and reloads, by outcome: success, or failure (the last good rules stay in use).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    storeUp: new Gauge({ name: 'guardrail_store_up', help: '1 when the state store connection is up, else 0.', registers }),
  };
}
