/*
 * The processor's configuration after parsing: typed, units converted (durations in milliseconds,
 * sizes in bytes), defaults applied, frozen. Nothing downstream reads the environment.
 */
import type { ConnectionOptions } from 'node:tls';
import type { RedisConnection } from '../state/index.js';

export type FailMode = 'closed' | 'open';
export type ProcessorMode = 'enforce' | 'shadow';
export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export interface KafkaSettings {
  brokers: readonly string[];
  clientId: string;
  /** false for plaintext; TLS options otherwise. */
  ssl: false | ConnectionOptions;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  connectionTimeoutMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  maxBytesPerPartition: number;
  logLevel: KafkaLogLevel;
}

export interface TopicSettings {
  events: string;
  detections: string;
  revocations: string;
  approvals: string;
  dlq: string;
  create: boolean;
  partitions: number;
  /** 'auto': 3, or the number of brokers when there are fewer. */
  replication: number | 'auto';
}

export interface AlertmanagerSettings {
  /** Base URL without credentials, no trailing slash: http://alertmanager:9093 or https://host/prefix. */
  url: string;
  /** From user:password in the URL: sent as HTTP basic authentication. */
  authorization?: string;
}

export interface ProcessorConfig {
  kafka: KafkaSettings;
  /** Where and how to reach Redis (host, port, db, ACL user and password, TLS), from the REDIS_* settings. */
  redis: { connection: RedisConnection; prefix: string; commandTimeoutMs: number; mode: 'cached' | 'scripts'; cacheKeys: number };
  rules: { path: string; pollIntervalMs: number };
  groupId: string;
  topics: TopicSettings;
  startFrom: 'earliest' | 'latest';
  concurrency: number;
  /** Events per engine call: each call is one state store round trip per phase. */
  engineBatchSize: number;
  failMode: FailMode;
  mode: ProcessorMode;
  revocationBudgetPerMinute: number;
  quarantineTtlMs: number;
  /** The longest a rule's cooldown makes a quarantine last (at least quarantineTtlMs). */
  quarantineMaxTtlMs: number;
  latenessMs: number;
  dedupHorizonMs: number;
  /** Events timed further ahead of the wall clock than this are dead-lettered (GUARDRAIL_MAX_FUTURE). */
  maxFutureMs: number;
  shutdownTimeoutMs: number;
  /** undefined: no metrics server. 0: a free port. */
  metrics: { port: number | undefined; host: string };
  /** How often consumer lag is read from Kafka, besides after each batch. */
  lagIntervalMs: number;
  /** Where critical detections are pushed (POST <url>/api/v2/alerts); undefined: no push. */
  alertmanager: AlertmanagerSettings | undefined;
  /** Path of the GeoIP database (GUARDRAIL_GEOIP_DB); undefined: none. */
  geoipDb: string | undefined;
  logLevel: LogLevel;
}
