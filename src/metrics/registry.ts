/*
 * The processor's Prometheus metrics (names and labels are a contract: shared DESIGN.md, "Metrics").
 * The prom-client Registry is passed in, never a module-level singleton. Labels never carry agent,
 * user or token ids.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type EventOutcome = 'processed' | 'invalid' | 'duplicate' | 'late' | 'fail_open';
export type ActionOutcome = 'executed' | 'held' | 'shadow' | 'failed';

/** The actions and outcomes whose series exist from start-up (at 0), so a first increase alerts. */
export const COUNTED_ACTIONS = ['revoke_token', 'quarantine_agent', 'require_approval', 'alert'] as const;
export const ACTION_OUTCOMES: readonly ActionOutcome[] = ['executed', 'held', 'shadow', 'failed'];

/** What the rule series are labelled with; one per loaded rule that can make a detection. */
export interface RuleLabels {
  rule: string;
  kind: string;
  severity: string;
  mode: 'enforce' | 'shadow';
}

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
  readonly rulesLastReloadSuccessful: Gauge<string>;
  readonly storeUp: Gauge<string>;
  /** Beyond DESIGN.md (docs/operations.md): firings held back by a rule's cooldown. */
  readonly detectionsSuppressed: Counter<'rule'>;
  /** Beyond DESIGN.md: the configured GUARDRAIL_REVOCATION_BUDGET, for graphs and alerts to compare use with. */
  readonly revocationBudget: Gauge<string>;
  /** Beyond DESIGN.md: events whose geo was looked up from source.ip (GUARDRAIL_GEOIP_DB), by outcome. */
  readonly geoipLookups: Counter<'outcome'>;
  /** Beyond DESIGN.md: loads of the GeoIP database file after start-up, by outcome. */
  readonly geoipReload: Counter<'outcome'>;
  /** Beyond DESIGN.md: when the GeoIP database in use was built (its metadata), for a staleness alert. */
  readonly geoipBuildTime: Gauge<string>;
  /** Beyond DESIGN.md: 0 while the GeoIP database file in place does not load (the one loaded before is in use). */
  readonly geoipLastReloadSuccessful: Gauge<string>;
}

const GEOIP_BUILD_TIME = 'guardrail_geoip_database_build_timestamp_seconds';
const GEOIP_LAST_RELOAD_SUCCESSFUL = 'guardrail_geoip_last_reload_successful';

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
  const actions = new Counter({
    name: 'guardrail_actions_total',
    help: 'Actions of detections, by action and outcome: executed, held (revocation budget), shadow (not taken), failed (a publish, a quarantine entry or an Alertmanager push that failed; counted per attempt).',
    labelNames: ['action', 'outcome'] as const,
    registers,
  });
  for (const action of COUNTED_ACTIONS) for (const outcome of ACTION_OUTCOMES) actions.inc({ action, outcome }, 0);
  const rulesReload = new Counter({
    name: 'guardrail_rules_reload_total',
    help: 'Rule loads and reloads, by outcome: success, or failure (the last good rules stay in use).',
    labelNames: ['outcome'] as const,
    registers,
  });
  for (const outcome of ['success', 'failure']) rulesReload.inc({ outcome }, 0);
  const geoipLookups = new Counter({
    name: 'guardrail_geoip_lookups_total',
    help: 'Events with a source.ip and no position looked up in the GeoIP database, by outcome: derived (geo filled in), unknown (address not in the database), conflict (the database places the address outside the country the event gave; nothing added).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const geoipReload = new Counter({
    name: 'guardrail_geoip_reload_total',
    help: 'Loads of a changed GeoIP database file, by outcome: success, or failure (the database loaded before stays in use).',
    labelNames: ['outcome'] as const,
    registers,
  });
  return {
    registry,
    events,
    detections: new Counter({
      name: 'guardrail_detections_total',
      help: 'Detections published, by rule, kind, severity and mode (enforce or shadow).',
      labelNames: ['rule', 'kind', 'severity', 'mode'] as const,
      registers,
    }),
    actions,
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
      help: 'Messages in the partition after the last committed offset, after each batch and on a timer (GUARDRAIL_LAG_INTERVAL); the partitions this instance owns.',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    rulesLoaded: new Gauge({ name: 'guardrail_rules_loaded', help: 'Rules in the ruleset in use.', registers }),
    rulesReload,
    rulesLastReloadSuccessful: new Gauge({
      name: 'guardrail_rules_last_reload_successful',
      help: '1 when the latest rules load succeeded, 0 after a rejected change until a good one.',
      registers,
    }),
    storeUp: new Gauge({ name: 'guardrail_store_up', help: '1 when the state store connection is up, else 0.', registers }),
    detectionsSuppressed: new Counter({
      name: 'guardrail_detections_suppressed_total',
      help: 'Rule firings held back by the rule cooldown (the same subject again within it), by rule.',
      labelNames: ['rule'] as const,
      registers,
    }),
    revocationBudget: new Gauge({
      name: 'guardrail_revocation_budget_per_minute',
      help: 'The configured revocation budget (GUARDRAIL_REVOCATION_BUDGET): restricting actions allowed per 60 s across all instances.',
      registers,
    }),
    geoipLookups,
    geoipReload,
    // Registered only with a database (registerGeoIpGauges): a gauge without labels is exported at 0
    // from the start, and a build time of 0 or a reload "failing" would fire the GeoIP alerts on
    // every deployment that uses none.
    geoipBuildTime: new Gauge({
      name: GEOIP_BUILD_TIME,
      help: 'When the GeoIP database in use (GUARDRAIL_GEOIP_DB) was built, from its metadata, in Unix seconds; absent without a database.',
      registers: [],
    }),
    geoipLastReloadSuccessful: new Gauge({
      name: GEOIP_LAST_RELOAD_SUCCESSFUL,
      help: '1 when the GeoIP database file in place is the one in use; 0 after a replacement that did not load (the previous database stays in use), until a good one. Absent without a database.',
      registers: [],
    }),
  };
}

/**
 * Creates the per-rule series at 0 (detections with the rule's labels, suppressed detections), so the
 * first detection of a rule is an increase Prometheus can see. Called on every rules load; series of
 * rules no longer loaded are kept (a counter that vanished would read as a reset).
 */
export function initRuleSeries(metrics: Metrics, rules: readonly RuleLabels[]): void {
  for (const r of rules) {
    metrics.detections.inc({ rule: r.rule, kind: r.kind, severity: r.severity, mode: r.mode }, 0);
    metrics.detectionsSuppressed.inc({ rule: r.rule }, 0);
  }
}

/** Exports the GeoIP gauges: called once a GeoIP database is in use, absent without one. */
export function registerGeoIpGauges(metrics: Metrics): void {
  const gauges: [string, Gauge<string>][] = [
    [GEOIP_BUILD_TIME, metrics.geoipBuildTime],
    [GEOIP_LAST_RELOAD_SUCCESSFUL, metrics.geoipLastReloadSuccessful],
  ];
  for (const [name, gauge] of gauges) if (!metrics.registry.getSingleMetric(name)) metrics.registry.registerMetric(gauge);
}
