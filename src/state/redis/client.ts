/*
 * Creates the ioredis client a RedisStore owns, tuned to fail fast: no offline queue, no resending
 * of commands whose fate is unknown, a command timeout, and reconnects with capped backoff.
 */
import { createRequire } from 'node:module';
import { Redis, type RedisOptions } from 'ioredis';
import { ioredisOptions, type RedisConnection } from './connect.js';

export interface ClientOptions {
  /** Host, port, database, credentials and TLS (redisOptionsFromEnv); wins over url and the rest. */
  connection?: RedisConnection;
  /** redis://[user:password@]host:port[/db] or rediss:// for TLS. */
  url?: string;
  username?: string;
  password?: string;
  /** TLS options (certificates, servername); `{}` turns TLS on with defaults. rediss:// does too. */
  tls?: RedisOptions['tls'];
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  /** Ceiling of the reconnect backoff. */
  maxBackoffMs: number;
}

export function createClient(o: ClientOptions): Redis {
  const options: RedisOptions = {
    // Down Redis: commands fail at once instead of queueing, and the engine applies its fail mode.
    enableOfflineQueue: false,
    // A command in flight when the connection drops may or may not have run; the caller retries
    // the whole batch (idempotent), rather than ioredis resending it and reporting duplicates.
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: o.commandTimeoutMs,
    connectTimeout: o.connectTimeoutMs,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 16), o.maxBackoffMs),
  };
  if (o.connection !== undefined) return new Redis(withGuardedConnector({ ...ioredisOptions(o.connection), ...options }));
  if (o.username !== undefined) options.username = o.username;
  if (o.password !== undefined) options.password = o.password;
  if (o.tls !== undefined) options.tls = o.tls;
  return o.url === undefined ? new Redis(withGuardedConnector(options)) : new Redis(o.url, withGuardedConnector(options));
}

/**
 * ioredis listens for one error per connection (`stream.once('error')`, attached only while the
 * socket is not yet destroyed); another one, as a TLS server refusing the client certificate can
 * send, would be an uncaught exception and stop the process. The connector used here gives every
 * socket a lasting listener as soon as it exists: errors still reach ioredis, which reports them
 * and reconnects (the store's outage handling); the extra ones of a socket being torn down are dropped.
 */
const require = createRequire(import.meta.url);
type StandaloneConnectorClass = new (options: object) => { connect(onError: unknown): Promise<NodeJS.EventEmitter> };
const StandaloneConnector = (require('ioredis/built/connectors/StandaloneConnector.js') as { default: StandaloneConnectorClass }).default;

class GuardedConnector extends StandaloneConnector {
  override async connect(onError: unknown): Promise<NodeJS.EventEmitter> {
    const stream = await super.connect(onError);
    stream.on('error', () => undefined);
    return stream;
  }
}

/** Client options whose sockets keep a lasting error listener (see GuardedConnector). */
export function withGuardedConnector<T extends RedisOptions>(options: T): T {
  return { ...options, Connector: GuardedConnector as unknown as RedisOptions['Connector'] };
}

/** host:port of a client, for messages: never the URL, which may carry a password. */
export function describeClient(client: Redis): string {
  const { host, port, path } = client.options;
  return path ? path : `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}
