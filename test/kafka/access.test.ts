/*
 * The start-up sentences for certificate faults, for TLS alerts a broker of this test suite's kind
 * does not send (test/processor/secure.test.ts meets the others against a real broker).
 */
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { KafkaSettings } from '../../src/config/index.js';
import { kafkaAccessError } from '../../src/kafka/access.js';

const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } = kafkajs;

const settings = (ssl: KafkaSettings['ssl']): KafkaSettings => ({ ssl }) as KafkaSettings;
const refused = (code: string, alert: string) =>
  new KafkaJSNumberOfRetriesExceeded(
    new KafkaJSConnectionError(`Connection error: 80DC0000:error:0A00045C:SSL routines:ssl3_read_bytes:${alert}:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116`, { broker: 'kafka-0:9093', code }),
    { retryCount: 0, retryTime: 0 },
  );

describe('kafkaAccessError', () => {
  it('names the client certificate settings when a TLS 1.3 broker asks for a certificate and none is set', () => {
    const err = kafkaAccessError(refused('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required'), settings({}));
    expect(err?.message).toBe(
      'the Kafka broker at kafka-0:9093 requires a client certificate (mutual TLS) and refused the connection without one (TLS alert: certificate required): set KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE to the PEM certificate and key this client was issued',
    );
  });

  it('says the certificate set was not accepted when a proxy answers unknown CA', () => {
    const err = kafkaAccessError(refused('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'tlsv1 alert unknown ca'), settings({ cert: 'PEM', key: 'PEM' }));
    expect(err?.message).toBe(
      "the Kafka broker at kafka-0:9093 did not accept the client certificate of KAFKA_SSL_CERT_FILE (TLS alert: unknown ca): it must be signed by a CA the broker's listener trusts (its ssl.truststore) and be within its validity dates",
    );
  });

  it('leaves other connection failures, and TLS alerts without TLS configured, to the retries', () => {
    expect(kafkaAccessError(refused('ECONNREFUSED', 'connect'), settings({}))).toBeUndefined();
    expect(kafkaAccessError(refused('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'sslv3 alert bad certificate'), settings(false))).toBeUndefined();
  });
});
