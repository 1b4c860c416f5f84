/*
 * The metrics registry and its HTTP endpoints: the contract's names and labels on /metrics, /healthz
 * always 200, /readyz 503 with the reasons until ready.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, initRuleSeries, registerGeoIpGauges, startMetricsServer, type Metrics, type MetricsServer, type Readiness } from '../../src/metrics/index.js';

describe('metrics server', () => {
  let metrics: Metrics;
  let server: MetricsServer;
  let readiness: Readiness = { ready: false, reasons: ['not in the consumer group'] };

  beforeAll(async () => {
    metrics = createMetrics();
    server = await startMetricsServer({ registry: metrics.registry, port: 0, host: '127.0.0.1', readiness: () => readiness });
  });

  afterAll(async () => {
    await server.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
  };

  it('serves the contract metrics, with the Node.js defaults', async () => {
    metrics.events.inc({ outcome: 'processed' }, 3);
    metrics.detections.inc({ rule: 'r', kind: 'rate', severity: 'high', mode: 'enforce' });
    metrics.actions.inc({ action: 'revoke_token', outcome: 'held' });
    metrics.consumerLag.set({ topic: 't', partition: '0' }, 5);
    metrics.storeUp.set(1);
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    for (const line of [
      'guardrail_events_total{outcome="processed"} 3',
      'guardrail_events_total{outcome="invalid"} 0',
      'guardrail_detections_total{rule="r",kind="rate",severity="high",mode="enforce"} 1',
      'guardrail_actions_total{action="revoke_token",outcome="held"} 1',
      'guardrail_consumer_lag{topic="t",partition="0"} 5',
      'guardrail_store_up 1',
      '# TYPE guardrail_detection_delay_seconds histogram',
      '# TYPE guardrail_batch_duration_seconds histogram',
      '# TYPE guardrail_store_duration_seconds histogram',
      '# TYPE guardrail_rules_loaded gauge',
      '# TYPE guardrail_rules_reload_total counter',
      '# TYPE guardrail_rules_last_reload_successful gauge',
      '# TYPE guardrail_detections_suppressed_total counter',
      '# TYPE guardrail_revocation_budget_per_minute gauge',
      '# TYPE process_cpu_user_seconds_total counter',
    ]) {
      expect(res.text).toContain(line);
    }
  });

  it('has every action and outcome, and both reload outcomes, at 0 from the start (so a first increase alerts)', async () => {
    const fresh = createMetrics({ defaults: false });
    const actions = await fresh.registry.getSingleMetricAsString('guardrail_actions_total');
    for (const action of ['revoke_token', 'quarantine_agent', 'require_approval', 'alert']) {
      for (const outcome of ['executed', 'held', 'shadow', 'failed']) expect(actions).toContain(`guardrail_actions_total{action="${action}",outcome="${outcome}"} 0`);
    }
    const reloads = await fresh.registry.getSingleMetricAsString('guardrail_rules_reload_total');
    expect(reloads).toContain('guardrail_rules_reload_total{outcome="success"} 0');
    expect(reloads).toContain('guardrail_rules_reload_total{outcome="failure"} 0');
    initRuleSeries(fresh, [{ rule: 'r1', kind: 'rate', severity: 'critical', mode: 'enforce' }]);
    expect(await fresh.registry.getSingleMetricAsString('guardrail_detections_total')).toContain(
      'guardrail_detections_total{rule="r1",kind="rate",severity="critical",mode="enforce"} 0',
    );
    expect(await fresh.registry.getSingleMetricAsString('guardrail_detections_suppressed_total')).toContain('guardrail_detections_suppressed_total{rule="r1"} 0');
  });

  it('exports the GeoIP gauges only once a database is in use (at 0 they would fire the GeoIP alerts)', async () => {
    const fresh = createMetrics({ defaults: false });
    const text = () => fresh.registry.metrics();
    expect(await text()).not.toContain('guardrail_geoip_database_build_timestamp_seconds');
    expect(await text()).not.toContain('guardrail_geoip_last_reload_successful');
    registerGeoIpGauges(fresh);
    registerGeoIpGauges(fresh);
    fresh.geoipBuildTime.set(1_700_000_000);
    fresh.geoipLastReloadSuccessful.set(1);
    expect(await text()).toContain('guardrail_geoip_database_build_timestamp_seconds 1700000000');
    expect(await text()).toContain('guardrail_geoip_last_reload_successful 1');
  });

  it('answers /healthz always and /readyz only when ready', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200, text: 'ok\n' });
    expect(await get('/readyz')).toMatchObject({ status: 503, text: 'not ready: not in the consumer group\n' });
    readiness = { ready: true, reasons: [] };
    expect(await get('/readyz')).toMatchObject({ status: 200, text: 'ready\n' });
    expect((await get('/nope')).status).toBe(404);
  });
});
