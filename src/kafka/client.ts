/*
 * The kafkajs client from the Kafka settings (brokers, TLS, SASL), with kafkajs's own log lines
 * turned into pino lines of the `kafkajs` component.
 */
import kafkajs from 'kafkajs';
import type { Kafka, KafkaConfig, LogEntry, RetryOptions, SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaLogLevel, KafkaSettings } from '../config/index.js';

const { Kafka: KafkaClient, logLevel: LEVEL } = kafkajs;

const LEVELS: Record<KafkaLogLevel, number> = {
  nothing: LEVEL.NOTHING,
  error: LEVEL.ERROR,
  warn: LEVEL.WARN,
  info: LEVEL.INFO,
  debug: LEVEL.DEBUG,
};

function logCreator(log: Logger): KafkaConfig['logCreator'] {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, ...extra }: Record<string, unknown> = entry;
      delete extra.timestamp;
      delete extra.logger;
      const fields = { namespace, ...extra };
      if (level === LEVEL.ERROR) log.error(fields, String(message));
      else if (level === LEVEL.WARN) log.warn(fields, String(message));
      else if (level === LEVEL.INFO) log.info(fields, String(message));
      else log.debug(fields, String(message));
    };
}

// Reconnects and retries of requests: kafkajs backs off up to 30 s between attempts.
const RETRY: RetryOptions = { initialRetryTime: 300, retries: 8, maxRetryTime: 30_000 };

export function createKafka(settings: KafkaSettings, log: Logger, clientIdSuffix = '', retry: RetryOptions = RETRY): Kafka {
  const config: KafkaConfig = {
    clientId: `${settings.clientId}${clientIdSuffix}`,
    brokers: [...settings.brokers],
    connectionTimeout: settings.connectionTimeoutMs,
    logLevel: LEVELS[settings.logLevel],
    logCreator: logCreator(log),
    retry,
  };
  if (settings.ssl !== false) config.ssl = settings.ssl;
  if (settings.sasl) config.sasl = { ...settings.sasl } as SASLOptions;
  return new KafkaClient(config);
}
