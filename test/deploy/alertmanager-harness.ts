/*
 * A real Alertmanager for the push tests: the binary of Debian's prometheus-alertmanager package
 * (upstream's is named alertmanager), on a free port with clustering off, a temp storage dir and a
 * config whose only receiver does nothing (no notification leaves the machine). Its v2 API lists
 * the alerts it received.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../state/redis-helpers.js';
import { Child, untilReady } from './prometheus-harness.js';
import { available } from './tools.js';

/** The Alertmanager binary on this machine: Debian's name first. */
export function alertmanagerBinary(): string | undefined {
  return ['prometheus-alertmanager', 'alertmanager'].find((b) => available(b));
}

export interface ReceivedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

export class Alertmanager {
  private constructor(
    readonly url: string,
    private readonly child: Child,
  ) {}

  static async start(dir: string): Promise<Alertmanager> {
    const binary = alertmanagerBinary();
    if (!binary) throw new Error('Alertmanager is not installed: apt-get install -y prometheus-alertmanager (Debian)');
    await mkdir(dir, { recursive: true });
    const port = await freePort();
    const config = join(dir, 'alertmanager.yml');
    await writeFile(config, stringify({ route: { receiver: 'nowhere', group_wait: '1s' }, receivers: [{ name: 'nowhere' }] }));
    const child = new Child('alertmanager', binary, [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);
    const am = new Alertmanager(`http://127.0.0.1:${port}`, child);
    await untilReady(child, am.url);
    return am;
  }

  /** Every alert Alertmanager holds (active, silenced or inhibited). */
  async alerts(): Promise<ReceivedAlert[]> {
    const r = await fetch(`${this.url}/api/v2/alerts`);
    if (!r.ok) throw new Error(`GET /api/v2/alerts: ${r.status}`);
    return (await r.json()) as ReceivedAlert[];
  }

  tail(): string {
    return this.child.tail();
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
