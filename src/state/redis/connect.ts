/*
 * Where and how to connect to Redis, from the environment: REDIS_URL (redis:// or rediss://, with
 * user and password if wanted), an ACL user and password (or a password file), and TLS files. A bad
 * setting throws ConfigInvalidError with one sentence naming it; no message carries the password.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { RedisOptions } from 'ioredis';
import { ConfigInvalidError } from '../../errors/index.js';

/** A Redis connection, parsed and checked; hand it to RedisStore ({ connection }) or ioredis (ioredisOptions). */
export interface RedisConnection {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** Present when TLS is on (rediss://): CA, client certificate and key, servername, verification. */
  tls?: ConnectionOptions;
}

export type RedisEnv = Readonly<Record<string, string | undefined>>;

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The environment variables redisOptionsFromEnv reads, for help texts and docs. */
export const REDIS_SETTINGS = [
  'REDIS_URL',
  'REDIS_USERNAME',
  'REDIS_PASSWORD',
  'REDIS_PASSWORD_FILE',
  'REDIS_TLS_CA_FILE',
  'REDIS_TLS_CERT_FILE',
  'REDIS_TLS_KEY_FILE',
  'REDIS_TLS_SERVERNAME',
  'REDIS_TLS_REJECT_UNAUTHORIZED',
] as const;

type ReadFile = (path: string) => Buffer;

function bad(setting: string, sentence: string): never {
  throw new ConfigInvalidError(`${setting} ${sentence}`);
}

/** A set, non-empty value; empty counts as unset, as a shell's `VAR=` does. */
function value(env: RedisEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function readSetting(readFile: ReadFile, name: string, path: string): Buffer {
  try {
    return readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return bad(name, `names a file that cannot be read (${path}: ${code ?? (err as Error).message}).`);
  }
}

function decode(name: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return bad(name, 'has a malformed percent-encoding in its user or password.');
  }
}

function parseUrl(text: string): RedisConnection & { tlsScheme: boolean } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Never echo the URL: it may carry a password.
    return bad('REDIS_URL', 'must look like redis://[user:password@]host[:port][/db] or rediss://... for TLS.');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') bad('REDIS_URL', `must start with redis:// or rediss:// (not ${url.protocol}//).`);
  if (url.hostname === '') bad('REDIS_URL', 'must name a host, as in redis://127.0.0.1:6379.');
  if (url.search !== '' || url.hash !== '') bad('REDIS_URL', 'must not carry query parameters or a fragment; use the REDIS_* settings instead.');
  const port = url.port === '' ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path)) bad('REDIS_URL', 'must end with a database number, as in /0, or with the port.');
  const c: RedisConnection & { tlsScheme: boolean } = {
    // new URL keeps IPv6 hosts in brackets; sockets want them bare.
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    db: path === '' ? 0 : Number(path),
    tlsScheme: url.protocol === 'rediss:',
  };
  if (url.username !== '') c.username = decode('REDIS_URL', url.username);
  if (url.password !== '') c.password = decode('REDIS_URL', url.password);
  return c;
}

function parseBoolean(name: string, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(t)) return true;
  if (['false', '0', 'no'].includes(t)) return false;
  return bad(name, `must be true or false (got "${text}").`);
}

/**
 * Reads REDIS_URL (default redis://127.0.0.1:6379), REDIS_USERNAME, REDIS_PASSWORD or
 * REDIS_PASSWORD_FILE, and REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE,
 * REDIS_TLS_SERVERNAME, REDIS_TLS_REJECT_UNAUTHORIZED. The user and password may be in the URL or in
 * their own settings, not both. TLS settings need rediss://.
 */
export function redisOptionsFromEnv(env: RedisEnv, readFile: ReadFile = readFileSync): RedisConnection {
  const { tlsScheme, ...c } = parseUrl(value(env, 'REDIS_URL') ?? DEFAULT_REDIS_URL);

  const username = value(env, 'REDIS_USERNAME');
  if (username !== undefined) {
    if (c.username !== undefined) bad('REDIS_USERNAME', 'must not be set when REDIS_URL carries a user name.');
    c.username = username;
  }
  const inline = value(env, 'REDIS_PASSWORD');
  const file = value(env, 'REDIS_PASSWORD_FILE');
  if (inline !== undefined && file !== undefined) bad('REDIS_PASSWORD_FILE', 'must not be set together with REDIS_PASSWORD.');
  if ((inline !== undefined || file !== undefined) && c.password !== undefined) {
    bad(inline !== undefined ? 'REDIS_PASSWORD' : 'REDIS_PASSWORD_FILE', 'must not be set when REDIS_URL carries a password.');
  }
  if (inline !== undefined) c.password = inline;
  if (file !== undefined) {
    // Secret files usually end with a newline that is not part of the password.
    const password = readSetting(readFile, 'REDIS_PASSWORD_FILE', file).toString('utf8').replace(/\r?\n$/, '');
    if (password === '') bad('REDIS_PASSWORD_FILE', `names an empty file (${file}).`);
    c.password = password;
  }
  if (c.username !== undefined && c.password === undefined) {
    bad('REDIS_USERNAME', 'needs a password too (in REDIS_URL, REDIS_PASSWORD or REDIS_PASSWORD_FILE).');
  }

  const tlsSettings = ['REDIS_TLS_CA_FILE', 'REDIS_TLS_CERT_FILE', 'REDIS_TLS_KEY_FILE', 'REDIS_TLS_SERVERNAME', 'REDIS_TLS_REJECT_UNAUTHORIZED'] as const;
  const tlsSet = tlsSettings.find((name) => value(env, name) !== undefined);
  if (!tlsScheme) {
    if (tlsSet !== undefined) bad(tlsSet, 'is a TLS setting, but REDIS_URL starts with redis://; use rediss:// to turn TLS on.');
    return c;
  }
  const tls: ConnectionOptions = {};
  const ca = value(env, 'REDIS_TLS_CA_FILE');
  if (ca !== undefined) tls.ca = [readSetting(readFile, 'REDIS_TLS_CA_FILE', ca)];
  const cert = value(env, 'REDIS_TLS_CERT_FILE');
  const key = value(env, 'REDIS_TLS_KEY_FILE');
  if (cert !== undefined && key === undefined) bad('REDIS_TLS_KEY_FILE', 'must be set when REDIS_TLS_CERT_FILE is (a client certificate needs its key).');
  if (key !== undefined && cert === undefined) bad('REDIS_TLS_CERT_FILE', 'must be set when REDIS_TLS_KEY_FILE is (a client key needs its certificate).');
  if (cert !== undefined && key !== undefined) {
    tls.cert = readSetting(readFile, 'REDIS_TLS_CERT_FILE', cert);
    tls.key = readSetting(readFile, 'REDIS_TLS_KEY_FILE', key);
  }
  const servername = value(env, 'REDIS_TLS_SERVERNAME');
  if (servername !== undefined) tls.servername = servername;
  const reject = value(env, 'REDIS_TLS_REJECT_UNAUTHORIZED');
  if (reject !== undefined) tls.rejectUnauthorized = parseBoolean('REDIS_TLS_REJECT_UNAUTHORIZED', reject);
  c.tls = tls;
  return c;
}

/** The connection as ioredis options (host, port, db, credentials, TLS), to merge with a client's tuning. */
export function ioredisOptions(c: RedisConnection): RedisOptions {
  const o: RedisOptions = { host: c.host, port: c.port, db: c.db };
  if (c.username !== undefined) o.username = c.username;
  if (c.password !== undefined) o.password = c.password;
  if (c.tls !== undefined) o.tls = c.tls;
  return o;
}

/** The connection for logs: scheme, user, host, port and database; never the password. */
export function describeConnection(c: RedisConnection): string {
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  const user = c.username !== undefined ? `${encodeURIComponent(c.username)}@` : c.password !== undefined ? ':***@' : '';
  return `${c.tls ? 'rediss' : 'redis'}://${user}${host}:${c.port}/${c.db}`;
}
