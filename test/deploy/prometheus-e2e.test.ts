/*
 * The dashboards and alert rules against a live processor: a real Prometheus (Debian's package, a
 * free port, a temp storage dir, scraping and evaluating every second) scrapes a real `guardrail
 * run` (a child process on the test Kafka broker and Redis) while `guardrail loadgen` feeds it
 * simulated traffic and the test adds attacks (a delete loop, a token on two continents, a shadow-
 * mode admin action, a forbidden resource, an invalid event). Then, through Prometheus' HTTP API:
 *
 * - the critical-detection alert of the repository's own deploy/prometheus/alerts.yml fires;
 * - every panel query of every dashboard returns data: at least one series with a number, so no
 *   panel is silently empty because of a misspelt metric, label or value;
 * - every alert expression is accepted, and what it compares has data. Alert conditions are normally
 *   false, so an empty result proves nothing: each condition is cut at its comparisons and set
 *   operators (`a / b > 0.01 and c >= 10` gives `a / b` and `c`; `absent(x)` gives `x`), and each
 *   part must return series. On top of that every metric selector in it, on its own, must match a
 *   series, which catches a wrong label value that an aggregation would hide;
 * - dashboard variables and annotations are held to the same standard.
 *
 * Grafana's variables are replaced the way Grafana would for this run: $__rate_interval 1m (four
 * scrape intervals would be 4s; a minute smooths over the test's bursts), $__interval 15s, $__range
 * 5m (longer than the test, so every counter's increase covers all of it), $instance and $rule All.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKERS, ChildProcessor, FIXTURE_RULES, PLACES, REDIS_URL, addressOnly, cleanup, closeProducer, ensureBuilt, event, produce, testEnv, testNames } from '../processor/helpers.js';
import { cityRecord, writeMmdb } from '../geoip/mmdb.js';
import { freePort } from '../state/redis-helpers.js';
import { ALERTS_FILE, alertQueries, dashboardQueries, loadDashboards, type Query } from './grafana.js';
import { Child, GiveUp, Prometheus, PrometheusApiError, waitFor, type Sample } from './prometheus-harness.js';
import { selectors, substituteGrafana, valueExprs, variableQueryExpr, type GrafanaValues } from './promql.js';
import { ROOT, requireTool, skipWithout } from './tools.js';

const JOB = 'guardrail';
const CRITICAL_ALERT = 'GuardrailCriticalDetectionsByRule';

const GRAFANA: GrafanaValues = { rateInterval: '1m', interval: '15s', range: '5m', variables: { instance: '.*', rule: '.*', datasource: 'guardrail-prometheus' } };

const hasNumber = (samples: Sample[]) => samples.some((s) => Number.isFinite(Number(s.value[1])));

describe.skipIf(!BROKERS || skipWithout('prometheus'))('dashboards and alerts against a live processor (Prometheus end to end)', () => {
  const n = testNames('e2e');
  let dir: string;
  let processor: ChildProcessor | undefined;
  let loadgen: Child | undefined;
  let prometheus: Prometheus | undefined;
  const started = Date.now();

  /** What to show when something is missing: the processor's and Prometheus' last lines. */
  const context = () => `\n--- processor ---\n${processor?.output.slice(-20).join('\n') ?? ''}\n--- loadgen ---\n${loadgen?.tail(5) ?? ''}\n--- prometheus ---\n${prometheus?.tail() ?? ''}`;

  beforeAll(async () => {
    requireTool('prometheus');
    ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), 'guardrail-e2e-'));

    // The processor: the fixture rules (enforce and shadow, critical and not), its own topics, group and Redis
    // prefix, and a GeoIP database that knows the attack's places (its travel events carry addresses only).
    const geoip = join(dir, 'GeoLite2-City.mmdb');
    await writeFile(geoip, writeMmdb(Object.values(PLACES).map((p) => ({ cidr: `${p.ip}/32`, record: cityRecord(p.country, p.lat, p.lon) }))));
    const metricsPort = await freePort();
    processor = new ChildProcessor(
      testEnv(n, {
        GUARDRAIL_RULES: FIXTURE_RULES,
        GUARDRAIL_METRICS_PORT: String(metricsPort),
        GUARDRAIL_METRICS_HOST: '127.0.0.1',
        GUARDRAIL_LAG_INTERVAL: '1s',
        GUARDRAIL_LOG_LEVEL: 'warn',
        GUARDRAIL_GEOIP_DB: geoip,
      }),
    );
    const p = processor;
    await waitFor(
      'the processor to be ready (/readyz)',
      async () => {
        if (p.proc.exitCode !== null) throw new GiveUp(`the processor exited (${p.proc.exitCode}):${context()}`);
        return (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).ok ? true : undefined;
      },
      60_000,
      200,
    );

    // Prometheus scraping it, with the repository's alert rules as they are.
    prometheus = await Prometheus.start({ dir: join(dir, 'prometheus'), job: JOB, targets: [`127.0.0.1:${metricsPort}`], ruleFiles: [ALERTS_FILE] });
    const prom = prometheus;
    // The zero-initialised counters must be in Prometheus before anything happens, or a first increase is invisible.
    await waitFor('Prometheus to scrape the processor', async () => ((await prom.query(`guardrail_actions_total{job="${JOB}"}`)).length >= 16 ? true : undefined), 30_000, 250);

    // Simulated agents at 50 events/s, retimed to now, for the rest of the test.
    loadgen = new Child('loadgen', process.execPath, [join(ROOT, 'bin', 'guardrail.js'), 'loadgen', '--rate', '50', '--retime', '--days', '2', '--agents', '40', '--seed', '5', '--duration', '120s', '--topic', n.events], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', KAFKA_BROKERS: BROKERS, REDIS_URL, KAFKA_LOG_LEVEL: 'nothing' },
    });
    const traffic = loadgen;
    await waitFor(
      'simulated traffic to be processed',
      async () => {
        if (!traffic.running && (await traffic.wait()) !== 0) throw new GiveUp(`loadgen exited:${context()}`);
        return hasNumber(await prom.query(`guardrail_events_total{job="${JOB}", outcome="processed"} > 0`)) ? true : undefined;
      },
      45_000,
      250,
    );

    // Attacks, at the event time of now: one of every kind the fixture rules answer.
    const now = Date.now();
    await produce(n.events, [
      ...Array.from({ length: 25 }, (_, i) => event({ id: `e2e-del-${i}`, timeMs: now - 25_000 + i * 1000, agent: 'e2e-deleter', action: 'delete' })),
      addressOnly(event({ id: 'e2e-travel-1', timeMs: now - 120_000, agent: 'e2e-traveller', token: 'tok-e2e-travel', place: 'paris' })),
      addressOnly(event({ id: 'e2e-travel-2', timeMs: now, agent: 'e2e-traveller', token: 'tok-e2e-travel', place: 'tokyo' })),
      event({ id: 'e2e-admin', timeMs: now, agent: 'e2e-admin', action: 'admin' }),
      event({ id: 'e2e-vault', timeMs: now, agent: 'e2e-vault', resource: 'vault.export' }),
      '{"id": "e2e-broken", "time": ',
    ]);

    // The critical-detection alert of alerts.yml has no `for`: it fires at the first evaluation that sees the increase.
    await waitFor('the critical-detection alert to fire', async () => prom.firing(CRITICAL_ALERT, { rule: 'delete-burst' }), 45_000, 250).catch((err: Error) => {
      throw new Error(`${err.message}${context()}`);
    });
    // Each wait above has its own deadline; this bound only covers a slow build of dist/ on a busy machine.
  }, 240_000);

  afterAll(async () => {
    await loadgen?.stop();
    if (processor && processor.proc.exitCode === null) {
      processor.kill('SIGTERM');
      const timer = setTimeout(() => processor!.kill('SIGKILL'), 20_000);
      await processor.exited;
      clearTimeout(timer);
    }
    await prometheus?.stop();
    await closeProducer();
    await cleanup(n);
    if (dir) await rm(dir, { recursive: true, force: true });
    process.stderr.write(`prometheus-e2e: ${((Date.now() - started) / 1000).toFixed(1)}s from start-up to clean-up\n`);
  });

  it('fires the critical-detection alert for each critical rule that detected, labelled by rule', async () => {
    const prom = prometheus!;
    const alert = await prom.firing(CRITICAL_ALERT, { rule: 'delete-burst' });
    expect(alert?.labels).toMatchObject({ alertname: CRITICAL_ALERT, severity: 'critical', service: 'guardrail', category: 'detection', rule: 'delete-burst', kind: 'rate' });
    for (const rule of ['token-travel', 'forbidden-resource']) await waitFor(`${CRITICAL_ALERT} for ${rule}`, async () => prom.firing(CRITICAL_ALERT, { rule }), 20_000, 250);
    // The shadow-mode rule detected too, and never pages.
    expect((await prom.alerts()).filter((a) => a.labels.rule === 'admin-dry-run')).toEqual([]);
    // No agent, user or token id in any series the processor exports.
    const series = await prom.query(`{job="${JOB}", __name__=~"guardrail_.+"}`);
    const ids = series.filter((s) => Object.values(s.metric).some((v) => /e2e-(deleter|traveller|admin|vault)|tok-/.test(v)));
    expect(ids.map((s) => s.metric)).toEqual([]);
  });

  it('returns data for every panel query of every dashboard', async () => {
    const prom = prometheus!;
    const panels = loadDashboards().flatMap((d) => dashboardQueries(d).filter((q) => q.kind === 'panel'));
    expect(panels.length).toBeGreaterThan(40);
    const empty: string[] = [];
    for (const q of panels) {
      const expr = substituteGrafana(q.expr, GRAFANA);
      try {
        if (!hasNumber(await prom.query(expr))) empty.push(`${q.where}: no data for ${expr}`);
      } catch (err) {
        if (!(err instanceof PrometheusApiError)) throw err;
        empty.push(`${q.where}: ${err.message}`);
      }
    }
    expect(empty, context()).toEqual([]);
  });

  /** Problems of a condition: rejected by Prometheus, a part without data, a selector matching nothing. */
  async function checkCondition(q: Query, expr: string): Promise<string[]> {
    const prom = prometheus!;
    const problems: string[] = [];
    try {
      await prom.query(expr);
    } catch (err) {
      if (!(err instanceof PrometheusApiError)) throw err;
      return [`${q.where}: ${err.message}`];
    }
    for (const part of valueExprs(expr)) if ((await prom.query(part)).length === 0) problems.push(`${q.where}: no data for ${part}`);
    for (const s of selectors(expr)) if ((await prom.query(s.text)).length === 0) problems.push(`${q.where}: no series match ${s.text}`);
    return problems;
  }

  it('accepts every alert expression, with data for what each compares and every metric it selects', async () => {
    const alerts = alertQueries();
    expect(alerts.length).toBeGreaterThanOrEqual(18);
    const problems: string[] = [];
    for (const q of alerts) problems.push(...(await checkCondition(q, q.expr)));
    expect(problems, context()).toEqual([]);
  });

  it('returns data for every dashboard variable and annotation query', async () => {
    const prom = prometheus!;
    const queries = loadDashboards().flatMap((d) => dashboardQueries(d).filter((q) => q.kind !== 'panel'));
    expect(queries.some((q) => q.kind === 'variable') && queries.some((q) => q.kind === 'annotation')).toBe(true);
    const problems: string[] = [];
    for (const q of queries) {
      if (q.kind === 'variable') {
        const expr = variableQueryExpr(q.expr) ?? q.expr;
        if ((await prom.query(substituteGrafana(expr, GRAFANA))).length === 0) problems.push(`${q.where}: no data for ${expr}`);
      } else {
        problems.push(...(await checkCondition(q, substituteGrafana(q.expr, GRAFANA))));
      }
    }
    expect(problems, context()).toEqual([]);
  });
});
