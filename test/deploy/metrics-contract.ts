/*
 * The metrics dashboards and alert rules may read: the contract of shared DESIGN.md ("Metrics"), the
 * few additions docs/operations.md lists under "Metrics beyond DESIGN.md", the Node.js defaults of
 * prom-client, and the series Prometheus makes itself. Labels with a closed set of values list them,
 * so a matcher on a value the processor never emits is caught here, before a dashboard shows nothing.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  type: MetricType;
  /**
   * Label names, each with its values when they are a closed set (undefined: any value). Left out
   * for metrics whose labels are not checked (prom-client's defaults).
   */
  labels?: Record<string, readonly string[] | undefined>;
}

const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
const KINDS = ['rate', 'bulk_download', 'time_of_day', 'geo', 'match', 'composite'] as const;

/** shared DESIGN.md, "Metrics"; label values as src/metrics/registry.ts and the rule language define them. */
export const DESIGN_METRICS: Record<string, MetricSpec> = {
  guardrail_events_total: { type: 'counter', labels: { outcome: ['processed', 'invalid', 'duplicate', 'late', 'fail_open'] } },
  guardrail_detections_total: { type: 'counter', labels: { rule: undefined, kind: KINDS, severity: SEVERITIES, mode: ['enforce', 'shadow'] } },
  guardrail_actions_total: {
    type: 'counter',
    labels: { action: ['revoke_token', 'quarantine_agent', 'require_approval', 'alert', 'signal'], outcome: ['executed', 'held', 'shadow', 'failed'] },
  },
  guardrail_detection_delay_seconds: { type: 'histogram', labels: {} },
  guardrail_batch_duration_seconds: { type: 'histogram', labels: {} },
  // src/state/redis/metrics.ts (apply, mark_seen) and src/kafka/batch.ts (record).
  guardrail_store_duration_seconds: { type: 'histogram', labels: { op: ['apply', 'mark_seen', 'record'] } },
  guardrail_consumer_lag: { type: 'gauge', labels: { topic: undefined, partition: undefined } },
  guardrail_rules_loaded: { type: 'gauge', labels: {} },
  guardrail_rules_reload_total: { type: 'counter', labels: { outcome: ['success', 'failure'] } },
  guardrail_store_up: { type: 'gauge', labels: {} },
};

/** docs/operations.md, "Metrics beyond DESIGN.md": what the dashboards and alerts need that DESIGN.md lacks. */
export const EXTRA_METRICS: Record<string, MetricSpec> = {
  guardrail_detections_suppressed_total: { type: 'counter', labels: { rule: undefined } },
  guardrail_revocation_budget_per_minute: { type: 'gauge', labels: {} },
  guardrail_rules_last_reload_successful: { type: 'gauge', labels: {} },
  guardrail_store_cache_total: { type: 'counter', labels: { event: ['miss', 'conflict', 'unreadable'] } },
  guardrail_geoip_lookups_total: { type: 'counter', labels: { outcome: ['derived', 'unknown', 'conflict'] } },
  guardrail_geoip_reload_total: { type: 'counter', labels: { outcome: ['success', 'failure'] } },
  guardrail_geoip_database_build_timestamp_seconds: { type: 'gauge', labels: {} },
  guardrail_geoip_last_reload_successful: { type: 'gauge', labels: {} },
};

/** Series Prometheus adds: scrape health and the state of its own alert rules. */
export const PROMETHEUS_METRICS: Record<string, MetricSpec> = {
  up: { type: 'gauge', labels: {} },
  ALERTS: { type: 'gauge', labels: { alertname: undefined, alertstate: ['pending', 'firing'], severity: undefined, service: undefined, category: undefined, rule: undefined, kind: undefined, action: undefined, op: undefined, topic: undefined } },
};

/** Labels every scraped series carries. */
export const TARGET_LABELS = ['job', 'instance'];

/** The names prom-client's collectDefaultMetrics registers (process_*, nodejs_*), histograms expanded. */
export async function nodeDefaultMetrics(): Promise<Record<string, MetricSpec>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const out: Record<string, MetricSpec> = {};
  for (const m of await registry.getMetricsAsJSON()) {
    const type = m.type as unknown as string;
    out[m.name] = { type: type === 'histogram' ? 'histogram' : type === 'counter' ? 'counter' : 'gauge' };
  }
  return out;
}

/** Every metric name a query may use, histogram series (_bucket, _sum, _count) included, with its spec. */
export async function knownSeries(): Promise<Map<string, MetricSpec>> {
  const all = { ...DESIGN_METRICS, ...EXTRA_METRICS, ...PROMETHEUS_METRICS, ...(await nodeDefaultMetrics()) };
  const out = new Map<string, MetricSpec>();
  for (const [name, spec] of Object.entries(all)) {
    if (spec.type === 'histogram') {
      out.set(`${name}_bucket`, { ...spec, labels: spec.labels && { ...spec.labels, le: undefined } });
      out.set(`${name}_sum`, spec);
      out.set(`${name}_count`, spec);
    } else {
      out.set(name, spec);
    }
  }
  return out;
}
