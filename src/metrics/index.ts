/* Prometheus metrics of the processor, and the small HTTP server that exposes them with health checks. */
export { createMetrics, type Metrics, type MetricsOptions, type EventOutcome, type ActionOutcome } from './registry.js';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions, type Readiness } from './server.js';
