/*
 * Every setting of `guardrail run`, by the name it has in the environment and in a config file, with
 * its default and a line of help. This list is the allowlist a config file is checked against, and
 * docs/processor.md documents each entry (a test keeps the two in step).
 */

export interface SettingSpec {
  readonly name: string;
  /** Default as the user would write it; undefined when the setting is optional and has none. */
  readonly default: string | undefined;
  readonly help: string;
  /** Never echoed in messages or logs. */
  readonly secret?: boolean;
}

const s = (name: string, def: string | undefined, help: string, secret = false): SettingSpec => ({ name, default: def, help, secret });

export const SETTINGS: readonly SettingSpec[] = [
  s('GUARDRAIL_CONFIG', undefined, 'optional config file (YAML or JSON) of these names; the environment overrides it'),
  // Kafka connection
  s('KAFKA_BROKERS', '127.0.0.1:9092', 'comma-separated host:port list'),
  s('KAFKA_CLIENT_ID', 'guardrail', 'client id sent to the brokers'),
  s('KAFKA_SSL', 'false', 'true to connect with TLS'),
  s('KAFKA_SSL_CA_FILE', undefined, 'PEM file of the CA that signed the brokers certificates (implies KAFKA_SSL)'),
  s('KAFKA_SSL_CERT_FILE', undefined, 'PEM client certificate for mutual TLS (with KAFKA_SSL_KEY_FILE)'),
  s('KAFKA_SSL_KEY_FILE', undefined, 'PEM private key of the client certificate'),
  s('KAFKA_SSL_REJECT_UNAUTHORIZED', 'true', 'false accepts broker certificates that do not verify (testing only)'),
  s('KAFKA_SASL_MECHANISM', undefined, 'plain, scram-sha-256 or scram-sha-512'),
  s('KAFKA_SASL_USERNAME', undefined, 'SASL user name'),
  s('KAFKA_SASL_PASSWORD', undefined, 'SASL password', true),
  s('KAFKA_SASL_PASSWORD_FILE', undefined, 'file holding the SASL password (a mounted secret)'),
  s('KAFKA_CONNECTION_TIMEOUT', '3s', 'TCP connect timeout per broker'),
  s('KAFKA_SESSION_TIMEOUT', '30s', 'consumer group session timeout: how soon a dead instance loses its partitions'),
  s('KAFKA_HEARTBEAT_INTERVAL', '3s', 'consumer group heartbeat interval (also sent during long batches)'),
  s('KAFKA_REBALANCE_TIMEOUT', '60s', 'how long the group waits for members to rejoin during a rebalance'),
  s('KAFKA_MAX_BYTES_PER_PARTITION', '1MB', 'fetch size per partition: the upper bound of one batch'),
  s('KAFKA_LOG_LEVEL', 'warn', 'level of the Kafka client own log lines: error, warn, info, debug, nothing'),
  // Redis
  s('REDIS_URL', 'redis://127.0.0.1:6379', 'state store: redis://[user:password@]host:port[/db], rediss:// for TLS', true),
  s('REDIS_USERNAME', undefined, 'Redis ACL user, when not in REDIS_URL'),
  s('REDIS_PASSWORD', undefined, 'Redis password, when not in REDIS_URL', true),
  s('REDIS_PASSWORD_FILE', undefined, 'file holding the Redis password (a mounted secret)'),
  s('REDIS_TLS_CA_FILE', undefined, 'PEM file of the CA that signed the Redis server certificate (rediss:// only)'),
  s('REDIS_TLS_CERT_FILE', undefined, 'PEM client certificate for mutual TLS with Redis (with REDIS_TLS_KEY_FILE)'),
  s('REDIS_TLS_KEY_FILE', undefined, 'PEM private key of the Redis client certificate'),
  s('REDIS_TLS_SERVERNAME', undefined, 'server name to verify the Redis certificate against (SNI)'),
  s('REDIS_TLS_REJECT_UNAUTHORIZED', 'true', 'false accepts a Redis certificate that does not verify (testing only)'),
  s('GUARDRAIL_REDIS_PREFIX', 'gr', 'first part of every Redis key (state, quarantine entries, budget, ledger)'),
  s('GUARDRAIL_STORE_TIMEOUT', '2s', 'a state store round trip not answered in this time counts as an outage'),
  s('GUARDRAIL_STORE_MODE', 'cached', 'cached: rules run on states held in the process, written to Redis by compare-and-set once per batch; scripts: each state update runs in Redis as a Lua script'),
  s('GUARDRAIL_STORE_CACHE_KEYS', '20000', 'cached mode: states held in the process (about 7 KB each with the default rules); beyond, the least recently used are dropped (read back from Redis when next used)'),
  // Rules
  s('GUARDRAIL_RULES', './rules', 'rules directory (or file), reloaded when it changes'),
  s('GUARDRAIL_RULES_POLL_INTERVAL', '5s', 'how often the rules are checked for changes besides file system events'),
  // Kafka topics and group
  s('GUARDRAIL_GROUP_ID', 'guardrail', 'consumer group id shared by all instances'),
  s('GUARDRAIL_TOPIC_EVENTS', 'agent-access-events', 'input topic of AgentAccessEvent JSON, key = agent id'),
  s('GUARDRAIL_TOPIC_DETECTIONS', 'agent-detections', 'output: every detection'),
  s('GUARDRAIL_TOPIC_REVOCATIONS', 'agent-token-revocations', 'output: revoke_token and quarantine_agent messages, key = token id'),
  s('GUARDRAIL_TOPIC_APPROVALS', 'agent-approval-requests', 'output: require_approval requests'),
  s('GUARDRAIL_TOPIC_DLQ', 'agent-access-events-dlq', 'output: invalid events, original bytes, reason in headers'),
  s('GUARDRAIL_CREATE_TOPICS', 'true', 'create missing topics at start-up'),
  s('GUARDRAIL_TOPIC_PARTITIONS', '12', 'partitions of topics created at start-up'),
  s('GUARDRAIL_TOPIC_REPLICATION', 'auto', 'replication factor of topics created at start-up; auto = 3, or the number of brokers if fewer'),
  s('GUARDRAIL_START_FROM', 'earliest', 'where a new consumer group starts: earliest or latest'),
  s('GUARDRAIL_CONCURRENCY', '2', 'partitions processed at the same time by one instance'),
  s('GUARDRAIL_ENGINE_BATCH_SIZE', '2000', 'events per rules pass (one state store round trip per phase); halves while the store is slow'),
  // Behaviour
  s('GUARDRAIL_FAIL_MODE', 'closed', 'closed: stop consuming while the state store is down; open: stateless rules only'),
  s('GUARDRAIL_MODE', 'enforce', 'enforce, or shadow: publish detections, take no restricting action (overrides rules)'),
  s('GUARDRAIL_REVOCATION_BUDGET', '100', 'restricting actions (revocations + quarantines) allowed per minute across all instances'),
  s('GUARDRAIL_QUARANTINE_TTL', '1h', 'how long a quarantine lasts (its until time and Redis entry TTL); a rule with a longer cooldown quarantines for its cooldown, up to GUARDRAIL_QUARANTINE_MAX_TTL'),
  s('GUARDRAIL_QUARANTINE_MAX_TTL', '12h', 'the longest a rule\'s cooldown makes a quarantine last; set it to GUARDRAIL_QUARANTINE_TTL to keep every quarantine at that'),
  s('GUARDRAIL_LATENESS', '10m', 'events older than the newest seen on their partition minus this are late'),
  s('GUARDRAIL_DEDUP_HORIZON', '1h', 'how long processed event ids are remembered to drop redeliveries'),
  s('GUARDRAIL_MAX_FUTURE', '5m', "events whose time is further ahead of this processor's clock go to the dead-letter topic: one of them would move its partition's newest time and make every event after it late"),
  s('GUARDRAIL_GEOIP_DB', undefined, 'MaxMind DB file (.mmdb: GeoLite2 or GeoIP2 City or Country, DB-IP): events with a source.ip and no position get their country and position from it; reloaded when the file changes; unset: geo only from what events carry'),
  s('GUARDRAIL_SHUTDOWN_TIMEOUT', '30s', 'on SIGTERM, how long to wait for the batch in flight before exiting anyway'),
  // Operations
  s('GUARDRAIL_METRICS_PORT', '9464', 'port of /metrics, /healthz and /readyz; 0 picks a free port; off disables'),
  s('GUARDRAIL_METRICS_HOST', '0.0.0.0', 'address the metrics server listens on'),
  s('GUARDRAIL_LAG_INTERVAL', '15s', 'how often consumer lag is read from Kafka besides after each batch (so it shows while nothing is consumed)'),
  s('GUARDRAIL_ALERTMANAGER_URL', undefined, 'Alertmanager base URL (http://alertmanager:9093) to push critical detections to at once; unset: no push'),
  s('GUARDRAIL_LOG_LEVEL', 'info', 'fatal, error, warn, info, debug or trace'),
];

export const SETTING_NAMES: ReadonlySet<string> = new Set(SETTINGS.map((x) => x.name));

export function settingSpec(name: string): SettingSpec {
  const spec = SETTINGS.find((x) => x.name === name);
  if (!spec) throw new Error(`unknown setting ${name}`);
  return spec;
}
