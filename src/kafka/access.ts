/*
 * Start-up's first contact with Kafka. Failures that no retry cures, a SASL login the brokers
 * refuse, a broker certificate that does not verify (an unknown CA, another host name, out of its
 * validity dates) and a client certificate the broker refuses (mutual TLS: none, or one it does not
 * trust), become one sentence naming the settings to check, at once rather than after a minute of
 * retries and a kafkajs message.
 */
import kafkajs from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaSettings } from '../config/index.js';
import { KafkaAccessError } from '../errors/index.js';
import { createKafka } from './client.js';

const { KafkaJSConnectionError, KafkaJSSASLAuthenticationError } = kafkajs;

// Node's codes for a certificate chain that does not lead to a CA the client trusts.
const UNTRUSTED = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const OTHER_HOST = 'ERR_TLS_CERT_ALTNAME_INVALID';
// TLS alerts a broker sends about the client's own certificate (mutual TLS, ssl.client.auth=required):
// none given, signed by a CA it does not trust, expired, revoked. Java brokers send bad certificate or
// certificate unknown; TLS 1.3 servers certificate required; OpenSSL-based proxies unknown CA.
const CLIENT_CERT_REFUSED = new Set([
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
]);
const OUT_OF_DATE = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** The error and its causes: kafkajs wraps the one that ended its retries. */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e instanceof Error && out.length < 10 && !out.includes(e); e = e.cause) out.push(e);
  return out;
}

/** The sentence for a refused login, an untrusted broker certificate or a refused client certificate; undefined for any other failure. */
export function kafkaAccessError(err: unknown, settings: KafkaSettings): KafkaAccessError | undefined {
  for (const e of chain(err)) {
    if (e instanceof KafkaJSSASLAuthenticationError && settings.sasl) {
      const { mechanism, username, password } = settings.sasl;
      // The broker's reason, without kafkajs's prefix; a password it might quote is masked.
      const said = e.message.replace(/^SASL .+? authentication failed: /, '');
      const reason = password === '' ? said : said.split(password).join('***');
      return new KafkaAccessError(
        `Kafka refused the SASL login of user ${JSON.stringify(username)} with ${mechanism} (${reason}): check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, and KAFKA_SASL_MECHANISM`,
        { cause: e },
      );
    }
    const code = (e as { code?: unknown }).code;
    if (!(e instanceof KafkaJSConnectionError) || typeof code !== 'string' || settings.ssl === false) continue;
    const reason = e.message.replace(/^Connection error: /, '');
    if (UNTRUSTED.has(code)) {
      const against = settings.ssl.ca === undefined ? "the system's CAs" : 'KAFKA_SSL_CA_FILE';
      return new KafkaAccessError(
        `the Kafka broker at ${e.broker} presented a certificate that ${against} does not verify (${reason}): set KAFKA_SSL_CA_FILE to the PEM file of the CA that signed the brokers' certificates`,
        { cause: e },
      );
    }
    if (code === OTHER_HOST) {
      return new KafkaAccessError(
        `the Kafka broker at ${e.broker} presented a certificate for another host name (${reason}): list the brokers in KAFKA_BROKERS by a name their certificates carry`,
        { cause: e },
      );
    }
    if (CLIENT_CERT_REFUSED.has(code)) {
      // OpenSSL's text ("80DC...:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:...") names the alert.
      const alert = /alert ([a-z ]+?)(?::|$)/.exec(reason)?.[1] ?? code;
      if (!settings.ssl.cert) {
        return new KafkaAccessError(
          `the Kafka broker at ${e.broker} requires a client certificate (mutual TLS) and refused the connection without one (TLS alert: ${alert}): set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE to the PEM certificate and key this client was issued`,
          { cause: e },
        );
      }
      return new KafkaAccessError(
        `the Kafka broker at ${e.broker} did not accept the client certificate of KAFKA_SSL_CERT_FILE (TLS alert: ${alert}): it must be signed by a CA the broker's listener trusts (its ssl.truststore) and be within its validity dates`,
        { cause: e },
      );
    }
    if (OUT_OF_DATE.has(code)) {
      return new KafkaAccessError(`the Kafka broker at ${e.broker} presented a certificate outside its validity dates (${reason}): the broker's certificate must be renewed (or the clock of this machine checked)`, {
        cause: e,
      });
    }
  }
  return undefined;
}

/**
 * One connection without retries, before the client that retries connects: a refused login or an
 * untrusted certificate stops start-up at once. Any other failure (a broker not up yet) is left to
 * that client, which retries and logs as before.
 */
export async function checkKafkaAccess(settings: KafkaSettings, log: Logger): Promise<void> {
  const admin = createKafka({ ...settings, logLevel: 'nothing' }, log, '', { retries: 0 }).admin();
  try {
    await admin.connect();
  } catch (err) {
    const refused = kafkaAccessError(err, settings);
    if (refused) throw refused;
  } finally {
    await admin.disconnect();
  }
}
