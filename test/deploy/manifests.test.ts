/*
 * The deployable stack, checked without Docker or a cluster: the image (Dockerfile, .dockerignore),
 * the compose stack and the Kubernetes manifests parse and hold what operating Guardrail relies on:
 * health probes on the right paths, resource limits, non-root, rules mounted from a ConfigMap that
 * matches rules/, selectors that select, and only settings `guardrail run` knows.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { SETTING_NAMES } from '../../src/config/index.js';
import { ROOT } from './tools.js';

const read = (...path: string[]) => readFileSync(join(ROOT, ...path), 'utf8');

type Labels = Record<string, string>;
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean; capabilities?: { drop?: string[] } };
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  terminationGracePeriodSeconds?: number;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; emptyDir?: object }[];
}

const K8S_DIR = join(ROOT, 'deploy', 'k8s');
const objects: { file: string; obj: K8sObject }[] = readdirSync(K8S_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(K8S_DIR, file), 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return { file, obj: doc.toJS() as K8sObject };
    }),
  );
const find = (kind: string, name = 'guardrail') => objects.find((o) => o.obj.kind === kind && o.obj.metadata.name === name)?.obj;
const deployment = find('Deployment')!;
const pod = (deployment.spec!.template as { metadata: { labels: Labels }; spec: PodSpec }).spec;
const podLabels = (deployment.spec!.template as { metadata: { labels: Labels } }).metadata.labels;
const container = pod.containers[0]!;
const config = find('ConfigMap', 'guardrail-config')!;

const selects = (selector: Labels, labels: Labels) => Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const env = (name: string): string | undefined => container.env?.find((e) => e.name === name)?.value ?? config.data?.[name];

describe('Kubernetes manifests', () => {
  it('parse, and the kustomization lists files that exist', () => {
    const k = parse(read('deploy', 'k8s', 'kustomization.yaml')) as { resources: string[] };
    for (const r of k.resources) expect(statSync(join(K8S_DIR, r)).isFile(), r).toBe(true);
    for (const kind of ['Namespace', 'ConfigMap', 'Deployment', 'Service', 'PodDisruptionBudget']) {
      expect(k.resources.some((r) => objects.some((o) => o.file === r && o.obj.kind === kind)), kind).toBe(true);
    }
  });

  it('run `guardrail run` with liveness on /healthz and readiness on /readyz of the metrics port', () => {
    expect(container.args).toEqual(['run']);
    const port = container.ports?.find((p) => p.name === 'metrics');
    expect(port?.containerPort).toBe(9464);
    expect(env('GUARDRAIL_METRICS_PORT')).toBe('9464');
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    expect(container.startupProbe?.httpGet?.path).toBe('/healthz');
  });

  it('set requests and limits for CPU and memory, and keep the heap inside the memory limit', () => {
    for (const r of ['cpu', 'memory']) {
      expect(container.resources?.requests?.[r], `requests.${r}`).toBeDefined();
      expect(container.resources?.limits?.[r], `limits.${r}`).toBeDefined();
    }
    const limitMi = Number(/^(\d+)Mi$/.exec(container.resources!.limits!.memory!)?.[1]);
    const heapMi = Number(/--max-old-space-size=(\d+)/.exec(env('NODE_OPTIONS') ?? '')?.[1]);
    expect(heapMi).toBeGreaterThan(0);
    expect(heapMi).toBeLessThan(limitMi);
  });

  it('run as non-root, without privilege escalation or capabilities, on a read-only root file system', () => {
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  it('give SIGTERM time to drain the batch in flight', () => {
    const shutdown = Number(/^(\d+)s$/.exec(config.data?.GUARDRAIL_SHUTDOWN_TIMEOUT ?? '30s')?.[1]);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(shutdown);
  });

  it('mount the rules ConfigMap as the directory GUARDRAIL_RULES names', () => {
    const volume = pod.volumes?.find((v) => v.configMap?.name === 'guardrail-rules');
    expect(volume).toBeDefined();
    const mount = container.volumeMounts?.find((m) => m.name === volume!.name);
    expect(mount?.readOnly).toBe(true);
    expect(env('GUARDRAIL_RULES')).toBe(mount?.mountPath);
  });

  it('set only settings guardrail run knows', () => {
    const names = [...Object.keys(config.data ?? {}), ...(container.env ?? []).map((e) => e.name).filter((n) => n !== 'NODE_OPTIONS')];
    const secret = objects.find((o) => o.obj.kind === 'Secret')?.obj as { stringData?: Record<string, string> } | undefined;
    names.push(...Object.keys(secret?.stringData ?? {}));
    expect(names.filter((n) => !SETTING_NAMES.has(n))).toEqual([]);
    expect(container.envFrom?.map((e) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual(['guardrail-config', 'guardrail-secrets']);
  });

  it('select the Deployment’s pods from its own selector, the Service, the PodDisruptionBudget and the ServiceMonitor', () => {
    const matchLabels = (o: K8sObject | undefined) => ((o?.spec?.selector as { matchLabels?: Labels } | undefined)?.matchLabels ?? {}) as Labels;
    expect(selects(matchLabels(deployment), podLabels)).toBe(true);
    expect(selects(matchLabels(find('PodDisruptionBudget')), podLabels)).toBe(true);
    const service = find('Service')!;
    expect(selects(service.spec!.selector as Labels, podLabels)).toBe(true);
    const monitor = find('ServiceMonitor')!;
    expect(selects(matchLabels(monitor), service.metadata.labels ?? {})).toBe(true);
    const servicePort = (service.spec!.ports as { name: string; targetPort: string }[])[0]!;
    expect(servicePort.targetPort).toBe('metrics');
    expect((monitor.spec!.endpoints as { port: string; path: string }[])[0]).toMatchObject({ port: servicePort.name, path: '/metrics' });
  });

  it('name the Service "guardrail", the job label the alerts and dashboards select on', () => {
    expect(find('Service')?.metadata.name).toBe('guardrail');
  });

  it('keep at most one instance down for voluntary disruptions', () => {
    const pdb = find('PodDisruptionBudget')!;
    expect(pdb.spec!.maxUnavailable ?? 0).toBe(1);
    expect(deployment.spec!.replicas).toBeGreaterThanOrEqual(2);
  });

  it('scale on the consumer group’s lag, up to the events topic’s partitions', () => {
    const so = find('ScaledObject')!;
    expect((so.spec!.scaleTargetRef as { name: string }).name).toBe(deployment.metadata.name);
    const trigger = (so.spec!.triggers as { type: string; metadata: Record<string, string> }[])[0]!;
    expect(trigger.type).toBe('kafka');
    expect(trigger.metadata.consumerGroup).toBe(config.data?.GUARDRAIL_GROUP_ID);
    expect(trigger.metadata.topic).toBe(config.data?.GUARDRAIL_TOPIC_EVENTS);
    expect(trigger.metadata.bootstrapServers).toBe(config.data?.KAFKA_BROKERS);
    expect(so.spec!.maxReplicaCount).toBeLessThanOrEqual(Number(config.data?.GUARDRAIL_TOPIC_PARTITIONS));
    expect(so.spec!.minReplicaCount).toBeGreaterThanOrEqual(2);
  });
});

describe('container image', () => {
  const dockerfile = read('Dockerfile');
  const ignore = read('.dockerignore').split('\n').map((l) => l.trim());

  it('builds in one stage and runs in another, with dev dependencies pruned', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci\b/);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/\*\.lua/); // the Redis scripts are read from src/**/lua at run time
  });

  it('runs as the unprivileged node user, with a health check on /healthz', () => {
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('node');
    expect(dockerfile).toMatch(/^HEALTHCHECK [\s\S]*\/healthz/m);
    expect(dockerfile).toMatch(/^EXPOSE 9464$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "bin\/guardrail.js"\]$/m);
  });

  it('sends no node_modules, build output, git history or tests to the build', () => {
    for (const p of ['**/node_modules', 'dist', '.git', 'test']) expect(ignore, p).toContain(p);
    for (const p of ['src', 'bin', 'rules', 'package.json', 'package-lock.json']) expect(ignore, p).not.toContain(p);
  });
});

describe('compose stack', () => {
  interface Service {
    image?: string;
    build?: unknown;
    command?: string[];
    environment?: Record<string, string>;
    volumes?: string[];
    depends_on?: Record<string, { condition: string }> | string[];
  }
  const compose = parse(read('deploy', 'docker-compose.yml')) as { services: Record<string, Service>; 'x-guardrail-image': Service };
  const s = compose.services;

  it('brings up Kafka (KRaft), Redis, the processor, a traffic generator, Prometheus, Alertmanager and Grafana', () => {
    expect(Object.keys(s).sort()).toEqual(['alertmanager', 'grafana', 'guardrail', 'kafka', 'loadgen', 'prometheus', 'redis']);
    expect(s.kafka!.image).toMatch(/^apache\/kafka:/);
    expect(s.kafka!.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(s.guardrail!.command).toEqual(['run']);
    expect(s.loadgen!.command?.[0]).toBe('loadgen');
    expect(s.guardrail!.build ?? compose['x-guardrail-image'].build).toBeDefined();
  });

  it('mounts files that exist in the repository', () => {
    for (const [name, service] of Object.entries(s)) {
      for (const v of service.volumes ?? []) {
        const host = v.split(':')[0]!;
        if (!host.startsWith('.')) continue;
        expect(() => statSync(join(ROOT, 'deploy', host)), `${name}: ${host}`).not.toThrow();
      }
    }
  });

  it('configures the processor with settings it knows, at the brokers and Redis of the stack', () => {
    for (const name of ['guardrail', 'loadgen']) {
      const e = s[name]!.environment ?? {};
      expect(Object.keys(e).filter((n) => !SETTING_NAMES.has(n)), name).toEqual([]);
      expect(e.KAFKA_BROKERS, name).toBe('kafka:9092');
    }
    expect(s.guardrail!.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(s.guardrail!.depends_on).toMatchObject({ kafka: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
  });

  it('is scraped and alerted on by the Prometheus it runs', () => {
    const prom = parse(read('deploy', 'prometheus', 'prometheus.yml')) as {
      scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[] }[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    };
    const job = prom.scrape_configs.find((j) => j.job_name === 'guardrail')!;
    expect(job.dns_sd_configs?.[0]?.names).toEqual(['guardrail']);
    expect(job.dns_sd_configs?.[0]?.port).toBe(Number(s.guardrail!.environment?.GUARDRAIL_METRICS_PORT));
    const am = prom.alerting.alertmanagers[0]!.static_configs[0]!.targets[0]!;
    expect(Object.keys(s)).toContain(am.split(':')[0]);
  });
});
