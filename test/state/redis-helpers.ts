/*
 * Helpers of the Redis store tests: a fresh key prefix per test file, removed afterwards, and a
 * redis-server of the test's own on a free port, for tests that kill and restart it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testPrefix(): string {
  return `gr-test-${randomUUID().slice(0, 8)}`;
}

/** Deletes every key under the prefix (SCAN + DEL), so test runs leave nothing behind. */
export async function deleteKeys(prefix: string, url = REDIS_URL): Promise<number> {
  const admin = new Redis(url);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await admin.del(...keys);
    } while (cursor !== '0');
  } finally {
    admin.disconnect();
  }
  return deleted;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A throwaway redis-server without persistence; resolves once it accepts connections. `args` are
 * extra server options (ACL users, TLS); with `tls` the port is the TLS port and plain TCP is off.
 */
export class OwnRedis {
  private proc: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly args: readonly string[] = [],
    private readonly tls = false,
  ) {}

  get url(): string {
    return `${this.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    if (this.proc?.pid === undefined) throw new Error('redis-server is not running');
    return this.proc.pid;
  }

  async start(): Promise<void> {
    const ports = this.tls ? ['--port', '0', '--tls-port', String(this.port)] : ['--port', String(this.port)];
    const proc = spawn('redis-server', [...ports, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...this.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      proc.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
    });
  }

  async kill(): Promise<void> {
    const proc = this.proc;
    // Killed already (a test sent the signal itself): 'exit' has fired and would never come again.
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }
}

/** The error a store call failed with; throws if it did not fail. */
export async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the store to fail');
}
