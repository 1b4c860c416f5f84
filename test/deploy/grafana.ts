/*
 * Reading the provisioned Grafana dashboards and the Prometheus alert rules for the deploy tests:
 * every query of every panel, annotation and variable, and every alert expression, with where it
 * came from so a failure names the panel.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './tools.js';

export const DASHBOARD_DIR = join(ROOT, 'grafana', 'dashboards');

export interface Dashboard {
  file: string;
  json: DashboardJson;
}

export interface Target {
  refId?: string;
  expr?: string;
  datasource?: unknown;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: unknown;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
}

export interface Variable {
  type: string;
  name: string;
  query?: unknown;
  current?: { value?: unknown };
  allValue?: string;
  datasource?: unknown;
}

export interface Annotation {
  name: string;
  builtIn?: number;
  expr?: string;
  datasource?: unknown;
}

export interface DashboardJson {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
  annotations: { list: Annotation[] };
}

export function loadDashboards(): Dashboard[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as DashboardJson }));
}

/** Panels, those inside collapsed rows included; row panels themselves left out. */
export function panelsOf(d: DashboardJson): Panel[] {
  const out: Panel[] = [];
  for (const p of d.panels) {
    if (p.type === 'row') out.push(...(p.panels ?? []));
    else out.push(p);
  }
  return out;
}

export type QueryKind = 'panel' | 'annotation' | 'variable' | 'alert';

export interface Query {
  kind: QueryKind;
  /** Where the query is, for messages: `guardrail-overview.json: "Events / s" A`. */
  where: string;
  expr: string;
}

export function dashboardQueries(d: Dashboard): Query[] {
  const out: Query[] = [];
  for (const p of panelsOf(d.json)) {
    for (const t of p.targets ?? []) {
      if (t.expr) out.push({ kind: 'panel', where: `${d.file}: panel "${p.title}" ${t.refId ?? ''}`.trim(), expr: t.expr });
    }
  }
  for (const a of d.json.annotations.list) {
    if (a.expr) out.push({ kind: 'annotation', where: `${d.file}: annotation "${a.name}"`, expr: a.expr });
  }
  for (const v of d.json.templating.list) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query;
    if (q) out.push({ kind: 'variable', where: `${d.file}: variable $${v.name}`, expr: q });
  }
  return out;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export const ALERTS_FILE = join(ROOT, 'deploy', 'prometheus', 'alerts.yml');

export function loadAlertRules(file = ALERTS_FILE): AlertRule[] {
  const doc = parse(readFileSync(file, 'utf8')) as { groups: { name: string; rules: AlertRule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

export function alertQueries(rules = loadAlertRules()): Query[] {
  return rules.map((r) => ({ kind: 'alert' as const, where: `alerts.yml: ${r.alert}`, expr: r.expr }));
}
