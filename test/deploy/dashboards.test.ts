/*
 * The Grafana dashboards and their provisioning, checked without a Grafana: the JSON and YAML parse,
 * the provisioning points at the folder the compose stack mounts, every data source reference
 * resolves to the provisioned Prometheus, every panel queries something, and every metric and label
 * a panel or an alert rule reads is one the processor emits (metrics-contract.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertQueries, dashboardQueries, loadDashboards, panelsOf, type Dashboard, type Query } from './grafana.js';
import { EXTRA_METRICS, TARGET_LABELS, knownSeries, type MetricSpec } from './metrics-contract.js';
import { grafanaVariables, selectors, valueExprs, variableQueryExpr } from './promql.js';
import { ROOT } from './tools.js';

const read = (...path: string[]) => readFileSync(join(ROOT, ...path), 'utf8');

interface DatasourceProvisioning {
  apiVersion: number;
  datasources: { name: string; uid: string; type: string; url: string; isDefault?: boolean }[];
}
interface DashboardProvisioning {
  apiVersion: number;
  providers: { name: string; folder?: string; type: string; options: { path: string } }[];
}
interface Compose {
  services: Record<string, { image?: string; volumes?: string[] }>;
}

const datasources = parse(read('grafana', 'provisioning', 'datasources', 'prometheus.yml')) as DatasourceProvisioning;
const providers = parse(read('grafana', 'provisioning', 'dashboards', 'guardrail.yml')) as DashboardProvisioning;
const compose = parse(read('deploy', 'docker-compose.yml')) as Compose;
const dashboards = loadDashboards();
const DS_UID = datasources.datasources[0]?.uid;

/** Container path of a host path (relative to deploy/) mounted into a compose service. */
function mountTarget(service: string, hostPath: string): string | undefined {
  for (const v of compose.services[service]?.volumes ?? []) {
    const [host, target] = v.split(':');
    if (host === hostPath) return target;
  }
  return undefined;
}

/** Every `datasource` value anywhere in a JSON document, with its path. */
function datasourceRefs(node: unknown, path = ''): { path: string; ref: unknown }[] {
  if (Array.isArray(node)) return node.flatMap((x, i) => datasourceRefs(x, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  const out: { path: string; ref: unknown }[] = [];
  for (const [k, v] of Object.entries(node)) {
    if (k === 'datasource') out.push({ path: `${path}.${k}`, ref: v });
    else out.push(...datasourceRefs(v, `${path}.${k}`));
  }
  return out;
}

describe('Grafana provisioning', () => {
  it('provisions one Prometheus data source with a fixed uid, at the compose stack’s Prometheus', () => {
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources).toHaveLength(1);
    const ds = datasources.datasources[0]!;
    expect(ds.type).toBe('prometheus');
    expect(ds.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    const url = new URL(ds.url);
    expect(Object.keys(compose.services)).toContain(url.hostname);
    expect(compose.services[url.hostname]?.image).toMatch(/^prom\/prometheus:/);
  });

  it('loads the dashboards from the folder the compose stack mounts grafana/dashboards at', () => {
    expect(providers.apiVersion).toBe(1);
    expect(providers.providers).toHaveLength(1);
    const p = providers.providers[0]!;
    expect(p.type).toBe('file');
    expect(p.folder).toBe('Guardrail');
    expect(mountTarget('grafana', '../grafana/dashboards')).toBe(p.options.path);
    expect(mountTarget('grafana', '../grafana/provisioning')).toBe('/etc/grafana/provisioning');
  });
});

describe('dashboards', () => {
  it('are the overview, rules and health views, each valid JSON with a unique uid', () => {
    expect(dashboards.map((d) => d.json.uid).sort()).toEqual(['guardrail-health', 'guardrail-overview', 'guardrail-rules']);
    for (const d of dashboards) {
      expect(d.json.title, d.file).toMatch(/^Guardrail \/ /);
      expect(d.json.schemaVersion, d.file).toBeGreaterThanOrEqual(36);
    }
  });

  it('select the data source through a variable that defaults to the provisioned uid', () => {
    for (const d of dashboards) {
      const v = d.json.templating.list.find((x) => x.type === 'datasource');
      expect(v, d.file).toBeDefined();
      expect(v!.name).toBe('datasource');
      expect(v!.query).toBe('prometheus');
      expect(v!.current?.value, d.file).toBe(DS_UID);
    }
  });

  it('resolve every data source reference to the provisioned Prometheus', () => {
    const bad: string[] = [];
    for (const d of dashboards) {
      for (const { path, ref } of datasourceRefs(d.json)) {
        if (path.endsWith('.annotations.list[0].datasource') && (ref as { uid?: string }).uid === '-- Grafana --') continue; // Grafana's built-in annotations
        const uid = typeof ref === 'string' ? ref : (ref as { uid?: string; type?: string } | null)?.uid;
        const type = typeof ref === 'string' ? 'prometheus' : (ref as { type?: string } | null)?.type;
        if (type !== 'prometheus' || (uid !== '${datasource}' && uid !== DS_UID)) bad.push(`${d.file}${path}: ${JSON.stringify(ref)}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('give every panel a description and at least one query, with unique ids and refIds', () => {
    for (const d of dashboards) {
      const ids = d.json.panels.map((p) => p.id);
      expect(new Set(ids).size, `${d.file}: panel ids`).toBe(ids.length);
      for (const p of panelsOf(d.json)) {
        const where = `${d.file}: "${p.title}"`;
        expect(p.title, where).not.toBe('');
        expect((p as { description?: string }).description ?? '', `${where} has no description`).not.toBe('');
        const exprs = (p.targets ?? []).filter((t) => (t.expr ?? '').trim() !== '');
        expect(exprs.length, `${where} has no query`).toBeGreaterThan(0);
        const refs = (p.targets ?? []).map((t) => t.refId);
        expect(new Set(refs).size, `${where}: refIds`).toBe(refs.length);
      }
    }
  });

  it('lay panels out without overlaps', () => {
    for (const d of dashboards) {
      const boxes = d.json.panels.map((p) => ({ t: p.title, ...p.gridPos }));
      for (const [i, a] of boxes.entries()) {
        expect(a.x + a.w, `${d.file}: "${a.t}" is wider than the grid`).toBeLessThanOrEqual(24);
        for (const b of boxes.slice(i + 1)) {
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect(overlap, `${d.file}: "${a.t}" overlaps "${b.t}"`).toBe(false);
        }
      }
    }
  });

  it('use only the variables they define', () => {
    for (const d of dashboards) {
      const defined = new Set(d.json.templating.list.map((v) => v.name));
      for (const q of dashboardQueries(d)) {
        for (const name of grafanaVariables(q.expr)) expect(defined.has(name), `${q.where} uses $${name}`).toBe(true);
      }
    }
  });

  it('mark rule reloads with an annotation from guardrail_rules_reload_total', () => {
    for (const d of dashboards) {
      const reload = d.json.annotations.list.find((a) => a.expr?.includes('guardrail_rules_reload_total'));
      expect(reload, d.file).toBeDefined();
      expect(reload!.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  // What each view answers, by the metrics it must read.
  const answers: Record<string, string[]> = {
    'guardrail-overview': [
      'guardrail_events_total',
      'guardrail_detections_total',
      'guardrail_actions_total',
      'guardrail_detection_delay_seconds_bucket',
      'guardrail_consumer_lag',
      'guardrail_store_duration_seconds_bucket',
      'guardrail_revocation_budget_per_minute',
    ],
    'guardrail-rules': ['guardrail_detections_total', 'guardrail_detections_suppressed_total', 'guardrail_actions_total', 'guardrail_rules_reload_total', 'guardrail_rules_loaded'],
    'guardrail-health': ['up', 'guardrail_store_up', 'guardrail_batch_duration_seconds_bucket', 'guardrail_consumer_lag', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'ALERTS'],
  };
  for (const [uid, metrics] of Object.entries(answers)) {
    it(`${uid} reads ${metrics.join(', ')}`, () => {
      const d = dashboards.find((x) => x.json.uid === uid)!;
      const used = new Set(dashboardQueries(d).filter((q) => q.kind === 'panel').flatMap((q) => selectors(q.expr).map((s) => s.metric)));
      expect(metrics.filter((m) => !used.has(m))).toEqual([]);
    });
  }

  it('show shadow-mode detections per rule on the rules view', () => {
    const d = dashboards.find((x) => x.json.uid === 'guardrail-rules')!;
    const shadow = dashboardQueries(d).filter((q) => selectors(q.expr).some((s) => s.metric === 'guardrail_detections_total' && s.matchers.some((m) => m.label === 'mode' && m.value === 'shadow')));
    expect(shadow.length).toBeGreaterThan(0);
  });
});

describe('metric names and labels in queries', () => {
  let known: Map<string, MetricSpec>;
  beforeAll(async () => {
    known = await knownSeries();
  });

  const queries = (): Query[] => [
    ...dashboards.flatMap((d: Dashboard) => dashboardQueries(d)),
    ...alertQueries(),
  ];

  /** PromQL of a query: the expression inside a variable's label_values(...). */
  const promql = (q: Query): string => (q.kind === 'variable' ? (variableQueryExpr(q.expr) ?? q.expr) : q.expr);

  it('reads PromQL the way Prometheus does (the checks below can fail)', () => {
    const expr = 'sum by (le, op) (rate(a_bucket{job="guardrail", op=~"x|y"}[5m] offset 1h)) / on (instance) group_left b > 0.5 and absent(c{d!="e"}) or vector(1) # f{g="h"}';
    expect(selectors(expr).map((s) => s.text)).toEqual(['a_bucket{job="guardrail", op=~"x|y"}', 'b', 'c{d!="e"}']);
    expect(variableQueryExpr('label_values(up{job="guardrail"}, instance)')).toBe('up{job="guardrail"}');
    // What the end-to-end test evaluates of a condition: the values it compares.
    expect(valueExprs('sum(rate(a{o="x"}[5m])) / sum(rate(a[5m])) > 0.01\n  and sum(increase(a{o!="y"}[5m])) >= 10')).toEqual([
      'sum(rate(a{o="x"}[5m])) / sum(rate(a[5m]))',
      'sum(increase(a{o!="y"}[5m]))',
    ]);
    expect(valueExprs('sum(up{job="g"}) == 0 or absent(up{job="g"})')).toEqual(['sum(up{job="g"})', 'up{job="g"}']);
    expect(valueExprs('sum(x) > 0.8 * max(budget) and on (instance) group_left y < bool 3')).toEqual(['sum(x)', '0.8 * max(budget)', 'y']);
    expect(valueExprs('sum by (le) (rate(errors_or_not{a=">"}[1m]))')).toEqual(['sum by (le) (rate(errors_or_not{a=">"}[1m]))']);
  });

  it('use only metrics DESIGN.md, docs/operations.md, prom-client or Prometheus define', () => {
    const unknown: string[] = [];
    for (const q of queries()) {
      for (const s of selectors(promql(q))) if (!known.has(s.metric)) unknown.push(`${q.where}: ${s.metric}`);
    }
    expect(unknown).toEqual([]);
  });

  it('match only labels those metrics have, on values they take', () => {
    const bad: string[] = [];
    for (const q of queries()) {
      for (const s of selectors(promql(q))) {
        const labels = known.get(s.metric)?.labels;
        if (!labels) continue;
        for (const m of s.matchers) {
          if (TARGET_LABELS.includes(m.label)) continue;
          if (!(m.label in labels)) {
            bad.push(`${q.where}: ${s.metric} has no label ${m.label}`);
            continue;
          }
          const values = labels[m.label];
          if (!values || m.value.includes('$') || m.value === '.*' || m.value === '.+') continue;
          const wanted = m.op === '=' || m.op === '!=' ? [m.value] : /^[\w|-]+$/.test(m.value) ? m.value.split('|') : [];
          for (const v of wanted) if (!values.includes(v)) bad.push(`${q.where}: ${s.metric}{${m.label}="${v}"}: not one of ${values.join(', ')}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('select the processor’s series by job="guardrail" (Prometheus and Alertmanager export process_* too)', () => {
    const loose: string[] = [];
    for (const q of queries()) {
      for (const s of selectors(promql(q))) {
        if (s.metric === 'ALERTS') continue;
        if (!s.matchers.some((m) => m.label === 'job' && m.op === '=' && m.value === 'guardrail')) loose.push(`${q.where}: ${s.text}`);
      }
    }
    expect(loose).toEqual([]);
  });

  it('list every metric beyond DESIGN.md at the top of docs/operations.md', () => {
    const ops = read('docs', 'operations.md');
    const section = ops.slice(0, ops.indexOf('\n## ', ops.indexOf('## Metrics beyond DESIGN.md') + 1));
    for (const name of Object.keys(EXTRA_METRICS)) expect(section, name).toContain(`\`${name}`);
    for (const value of ['fail_open', 'executed', 'held', 'shadow', 'failed']) expect(section, value).toContain(`\`${value}\``);
  });
});
