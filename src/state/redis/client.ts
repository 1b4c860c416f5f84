/*
 * Creates the ioredis client a RedisStore owns, tuned to fail fast: no offline queue, no resending
 * of commands whose fate is unknown, a command timeout, and reconnects with capped backoff.
 */
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
  if (o.connection !== undefined) return guardStreamErrors(new Redis({ ...ioredisOptions(o.connection), ...options }));
  if (o.username !== undefined) options.username = o.username;
  if (o.password !== undefined) options.password = o.password;
  if (o.tls !== undefined) options.tls = o.tls;
  return guardStreamErrors(o.url === undefined ? new Redis(options) : new Redis(o.url, options));
}

/**
 * ioredis listens for one error per connection (`stream.once('error')`); a second one, as a TLS
 * server that refuses the client certificate after the handshake can send, would be an uncaught
 * exception and stop the process. Each connection gets a lasting listener: the first error still
 * reaches ioredis, which reconnects and reports it (the store's outage handling); later ones of a
 * connection being torn down are dropped.
 */
export function guardStreamErrors(client: Redis): Redis {
  client.on('connect', () => {
    const stream = (client as unknown as { stream?: { on(event: 'error', listener: () => void): unknown } }).stream;
    stream?.on('error', () => undefined);
  });
  return client;
}

/** host:port of a client, for messages: never the URL, which may carry a password. */
export function describeClient(client: Redis): string {
  const { host, port, path } = client.options;
  return path ? path : `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}
