/*
 * A real Prometheus for the end-to-end test: the binary of Debian's prometheus package, a config of
 * our own in a temp dir scraping given targets every second and evaluating given alert rules every
 * second, and a small client of its HTTP API. Also the child processes the test starts (the
 * processor, the traffic generator), with their output kept for failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../state/redis-helpers.js';

/** A child process whose output is kept (the last 64 KiB) and which is stopped by its pid. */
export class Child {
  private out = '';
  private exited: Promise<number | null>;
  readonly proc: ChildProcess;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
  ) {
    this.proc = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.out = (this.out + chunk.toString('utf8')).slice(-65_536);
    };
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code) => resolve(code));
      this.proc.once('error', (err) => {
        keep(Buffer.from(`${name}: ${err.message}\n`));
        resolve(null);
      });
    });
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** The last lines of its output, for a failure message. */
  tail(lines = 30): string {
    return this.out.split('\n').slice(-lines).join('\n');
  }

  /** Resolves with the exit code when it exits by itself. */
  wait(): Promise<number | null> {
    return this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Thrown by a `waitFor` check to stop waiting at once (the process it waits for has exited). */
export class GiveUp extends Error {}

/** Waits for a Prometheus-style `/-/ready` of a child just started; stops it if it never gets there. */
export async function untilReady(child: Child, url: string): Promise<void> {
  try {
    await waitFor(
      `${child.name} to be ready`,
      async () => {
        if (!child.running) throw new GiveUp(`${child.name} exited:\n${child.tail()}`);
        const r = await fetch(`${url}/-/ready`);
        return r.ok ? true : undefined;
      },
      30_000,
      200,
    );
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/**
 * Polls `check` until it returns a value other than undefined, or throws after `timeoutMs` with
 * `what`. Other errors of the check count as "not yet", except GiveUp.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface ActiveAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

export class PrometheusApiError extends Error {}

export class Prometheus {
  private constructor(
    readonly url: string,
    private readonly child: Child,
  ) {}

  /**
   * Starts Prometheus on a free port, scraping `targets` (host:port) as job `job` every second and
   * evaluating `ruleFiles` every second; resolves once it is ready.
   */
  static async start(options: { dir: string; job: string; targets: string[]; ruleFiles: string[]; binary?: string }): Promise<Prometheus> {
    await mkdir(options.dir, { recursive: true });
    const port = await freePort();
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      rule_files: options.ruleFiles,
      scrape_configs: [{ job_name: options.job, static_configs: [{ targets: options.targets }] }],
    };
    const configFile = join(options.dir, 'prometheus.yml');
    await writeFile(configFile, stringify(config));
    const child = new Child('prometheus', options.binary ?? 'prometheus', [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(options.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
    const p = new Prometheus(`http://127.0.0.1:${port}`, child);
    await untilReady(child, p.url);
    return p;
  }

  /** An instant query; throws PrometheusApiError with Prometheus' message when it rejects the query. */
  async query(expr: string): Promise<Sample[]> {
    const r = await fetch(`${this.url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
    const body = (await r.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
    if (body.status !== 'success') throw new PrometheusApiError(`${body.error ?? r.statusText}: ${expr}`);
    const { resultType, result } = body.data!;
    if (resultType === 'vector') return result as Sample[];
    if (resultType === 'scalar') return [{ metric: {}, value: result as [number, string] }];
    throw new PrometheusApiError(`unexpected result type ${resultType}: ${expr}`);
  }

  async alerts(): Promise<ActiveAlert[]> {
    const r = await fetch(`${this.url}/api/v1/alerts`);
    const body = (await r.json()) as { data: { alerts: ActiveAlert[] } };
    return body.data.alerts;
  }

  async firing(alertname: string, labels: Record<string, string> = {}): Promise<ActiveAlert | undefined> {
    return (await this.alerts()).find((a) => a.state === 'firing' && a.labels.alertname === alertname && Object.entries(labels).every(([k, v]) => a.labels[k] === v));
  }

  tail(): string {
    return this.child.tail();
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
