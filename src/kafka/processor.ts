/*
 * `guardrail run` put together: rules (watched), Redis (state store, ledger, budget, quarantine
 * entries), Kafka (topics, idempotent producer, consumer group member) and the metrics server,
 * opened in that order and closed in reverse. Start-up fails on bad rules, an unreachable Kafka, or
 * a Kafka that refuses the SASL login or presents a certificate that does not verify; an unreachable
 * Redis is an outage like any other (the fail mode applies).
 */
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { AlertPusher, MemoryBudget, RedisBudget } from '../actions/index.js';
import { RulesWatcher, type FailMode, type ProcessorConfig } from '../config/index.js';
import { initRuleSeries, registerGeoIpGauges, startMetricsServer, type Metrics, type MetricsServer, type Readiness } from '../metrics/index.js';
import { GeoIpFile } from '../events/index.js';
import { inShadowMode, type Ruleset } from '../rules/index.js';
import { RedisStore, checkEvictionPolicy, createStoreMetrics, ioredisOptions, withGuardedConnector } from '../state/index.js';
import { checkKafkaAccess, kafkaAccessError } from './access.js';
import { BatchHandler } from './batch.js';
import { createKafka } from './client.js';
import { GroupMember } from './consumer.js';
import { LagMonitor } from './lag.js';
import { LedgerStore, RedeliveryLedger } from './ledger.js';
import { effectiveFailMode } from './stateless.js';
import { ensureTopics } from './topics.js';

const { Partitioners } = kafkajs;

export interface ProcessorDeps {
  log: Logger;
  metrics: Metrics;
}

export interface Processor {
  readonly metrics: Metrics;
  /** Port of the metrics server, when there is one. */
  readonly metricsPort: number | undefined;
  readonly rules: Ruleset;
  readiness(): Readiness;
  /** Checks the rules for changes now instead of at the next event or poll. */
  checkRules(): Promise<void>;
  /** Loads the GeoIP database again now if its file changed (otherwise checked every GUARDRAIL_RULES_POLL_INTERVAL). */
  checkGeoIp(): void;
  /**
   * Finishes the batch in flight, commits, and closes everything, bounded by GUARDRAIL_SHUTDOWN_TIMEOUT:
   * 'timeout' when that passed first (clients may still be closing, and keep the process alive).
   */
  stop(): Promise<'closed' | 'timeout'>;
}

/** At most one line per this many ms about unreadable state values; the metric counts every one. */
export const UNREADABLE_LOG_EVERY_MS = 60_000;

/**
 * Logs state values the cached store could not read (they start afresh: an agent's baseline or
 * known places are lost): the first at once, then at most one line a minute with how many more
 * there were, so a prefix full of foreign values cannot flood the log. Keys name a group's hash
 * tag and a rule, never a credential.
 */
export function unreadableLogger(log: Pick<Logger, 'warn'>, now: () => number = Date.now): (key: string) => void {
  let lastAt = -Infinity;
  let since = 0;
  return (key) => {
    since++;
    const t = now();
    if (t - lastAt < UNREADABLE_LOG_EVERY_MS) return;
    log.warn({ key, count: since }, 'state value in Redis could not be read and was started afresh (see GuardrailStateUnreadable in docs/operations.md)');
    lastAt = t;
    since = 0;
  };
}

/** The ioredis client the store, ledger, budget and quarantine entries share; tuned to fail fast. */
function createRedis(config: ProcessorConfig): Redis {
  const client = new Redis(withGuardedConnector({
    ...ioredisOptions(config.redis.connection),
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: config.redis.commandTimeoutMs,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 16), 2_000),
  }));
  // Outages are reported through the store's up/down changes; without a listener ioredis prints each error.
  client.on('error', () => undefined);
  return client;
}

/**
 * The GeoIP database file, checked for a replacement every `intervalMs` (a stat); a replacement that
 * does not load is logged and counted, and the database in use stays.
 */
function openGeoIp(path: string, intervalMs: number, metrics: Metrics, log: Logger): { file: GeoIpFile; check: () => void; close: () => void } {
  const file = new GeoIpFile(path, 'GUARDRAIL_GEOIP_DB');
  for (const outcome of ['derived', 'unknown', 'conflict']) metrics.geoipLookups.inc({ outcome }, 0);
  for (const outcome of ['success', 'failure']) metrics.geoipReload.inc({ outcome }, 0);
  registerGeoIpGauges(metrics);
  const loaded = () => {
    metrics.geoipBuildTime.set(Date.parse(file.info.builtAt) / 1000);
    metrics.geoipLastReloadSuccessful.set(1);
    log.info({ path, databaseType: file.info.databaseType, builtAt: file.info.builtAt }, 'GeoIP database loaded: events with a source.ip and no position get their geo from it');
  };
  loaded();
  const check = () => {
    try {
      const outcome = file.refresh();
      if (outcome === 'restored') {
        // The failed file was moved back out: the one in place is the database in use, so nothing is failing.
        metrics.geoipLastReloadSuccessful.set(1);
        log.info({ path }, 'the GeoIP file in place is the database in use again');
      }
      if (outcome !== 'reloaded') return;
      metrics.geoipReload.inc({ outcome: 'success' });
      loaded();
    } catch (err) {
      metrics.geoipReload.inc({ outcome: 'failure' });
      metrics.geoipLastReloadSuccessful.set(0);
      log.error({ err, path }, `the changed GeoIP database did not load; still using the one built ${file.info.builtAt}`);
    }
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return { file, check, close: () => clearInterval(timer) };
}

export async function startProcessor(config: ProcessorConfig, deps: ProcessorDeps): Promise<Processor> {
  const { log, metrics } = deps;
  const closers: { name: string; close: () => Promise<void> | void }[] = [];
  let closing = false;
  const closeAll = async () => {
    closing = true;
    for (const c of closers.reverse()) {
      try {
        await c.close();
        log.debug({ component: c.name }, 'closed');
      } catch (err) {
        log.warn({ err, component: c.name }, 'closing failed');
      }
    }
    closers.length = 0;
  };

  try {
    metrics.revocationBudget.set(config.revocationBudgetPerMinute);
    let rules: Ruleset | undefined;
    // A deployment in shadow mode runs every rule in shadow, so their cooldowns are shadow ones too.
    const deployed = (r: Ruleset): Ruleset => (config.mode === 'shadow' ? inShadowMode(r) : r);
    let lastFailMode: FailMode | undefined;
    const watcher = new RulesWatcher({
      path: config.rules.path,
      pollIntervalMs: config.rules.pollIntervalMs,
      log: log.child({ component: 'rules' }),
      onRules: (r) => (rules = deployed(r)),
      onReload: (outcome, r) => {
        metrics.rulesReload.inc({ outcome });
        metrics.rulesLastReloadSuccessful.set(outcome === 'success' ? 1 : 0);
        if (!r) return;
        metrics.rulesLoaded.set(r.rules.length);
        const failMode = effectiveFailMode(r, config.failMode);
        if (lastFailMode !== undefined && failMode !== lastFailMode) log.warn({ failMode }, `the new rules change the fail mode to ${failMode}`);
        lastFailMode = failMode;
        // Rules that only signal feed composites and never make a detection of their own.
        initRuleSeries(
          metrics,
          deployed(r)
            .rules.filter((rule) => rule.actions.some((a) => a !== 'signal'))
            .map((rule) => ({ rule: rule.id, kind: rule.kind, severity: rule.severity, mode: rule.mode })),
        );
      },
    });
    rules = deployed(await watcher.start());
    closers.push({ name: 'rules', close: () => watcher.close() });
    log.info({ rules: rules.rules.length, files: rules.files.length, path: config.rules.path, failMode: effectiveFailMode(rules, config.failMode) }, 'rules loaded');

    // Served from here on, before Redis and Kafka are reached: joining the group can take up to the
    // rebalance timeout, and a start-up probe that cannot even reach /healthz meanwhile would kill
    // the pod. /readyz says what it waits for until the consumer is in its group.
    let readiness = (): Readiness => ({ ready: false, reasons: ['starting: connecting to the state store and joining the consumer group'] });
    let server: MetricsServer | undefined;
    if (config.metrics.port !== undefined) {
      server = await startMetricsServer({ registry: metrics.registry, port: config.metrics.port, host: config.metrics.host, readiness: () => readiness() });
      closers.push({ name: 'metrics server', close: () => server!.close() });
      log.info({ port: server.port }, 'serving /metrics, /healthz and /readyz');
    }

    const geo = config.geoipDb === undefined ? undefined : openGeoIp(config.geoipDb, config.rules.pollIntervalMs, metrics, log.child({ component: 'geoip' }));
    if (geo) closers.push({ name: 'geoip', close: () => geo.close() });

    const storeLog = log.child({ component: 'store' });
    const redis = createRedis(config);
    closers.push({ name: 'redis', close: () => redis.quit().then(() => undefined, () => redis.disconnect()) });
    const store = new RedisStore({
      client: redis,
      prefix: config.redis.prefix,
      dedupHorizonMs: config.dedupHorizonMs,
      latenessMs: config.latenessMs,
      commandTimeoutMs: config.redis.commandTimeoutMs,
      mode: config.redis.mode,
      maxCachedKeys: config.redis.cacheKeys,
      // The store's own metrics (round trips, script calls, errors) join ours: same registry, same store_up and durations.
      metrics: createStoreMetrics(metrics.registry),
      onUpChange: (up) => {
        if (up) storeLog.info('state store connected');
        else if (!closing) storeLog.warn('state store connection lost');
      },
      onUnreadable: unreadableLogger(storeLog),
    });
    closers.push({ name: 'store', close: () => store.close() });
    try {
      await store.ready();
      const eviction = await checkEvictionPolicy(redis);
      if (eviction !== undefined) storeLog.warn(eviction);
    } catch (err) {
      storeLog.warn({ err }, `state store not reachable at start-up; fail ${effectiveFailMode(rules, config.failMode)} applies until it is`);
    }
    const ledger = new RedeliveryLedger(redis, config.redis.prefix, config.dedupHorizonMs, (seconds) => metrics.storeDuration.observe({ op: 'mark_seen' }, seconds));

    await checkKafkaAccess(config.kafka, log);
    const kafka = createKafka(config.kafka, log.child({ component: 'kafkajs' }));
    const admin: Admin = kafka.admin();
    try {
      await admin.connect();
    } catch (err) {
      // Brokers that were not up for the first attempt may still refuse the login or the certificate: the same sentence, after the retries.
      throw kafkaAccessError(err, config.kafka) ?? err;
    }
    try {
      if (config.topics.create) await ensureTopics(admin, config.topics, log.child({ component: 'topics' }));
    } finally {
      await admin.disconnect();
    }
    const producer: Producer = kafka.producer({
      // Idempotent (acks=all, retries without duplicates); kafkajs keeps retrying a send while the brokers are away.
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { initialRetryTime: 300, maxRetryTime: 30_000, retries: Number.MAX_SAFE_INTEGER },
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    closers.push({ name: 'producer', close: () => producer.disconnect() });

    let alerts: AlertPusher | undefined;
    if (config.alertmanager) {
      const pusher = new AlertPusher({
        url: config.alertmanager.url,
        ...(config.alertmanager.authorization ? { authorization: config.alertmanager.authorization } : {}),
        log: log.child({ component: 'alertmanager' }),
        count: (outcome, n) => metrics.actions.inc({ action: 'alert', outcome }, n),
      });
      alerts = pusher;
      // Closed after the consumer (the last batch's alerts are queued by then), with a few seconds to send them.
      closers.push({ name: 'alertmanager push', close: () => pusher.close() });
      log.info({ url: config.alertmanager.url }, 'pushing critical detections to Alertmanager');
    }

    const consumerLog = log.child({ component: 'consumer' });
    // While Redis is down (fail open) the budget is counted per instance: each takes its share of it.
    const fallbackBudget = new MemoryBudget(config.revocationBudgetPerMinute);
    const shareBudget = (members: number) => {
      const share = Math.floor(config.revocationBudgetPerMinute / members);
      if (share === fallbackBudget.limit) return;
      fallbackBudget.setLimit(share);
      consumerLog.info({ members, perInstance: share }, `revocation budget while Redis is down (fail open): ${share} a minute for this instance, ${members} in the group`);
    };
    const handler = new BatchHandler({
      config,
      store: new LedgerStore(store, ledger),
      redis,
      ledger,
      budget: new RedisBudget(redis, config.redis.prefix, config.revocationBudgetPerMinute),
      fallbackBudget,
      producer,
      rules: () => rules!,
      metrics,
      log: consumerLog,
      ...(alerts ? { alerts } : {}),
      ...(geo ? { geo: geo.file } : {}),
      outage: {
        down: (err) => {
          consumerLog.warn({ err }, 'state store unavailable; fail closed: consumption paused, nothing committed, retrying with backoff');
          member.pause();
        },
        up: (why) => {
          if (why === 'recovered') consumerLog.info('state store available again; consumption resumed');
          else consumerLog.info('the batch retrying through the state store outage was given up; consumption resumed, the next batch retries');
          member.resume();
        },
      },
    });
    closers.push({ name: 'handler', close: () => handler.close() });
    const member: GroupMember = new GroupMember({ kafka, config, handler, metrics, log: consumerLog, onMembers: shareBudget });
    closers.push({ name: 'consumer', close: () => member.stop() });
    await member.start();
    const lag = new LagMonitor({
      kafka,
      groupId: config.groupId,
      topic: config.topics.events,
      startFrom: config.startFrom,
      intervalMs: config.lagIntervalMs,
      partitions: () => member.partitions,
      metrics,
      log: consumerLog,
    });
    await lag.start();
    closers.push({ name: 'lag monitor', close: () => lag.close() });

    readiness = (): Readiness => {
      const reasons: string[] = [];
      if (!member.inGroup) reasons.push('not in the consumer group');
      if (effectiveFailMode(rules!, config.failMode) === 'closed' && !store.isUp()) reasons.push('state store down (fail closed)');
      return { ready: reasons.length === 0, reasons };
    };

    let stopping: Promise<'closed' | 'timeout'> | undefined;
    return {
      metrics,
      metricsPort: server?.port,
      get rules() {
        return rules!;
      },
      readiness,
      checkRules: () => watcher.check(),
      checkGeoIp: () => geo?.check(),
      stop: () => {
        stopping ??= (async () => {
          // The consumer closes first (it is last in the list): the batch in flight finishes and commits.
          let timer: NodeJS.Timeout | undefined;
          const deadline = new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs);
          });
          const done = await Promise.race([closeAll().then(() => 'closed' as const), deadline]);
          clearTimeout(timer);
          if (done === 'timeout') log.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting with the batch in flight uncommitted (it will be redelivered)');
          return done;
        })();
        return stopping;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
