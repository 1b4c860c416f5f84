/*
 * Redis connection settings from the environment (REDIS_URL, ACL user and password, TLS files): what
 * they turn into, a sentence naming the setting for each mistake, never the password in a message;
 * and the store really connecting to a redis-server of the test's own with ACL users and with TLS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigInvalidError, StoreUnavailableError } from '../../src/errors/index.js';
import { describeConnection, ioredisOptions, RedisStore, redisOptionsFromEnv, type RedisEnv, type StoreOp } from '../../src/state/index.js';
import { failure, freePort, OwnRedis, testPrefix } from './redis-helpers.js';

const T0 = Date.parse('2026-11-02T10:00:00Z');
const windowOp = (id: string): StoreOp => ({
  type: 'window', key: { rule: 'r', group: 'g' }, spec: { windowMs: 60_000, slotMs: 1000 }, inputs: [{ id, timeMs: T0, bytes: 10, records: 1 }],
});

/** Files the settings name, served from memory. */
function files(contents: Record<string, string>) {
  return (path: string): Buffer => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
    return Buffer.from(text);
  };
}

function mistake(env: RedisEnv, read = files({})): string {
  try {
    redisOptionsFromEnv(env, read);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigInvalidError);
    expect((err as ConfigInvalidError).code).toBe('GR_ERR_CONFIG_INVALID');
    return (err as Error).message;
  }
  throw new Error('expected the settings to be refused');
}

describe('redis connection settings', () => {
  it('defaults to redis://127.0.0.1:6379, database 0, no credentials, no TLS', () => {
    expect(redisOptionsFromEnv({})).toEqual({ host: '127.0.0.1', port: 6379, db: 0 });
    expect(redisOptionsFromEnv({ REDIS_URL: '' })).toEqual({ host: '127.0.0.1', port: 6379, db: 0 });
  });

  it('reads host, port, database, and a percent-encoded user and password from REDIS_URL', () => {
    expect(redisOptionsFromEnv({ REDIS_URL: 'redis://guard%40rail:p%3Ass%2Fw@redis.internal:6380/3' })).toEqual({
      host: 'redis.internal', port: 6380, db: 3, username: 'guard@rail', password: 'p:ss/w',
    });
    expect(redisOptionsFromEnv({ REDIS_URL: 'redis://:only-a-password@[::1]' })).toEqual({ host: '::1', port: 6379, db: 0, password: 'only-a-password' });
  });

  it('takes the ACL user and the password from their own settings, the password also from a file', () => {
    expect(redisOptionsFromEnv({ REDIS_URL: 'redis://h:1', REDIS_USERNAME: 'guardrail', REDIS_PASSWORD: 'pw' })).toMatchObject({ username: 'guardrail', password: 'pw' });
    const read = files({ '/run/secrets/redis': 'from-file\n' });
    expect(redisOptionsFromEnv({ REDIS_URL: 'redis://h:1', REDIS_USERNAME: 'guardrail', REDIS_PASSWORD_FILE: '/run/secrets/redis' }, read)).toMatchObject({ username: 'guardrail', password: 'from-file' });
  });

  it('turns TLS on with rediss://, with the CA, client certificate, key, servername and verification given', () => {
    expect(redisOptionsFromEnv({ REDIS_URL: 'rediss://h:6380' })).toEqual({ host: 'h', port: 6380, db: 0, tls: {} });
    const read = files({ '/tls/ca.pem': 'CA', '/tls/client.pem': 'CERT', '/tls/client.key': 'KEY' });
    const c = redisOptionsFromEnv(
      {
        REDIS_URL: 'rediss://h:6380',
        REDIS_TLS_CA_FILE: '/tls/ca.pem',
        REDIS_TLS_CERT_FILE: '/tls/client.pem',
        REDIS_TLS_KEY_FILE: '/tls/client.key',
        REDIS_TLS_SERVERNAME: 'redis.internal',
        REDIS_TLS_REJECT_UNAUTHORIZED: 'false',
      },
      read,
    );
    expect(c.tls).toEqual({ ca: [Buffer.from('CA')], cert: Buffer.from('CERT'), key: Buffer.from('KEY'), servername: 'redis.internal', rejectUnauthorized: false });
    expect(ioredisOptions(c)).toEqual({ host: 'h', port: 6380, db: 0, tls: c.tls });
  });

  it('refuses each bad setting with one sentence naming it', () => {
    const read = files({ '/empty': '\n', '/ca': 'CA' });
    expect(mistake({ REDIS_URL: 'not a url' })).toBe('REDIS_URL must look like redis://[user:password@]host[:port][/db] or rediss://... for TLS.');
    expect(mistake({ REDIS_URL: 'http://h:1' })).toBe('REDIS_URL must start with redis:// or rediss:// (not http://).');
    expect(mistake({ REDIS_URL: 'redis://h:1?family=6' })).toBe('REDIS_URL must not carry query parameters or a fragment; use the REDIS_* settings instead.');
    expect(mistake({ REDIS_URL: 'redis://h:1/zero' })).toBe('REDIS_URL must end with a database number, as in /0, or with the port.');
    expect(mistake({ REDIS_URL: 'redis://u:p@h', REDIS_USERNAME: 'v' })).toBe('REDIS_USERNAME must not be set when REDIS_URL carries a user name.');
    expect(mistake({ REDIS_URL: 'redis://:p@h', REDIS_PASSWORD: 'q' })).toBe('REDIS_PASSWORD must not be set when REDIS_URL carries a password.');
    expect(mistake({ REDIS_PASSWORD: 'p', REDIS_PASSWORD_FILE: '/x' })).toBe('REDIS_PASSWORD_FILE must not be set together with REDIS_PASSWORD.');
    expect(mistake({ REDIS_PASSWORD_FILE: '/missing' })).toBe("REDIS_PASSWORD_FILE names a file that cannot be read (/missing: ENOENT).");
    expect(mistake({ REDIS_PASSWORD_FILE: '/empty' }, read)).toBe('REDIS_PASSWORD_FILE names an empty file (/empty).');
    expect(mistake({ REDIS_USERNAME: 'guardrail' })).toBe('REDIS_USERNAME needs a password too (in REDIS_URL, REDIS_PASSWORD or REDIS_PASSWORD_FILE).');
    expect(mistake({ REDIS_URL: 'redis://h', REDIS_TLS_CA_FILE: '/ca' }, read)).toBe('REDIS_TLS_CA_FILE is a TLS setting, but REDIS_URL starts with redis://; use rediss:// to turn TLS on.');
    expect(mistake({ REDIS_URL: 'rediss://h', REDIS_TLS_CA_FILE: '/nope' })).toBe('REDIS_TLS_CA_FILE names a file that cannot be read (/nope: ENOENT).');
    expect(mistake({ REDIS_URL: 'rediss://h', REDIS_TLS_CERT_FILE: '/ca' }, read)).toBe('REDIS_TLS_KEY_FILE must be set when REDIS_TLS_CERT_FILE is (a client certificate needs its key).');
    expect(mistake({ REDIS_URL: 'rediss://h', REDIS_TLS_KEY_FILE: '/ca' }, read)).toBe('REDIS_TLS_CERT_FILE must be set when REDIS_TLS_KEY_FILE is (a client key needs its certificate).');
    expect(mistake({ REDIS_URL: 'rediss://h', REDIS_TLS_REJECT_UNAUTHORIZED: 'maybe' })).toBe('REDIS_TLS_REJECT_UNAUTHORIZED must be true or false (got "maybe").');
  });

  it('never puts the password in a message or a description', () => {
    for (const url of ['redis://user:hunter2-secret@h:notaport', 'ftp://user:hunter2-secret@h', 'redis://user:hunter2-secret@h/x?y=1']) {
      expect(mistake({ REDIS_URL: url })).not.toContain('hunter2');
    }
    expect(mistake({ REDIS_URL: 'redis://:hunter2-secret@h', REDIS_PASSWORD: 'hunter2-other' })).not.toContain('hunter2');
    expect(describeConnection(redisOptionsFromEnv({ REDIS_URL: 'rediss://guardrail:hunter2-secret@h:6380/2' }))).toBe('rediss://guardrail@h:6380/2');
    expect(describeConnection(redisOptionsFromEnv({ REDIS_URL: 'redis://:hunter2-secret@h' }))).toBe('redis://:***@h:6379/0');
  });
});

describe('redis store with ACL users', () => {
  let server: OwnRedis;
  let dir: string;
  const prefix = testPrefix();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guardrail-acl-'));
    await writeFile(join(dir, 'password'), 'acl-pass-4711\n');
    // No default user: every client must authenticate. "limited" may only touch keys under other:.
    server = new OwnRedis(await freePort(), ['--user', 'default', 'off', '--user', 'guardrail', 'on', '>acl-pass-4711', '~*', '&*', '+@all', '--user', 'limited', 'on', '>lim-pass-4711', '~other:*', '+@all']);
    await server.start();
  });
  afterAll(async () => {
    await server.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('authenticates as the ACL user from REDIS_USERNAME and REDIS_PASSWORD_FILE, also again after a restart', async () => {
    const connection = redisOptionsFromEnv({ REDIS_URL: server.url, REDIS_USERNAME: 'guardrail', REDIS_PASSWORD_FILE: join(dir, 'password') });
    const store = new RedisStore({ connection, prefix, maxBackoffMs: 100 });
    try {
      expect((await store.apply([windowOp('a')]))[0]!.observations[0]).toMatchObject({ duplicate: false, sums: { count: 1 } });
      await server.kill();
      while (store.isUp()) await new Promise((resolve) => setTimeout(resolve, 20));
      await server.start();
      await store.ready();
      expect((await store.apply([windowOp('b')]))[0]!.observations[0]).toMatchObject({ duplicate: false, sums: { count: 1 } });
    } finally {
      await store.close();
    }
  });

  it('authenticates with the user and password in the URL', async () => {
    const connection = redisOptionsFromEnv({ REDIS_URL: server.url.replace('redis://', 'redis://guardrail:acl-pass-4711@') });
    const store = new RedisStore({ connection, prefix });
    try {
      expect((await store.apply([windowOp('c')]))[0]!.observations).toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('fails with StoreUnavailableError, and no password in the message, when the password is wrong', async () => {
    const connection = redisOptionsFromEnv({ REDIS_URL: server.url, REDIS_USERNAME: 'guardrail', REDIS_PASSWORD: 'wrong-pass-4711' });
    const store = new RedisStore({ connection, prefix, connectTimeoutMs: 400, maxBackoffMs: 50 });
    try {
      const err = await failure(store.apply([windowOp('d')]));
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(String((err.cause as Error).message)).toMatch(/WRONGPASS/);
      expect(`${err.message} ${(err.cause as Error).message}`).not.toContain('4711');
    } finally {
      await store.close();
    }
  });

  it('fails with StoreUnavailableError when the user may not touch the store keys (NOPERM)', async () => {
    const connection = redisOptionsFromEnv({ REDIS_URL: server.url, REDIS_USERNAME: 'limited', REDIS_PASSWORD: 'lim-pass-4711' });
    const store = new RedisStore({ connection, prefix });
    try {
      const err = await failure(store.apply([windowOp('e')]));
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(err.message).toMatch(/NOPERM/);
    } finally {
      await store.close();
    }
  });
});

describe('redis store over TLS', () => {
  let server: OwnRedis;
  let dir: string;
  const prefix = testPrefix();
  const path = (name: string) => join(dir, name);

  /** A CA, and a certificate for localhost and 127.0.0.1 signed by it, for `who`. */
  function issue(who: string): void {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
    openssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.crt`, '-days', '2', '-extfile', 'san.ext');
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guardrail-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=guardrail-test-ca'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    await writeFile(path('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    issue('server');
    issue('client');
    // Mutual TLS: the server asks for a client certificate signed by the same CA.
    server = new OwnRedis(await freePort(), ['--tls-cert-file', path('server.crt'), '--tls-key-file', path('server.key'), '--tls-ca-cert-file', path('ca.crt'), '--tls-auth-clients', 'yes'], true);
    await server.start();
  });
  afterAll(async () => {
    await server?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('connects with rediss://, the CA, a client certificate and the servername', async () => {
    const connection = redisOptionsFromEnv({
      REDIS_URL: server.url,
      REDIS_TLS_CA_FILE: path('ca.crt'),
      REDIS_TLS_CERT_FILE: path('client.crt'),
      REDIS_TLS_KEY_FILE: path('client.key'),
      REDIS_TLS_SERVERNAME: 'localhost',
    });
    const store = new RedisStore({ connection, prefix });
    try {
      expect((await store.apply([windowOp('t1')]))[0]!.observations[0]).toMatchObject({ duplicate: false, sums: { count: 1 } });
    } finally {
      await store.close();
    }
  });

  it('fails with StoreUnavailableError when the server certificate is not trusted', async () => {
    const connection = redisOptionsFromEnv({ REDIS_URL: server.url, REDIS_TLS_CERT_FILE: path('client.crt'), REDIS_TLS_KEY_FILE: path('client.key') });
    const store = new RedisStore({ connection, prefix, connectTimeoutMs: 400, maxBackoffMs: 50 });
    try {
      const err = await failure(store.apply([windowOp('t2')]));
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err.cause as Error).message).toMatch(/certificate/i);
    } finally {
      await store.close();
    }
  });

  it('fails with StoreUnavailableError without the client certificate the server asks for', async () => {
    const connection = redisOptionsFromEnv({ REDIS_URL: server.url, REDIS_TLS_CA_FILE: path('ca.crt') });
    const store = new RedisStore({ connection, prefix, connectTimeoutMs: 400, maxBackoffMs: 50 });
    try {
      expect(await failure(store.apply([windowOp('t3')]))).toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});
