/* Prometheus metrics of the processor, and the small HTTP server that exposes them with health checks. */
export { ACTION_OUTCOMES, COUNTED_ACTIONS, createMetrics, initRuleSeries, registerGeoIpGauges, type ActionOutcome, type EventOutcome, type Metrics, type MetricsOptions, type RuleLabels } from './registry.js';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions, type Readiness } from './server.js';
